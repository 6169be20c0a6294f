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
 *
 * <p>A writer on a {@link NativeFile} may also refer to a record's bytes where they are instead of copying
 * them ({@link #refer}, for {@link CaptureFileWriter#writeInPlace}): the buffer then holds the record's
 * header, and the next flush writes the referred bytes after it, in order, with one {@code writev(2)}.
 */
abstract class BufferedCaptureWriter implements CaptureFileWriter {
    private static final int BUFFER_SIZE = 64 * 1024;
    /** Records referred to ({@link #refer}) at the most before a flush. */
    static final int MAX_REFERRED = 511;

    /** The file's name in error messages. */
    final String name;
    /** Where the bytes go: a stream, or (null then) {@link #file}. */
    final OutputStream out;
    final NativeFile file;
    byte[] buffer = new byte[BUFFER_SIZE];
    MemorySegment bufferSegment = MemorySegment.ofArray(buffer);
    /** Bytes of {@link #buffer} holding whole records not yet written. */
    int used;
    private long flushed;
    boolean closed;
    /** Referred record bytes, in order: {@code referredLength[k]} bytes at {@code referredAddress[k]}, which go
     * just before offset {@code referredAt[k]} of {@link #buffer}. Null unless on a {@link NativeFile}. */
    private final int[] referredAt;
    private final long[] referredAddress;
    private final int[] referredLength;
    /** How many records are referred to, and their bytes. */
    int referred;
    private long referredBytes;

    /** Writes to {@code out} or to {@code file}, whichever is not null. */
    BufferedCaptureWriter(String name, OutputStream out, NativeFile file) {
        this.name = name;
        this.out = out;
        this.file = file;
        boolean refers = file != null;
        this.referredAt = refers ? new int[MAX_REFERRED] : null;
        this.referredAddress = refers ? new long[MAX_REFERRED] : null;
        this.referredLength = refers ? new int[MAX_REFERRED] : null;
    }

    /**
     * The next flush writes {@code length} bytes at native {@code address} at {@link #used} (after the bytes
     * buffered so far); the caller keeps them valid until then, and flushes first when {@link #referred} is
     * {@link #MAX_REFERRED}. On a {@link NativeFile} only.
     */
    final void refer(long address, int length) {
        int k = referred++;
        referredAt[k] = used;
        referredAddress[k] = address;
        referredLength[k] = length;
        referredBytes += length;
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
        return flushed + used + referredBytes;
    }

    /** Writes the buffered whole records to the file. */
    @Override
    public final void flush() throws IOException {
        if (used == 0) {
            return;
        }
        try {
            if (file != null) {
                file.write(buffer, used, referredAt, referredAddress, referredLength, referred);
            } else {
                out.write(buffer, 0, used);
                out.flush();
            }
            flushed += used + referredBytes;
        } catch (IOException e) {
            throw new IOException("cannot write to " + name + ": " + e.getMessage(), e);
        } finally {
            used = 0;
            referred = 0;
            referredBytes = 0;
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
            closeOutput();
        }
    }

    /** Closes the file after a failed start, adding a failure to close to {@code failure}. */
    final void closeAfter(IOException failure) {
        closed = true;
        try {
            closeOutput();
        } catch (IOException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    private void closeOutput() throws IOException {
        if (file != null) {
            file.close();
        } else {
            out.close();
        }
    }
}
