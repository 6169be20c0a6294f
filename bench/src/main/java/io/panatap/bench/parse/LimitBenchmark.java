package io.panatap.bench.parse;

import io.panatap.parse.PacketHeaders;
import io.panatap.parse.ParseStatus;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * {@link PacketHeaders} against the hand-written limit ({@link SegmentParser}): both read the IP version,
 * the addresses, the ports and the 12 flag bits of the same off-heap frames, held back to back in one native
 * segment as a capture ring holds them, and fold them into a checksum so nothing is optimised away. The
 * frame sets are {@link LimitFrames}'s {@code syn54} (uniform 54-byte IPv4 SYNs) and {@code mix}.
 *
 * <p>Scores are per packet ({@code @OperationsPerInvocation}); with {@code -prof gc},
 * {@code gc.alloc.rate.norm} is bytes per packet.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LimitBenchmark {
    static final int PACKETS = 1024;

    @Param({"syn54", "mix"})
    public String frames;

    private Arena arena;
    private MemorySegment ring;
    private long[] offsets;
    private int[] lengths;
    private final PacketHeaders headers = new PacketHeaders();
    private final SegmentParser handWritten = new SegmentParser();

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        byte[][] set = LimitFrames.generate(frames, PACKETS, 42);
        offsets = new long[PACKETS];
        lengths = new int[PACKETS];
        ring = load(arena, set, offsets, lengths);
        // Both parsers must agree on every frame before anything is measured.
        for (int i = 0; i < PACKETS; i++) {
            if (packetHeaders(headers, ring, offsets[i], lengths[i])
                    != handWritten(handWritten, ring, offsets[i], lengths[i])) {
                throw new IllegalStateException("parsers disagree on frame " + i);
            }
        }
    }

    /** Copies the frames back to back into one native segment; fills their offsets and lengths. */
    static MemorySegment load(Arena arena, byte[][] set, long[] offsets, int[] lengths) {
        long total = 0;
        for (byte[] frame : set) {
            total += frame.length;
        }
        MemorySegment ring = arena.allocate(total, 16);
        long position = 0;
        for (int i = 0; i < set.length; i++) {
            offsets[i] = position;
            lengths[i] = set[i].length;
            MemorySegment.copy(set[i], 0, ring, ValueLayout.JAVA_BYTE, position, lengths[i]);
            position += lengths[i];
        }
        return ring;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long packetHeaders() {
        long sum = 0;
        for (int i = 0; i < PACKETS; i++) {
            sum += packetHeaders(headers, ring, offsets[i], lengths[i]);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long handWritten() {
        long sum = 0;
        for (int i = 0; i < PACKETS; i++) {
            sum += handWritten(handWritten, ring, offsets[i], lengths[i]);
        }
        return sum;
    }

    static long packetHeaders(PacketHeaders h, MemorySegment ring, long offset, int length) {
        if (h.wrap(ring, offset, length, PacketMix.ETHERNET) != ParseStatus.OK) {
            return 0;
        }
        long addresses = h.ipVersion() == 4
                ? (long) h.ipv4Source() * 31 + h.ipv4Destination()
                : h.ipv6SourceHigh() ^ h.ipv6SourceLow() ^ h.ipv6DestinationHigh() * 31 ^ h.ipv6DestinationLow();
        return addresses + h.sourcePort() * 65537L + h.destinationPort() + h.flags() * 13L + h.ipVersion();
    }

    static long handWritten(SegmentParser p, MemorySegment ring, long offset, int length) {
        if (!p.parse(ring, offset, length, PacketMix.ETHERNET)) {
            return 0;
        }
        long addresses = p.ipVersion == 4
                ? (long) p.ipv4Source * 31 + p.ipv4Destination
                : p.ipv6SourceHigh ^ p.ipv6SourceLow ^ p.ipv6DestinationHigh * 31 ^ p.ipv6DestinationLow;
        return addresses + p.sourcePort * 65537L + p.destinationPort + p.flags * 13L + p.ipVersion;
    }
}
