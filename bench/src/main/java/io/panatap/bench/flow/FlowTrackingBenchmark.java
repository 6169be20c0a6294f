package io.panatap.bench.flow;

import io.panatap.Packet;
import io.panatap.PacketBatch;
import io.panatap.PacketBatchListener;
import io.panatap.flow.FlowTable;
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
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Flow tracking (lookup, state, counters) with {@code flows} established connections (default 100,000): each
 * packet is a 100-byte data segment of a connection picked in a fixed random order over all of them (see
 * {@link #order} for the variants), with
 * its sequence number moving on, so the table's memory is touched as a busy link's would be. The packet is
 * one frame buffer rewritten (address, port, sequence number) before each packet, as a capture ring's
 * freshly written frame is in cache while the table's entries are not.
 * {@link #trackFlows} parses the frame and hands it to the table; {@link #parseOnly} parses the same frames
 * without the table, so the difference is the table's cost. {@link #trackFlowsInBatches} hands the same
 * packets to the table {@value #RING_BATCH} at a time, as a live capture does ({@link FlowTable#onBatch}), each
 * packet in a frame of its own as in a ring block. Scores are per packet; with {@code -prof gc}
 * {@code gc.alloc.rate.norm} is bytes per packet.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FlowTrackingBenchmark {
    static final int BATCH = 1024;
    /** Packets per {@link FlowTable#onBatch} call: as many as a live capture's batch holds at most. */
    static final int RING_BATCH = PacketBatchListener.MAX_BATCH;
    static final int PAYLOAD = 100;
    static final int FRAME = FlowFrames.HEADERS + PAYLOAD;

    @Param({"100000"})
    public int flows;

    /**
     * The order of the packets' flows: {@code shuffled}, every flow once in a fixed random permutation, then
     * again (the headline); {@code random}, each packet's flow drawn independently, so that consecutive
     * packets' recency-list neighbours are unrelated too; {@code bursts}, the shuffled order with four
     * consecutive packets per flow, nearer the locality of real traffic.
     */
    @Param({"shuffled"})
    public String order;

    private Arena arena;
    private MemorySegment frame;
    private int[] seq;
    private int[] sequence;
    private int cursor;
    private long nanos = 1_700_000_000_000_000_000L;
    private final BenchPacket packet = new BenchPacket();
    private final Frames frames = new Frames();
    private FlowTable table;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        table = FlowTable.builder().maxFlows(flows + flows / 4).build();
        MemorySegment scratch = arena.allocate(FlowFrames.HEADERS);
        seq = new int[flows];
        frame = arena.allocate(FRAME, 64);
        FlowFrames.write(frame, 0, true, FlowFrames.ACK | FlowFrames.PSH, 1, 1, PAYLOAD);
        for (int i = 0; i < flows; i++) {
            FlowFrames.write(scratch, i, true, FlowFrames.SYN, 0, 0, 0);
            table.onPacket(packet.set(scratch, nanos += 100));
            FlowFrames.write(scratch, i, false, FlowFrames.SYN | FlowFrames.ACK, 0, 1, 0);
            table.onPacket(packet.set(scratch, nanos += 100));
            FlowFrames.write(scratch, i, true, FlowFrames.ACK, 1, 1, 0);
            table.onPacket(packet.set(scratch, nanos += 100));
            seq[i] = 1;
        }
        if (table.activeFlows() != flows) {
            throw new IllegalStateException(table.activeFlows() + " flows, expected " + flows);
        }
        sequence = sequence(order, flows);
        frames.allocate(arena);
    }

    /** The flows of consecutive packets, as described at {@link #order}. */
    static int[] sequence(String order, int flows) {
        Random random = new Random(15);
        int[] shuffled = new int[flows];
        for (int i = 0; i < flows; i++) {
            shuffled[i] = i;
        }
        for (int i = flows - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        switch (order) {
            case "shuffled":
                return shuffled;
            case "random": {
                int[] drawn = new int[Math.max(1 << 20, 4 * flows)];
                for (int i = 0; i < drawn.length; i++) {
                    drawn[i] = random.nextInt(flows);
                }
                return drawn;
            }
            case "bursts": {
                int[] bursts = new int[4 * flows];
                for (int i = 0; i < bursts.length; i++) {
                    bursts[i] = shuffled[i / 4];
                }
                return bursts;
            }
            default:
                throw new IllegalArgumentException("order: shuffled, random or bursts: " + order);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (table.activeFlows() != flows || table.evictions() != 0) {
            throw new IllegalStateException("flows lost: " + table.activeFlows() + ", evictions " + table.evictions());
        }
        table.close();
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int trackFlows() {
        for (int n = 0; n < BATCH; n++) {
            int i = sequence[cursor];
            cursor = cursor + 1 == sequence.length ? 0 : cursor + 1;
            FlowFrames.client(frame, i, seq[i]);
            seq[i] += PAYLOAD;
            table.onPacket(packet.set(frame, nanos += 100));
        }
        return table.activeFlows();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int trackFlowsInBatches() {
        for (int b = 0; b < BATCH; b += RING_BATCH) {
            for (int n = 0; n < RING_BATCH; n++) {
                int i = sequence[cursor];
                cursor = cursor + 1 == sequence.length ? 0 : cursor + 1;
                FlowFrames.client(frames.frame[n], i, seq[i]);
                seq[i] += PAYLOAD;
                frames.packet[n].set(frames.frame[n], nanos += 100);
            }
            table.onBatch(frames);
        }
        return table.activeFlows();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long parseOnly() {
        long sum = 0;
        for (int n = 0; n < BATCH; n++) {
            int i = sequence[cursor];
            cursor = cursor + 1 == sequence.length ? 0 : cursor + 1;
            FlowFrames.client(frame, i, seq[i]);
            seq[i] += PAYLOAD;
            sum += packet.set(frame, nanos += 100).headers().sequenceNumber();
        }
        return sum;
    }

    /**
     * {@value #RING_BATCH} data frames of their own, handed over as one batch with a view for each packet, as a
     * live capture's batch (the view parses when it is set: once per packet, as a ring's view parses once).
     */
    private static final class Frames implements PacketBatch {
        final MemorySegment[] frame = new MemorySegment[RING_BATCH];
        final BenchPacket[] packet = new BenchPacket[RING_BATCH];

        void allocate(Arena arena) {
            for (int n = 0; n < RING_BATCH; n++) {
                frame[n] = arena.allocate(FRAME, 64);
                FlowFrames.write(frame[n], 0, true, FlowFrames.ACK | FlowFrames.PSH, 1, 1, PAYLOAD);
                packet[n] = new BenchPacket();
            }
        }

        @Override
        public int size() {
            return RING_BATCH;
        }

        @Override
        public Packet get(int index) {
            return packet[index];
        }
    }
}
