package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.pcap.CaptureFileWriter;

import java.io.IOException;
import java.time.ZoneId;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * {@code -C}, {@code -G} and {@code -W}: writes packets to a sequence of files named by {@link FileNames},
 * each a complete capture file opened by the same {@link RotatingWriter.Factory} (so of the same kind), with
 * tcpdump's rules, checked before each packet is written:
 * <ol>
 *   <li>{@code -G SECONDS}: when at least SECONDS have passed (wall clock, whole seconds) since the current
 *       period started, the file is closed and the next one started, named with the time of that packet.
 *       With {@code -W COUNT} and no {@code -C}, the COUNT-th such rotation ends the capture instead
 *       ({@link LimitReached}); the packet that found the limit is not written.</li>
 *   <li>{@code -C SIZE}: when the current file is already larger than SIZE bytes, the next file in the
 *       sequence is started (with {@code -W COUNT}, after COUNT files the first is overwritten: a ring). A
 *       file is thus larger than SIZE by at most its last packet, as tcpdump's. A new {@code -G} period
 *       starts the {@code -C} sequence again at its first number.</li>
 * </ol>
 * Packets go to exactly one file each, in order: nothing is lost or written twice at a rotation. Each file a
 * rotation finished is handed to {@link #onFinished} (for {@code -z}), right after it is closed and before
 * the {@code -W} limit is checked, as tcpdump does; the file open at {@link #close()} is not. Not
 * thread-safe (one per worker).
 */
final class RotatingWriter implements CaptureFileWriter {
    /** Opens one named file; rotation calls it for every file it starts, so every file is of one kind. */
    @FunctionalInterface
    interface Factory {
        CaptureFileWriter open(String name) throws IOException;
    }

    /** {@code -G} with {@code -W}: the last file was written; the capture stops. */
    static final class LimitReached extends IOException {
        LimitReached(int files) {
            super("maximum file limit reached: " + files + (files == 1 ? " file" : " files"));
        }
    }

    /** The rotation options: {@code sizeLimit} in bytes, 0 for none; {@code seconds} and {@code files} 0 for none. */
    record Limits(long sizeLimit, int seconds, int files) {
        boolean rotates() {
            return sizeLimit > 0 || seconds > 0;
        }
    }

    private final String pattern;
    private final Limits limits;
    private final Factory factory;
    private final LongSupplier clock;
    private final ZoneId zone;
    private final int digits;
    private CaptureFileWriter current;
    private String currentFile;
    private Consumer<String> finished = name -> { };
    private long periodStart;
    private int periods;
    private int number;
    private boolean closed;

    /** Starts the first file now, as tcpdump creates it before the first packet. */
    RotatingWriter(String pattern, Limits limits, Factory factory, LongSupplier epochSeconds, ZoneId zone)
            throws IOException {
        this.pattern = pattern;
        this.limits = limits;
        this.factory = factory;
        this.clock = epochSeconds;
        this.zone = zone;
        this.digits = limits.sizeLimit() > 0 && limits.files() > 0 ? FileNames.digits(limits.files()) : 0;
        this.periodStart = epochSeconds.getAsLong();
        open();
    }

    /** Hears the name of each file a rotation finished ({@code -z}). */
    RotatingWriter onFinished(Consumer<String> listener) {
        this.finished = listener;
        return this;
    }

    private void open() throws IOException {
        currentFile = currentName();
        current = factory.open(currentFile);
    }

    /** Closes the current file on a rotation and hands its name on. */
    private void rotate() throws IOException {
        closeCurrent();
        finished.accept(currentFile);
    }

    /** The name of the file being written. */
    String currentName() {
        return FileNames.name(pattern, limits.seconds() > 0, periodStart, zone, number, digits);
    }

    @Override
    public void write(Packet packet) throws IOException {
        if (closed) {
            throw new IOException("cannot write to " + pattern + ": writer is closed");
        }
        if (limits.seconds() > 0) {
            long now = clock.getAsLong();
            if (now - periodStart >= limits.seconds()) {
                periodStart = now;
                periods++;
                rotate();
                if (limits.sizeLimit() == 0 && limits.files() > 0 && periods >= limits.files()) {
                    closed = true;
                    throw new LimitReached(limits.files());
                }
                number = 0;
                open();
            }
        }
        if (limits.sizeLimit() > 0 && current.size() > limits.sizeLimit()) {
            rotate();
            number++;
            if (limits.files() > 0 && number >= limits.files()) {
                number = 0;
            }
            open();
        }
        current.write(packet);
    }

    private void closeCurrent() throws IOException {
        CaptureFileWriter w = current;
        current = null;
        w.close();
    }

    @Override
    public void flush() throws IOException {
        if (current != null) {
            current.flush();
        }
    }

    /** The statistics go into the last file, the one open at the normal stop (pcapng). */
    @Override
    public void writeStatistics(long received, long dropped) throws IOException {
        if (current != null) {
            current.writeStatistics(received, dropped);
        }
    }

    @Override
    public long size() {
        return current == null ? 0 : current.size();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (current != null) {
            closeCurrent();
        }
    }
}
