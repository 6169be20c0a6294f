package io.panatap.bench.write;

import io.panatap.parse.LinkType;
import io.panatap.pcap.PcapWriter;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What the {@code -w} path could save by not copying frames: pcap records of frames that sit in a ring-like
 * block of native memory, written to {@code /dev/null} four ways, interleaved in one process and timed in
 * this thread's CPU time (median ns per packet over the rounds):
 * <ul>
 *   <li>{@code stream}: the command's path, {@link PcapWriter} copying each record into its buffer and
 *       flushing every 256 packets to a {@link FileOutputStream} (which copies the batch again, into a
 *       native buffer, before {@code write(2)});</li>
 *   <li>{@code channel}: the same writer flushing through the file's {@link FileChannel} instead (one copy,
 *       into the JDK's cached direct buffer, but no allocation per flush);</li>
 *   <li>{@code write}: the same records copied once, into a native buffer of 64 KiB, handed to
 *       {@code write(2)} when full (what a writer with its own native buffer would do);</li>
 *   <li>{@code writev}: no copy of the frame at all, as the issue proposes: each record's 16-byte header in
 *       a native array and a pair of {@code iovec}s (header, frame in the ring), 512 records per
 *       {@code writev(2)}, the most one call takes.</li>
 * </ul>
 * The ring is 64 MiB of frames with 64 bytes of room before each (as a {@code TPACKET_V3} block lays them
 * out), walked in order, so frames come from memory as a live capture's come from the other CPU's cache.
 * {@code /dev/null} reads nothing the kernel is given, so {@code writev} here leaves the frames untouched: on a
 * real file the kernel copies them into the page cache instead, whichever way they are handed over.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *     io.panatap.bench.write.WritevComparison [frameLength] [rounds]
 * </pre>
 */
public final class WritevComparison {
    private static final long RING = 64L << 20;
    private static final int BATCH = 256;
    private static final int IOV_RECORDS = 512;
    private static final int BUFFER = 64 << 10;
    private static final int O_WRONLY = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = libc("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WRITE =
            libc("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITEV =
            libc("writev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private WritevComparison() {
    }

    private static MethodHandle libc(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    public static void main(String[] args) throws Throwable {
        int frameLength = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        // A frame's slot as TPACKET_V3 lays them out: 64 bytes of metadata before it, 16-byte aligned.
        int stride = (64 + frameLength + 15) & ~15;
        Frames frames = new Frames(stride, (int) (RING / stride));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined(); FileOutputStream out = new FileOutputStream("/dev/null")) {
            MemorySegment ring = arena.allocate(RING, 4096);
            for (long f = 0; f < frames.count(); f++) {
                for (int i = 0; i + 8 <= frameLength; i += 8) {
                    ring.set(ValueLayout.JAVA_LONG_UNALIGNED, f * stride + i, f * 0x9E37_79B9_7F4A_7C15L + i);
                }
            }
            int fd = (int) OPEN.invokeExact(arena.allocateFrom("/dev/null"), O_WRONLY);
            if (fd < 0) {
                throw new IOException("cannot open /dev/null");
            }
            PcapWriter writer = PcapWriter.create(out, "/dev/null", LinkType.ETHERNET, 262144,
                    PcapWriter.Precision.MICRO);
            FileChannel channel = out.getChannel();
            PcapWriter channelWriter = PcapWriter.create(new OutputStream() {
                @Override
                public void write(int b) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    ByteBuffer bytes = ByteBuffer.wrap(b, off, len);
                    while (bytes.hasRemaining()) {
                        channel.write(bytes);
                    }
                }
            }, "/dev/null", LinkType.ETHERNET, 262144, PcapWriter.Precision.MICRO);
            MemorySegment buffer = arena.allocate(BUFFER, 64);
            MemorySegment headers = arena.allocate(16L * IOV_RECORDS, 64);
            MemorySegment iov = arena.allocate(16L * 2 * IOV_RECORDS, 64);
            String[] names = {"stream", "channel", "write", "writev"};
            double[][] ns = new double[names.length][rounds];
            for (int round = -3; round < rounds; round++) { // three rounds of warm-up
                for (int v = 0; v < names.length; v++) {
                    long t0 = mx.getCurrentThreadCpuTime();
                    switch (v) {
                        case 0 -> stream(ring, frames, writer, frameLength);
                        case 1 -> stream(ring, frames, channelWriter, frameLength);
                        case 2 -> copyAndWrite(ring, frames, buffer, fd, frameLength);
                        default -> writev(ring, frames, headers, iov, fd, frameLength);
                    }
                    long t1 = mx.getCurrentThreadCpuTime();
                    if (round >= 0) {
                        ns[v][round] = (t1 - t0) / (double) frames.count();
                    }
                }
            }
            int ignored = (int) CLOSE.invokeExact(fd); // /dev/null: nothing to lose
            for (int v = 0; v < names.length; v++) {
                Arrays.sort(ns[v]);
                System.out.printf("%-7s %d-byte frames: median %.1f ns per packet (quartiles %.1f-%.1f)%n", names[v],
                        frameLength, ns[v][rounds / 2], ns[v][rounds / 4], ns[v][rounds * 3 / 4]);
            }
        }
    }

    /** Frames {@code stride} bytes apart in the ring, {@code count} of them. */
    private record Frames(int stride, int count) {
    }

    private static long timestamp(long f) {
        return 1_700_000_000_000_000_000L + f * 3_333;
    }

    private static void stream(MemorySegment ring, Frames frames, PcapWriter writer, int length) throws IOException {
        for (int f = 0; f < frames.count(); f++) {
            writer.write(timestamp(f), ring, (long) f * frames.stride(), length, length);
            if (f % BATCH == BATCH - 1) {
                writer.flush();
            }
        }
        writer.flush();
    }

    private static void copyAndWrite(MemorySegment ring, Frames frames, MemorySegment buffer, int fd, int length)
            throws Throwable {
        long used = 0;
        for (int f = 0; f < frames.count(); f++) {
            if (used + 16 + length > BUFFER) {
                wrote((long) WRITE.invokeExact(fd, buffer, used), used);
                used = 0;
            }
            putHeader(buffer, used, timestamp(f), length);
            MemorySegment.copy(ring, (long) f * frames.stride(), buffer, used + 16, length);
            used += 16 + length;
        }
        wrote((long) WRITE.invokeExact(fd, buffer, used), used);
    }

    private static void writev(MemorySegment ring, Frames frames, MemorySegment headers, MemorySegment iov, int fd,
                               int length) throws Throwable {
        long ringAddress = ring.address();
        long headerAddress = headers.address();
        int records = 0;
        for (int f = 0; f < frames.count(); f++) {
            long h = 16L * records;
            putHeader(headers, h, timestamp(f), length);
            long v = 32L * records;
            iov.set(JAVA_LONG, v, headerAddress + h);
            iov.set(JAVA_LONG, v + 8, 16);
            iov.set(JAVA_LONG, v + 16, ringAddress + (long) f * frames.stride());
            iov.set(JAVA_LONG, v + 24, length);
            if (++records == IOV_RECORDS) {
                wrote((long) WRITEV.invokeExact(fd, iov, 2 * records), (16L + length) * records);
                records = 0;
            }
        }
        if (records > 0) {
            wrote((long) WRITEV.invokeExact(fd, iov, 2 * records), (16L + length) * records);
        }
    }

    /** {@code /dev/null} takes everything at once; anything else means the comparison is broken. */
    private static void wrote(long written, long expected) throws IOException {
        if (written != expected) {
            throw new IOException("wrote " + written + " of " + expected + " bytes");
        }
    }

    private static void putHeader(MemorySegment to, long at, long timestampNanos, int length) {
        long seconds = timestampNanos / 1_000_000_000L;
        to.set(ValueLayout.JAVA_INT_UNALIGNED, at, (int) seconds);
        to.set(ValueLayout.JAVA_INT_UNALIGNED, at + 4, (int) (timestampNanos - seconds * 1_000_000_000L) / 1000);
        to.set(ValueLayout.JAVA_INT_UNALIGNED, at + 8, length);
        to.set(ValueLayout.JAVA_INT_UNALIGNED, at + 12, length);
    }
}
