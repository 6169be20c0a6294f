package io.panatap.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;

/**
 * The block buffer both writers share ({@link PcapWriter}, {@link PcapngWriter}): records (pcap) or blocks
 * (pcapng) collect in a heap buffer of 64 KiB, grown for a larger one, and reach the stream only whole, in
 * single writes, so the file is valid up to its last whole record whenever it was flushed. The subclass
 * writes into {@link #buffer} (or {@link #bufferSegment}, the same bytes) at {@link #reserve} and advances
 * {@link #used}; the fields are plain, so the per-packet path reads them as its own.
 */
abstract class BufferedCaptureWriter implements CaptureFileWriter {
    private static final int BUFFER_SIZE = 64 * 1024;

    /** The file's name in error messages. */
    final String name;
    final OutputStream out;
    byte[] buffer = new byte[BUFFER_SIZE];
    MemorySegment bufferSegment = MemorySegment.ofArray(buffer);
    /** Bytes of {@link #buffer} holding whole records not yet written. */
    int used;
    private long flushed;
    boolean closed;

    BufferedCaptureWriter(String name, OutputStream out) {
        this.name = name;
        this.out = out;
    }

    /**
     * Makes room for a whole record or block of {@code length} bytes (flushing earlier ones first); returns
     * where it goes. The caller sets {@link #used} past it once it is written.
     */
    final int reserve(int length) throws IOException {
        if (buffer.length - used < length) {
            flush();
            if (buffer.length < length) {
                buffer = new byte[length];
                bufferSegment = MemorySegment.ofArray(buffer);
            }
        }
        return used;
    }

    @Override
    public final long size() {
        return flushed + used;
    }

    /** Writes the buffered whole records to the file. */
    @Override
    public final void flush() throws IOException {
        if (used == 0) {
            return;
        }
        try {
            out.write(buffer, 0, used);
            out.flush();
            flushed += used;
        } catch (IOException e) {
            throw new IOException("cannot write to " + name + ": " + e.getMessage(), e);
        } finally {
            used = 0;
        }
    }

    /** Flushes and closes the file; idempotent. */
    @Override
    public final void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            out.close();
        }
    }
}
