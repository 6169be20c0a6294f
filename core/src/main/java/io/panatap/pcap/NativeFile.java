package io.panatap.pcap;

import io.panatap.internal.linux.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * A file a writer opened itself with {@code open(2)} and writes with {@code writev(2)} through the FFM API:
 * what lets {@link PcapWriter#writeInPlace} write a frame from where the capture's ring holds it, which a
 * {@code FileOutputStream} (heap arrays only, no descriptor number) cannot. Like {@code FileOutputStream}
 * and unlike an interruptible {@code FileChannel}, a thread interrupt does not close it. Not thread-safe.
 *
 * <p>{@link #write} takes the writer's heap bytes with ranges of native memory between them: the heap bytes
 * are copied once into a native staging buffer (what {@code FileOutputStream} does too), the native ranges
 * are not copied at all.
 */
final class NativeFile {
    private static final long IOVEC = 16; // struct iovec: base, length
    private static final int CREATE_MODE = 0666; // as FileOutputStream; the umask applies

    private final String name;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = Libc.allocateCallState(arena);
    /** The {@code struct iovec}s of a write, built in plain array stores, then copied to {@link #iov} at once. */
    private final long[] vectors;
    private final MemorySegment iov;
    private final int fd;
    private MemorySegment staging;
    private boolean closed;

    private NativeFile(String name, int fd, int ranges) {
        this.name = name;
        this.fd = fd;
        this.vectors = new long[2 * (2 * ranges + 1)];
        this.iov = arena.allocate(IOVEC * Math.min(2 * ranges + 1, Libc.IOV_MAX), 8);
        this.staging = arena.allocate(64 * 1024, 16);
    }

    /**
     * Creates (or truncates) {@code file}, as {@code FileOutputStream} does, for writes with up to
     * {@code ranges} native ranges each.
     */
    static NativeFile create(Path file, int ranges) throws IOException {
        try (Arena path = Arena.ofConfined()) {
            MemorySegment state = Libc.allocateCallState(path);
            int fd = Libc.open(state, path.allocateFrom(file.toString()),
                    Libc.O_WRONLY | Libc.O_CREAT | Libc.O_TRUNC | Libc.O_CLOEXEC, CREATE_MODE);
            if (fd < 0) {
                throw new IOException("cannot create " + file + ": " + Libc.strerror(Libc.errno(state)));
            }
            try {
                return new NativeFile(file.toString(), fd, ranges);
            } catch (RuntimeException | Error e) {
                Libc.close(state, fd);
                throw e;
            }
        }
    }

    /**
     * Writes {@code heap[0, used)} with the native ranges inserted: range {@code k} ({@code length[k]} bytes at
     * address {@code address[k]}) comes just before heap offset {@code at[k]}; {@code at} ascends. Returns when
     * all is written; a failure says what {@code write(2)} said.
     */
    void write(byte[] heap, int used, int[] at, long[] address, int[] length, int ranges) throws IOException {
        if (closed) {
            throw new IOException("the file is closed"); // the writer's message names the file
        }
        if (staging.byteSize() < used) {
            staging = arena.allocate(Math.max(used, 2 * staging.byteSize()), 16);
        }
        MemorySegment.copy(heap, 0, staging, ValueLayout.JAVA_BYTE, 0, used);
        long base = staging.address();
        int n = 0;
        int from = 0;
        for (int k = 0; k < ranges; k++) {
            n = entry(n, base + from, at[k] - from);
            n = entry(n, address[k], length[k]);
            from = at[k];
        }
        n = entry(n, base + from, used - from);
        writeAll(n);
    }

    /** Sets iovec {@code n} unless {@code length} is 0; returns the next free index. */
    private int entry(int n, long address, long length) {
        if (length == 0) {
            return n;
        }
        vectors[2 * n] = address;
        vectors[2 * n + 1] = length;
        return n + 1;
    }

    /** writev(2) of iovecs 0..count-1, again after a short write or an interrupted call, until all is written. */
    private void writeAll(int count) throws IOException {
        int i = 0;
        while (i < count) {
            int chunk = Math.min(count - i, Libc.IOV_MAX);
            MemorySegment.copy(vectors, 2 * i, iov, ValueLayout.JAVA_LONG, 0, 2 * chunk);
            long written = Libc.writev(state, fd, iov, chunk);
            if (written < 0) {
                int errno = Libc.errno(state);
                if (errno == Libc.EINTR) {
                    continue;
                }
                throw new IOException(Libc.strerror(errno));
            }
            while (i < count && written >= vectors[2 * i + 1]) {
                written -= vectors[2 * i + 1];
                i++;
            }
            if (written > 0) { // part of entry i was written
                vectors[2 * i] += written;
                vectors[2 * i + 1] -= written;
            }
        }
    }

    /** Closes the file; idempotent. A failure of {@code close(2)} (a delayed write error) is reported. */
    void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        int result = Libc.close(state, fd);
        int errno = Libc.errno(state);
        arena.close();
        if (result != 0) {
            throw new IOException("cannot close " + name + ": " + Libc.strerror(errno));
        }
    }
}
