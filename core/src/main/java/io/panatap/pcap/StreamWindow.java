package io.panatap.pcap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * The native buffer a {@link CaptureFileReader} parses when it reads a stream: bytes {@code [0, filled)} of
 * {@link #segment()} are the input from some stream offset on. {@link #refill} drops the bytes the reader
 * is done with, moves the rest to the start, grows the buffer when a record does not fit, and reads once
 * more from the channel. One refill per channel read keeps rows flowing as the bytes arrive.
 */
final class StreamWindow implements AutoCloseable {
    /** A pipe delivers at most 64 KiB per read; a few reads' worth avoids compacting after every one. */
    static final long INITIAL_CAPACITY = 256 << 10;
    /** The largest window: the largest record or block the reader accepts from a stream. */
    static final long MAX_CAPACITY = CaptureFileReader.MAX_STREAM_BLOCK_LENGTH;

    private final ReadableByteChannel channel;
    private Arena arena;
    private MemorySegment segment;
    private ByteBuffer buffer;
    private long filled;
    private boolean eof;

    StreamWindow(ReadableByteChannel channel) {
        this.channel = channel;
        allocate(INITIAL_CAPACITY);
    }

    MemorySegment segment() {
        return segment;
    }

    /** Bytes of the segment that hold input. */
    long filled() {
        return filled;
    }

    /** True once the channel reported the end of the input. */
    boolean eof() {
        return eof;
    }

    /**
     * Discards the bytes before {@code keepFrom} (the rest move to offset 0), makes room, and reads from the
     * channel once, blocking until at least one byte or the end of the input arrives.
     */
    void refill(long keepFrom) throws IOException {
        long kept = filled - keepFrom;
        if (keepFrom > 0 && kept > 0) {
            MemorySegment.copy(segment, keepFrom, segment, 0, kept);
        }
        filled = kept;
        if (filled == segment.byteSize()) {
            grow();
        }
        buffer.limit(buffer.capacity()).position((int) filled);
        int n;
        do {
            n = channel.read(buffer);
        } while (n == 0);
        if (n < 0) {
            eof = true;
        } else {
            filled += n;
        }
    }

    private void grow() {
        long capacity = segment.byteSize();
        if (capacity >= MAX_CAPACITY) {
            throw new IllegalStateException("stream window full at " + capacity + " bytes");
        }
        Arena old = arena;
        MemorySegment oldSegment = segment;
        allocate(Math.min(capacity * 2, MAX_CAPACITY));
        MemorySegment.copy(oldSegment, 0, segment, 0, filled);
        old.close();
    }

    private void allocate(long capacity) {
        Arena a = Arena.ofShared();
        try {
            segment = a.allocate(capacity, 8);
        } catch (RuntimeException | Error e) {
            a.close();
            throw e;
        }
        arena = a;
        buffer = segment.asByteBuffer();
    }

    /** Frees the buffer and closes the channel; idempotent. */
    @Override
    public void close() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing more will be read; a failing close has nothing to report to the reader of records.
        }
    }
}
