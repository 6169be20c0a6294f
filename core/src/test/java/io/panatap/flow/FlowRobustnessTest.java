package io.panatap.flow;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random flags, sequence numbers, lengths and ports against small limits: no exception, every flow ends
 * exactly once, at most one opened event per flow, the table and the buffer stay within their limits.
 */
class FlowRobustnessTest {

    @Test
    void randomSegmentsKeepTheInvariants() {
        Random random = new Random(1515);
        Map<String, Integer> open = new HashMap<>();
        long[] events = new long[3];
        FlowListener listener = new FlowListener() {
            @Override
            public void opened(Flow flow) {
                String key = key(flow);
                assertThat(open.merge(key, 1, Integer::sum)).as("opened once: %s", key).isEqualTo(1);
                events[0]++;
            }

            @Override
            public void ended(Flow flow) {
                assertThat(flow.endReason()).isNotNull();
                open.remove(key(flow));
                events[1]++;
            }
        };
        StreamListener streams = new StreamListener() {
            @Override
            public void data(Flow flow, Side from, MemorySegment bytes) {
                assertThat(bytes.byteSize()).isPositive();
                events[2] += bytes.byteSize();
            }

            @Override
            public void gap(Flow flow, Side from, long bytes) {
                assertThat(bytes).isPositive();
            }
        };
        long created = 0;
        try (FlowTable table = FlowTable.builder().maxFlows(50).listener(listener).streams(streams)
                .maxBufferedBytesPerFlow(4096).maxBufferedBytes(64 * 1024).idleTimeout(Duration.ofSeconds(2))
                .gapTimeout(Duration.ofMillis(300)).build()) {
            long nanos = FlowTableTest.T0;
            TestPacket packet = new TestPacket();
            MemorySegment buffer = TestPacket.nativeCopy(new byte[16_384]);
            for (int i = 0; i < 40_000; i++) {
                int port = 1 + random.nextInt(80);
                Tcp tcp = new Tcp("10.0.0.1", port, "10.0.0.2", 80);
                int flags = random.nextInt(8) == 0 ? random.nextInt(0x1000) : random.nextInt(4) == 0
                        ? Tcp.SYN : Tcp.ACK | (random.nextInt(20) == 0 ? Tcp.FIN : 0);
                long seq = random.nextInt(4) == 0 ? random.nextLong() & 0xFFFF_FFFFL : 1000 + random.nextInt(20_000);
                int length = random.nextInt(3) == 0 ? 0 : random.nextInt(random.nextInt(10) == 0 ? 9000 : 1500);
                String payload = "p".repeat(length);
                byte[] frame = random.nextBoolean() ? tcp.c(flags, seq, 1, payload) : tcp.s(flags, seq, 1, payload);
                nanos += random.nextInt(20_000_000);
                if (random.nextInt(50) == 0) {
                    nanos -= 100_000_000; // time going back a little
                }
                MemorySegment.copy(MemorySegment.ofArray(frame), 0, buffer, 0, frame.length);
                table.onPacket(packet.set(buffer.asSlice(0, frame.length), nanos));
                assertThat(table.activeFlows()).isBetween(0, 50);
                if (random.nextInt(1000) == 0) {
                    table.advanceTo(nanos + random.nextInt(300_000_000));
                }
            }
            created = events[1] + table.activeFlows();
        }
        assertThat(events[1]).isEqualTo(created);
        assertThat(open).isEmpty();
        assertThat(events[0]).isPositive();
        assertThat(events[2]).isPositive();
    }

    private static String key(Flow flow) {
        return flow.clientPort() + ">" + flow.serverPort() + "@" + flow.firstNanos();
    }
}
