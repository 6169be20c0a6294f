package io.panatap.flow;

import io.panatap.Packet;
import io.panatap.PacketBatch;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.nio.ByteOrder;

import static io.panatap.flow.Tcp.ACK;
import static io.panatap.flow.Tcp.PSH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The steady state allocates nothing per packet: flow tracking over many flows (packet by packet and in
 * batches), and reassembly of in-order and reordered streams (apart from the slice handed to the listener),
 * measured with the JVM's per-thread allocation counter (bytes, not time).
 */
class FlowAllocationTest {
    private static final int FLOWS = 2_000;
    private static final int PAYLOAD = 100;
    /** Offset of the TCP sequence number in the Ethernet/IPv4/TCP frames built here. */
    private static final int SEQ_OFFSET = 14 + 20 + 4;
    private static final ValueLayout.OfInt SEQ = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The counter, through reflection: the test sources are compiled inside the JDK-only core module. */
    private static final class AllocationCounter {
        private final Object bean;
        private final Method currentThreadAllocatedBytes;

        AllocationCounter() throws ReflectiveOperationException {
            bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            currentThreadAllocatedBytes = Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getCurrentThreadAllocatedBytes");
        }

        long bytes() throws ReflectiveOperationException {
            return (Long) currentThreadAllocatedBytes.invoke(bean);
        }
    }

    private static AllocationCounter counter() throws ReflectiveOperationException {
        AllocationCounter threads;
        try {
            threads = new AllocationCounter();
        } catch (ReflectiveOperationException e) {
            Assumptions.abort("no per-thread allocation counter in this JVM");
            return null;
        }
        Assumptions.assumeTrue(threads.bytes() > 0, "per-thread allocation counting is disabled");
        return threads;
    }

    /** Client data frames of {@link #FLOWS} flows, one per flow, in native memory. */
    private static MemorySegment[] frames() {
        MemorySegment[] frames = new MemorySegment[FLOWS];
        for (int i = 0; i < FLOWS; i++) {
            Tcp tcp = new Tcp("10.1." + (i >> 8) + "." + (i & 255), 10_000 + i, "10.2.0.1", 443);
            frames[i] = TestPacket.nativeCopy(tcp.c(ACK | PSH, 1, 1, "x".repeat(PAYLOAD)));
        }
        return frames;
    }

    @Test
    void flowTrackingAllocatesNothingPerPacket() throws Exception {
        AllocationCounter threads = counter();
        MemorySegment[] frames = frames();
        long[] opened = new long[1];
        TestPacket packet = new TestPacket();
        try (FlowTable table = FlowTable.builder().maxFlows(4 * FLOWS).listener(new FlowListener() {
            @Override
            public void opened(Flow flow) {
                opened[0] += flow.clientPort();
            }
        }).build()) {
            int packets = 300_000;
            long nanos = FlowTableTest.T0;
            for (int round = 0; round < 2; round++) { // round 0 warms up (class loading, JIT)
                long before = threads.bytes();
                for (int n = 0; n < packets; n++) {
                    MemorySegment frame = frames[n % FLOWS];
                    frame.set(SEQ, SEQ_OFFSET, 1 + (n / FLOWS) * PAYLOAD);
                    table.onPacket(packet.set(frame, nanos += 1000));
                }
                long allocated = threads.bytes() - before;
                if (round == 1) {
                    assertThat(allocated).as("bytes allocated for %d packets", packets).isLessThan(packets / 10);
                }
            }
            assertThat(table.activeFlows()).isEqualTo(FLOWS);
        }
        assertThat(opened[0]).isPositive();
    }

    @Test
    void flowTrackingInBatchesAllocatesNothingPerPacket() throws Exception {
        AllocationCounter threads = counter();
        MemorySegment[] frames = frames();
        TestPacket packet = new TestPacket();
        int batchSize = 256;
        long[] nanos = {FlowTableTest.T0};
        int[] next = new int[1];
        PacketBatch batch = new PacketBatch() {
            @Override
            public int size() {
                return batchSize;
            }

            @Override
            public Packet get(int index) {
                int n = next[0] + index;
                MemorySegment frame = frames[n % FLOWS];
                frame.set(SEQ, SEQ_OFFSET, 1 + (n / FLOWS) * PAYLOAD);
                return packet.set(frame, nanos[0] + 1000L * index);
            }
        };
        try (FlowTable table = FlowTable.builder().maxFlows(4 * FLOWS).build()) {
            int packets = 300_032; // whole batches
            for (int round = 0; round < 2; round++) { // round 0 warms up (class loading, JIT)
                long before = threads.bytes();
                for (int b = 0; b < packets / batchSize; b++) {
                    table.onBatch(batch);
                    next[0] += batchSize;
                    nanos[0] += 1000L * batchSize;
                }
                long allocated = threads.bytes() - before;
                if (round == 1) {
                    assertThat(allocated).as("bytes allocated for %d packets", packets).isLessThan(packets / 10);
                }
            }
            assertThat(table.activeFlows()).isEqualTo(FLOWS);
            assertThat(table.ignoredPackets()).isZero();
        }
    }

    @Test
    void reassemblyAllocatesNothingPerPacket() throws Exception {
        AllocationCounter threads = counter();
        MemorySegment[] frames = frames();
        long[] delivered = new long[1];
        StreamListener streams = (flow, from, bytes) -> delivered[0] += bytes.byteSize();
        TestPacket packet = new TestPacket();
        try (FlowTable table = FlowTable.builder().maxFlows(4 * FLOWS).streams(streams).build()) {
            int packets = 300_000;
            long nanos = FlowTableTest.T0;
            for (int round = 0; round < 4; round++) { // rounds 0 and 2 warm up; 1 in order, 3 reordered
                boolean reorder = round >= 2;
                long before = threads.bytes();
                for (int n = 0; n < packets; n++) {
                    int flow = n % FLOWS;
                    int k = round * packets / FLOWS + n / FLOWS; // this flow's k-th segment of all rounds
                    int segment = reorder ? k ^ 1 : k;          // reordered: swap each pair of segments
                    MemorySegment frame = frames[flow];
                    frame.set(SEQ, SEQ_OFFSET, 1 + segment * PAYLOAD);
                    table.onPacket(packet.set(frame, nanos += 1000));
                }
                long allocated = threads.bytes() - before;
                if (round % 2 == 1) {
                    // The table itself allocates nothing; each data() call gets a new MemorySegment slice
                    // (about 40 bytes), which the JIT removes only when it can inline the listener (it does in
                    // this class alone, not beside other tests' listeners). Nothing else may be allocated.
                    assertThat(allocated).as("bytes allocated for %d packets, reordered %s", packets, reorder)
                            .isLessThan(packets * 48L + 30_000);
                }
            }
            assertThat(table.bufferOverflows()).isZero();
        }
        assertThat(delivered[0]).isEqualTo(4L * 300_000 * PAYLOAD);
    }
}
