package io.panatap.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * tshark's view of a capture's TCP connections, the ground truth of the flow tests: its conversation table
 * ({@code tshark -q -z conv,tcp}), its stream numbering ({@code tcp.stream}) and the reassembled bytes of a
 * stream ({@code tshark -q -z follow,tcp,raw,N}). Call {@link Prerequisites#requireTool} with "tshark" first.
 *
 * <p>tshark 4.0 prints a conversation's byte counts from 10,000 up in kB (10^3, rounded down): {@link
 * Conversation#bytesMatch} compares a count with what tshark printed at tshark's precision.
 */
public final class Tshark {
    private Tshark() {
    }

    /** One side of a conversation or stream: address text (IPv6 without brackets) and port. */
    public record Endpoint(String address, int port) {
        @Override
        public String toString() {
            return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
        }
    }

    /**
     * One row of {@code -z conv,tcp}: endpoints A and B, frames and bytes each way (bytes as printed: a
     * number and a unit, "bytes", "kB", "MB"...).
     */
    public record Conversation(Endpoint a, Endpoint b, long framesAToB, String bytesAToB, long framesBToA,
                               String bytesBToA) {
        /** True when {@code bytes} printed as tshark prints it is {@code printed}. */
        public static boolean bytesMatch(long bytes, String printed) {
            return format(bytes).equals(printed);
        }

        /** tshark 4.0's {@code format_size} with SI prefixes: "4939 bytes", "11 kB" (11,960), "2 MB". */
        public static String format(long bytes) {
            String[] units = {"kB", "MB", "GB", "TB", "PB"};
            if (bytes / 1000 < 10) {
                return bytes + " bytes";
            }
            long power = 1000;
            int unit = 0;
            while (unit + 1 < units.length && bytes / (power * 1000) >= 10) {
                power *= 1000;
                unit++;
            }
            return bytes / power + " " + units[unit];
        }
    }

    /** The two directions of one reassembled stream: node 0 (the first packet's sender) and node 1. */
    public record Follow(int stream, Endpoint node0, Endpoint node1, byte[] fromNode0, byte[] fromNode1) {
        /** The bytes sent by {@code sender}, which must be node 0 or node 1. */
        public byte[] from(Endpoint sender) {
            if (sender.equals(node0)) {
                return fromNode0;
            }
            if (sender.equals(node1)) {
                return fromNode1;
            }
            throw new IllegalArgumentException(sender + " is neither " + node0 + " nor " + node1);
        }
    }

    private static final Pattern CONVERSATION = Pattern.compile(
            "^(\\S+):(\\d+)\\s+<->\\s+(\\S+):(\\d+)\\s+(\\d+)\\s+(\\d+ \\S+)\\s+(\\d+)\\s+(\\d+ \\S+)\\s+(\\d+)\\s+(\\d+ \\S+)\\s+.*$");

    /** The rows of {@code tshark -q -z conv,tcp -r file}. */
    public static List<Conversation> conversations(Path file) {
        return parseConversations(run("-q", "-z", "conv,tcp", "-r", file.toString()));
    }

    static List<Conversation> parseConversations(String text) {
        List<Conversation> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = CONVERSATION.matcher(line);
            if (m.matches()) {
                // The first column group ("<-") counts frames from B to A, the second ("->") from A to B.
                rows.add(new Conversation(new Endpoint(m.group(1), Integer.parseInt(m.group(2))),
                        new Endpoint(m.group(3), Integer.parseInt(m.group(4))),
                        Long.parseLong(m.group(7)), m.group(8), Long.parseLong(m.group(5)), m.group(6)));
            }
        }
        return rows;
    }

    /** The number of TCP streams tshark numbers in {@code file} (the highest {@code tcp.stream} plus one). */
    public static int streamCount(Path file) {
        int max = -1;
        for (String line : run("-r", file.toString(), "-Y", "tcp", "-T", "fields", "-e", "tcp.stream").split("\n")) {
            String value = line.trim();
            if (!value.isEmpty()) {
                max = Math.max(max, Integer.parseInt(value.split(",")[0]));
            }
        }
        return max + 1;
    }

    /** Stream {@code stream} of {@code file} as {@code tshark -q -z follow,tcp,raw,N} reassembles it. */
    public static Follow follow(Path file, int stream) {
        return parseFollow(stream, run("-q", "-z", "follow,tcp,raw," + stream, "-r", file.toString()));
    }

    /** The conversation table and the first {@code streams} streams of one capture, from one tshark run. */
    public record Analysis(List<Conversation> conversations, List<Follow> streams) {
    }

    /**
     * {@code -z conv,tcp} and {@code -z follow,tcp,raw,N} for N from 0 to {@code streams - 1}, in one tshark run
     * (tshark's start-up costs about as much as reading a small capture).
     */
    public static Analysis analyse(Path file, int streams) {
        List<String> args = new ArrayList<>(List.of("-q", "-z", "conv,tcp"));
        for (int i = 0; i < streams; i++) {
            args.add("-z");
            args.add("follow,tcp,raw," + i);
        }
        args.add("-r");
        args.add(file.toString());
        String text = run(args.toArray(String[]::new));
        Follow[] found = new Follow[streams];
        for (String block : text.split("Follow: tcp,raw\n")) {
            Matcher m = Pattern.compile("Filter: tcp.stream eq (\\d+)").matcher(block);
            if (m.find() && block.contains("Node 0: ")) {
                int stream = Integer.parseInt(m.group(1));
                found[stream] = parseFollow(stream, block);
            }
        }
        List<Follow> out = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            if (found[i] == null) {
                throw new IllegalStateException("tshark printed no stream " + i + " of " + file);
            }
            out.add(found[i]);
        }
        return new Analysis(parseConversations(text), out);
    }

    /** Every stream of {@code file}, reassembled by one tshark run. */
    public static List<Follow> followAll(Path file, int count) {
        return analyse(file, count).streams();
    }

    /** Parses follow output: {@code Node 0: addr:port}, {@code Node 1: ...}, then hex lines, node 1's tab-indented. */
    static Follow parseFollow(int stream, String text) {
        Endpoint node0 = null;
        Endpoint node1 = null;
        java.io.ByteArrayOutputStream from0 = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream from1 = new java.io.ByteArrayOutputStream();
        boolean data = false;
        for (String line : text.split("\n")) {
            if (line.startsWith("Node 0: ")) {
                node0 = endpoint(line.substring(8));
            } else if (line.startsWith("Node 1: ")) {
                node1 = endpoint(line.substring(8));
                data = true;
            } else if (line.startsWith("=====")) {
                data = false;
            } else if (data && !line.isBlank()) {
                boolean second = line.startsWith("\t");
                (second ? from1 : from0).writeBytes(HexFormat.of().parseHex(line.strip()));
            }
        }
        if (node0 == null || node1 == null) {
            throw new IllegalStateException("no stream " + stream + " in tshark's output:\n" + text);
        }
        return new Follow(stream, node0, node1, from0.toByteArray(), from1.toByteArray());
    }

    private static Endpoint endpoint(String text) {
        int colon = text.lastIndexOf(':');
        String address = text.substring(0, colon);
        if (address.startsWith("[")) {
            address = address.substring(1, address.length() - 1);
        }
        return new Endpoint(address, Integer.parseInt(text.substring(colon + 1).strip()));
    }

    /** Runs tshark (numeric, no name resolution) and returns its standard output; fails on a non-zero exit. */
    public static String run(String... args) {
        List<String> command = new ArrayList<>(List.of("tshark", "-n"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("tshark timed out: " + command);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("tshark exited with " + p.exitValue() + ": " + command);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
