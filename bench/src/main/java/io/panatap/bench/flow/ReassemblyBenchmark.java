package io.panatap.bench.flow;

import io.panatap.flow.Flow;
import io.panatap.flow.FlowTable;
import io.panatap.flow.Side;
import io.panatap.flow.StreamListener;
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
 * Stream reassembly throughput: {@code flows} connections (default 64) each sending 1448-byte segments, taken
 * in turn; the stream listener receives every byte (it reads the first and last byte of each slice so the
 * delivery is real). {@code outOfOrder=0}: all in order, delivered as slices of the packet memory without a
 * copy. {@code outOfOrder=10}: in every ten segments of a connection the first two are swapped, so one
 * segment in ten arrives before the bytes ahead of it and is held in the reassembly buffer (copied) until the
 * next fills the hole. Scores are ns per segment; payload GB/s = 1448 / score. The frames are parsed in the
 * loop (as a capture does); {@link FlowTrackingBenchmark#parseOnly} gives that part's cost.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ReassemblyBenchmark {
    static final int BATCH = 1024;
    static final int PAYLOAD = 1448;
    static final int FRAME = FlowFrames.HEADERS + PAYLOAD;

    @Param({"64"})
    public int flows;

    @Param({"0", "10"})
    public int outOfOrder;

    private Arena arena;
    private MemorySegment[] frames;
    private int[] next; // per flow: segments sent so far
    private int flow;
    private long nanos = 1_700_000_000_000_000_000L;
    private final BenchPacket packet = new BenchPacket();
    private FlowTable table;
    private long delivered;
    private long checksum;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        StreamListener streams = new StreamListener() {
            @Override
            public void data(Flow f, Side from, MemorySegment bytes) {
                long n = bytes.byteSize();
                delivered += n;
                checksum += bytes.get(ValueLayout.JAVA_BYTE, 0) + bytes.get(ValueLayout.JAVA_BYTE, n - 1);
            }
        };
        table = FlowTable.builder().maxFlows(flows * 2).streams(streams).build();
        MemorySegment scratch = arena.allocate(FlowFrames.HEADERS);
        frames = new MemorySegment[flows];
        next = new int[flows];
        for (int i = 0; i < flows; i++) {
            FlowFrames.write(scratch, i, true, FlowFrames.SYN, 0, 0, 0);
            table.onPacket(packet.set(scratch, nanos += 100));
            FlowFrames.write(scratch, i, false, FlowFrames.SYN | FlowFrames.ACK, 0, 1, 0);
            table.onPacket(packet.set(scratch, nanos += 100));
            FlowFrames.write(scratch, i, true, FlowFrames.ACK, 1, 1, 0);
            table.onPacket(packet.set(scratch, nanos += 100));
            frames[i] = arena.allocate(FRAME, 64);
            FlowFrames.write(frames[i], i, true, FlowFrames.ACK | FlowFrames.PSH, 1, 1, PAYLOAD);
            for (int b = FlowFrames.HEADERS; b < FRAME; b++) {
                frames[i].set(ValueLayout.JAVA_BYTE, b, (byte) b);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long sent = 0;
        for (int n : next) {
            sent += (long) n * PAYLOAD;
        }
        // Whatever is still held back (at most one segment per flow) is delivered by close.
        table.close();
        if (delivered != sent || table.bufferOverflows() != 0) {
            throw new IllegalStateException("delivered " + delivered + " of " + sent + " bytes, overflows "
                    + table.bufferOverflows());
        }
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long reassemble() {
        for (int n = 0; n < BATCH; n++) {
            int f = flow;
            flow = f + 1 == flows ? 0 : f + 1;
            int k = next[f]++;
            int segment = k;
            if (outOfOrder == 10) {
                int offset = k % 10;
                segment = offset == 0 ? k + 1 : offset == 1 ? k - 1 : k; // 1, 0, 2, 3, ... 9, 11, 10, 12, ...
            }
            FlowFrames.seq(frames[f], 1 + segment * PAYLOAD);
            table.onPacket(packet.set(frames[f], nanos += 100));
        }
        return checksum;
    }
}
