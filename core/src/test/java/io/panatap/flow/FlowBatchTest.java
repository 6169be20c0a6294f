package io.panatap.flow;

import io.panatap.Packet;
import io.panatap.PacketBatch;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.panatap.flow.Tcp.ACK;
import static io.panatap.flow.Tcp.FIN;
import static io.panatap.flow.Tcp.PSH;
import static io.panatap.flow.Tcp.RST;
import static io.panatap.flow.Tcp.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link FlowTable#onBatch} gives exactly what {@link FlowTable#onPacket} gives for the same packets one by one:
 * the same events in the same order with the same values, the same streams and gaps, the same counters. The
 * traffic is generated here: 48 connections (IPv4 and IPv6, some on a VLAN) through a table of 16, opening with
 * a handshake or mid-stream, sending data both ways with segments reordered, resent and overlapping, ending
 * with FINs, a reset or not at all and then starting again on the same ports, among damaged frames the table
 * ignores, with pauses that let closed connections linger out and idle ones time out. It goes through in
 * batches of many sizes, below, at and above the table's look-ahead.
 */
class FlowBatchTest {
    private static final int CONNECTIONS = 48;

    private record Frame(MemorySegment bytes, long nanos) {
    }

    /** A connection of the generated traffic: its next sequence numbers and where it is. */
    private static final class Connection {
        final Tcp tcp;
        long client;
        long server;
        int stage;
        /** A client segment held back, sent later (reordered), or null. */
        byte[] held;

        Connection(Tcp tcp) {
            this.tcp = tcp;
        }
    }

    private static List<Frame> traffic(long seed, int packets) {
        Random r = new Random(seed);
        Connection[] connections = new Connection[CONNECTIONS];
        for (int i = 0; i < CONNECTIONS; i++) {
            Tcp tcp = i % 4 == 3 ? new Tcp("2001:db8::" + (i + 1), 30_000 + i, "2001:db8::ff", 443)
                    : new Tcp("10.0." + i / 8 + "." + (i % 8 + 1), 30_000 + i, "10.9.0.1", 80);
            connections[i] = new Connection(i % 6 == 5 ? tcp.vlan(100 + i) : tcp);
        }
        List<Frame> frames = new ArrayList<>();
        long nanos = FlowTableTest.T0;
        while (frames.size() < packets) {
            nanos += 1000 + r.nextInt(2_000_000);
            int pause = r.nextInt(1000);
            if (pause < 10) {
                nanos += 1_500_000_000L; // closed connections linger out
            } else if (pause == 10) {
                nanos += 6_000_000_000L; // idle ones time out
            }
            byte[] frame = next(connections[r.nextInt(CONNECTIONS)], r);
            if (r.nextInt(25) == 0) {
                frame = Arrays.copyOf(frame, 14 + 20 + 10); // cut inside the TCP header: ignored
            }
            frames.add(new Frame(TestPacket.nativeCopy(frame), nanos));
        }
        return frames;
    }

    /** The connection's next frame. */
    private static byte[] next(Connection c, Random r) {
        Tcp t = c.tcp;
        switch (c.stage) {
            case 0 -> {
                c.client = r.nextInt() & 0xFFFF_FFFFL;
                c.server = r.nextInt() & 0xFFFF_FFFFL;
                c.held = null;
                if (r.nextInt(4) == 0) {
                    c.stage = 3; // seen mid-stream
                    return t.c(ACK, c.client, c.server);
                }
                c.stage = 1;
                return t.c(SYN, c.client++, 0);
            }
            case 1 -> {
                c.stage = 2;
                return t.s(SYN | ACK, c.server++, c.client);
            }
            case 2 -> {
                c.stage = 3;
                return t.c(ACK, c.client, c.server);
            }
            default -> {
                int choice = r.nextInt(20);
                if (choice == 0) {
                    c.stage = 0;
                    return r.nextBoolean() ? t.c(RST | ACK, c.client, c.server) : t.s(RST, c.server, 0);
                }
                if (choice == 1 && c.held == null) {
                    c.stage = 0;
                    return t.c(FIN | ACK, c.client++, c.server);
                }
                if (choice == 2) {
                    return t.s(FIN | ACK, c.server++, c.client); // a server's FIN, maybe resent
                }
                if (choice == 3 && c.held != null) {
                    byte[] held = c.held;
                    c.held = null;
                    return held;
                }
                String data = "abcdefghijklmnopqrstuvwxyz".repeat(8).substring(0, 1 + r.nextInt(200));
                if (choice == 4 && c.held == null) {
                    c.held = t.c(PSH | ACK, c.client, c.server, data); // sent later: a hole until then
                    c.client += data.length();
                    return t.c(PSH | ACK, c.client, c.server, "after the hole");
                }
                if (choice == 5) {
                    return t.c(PSH | ACK, c.client - r.nextInt(50), c.server, data); // resent or overlapping
                }
                if (r.nextBoolean()) {
                    byte[] frame = t.s(PSH | ACK, c.server, c.client, data);
                    c.server += data.length();
                    return frame;
                }
                byte[] frame = t.c(PSH | ACK, c.client, c.server, data);
                c.client += data.length() + (choice == 4 ? "after the hole".length() : 0);
                return frame;
            }
        }
    }

    /** Everything the table reported for {@code frames}, fed in batches of the sizes given in turn (0: one by one). */
    private static String run(List<Frame> frames, int... batchSizes) {
        Recorder recorder = new Recorder();
        StringBuilder out = new StringBuilder();
        TestPacket packet = new TestPacket();
        try (FlowTable table = FlowTable.builder().maxFlows(16).idleTimeout(Duration.ofSeconds(5))
                .listener(recorder).streams(recorder).maxBufferedBytesPerFlow(1024).maxBufferedBytes(8192)
                .gapTimeout(Duration.ofSeconds(1)).build()) {
            int next = 0;
            for (int turn = 0; next < frames.size(); turn++) {
                int size = batchSizes[turn % batchSizes.length];
                if (size == 0) {
                    Frame f = frames.get(next++);
                    table.onPacket(packet.set(f.bytes(), f.nanos()));
                    continue;
                }
                int start = next;
                int count = Math.min(size, frames.size() - start);
                table.onBatch(new PacketBatch() {
                    @Override
                    public int size() {
                        return count;
                    }

                    @Override
                    public Packet get(int index) {
                        Frame f = frames.get(start + java.util.Objects.checkIndex(index, count));
                        return packet.set(f.bytes(), f.nanos());
                    }
                });
                next += count;
            }
            out.append("active ").append(table.activeFlows()).append(", evictions ").append(table.evictions())
                    .append(", overflows ").append(table.bufferOverflows()).append(", ignored ")
                    .append(table.ignoredPackets()).append('\n');
        }
        recorder.events.forEach(e -> out.append(e).append('\n'));
        for (Recorder.Ended e : recorder.ended) {
            out.append(e.client()).append(':').append(e.clientPort()).append(' ').append(e.server()).append(':')
                    .append(e.serverPort()).append(" vlan ").append(e.vlan()).append(e.midStream() ? " mid" : "")
                    .append(' ').append(e.first()).append('-').append(e.last()).append(" rtt ").append(e.rtt())
                    .append(' ').append(e.reason()).append(' ').append(e.resetBy())
                    .append(" packets ").append(Arrays.toString(e.packets()))
                    .append(" wire ").append(Arrays.toString(e.wire()))
                    .append(" payload ").append(Arrays.toString(e.payload()))
                    .append(" retransmissions ").append(Arrays.toString(e.retransmissions()))
                    .append(" out of order ").append(Arrays.toString(e.outOfOrder()))
                    .append(" zero windows ").append(Arrays.toString(e.zeroWindows())).append('\n');
        }
        return out.append("client ").append(recorder.client).append("\nserver ").append(recorder.server).toString();
    }

    @Test
    void batchesOfEverySizeGiveWhatPacketsOneByOneGive() {
        List<Frame> frames = traffic(15, 20_000);
        String oneByOne = run(frames, 0);
        // The traffic goes through every path: evictions, overflows, ignored frames, each way to end.
        assertThat(oneByOne).contains("evictions ").doesNotContain("evictions 0,").doesNotContain("overflows 0,")
                .doesNotContain("ignored 0\n").contains("[gap ");
        for (EndReason reason : EndReason.values()) {
            assertThat(oneByOne).as("a flow ends %s", reason).contains(" " + reason + " ");
        }
        assertThat(oneByOne).contains(" mid ").contains(" rtt ").contains("opened");
        for (int[] sizes : new int[][] {{1}, {7}, {FlowTable.LOOKAHEAD}, {FlowTable.LOOKAHEAD + 1}, {256},
                {1, 300, 31, 0, 64, 2, 0, 0, 97}}) {
            assertThat(run(frames, sizes)).as("batches of %s", Arrays.toString(sizes)).isEqualTo(oneByOne);
        }
    }

    @Test
    void aClosedTableRefusesABatch() {
        FlowTable table = FlowTable.builder().build();
        table.close();
        PacketBatch empty = new PacketBatch() {
            @Override
            public int size() {
                return 0;
            }

            @Override
            public Packet get(int index) {
                throw new IndexOutOfBoundsException(index);
            }
        };
        assertThatThrownBy(() -> table.onBatch(empty)).isInstanceOf(IllegalStateException.class)
                .hasMessage("flow table closed");
    }
}
