package io.panatap.cli;

import io.panatap.flow.Flow;
import io.panatap.flow.Side;
import io.panatap.flow.StreamListener;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code --follow DIR}: each direction of each connection's reassembled byte stream in a file of its own, as
 * {@code tcpflow} writes them. The file is named after the sender, then the receiver, tcpflow style:
 * <pre>
 *   010.000.000.001.54321-010.000.000.002.00080    bytes 10.0.0.1:54321 sent to 10.0.0.2:80
 *   010.000.000.002.00080-010.000.000.001.54321    the answer
 *   fd00:0000:0000:0000:0000:0000:0000:0001.54321-fd00:0000:0000:0000:0000:0000:0000:0002.00080   IPv6
 * </pre>
 * IPv4 octets are zero-padded to three digits, IPv6 addresses written in full (eight groups of four hex
 * digits), ports to five digits, so names sort by address and port. A connection on a VLAN gets
 * {@code -vlanN} appended; a later connection with the same addresses and ports in the same run gets
 * {@code -2}, {@code -3}, ... (the first keeps the plain name). A file from an earlier run with the same name
 * is replaced. Only payload is written, each byte once in sequence order (the first copy wins when
 * retransmissions differ); bytes never captured are skipped, not filled, and counted ({@link #gaps()}).
 *
 * <p>At most {@link #MAX_OPEN} files are open at once: the least recently written is closed and reopened for
 * appending when its connection sends again. A write error (a full disk) stops the writing and is rethrown by
 * {@link #checkError()}.
 */
final class FollowWriter implements StreamListener {
    static final int MAX_OPEN = 64;

    private final Path dir;
    private final StringBuilder name = new StringBuilder(96);
    /** Open files, least recently written first. */
    private final LinkedHashMap<String, FileChannel> open = new LinkedHashMap<>(16, 0.75f, true);
    /** Per base name (addresses and ports of one direction): the file of the connection now using it. */
    private final Map<String, Current> current = new HashMap<>();
    /** Per base name: how many connections used it so far in this run. */
    private final Map<String, Integer> used = new HashMap<>();
    /** Files created in this run: a file reopened after {@link #MAX_OPEN} others is appended to, not truncated. */
    private final Set<String> made = new HashSet<>();
    private long gaps;
    private long gapBytes;
    private IOException error;

    private record Current(long firstNanos, String file) {
    }

    private FollowWriter(Path dir) {
        this.dir = dir;
    }

    /** Creates {@code dir} (and its parents) if missing; a clear error when it cannot be used. */
    static FollowWriter create(String dir) throws CommandException {
        Path path = Path.of(dir);
        try {
            if (Files.exists(path) && !Files.isDirectory(path)) {
                throw new CommandException("--follow " + dir + ": exists and is not a directory");
            }
            Files.createDirectories(path);
            if (!Files.isWritable(path)) {
                throw new CommandException("--follow " + dir + ": permission denied; check the directory's permissions");
            }
        } catch (FileAlreadyExistsException e) {
            throw new CommandException("--follow " + dir + ": a part of the path is not a directory", e);
        } catch (AccessDeniedException e) {
            throw new CommandException("--follow " + dir + ": permission denied creating " + e.getFile(), e);
        } catch (IOException e) {
            throw new CommandException("--follow " + dir + ": cannot create the directory: " + e.getMessage(), e);
        }
        return new FollowWriter(path);
    }

    @Override
    public void data(Flow flow, Side from, MemorySegment bytes) {
        if (error != null || bytes.byteSize() == 0) {
            return;
        }
        String file = fileName(flow, from);
        try {
            FileChannel channel = channel(file);
            ByteBuffer buffer = bytes.asByteBuffer();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            error = new IOException("--follow " + dir + ": cannot write " + file + ": " + reason(e), e);
        }
    }

    @Override
    public void gap(Flow flow, Side from, long bytes) {
        gaps++;
        gapBytes += bytes;
    }

    /** The connection ended: closes its files (a later connection with the same endpoints gets a new file). */
    void ended(Flow flow) {
        for (Side side : Side.values()) {
            String base = baseName(flow, side);
            Current c = current.get(base);
            if (c != null && c.firstNanos == flow.firstNanos()) {
                current.remove(base);
                close(c.file);
            }
        }
    }

    /** Closes every file; the first error of the run, if any, is rethrown by {@link #checkError()}. */
    void close() {
        for (Iterator<FileChannel> it = open.values().iterator(); it.hasNext(); ) {
            FileChannel channel = it.next();
            it.remove();
            closeQuietly(channel);
        }
    }

    void checkError() throws IOException {
        if (error != null) {
            IOException e = error;
            error = null;
            throw e;
        }
    }

    /** Holes skipped in the streams (bytes never captured). */
    long gaps() {
        return gaps;
    }

    /** Bytes in those holes. */
    long gapBytes() {
        return gapBytes;
    }

    private String fileName(Flow flow, Side from) {
        String base = baseName(flow, from);
        Current c = current.get(base);
        if (c != null && c.firstNanos == flow.firstNanos()) {
            return c.file;
        }
        int n = used.merge(base, 1, Integer::sum);
        String file = n == 1 ? base : base + "-" + n;
        current.put(base, new Current(flow.firstNanos(), file));
        return file;
    }

    /** {@code SRC.SPORT-DST.DPORT[-vlanN]} for the bytes {@code from} sends. */
    String baseName(Flow flow, Side from) {
        name.setLength(0);
        boolean client = from == Side.CLIENT;
        address(flow, client);
        port(client ? flow.clientPort() : flow.serverPort());
        name.append('-');
        address(flow, !client);
        port(client ? flow.serverPort() : flow.clientPort());
        if (flow.vlanId() >= 0) {
            name.append("-vlan").append(flow.vlanId());
        }
        return name.toString();
    }

    private void address(Flow flow, boolean client) {
        if (flow.ipVersion() == 4) {
            int a = client ? flow.clientIpv4() : flow.serverIpv4();
            for (int shift = 24; shift >= 0; shift -= 8) {
                padded(a >>> shift & 0xFF, 3);
                name.append('.');
            }
        } else {
            long high = client ? flow.clientIpv6High() : flow.serverIpv6High();
            long low = client ? flow.clientIpv6Low() : flow.serverIpv6Low();
            hexGroups(high);
            name.append(':');
            hexGroups(low);
            name.append('.');
        }
    }

    private void hexGroups(long bits) {
        for (int shift = 48; shift >= 0; shift -= 16) {
            String hex = Integer.toHexString((int) (bits >>> shift & 0xFFFF));
            for (int i = hex.length(); i < 4; i++) {
                name.append('0');
            }
            name.append(hex);
            if (shift > 0) {
                name.append(':');
            }
        }
    }

    private void port(int port) {
        padded(port, 5);
    }

    private void padded(int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            name.append('0');
        }
        name.append(digits);
    }

    private FileChannel channel(String file) throws IOException {
        FileChannel channel = open.get(file);
        if (channel != null) {
            return channel;
        }
        if (open.size() >= MAX_OPEN) {
            Iterator<Map.Entry<String, FileChannel>> eldest = open.entrySet().iterator();
            FileChannel closing = eldest.next().getValue();
            eldest.remove();
            closing.close();
        }
        Path path = dir.resolve(file);
        channel = made.add(file)
                ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        open.put(file, channel);
        return channel;
    }

    private void close(String file) {
        FileChannel channel = open.remove(file);
        if (channel != null) {
            closeQuietly(channel);
        }
    }

    private void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            if (error == null) {
                error = new IOException("--follow " + dir + ": " + reason(e), e);
            }
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
