package io.panatap.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares the rows of {@code panatap -r FILE --format line [options]} with what the installed tcpdump
 * prints for the same frames ({@code tcpdump -n -S -# [options] -r FILE}), frame by frame, up to and
 * including tcpdump's {@code length N} after the TCP flags (or {@code tcp N} with {@code -q}); rows that
 * end earlier (truncation markers, bad lengths) are compared whole. panatap runs in this JVM; frames are
 * matched by their number in the file, which {@code --format json} gives.
 */
final class TcpdumpComparison {
    /** tcpdump -# starts a frame's text with its number, right-aligned in 5 columns, two spaces, the time. */
    private static final Pattern FRAME_START = Pattern.compile("^ {0,4}(\\d+)  (\\d\\d:\\d\\d:\\d\\d\\.\\d+ .*)$");
    private static final Pattern TIME = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.(\\d+) ");
    private static final Pattern ROW_START = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} ");
    private static final Pattern IP = Pattern.compile(" IP6? ");
    private static final Pattern LENGTH = Pattern.compile(", length \\d+");
    private static final Pattern QUIET_LENGTH = Pattern.compile(": tcp \\d+");

    /** One row that differs: the frame, tcpdump's text and panatap's, both cut as compared. */
    record Difference(String capture, long frame, String tcpdump, String panatap) {
        @Override
        public String toString() {
            return capture + " frame " + frame + "\n  tcpdump: " + tcpdump + "\n  panatap: " + panatap;
        }
    }

    /** The outcome for one capture: rows compared and those that differ. */
    record Outcome(int rows, List<Difference> differences) {
    }

    private TcpdumpComparison() {
    }

    static Outcome compare(Path capture, String... options) throws IOException, InterruptedException {
        return compare(capture, false, options);
    }

    /**
     * {@code fromIp}: compare from {@code IP }/{@code IP6 } on, leaving out the time and the link-level text
     * before it (the interface and direction of a Linux cooked v2 header, a cooked header's VLAN EtherType),
     * which the link-header view prints.
     */
    static Outcome compare(Path capture, boolean fromIp, String... options) throws IOException, InterruptedException {
        Map<Long, String> tcpdump = tcpdump(capture, options);
        List<Long> frames = new ArrayList<>();
        for (String line : panatap(capture, "--format", "json").split("\n")) {
            if (!line.isEmpty()) {
                frames.add(Long.parseLong(line.substring("{\"frame\":".length(), line.indexOf(','))));
            }
        }
        List<String> args = new ArrayList<>(List.of("--format", "line"));
        args.addAll(List.of(options));
        List<String> rows = rows(panatap(capture, args.toArray(String[]::new)));
        List<Difference> differences = new ArrayList<>();
        String name = capture.getFileName().toString();
        if (rows.size() != frames.size()) {
            differences.add(new Difference(name, -1, frames.size() + " TCP frames", rows.size() + " rows"));
            return new Outcome(frames.size(), differences);
        }
        for (int i = 0; i < frames.size(); i++) {
            String expected = tcpdump.get(frames.get(i));
            String got = rows.get(i);
            if (expected == null) {
                differences.add(new Difference(name, frames.get(i), "(no row)", got));
                continue;
            }
            // tcpdump prints a sub-second field beyond its range as it is (10.1000000); panatap reads such a
            // record as the time it means (11.000000). Only the rest of the row is compared then.
            Matcher m = TIME.matcher(expected);
            if (m.find() && m.group(1).length() > 6) {
                expected = expected.substring(expected.indexOf(' '));
                got = got.substring(got.indexOf(' '));
            }
            if (fromIp) {
                expected = fromIp(expected);
                got = fromIp(got);
            }
            if (!cut(expected).equals(cut(got))) {
                differences.add(new Difference(name, frames.get(i), cut(expected), cut(got)));
            }
        }
        return new Outcome(frames.size(), differences);
    }

    private static String fromIp(String row) {
        Matcher m = IP.matcher(row);
        return m.find() ? row.substring(m.start() + 1) : row;
    }

    /** The text compared: up to {@code length N} after the flags (or {@code tcp N}), else the whole row. */
    static String cut(String row) {
        int flags = row.indexOf("Flags [");
        if (flags >= 0) {
            Matcher m = LENGTH.matcher(row);
            if (m.find(flags)) {
                return row.substring(0, m.end());
            }
        }
        Matcher q = QUIET_LENGTH.matcher(row);
        if (q.find()) {
            return row.substring(0, q.end());
        }
        return row.stripTrailing();
    }

    private static Map<Long, String> tcpdump(Path capture, String... options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tcpdump", "-n", "-S", "-#"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("-r", capture.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TZ", ZoneId.systemDefault().getId());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tcpdump did not finish on " + capture);
        }
        Map<Long, String> frames = new HashMap<>();
        long current = -1;
        StringBuilder text = new StringBuilder();
        for (String line : out.split("\n", -1)) {
            Matcher m = FRAME_START.matcher(line);
            if (m.matches()) {
                if (current >= 0) {
                    frames.put(current, text.toString());
                }
                current = Long.parseLong(m.group(1));
                text.setLength(0);
                text.append(m.group(2));
            } else if (current >= 0 && !line.isEmpty()) {
                text.append('\n').append(line);
            }
        }
        if (current >= 0) {
            frames.put(current, text.toString());
        }
        return frames;
    }

    private static String panatap(Path capture, String... args) {
        List<String> all = new ArrayList<>(List.of("-r", capture.toString()));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(all.toArray(String[]::new), out, new PrintStream(err, true, StandardCharsets.UTF_8),
                new Session());
        if (status != 0) {
            throw new AssertionError("panatap " + all + " exited " + status + ": " + err);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** panatap's rows: a row starts with the time; tcpdump's continuation lines start with white space. */
    private static List<String> rows(String out) {
        List<String> rows = new ArrayList<>();
        StringBuilder row = null;
        for (String line : out.split("\n", -1)) {
            if (ROW_START.matcher(line).find()) {
                if (row != null) {
                    rows.add(row.toString());
                }
                row = new StringBuilder(line);
            } else if (row != null && !line.isEmpty()) {
                row.append('\n').append(line);
            }
        }
        if (row != null) {
            rows.add(row.toString());
        }
        return rows;
    }
}
