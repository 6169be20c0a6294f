package io.panatap.flow;

import io.panatap.testing.FuzzFrames;
import io.panatap.testing.FuzzPacket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.nio.ByteOrder;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input for the flow layer, at volume: the parser's fuzzer frames (every link type, damaged headers,
 * random TCP), a SYN flood of a million distinct connections through a table of 1,024, and a million flows
 * whose data arrives out of order through small reassembly limits. Nothing throws, the table never holds more
 * than its maximum, the eviction and overflow counters move, every flow ends exactly once, and the heap does
 * not grow with the number of flows (the thread allocation counter stays near zero per packet, apart from
 * the slices handed to the stream listener; the reassembly buffer is off-heap and allocated once, when the
 * table is built).
 */
class FlowFuzzTest {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Offsets in the Ethernet/IPv4/TCP frames built here. */
    private static final int IP_SOURCE = 14 + 12;
    private static final int TCP_SOURCE_PORT = 14 + 20;
    private static final int TCP_SEQ = 14 + 20 + 4;
    private static final int TCP_FLAGS = 14 + 20 + 13;

    @Test
    void theFuzzersFramesNeverThrowAndKeepTheTableWithinItsLimit() {
        long[] ended = new long[1];
        FuzzFrames frames = new FuzzFrames(15);
        FuzzPacket packet = new FuzzPacket();
        long seen;
        try (FlowTable table = FlowTable.builder().maxFlows(256).idleTimeout(Duration.ofSeconds(30))
                .listener(new FlowListener() {
                    @Override
                    public void ended(Flow flow) {
                        ended[0]++;
                        assertThat(flow.endReason()).isNotNull();
                        assertThat(flow.lastNanos()).isGreaterThanOrEqualTo(Long.MIN_VALUE);
                    }
                })
                .streams((flow, from, bytes) -> assertThat(bytes.byteSize()).isPositive())
                .maxBufferedBytesPerFlow(2048).maxBufferedBytes(32 * 1024).gapTimeout(Duration.ofSeconds(1)).build()) {
            for (int i = 0; i < 300_000; i++) {
                frames.next(packet);
                table.onPacket(packet);
                if ((i & 255) == 0) {
                    assertThat(table.activeFlows()).isBetween(0, 256);
                }
            }
            assertThat(table.ignoredPackets()).as("the fuzzer's non-TCP and damaged frames").isPositive();
            seen = ended[0] + table.activeFlows();
        }
        assertThat(ended[0]).as("every flow ends once, at the latest at close").isEqualTo(seen).isPositive();
    }

    @Test
    void aSynFloodOfAMillionConnectionsThroughASmallTableEvictsAndAllocatesNothing() throws Exception {
        int maxFlows = 1024;
        int syns = 1 << 20;
        long[] ended = new long[EndReason.values().length];
        MemorySegment frame = TestPacket.nativeCopy(new Tcp("10.0.0.1", 1, "10.200.0.1", 443).c(Tcp.SYN, 77, 0));
        TestPacket packet = new TestPacket();
        AllocationCounter threads = AllocationCounter.create();
        long allocated;
        try (FlowTable table = FlowTable.builder().maxFlows(maxFlows).listener(new FlowListener() {
            @Override
            public void ended(Flow flow) {
                ended[flow.endReason().ordinal()]++;
            }
        }).build()) {
            long nanos = FlowTableTest.T0;
            long before = 0;
            for (int i = 0; i < syns; i++) {
                if (i == syns / 2) {
                    before = threads.bytes(); // the second half, after warm-up
                }
                frame.set(INT, IP_SOURCE, 0x0A00_0001 | i >>> 14 << 8); // 10.0.x.1: 16,384 ports per address
                frame.set(SHORT, TCP_SOURCE_PORT, (short) (1024 + (i & 0x3FFF)));
                frame.set(INT, TCP_SEQ, i * 7919);
                table.onPacket(packet.set(frame, nanos += 100));
                if (table.activeFlows() > maxFlows) {
                    throw new AssertionError(table.activeFlows() + " flows in a table of " + maxFlows); // no assertj: it allocates
                }
            }
            allocated = threads.bytes() - before;
            assertThat(table.activeFlows()).isEqualTo(maxFlows);
            assertThat(table.evictions()).as("each SYN beyond the first %d evicts one flow", maxFlows)
                    .isEqualTo(syns - maxFlows);
            assertThat(ended[EndReason.EVICTED.ordinal()]).isEqualTo(syns - maxFlows);
        }
        assertThat(ended[EndReason.OPEN_AT_END.ordinal()]).isEqualTo(maxFlows);
        assertThat(allocated).as("bytes allocated for %d SYNs", syns / 2).isLessThan(syns / 20);
    }

    @Test
    void aMillionFlowsWithOutOfOrderDataStayWithinTheReassemblyLimits() throws Exception {
        int maxFlows = 2048;
        int flows = 1_000_000;
        int perFlowLimit = 4096;
        long totalLimit = 64 * 1024;
        long[] delivered = new long[1];
        long[] slices = new long[1];
        long[] gaps = new long[1];
        long[] ended = new long[1];
        Tcp tcp = new Tcp("10.0.0.1", 1, "10.200.0.1", 80);
        // Per flow: a SYN, then 3 segments of 1000 bytes out of order (the 2nd, the 3rd, then the 1st).
        MemorySegment syn = TestPacket.nativeCopy(tcp.c(Tcp.SYN, 0, 0));
        MemorySegment data = TestPacket.nativeCopy(tcp.c(Tcp.ACK | Tcp.PSH, 1, 1, "d".repeat(1000)));
        TestPacket packet = new TestPacket();
        int[] order = {1, 2, 0};
        AllocationCounter threads = AllocationCounter.create();
        long allocated;
        long slicesMeasured;
        long overflows;
        try (FlowTable table = FlowTable.builder().maxFlows(maxFlows).listener(new FlowListener() {
            @Override
            public void ended(Flow flow) {
                ended[0]++;
            }
        }).streams(new StreamListener() {
            @Override
            public void data(Flow flow, Side from, MemorySegment bytes) {
                delivered[0] += bytes.byteSize();
                slices[0]++;
            }

            @Override
            public void gap(Flow flow, Side from, long bytes) {
                gaps[0] += bytes;
            }
        }).maxBufferedBytesPerFlow(perFlowLimit).maxBufferedBytes(totalLimit).gapTimeout(Duration.ofDays(1)).build()) {
            long nanos = FlowTableTest.T0;
            long before = 0;
            long slicesBefore = 0;
            for (int i = 0; i < flows; i++) {
                if (i == flows / 2) {
                    before = threads.bytes();
                    slicesBefore = slices[0];
                }
                int source = 0x0A00_0001 | i >>> 14 << 8;
                short port = (short) (1024 + (i & 0x3FFF));
                syn.set(INT, IP_SOURCE, source);
                syn.set(SHORT, TCP_SOURCE_PORT, port);
                table.onPacket(packet.set(syn, nanos += 100));
                data.set(INT, IP_SOURCE, source);
                data.set(SHORT, TCP_SOURCE_PORT, port);
                for (int k : order) {
                    // Every 3rd flow loses its first segment: its two others wait in the buffer.
                    if (k == 0 && i % 3 == 0) {
                        continue;
                    }
                    data.set(INT, TCP_SEQ, 1 + 1000 * k);
                    table.onPacket(packet.set(data, nanos += 100));
                }
                if (table.activeFlows() > maxFlows) {
                    throw new AssertionError(table.activeFlows() + " flows in a table of " + maxFlows); // no assertj: it allocates
                }
            }
            allocated = threads.bytes() - before;
            slicesMeasured = slices[0] - slicesBefore;
            overflows = table.bufferOverflows();
            assertThat(table.evictions()).isPositive();
        }
        assertThat(ended[0]).as("every flow ended once").isEqualTo(flows);
        assertThat(overflows).as("the 64 KiB buffer cannot hold 2 KB for each of 2,048 waiting flows").isPositive();
        // Every byte sent is delivered or reported missing, never both, never twice.
        long sent = 3000L * flows - 1000L * ((flows + 2) / 3);
        long missing = 1000L * ((flows + 2) / 3);
        assertThat(delivered[0]).isLessThanOrEqualTo(sent);
        assertThat(delivered[0] + gaps[0]).isLessThanOrEqualTo(sent + missing);
        assertThat(delivered[0]).as("most data reaches the listener").isGreaterThan(sent / 2);
        // The table allocates nothing per flow; each data() call gets a new MemorySegment slice (about 40 bytes),
        // which the JIT removes only when it inlines the listener (alone, not always beside other tests'
        // listeners), as FlowAllocationTest says. Nothing else may be allocated.
        assertThat(allocated).as("bytes allocated for %d flows and %d slices", flows / 2, slicesMeasured)
                .isLessThan(slicesMeasured * 48 + flows / 5);
    }

    @Test
    void randomFlagsOnOneConnectionNeverThrowAndEveryFlowEndsOnce() {
        long[] events = new long[2];
        MemorySegment frame = TestPacket.nativeCopy(new Tcp("10.0.0.1", 5000, "10.0.0.2", 80)
                .c(Tcp.ACK, 1, 1, "x".repeat(300)));
        MemorySegment reply = TestPacket.nativeCopy(new Tcp("10.0.0.1", 5000, "10.0.0.2", 80)
                .s(Tcp.ACK, 1, 1, "y".repeat(300)));
        TestPacket packet = new TestPacket();
        java.util.SplittableRandom random = new java.util.SplittableRandom(1515);
        try (FlowTable table = FlowTable.builder().maxFlows(4).listener(new FlowListener() {
            @Override
            public void opened(Flow flow) {
                events[0]++;
            }

            @Override
            public void ended(Flow flow) {
                events[1]++;
                assertThat(flow.packets(Side.CLIENT) + flow.packets(Side.SERVER)).isPositive();
            }
        }).streams((flow, from, bytes) -> assertThat(bytes.byteSize()).isBetween(1L, 300L))
                .maxBufferedBytesPerFlow(1024).maxBufferedBytes(4096).idleTimeout(Duration.ofSeconds(5)).build()) {
            long nanos = FlowTableTest.T0;
            for (int i = 0; i < 500_000; i++) {
                MemorySegment f = random.nextBoolean() ? frame : reply;
                f.set(ValueLayout.JAVA_BYTE, TCP_FLAGS, (byte) random.nextInt(256));
                f.set(INT, TCP_SEQ, random.nextInt(8) == 0 ? random.nextInt() : 1 + random.nextInt(5000));
                // The IP total length says how much payload there is: 0 to 300 bytes.
                f.set(SHORT, 14 + 2, (short) (40 + random.nextInt(301)));
                nanos += random.nextInt(3) == 0 ? random.nextLong(10_000_000_000L) : 1000;
                table.onPacket(packet.set(f, nanos));
                assertThat(table.activeFlows()).isBetween(0, 1);
            }
        }
        assertThat(events[1]).as("flows ended").isPositive().isGreaterThanOrEqualTo(events[0]);
    }

    /** The JVM's per-thread allocation counter, through reflection (core's tests are JDK-only modules). */
    private record AllocationCounter(Object bean, Method method) {
        static AllocationCounter create() throws ReflectiveOperationException {
            Object bean;
            Method method;
            try {
                bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
                method = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
            } catch (ReflectiveOperationException e) {
                Assumptions.abort("no per-thread allocation counter in this JVM");
                return null;
            }
            AllocationCounter counter = new AllocationCounter(bean, method);
            Assumptions.assumeTrue(counter.bytes() > 0, "per-thread allocation counting is disabled");
            return counter;
        }

        long bytes() throws ReflectiveOperationException {
            return (Long) method.invoke(bean);
        }
    }
}
