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
import org.openjdk.jmh.infra.BenchmarkParams;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * Header parsing cost per packet over a fixed mix of {@value #PACKETS} frames ({@link PacketMix}):
 * {@link PacketHeaders} over one native segment holding the frames back to back (as a capture ring or a
 * mapped file would), {@link PacketHeaders} over per-frame heap arrays, and the {@link ByteBufferParser}
 * baseline over the same arrays. Each extracts the same fields (addresses, ports, sequence, ack, flags,
 * window, payload offset) and folds them into a checksum so none can be optimised away.
 *
 * <p>{@code traffic=mixed} is the 70/20/10 mix, whose random order makes every parser pay for mispredicted
 * branches on the EtherType; {@code traffic=ipv4} is the same frames all IPv4, which shows the decoding
 * cost itself.
 *
 * <p>Scores are per packet ({@code @OperationsPerInvocation}), so with {@code -prof gc}
 * {@code gc.alloc.rate.norm} is bytes per packet.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ParserBenchmark {
    static final int PACKETS = 1024;

    @Param({"mixed", "ipv4"})
    public String traffic;

    private byte[][] frames;
    private Arena arena;
    private MemorySegment ring;
    private long[] offsets;
    private int[] lengths;
    private MemorySegment[] heapSegments;
    private final PacketHeaders headers = new PacketHeaders();
    private final ByteBufferParser baseline = new ByteBufferParser();

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        frames = PacketMix.generate(PACKETS, 42, "ipv4".equals(traffic));
        long total = 0;
        for (byte[] frame : frames) {
            total += frame.length;
        }
        arena = Arena.ofShared();
        ring = arena.allocate(total, 16);
        offsets = new long[PACKETS];
        lengths = new int[PACKETS];
        heapSegments = new MemorySegment[PACKETS];
        long position = 0;
        for (int i = 0; i < PACKETS; i++) {
            offsets[i] = position;
            lengths[i] = frames[i].length;
            MemorySegment.copy(frames[i], 0, ring, ValueLayout.JAVA_BYTE, position, frames[i].length);
            position += frames[i].length;
            heapSegments[i] = MemorySegment.ofArray(frames[i]);
        }
        // Both parsers must agree on every frame before anything is measured. The check uses only the kind
        // of segment the benchmark measures: parsing both kinds in one JVM makes every read site bimorphic.
        boolean heap = params.getBenchmark().endsWith("HeapSegments");
        for (int i = 0; i < PACKETS; i++) {
            long expected = foldBaseline(i);
            long actual = heap ? foldHeap(i) : fold(i);
            if (actual != expected) {
                throw new IllegalStateException("parsers disagree on frame " + i);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long packetHeadersNativeSegment() {
        long sum = 0;
        for (int i = 0; i < PACKETS; i++) {
            sum += fold(i);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long packetHeadersHeapSegments() {
        long sum = 0;
        for (int i = 0; i < PACKETS; i++) {
            sum += foldHeap(i);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long byteBufferBaseline() {
        long sum = 0;
        for (int i = 0; i < PACKETS; i++) {
            sum += foldBaseline(i);
        }
        return sum;
    }

    private long fold(int i) {
        PacketHeaders h = headers;
        if (h.wrap(ring, offsets[i], lengths[i], PacketMix.ETHERNET) != ParseStatus.OK) {
            return 0;
        }
        return fields(h);
    }

    private long foldHeap(int i) {
        PacketHeaders h = headers;
        MemorySegment frame = heapSegments[i];
        if (h.wrap(frame, 0, frame.byteSize(), PacketMix.ETHERNET) != ParseStatus.OK) {
            return 0;
        }
        return fields(h);
    }

    private static long fields(PacketHeaders h) {
        long addresses = h.ipVersion() == 4
                ? (long) h.ipv4Source() * 31 + h.ipv4Destination()
                : h.ipv6SourceHigh() ^ h.ipv6SourceLow() ^ h.ipv6DestinationHigh() * 31 ^ h.ipv6DestinationLow();
        return addresses + h.sourcePort() * 65537L + h.destinationPort() + h.sequenceNumber() * 7
                + h.acknowledgementNumber() * 11 + h.flags() * 13L + h.window() + h.payloadOffset() * 17L
                + h.vlanCount();
    }

    private long foldBaseline(int i) {
        ByteBufferParser b = baseline;
        if (!b.parse(frames[i])) {
            return 0;
        }
        long addresses = b.ipVersion == 4
                ? (long) b.ipv4Source * 31 + b.ipv4Destination
                : b.ipv6SourceHigh ^ b.ipv6SourceLow ^ b.ipv6DestinationHigh * 31 ^ b.ipv6DestinationLow;
        return addresses + b.sourcePort * 65537L + b.destinationPort + b.sequence * 7
                + b.acknowledgement * 11 + b.flags * 13L + b.window + b.payloadOffset * 17L + b.vlanCount;
    }
}
