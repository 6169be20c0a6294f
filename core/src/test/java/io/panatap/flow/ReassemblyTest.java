package io.panatap.flow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.panatap.flow.FlowTableTest.feed;
import static io.panatap.flow.FlowTableTest.ms;
import static io.panatap.flow.Tcp.ACK;
import static io.panatap.flow.Tcp.FIN;
import static io.panatap.flow.Tcp.PSH;
import static io.panatap.flow.Tcp.SYN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stream reassembly: in-order slices of packet memory, reordering, every overlap shape under first copy
 * wins, sequence wrap, gaps (timeout, limits, end of flow, cut captures), SYN data and FIN.
 */
class ReassemblyTest {
    /** The client's ISN: its stream starts at ISN + 1. */
    static final long ISN = 100;

    final Recorder rec = new Recorder();
    final Tcp tcp = Tcp.ipv4();

    FlowTable.Builder builder() {
        return FlowTable.builder().listener(rec).streams(rec).maxFlows(64).maxBufferedBytes(4 << 20);
    }

    /** A handshake whose client stream starts at {@code isn + 1} and server stream at 501. */
    void open(FlowTable table, long isn) {
        feed(table, ms(0), tcp.c(SYN, isn, 0));
        feed(table, ms(1), tcp.s(SYN | ACK, 500, isn + 1));
        feed(table, ms(2), tcp.c(ACK, isn + 1, 501));
    }

    /** Client data at stream offset {@code offset} (sequence ISN + 1 + offset). */
    void send(FlowTable table, long nanos, int offset, String text) {
        feed(table, nanos, tcp.c(ACK | PSH, (ISN + 1 + offset) & 0xFFFF_FFFFL, 501, text));
    }

    /** The text of stream offsets [from, to): lower case for a first copy, upper case for a later one. */
    static String text(int from, int to, boolean upper) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i < to; i++) {
            out.append((char) ((upper ? 'A' : 'a') + i % 26));
        }
        return out.toString();
    }

    @Test
    void inOrderDataIsDeliveredAsSlicesOfThePacketMemory() {
        List<MemorySegment> packets = new ArrayList<>();
        try (FlowTable table = builder().build()) {
            open(table, ISN);
            for (int i = 0; i < 3; i++) {
                byte[] frame = tcp.c(ACK | PSH, ISN + 1 + 5L * i, 501, text(5 * i, 5 * i + 5, false));
                TestPacket packet = TestPacket.of(ms(3 + i), frame);
                packets.add(packet.segment());
                table.onPacket(packet);
            }
            feed(table, ms(7), tcp.s(ACK | PSH, 501, ISN + 16, "response"));
            assertThat(rec.client).hasToString(text(0, 15, false));
            assertThat(rec.server).hasToString("response");
        }
        for (int i = 0; i < 3; i++) {
            MemorySegment slice = rec.slices.get(i);
            MemorySegment packet = packets.get(i);
            assertThat(slice.address()).isBetween(packet.address(), packet.address() + packet.byteSize() - 5);
            assertThat(slice.byteSize()).isEqualTo(5);
        }
    }

    @Test
    void reorderedSegmentsAreDeliveredInSequenceOrder() {
        try (FlowTable table = builder().build()) {
            open(table, ISN);
            send(table, ms(3), 10, text(10, 15, false));
            send(table, ms(4), 5, text(5, 10, false));
            assertThat(rec.client).isEmpty();
            send(table, ms(5), 0, text(0, 5, false));
            assertThat(rec.client).hasToString(text(0, 15, false));
            send(table, ms(6), 15, text(15, 20, false));
            assertThat(rec.client).hasToString(text(0, 20, false));
        }
        assertThat(rec.events).containsExactly("opened 40000 rtt 2000000", "ended 40000 OPEN_AT_END");
    }

    /**
     * Each overlap shape of a later copy (upper case) against a first copy (lower case) of [10, 20), both
     * when the first copy waits in the buffer (a hole before it) and when it was already delivered: the
     * bytes of the first copy win, the later copy adds only bytes not seen before.
     */
    @ParameterizedTest(name = "{0} [{1}, {2})")
    @CsvSource({
            "exact duplicate, 10, 20, kkkkkkkkkk",
            "partial before,   5, 15, FGHIJ + klmnopqrst",
            "partial after,   15, 25, klmnopqrst + UVWXY",
            "contained,       12, 18, klmnopqrst",
            "containing,       5, 25, FGHIJ + klmnopqrst + UVWXY",
    })
    void overlapsKeepTheFirstCopy(String shape, int from, int to, String ignoredSketch) {
        // first copy buffered: hole [0, 10), first copy [10, 20), later copy, then the hole's bytes
        try (FlowTable table = builder().build()) {
            open(table, ISN);
            send(table, ms(3), 10, text(10, 20, false));
            send(table, ms(4), from, text(from, to, true));
            send(table, ms(5), 0, text(0, 10, false));
            String expected = text(0, Math.min(from, 10), false) + text(Math.min(from, 10), 10, true)
                    + text(10, 20, false) + text(20, Math.max(to, 20), true);
            if (from >= 10) {
                expected = text(0, 20, false) + text(20, Math.max(to, 20), true);
            }
            assertThat(rec.client).as(shape).hasToString(expected);
        }
        // first copy delivered in order: a later copy adds only what lies beyond it
        rec.client.setLength(0);
        try (FlowTable table = builder().build()) {
            open(table, ISN);
            send(table, ms(3), 0, text(0, 10, false));
            send(table, ms(4), 10, text(10, 20, false));
            send(table, ms(5), from, text(from, to, true));
        }
        assertThat(rec.client).as(shape).hasToString(text(0, 20, false) + text(20, Math.max(to, 20), true));
    }

    @Test
    void aLaterCopySpanningSeveralBufferedChunksFillsOnlyTheirHoles() {
        try (FlowTable table = builder().build()) {
            open(table, ISN);
            send(table, ms(3), 10, text(10, 12, false));
            send(table, ms(4), 14, text(14, 16, false));
            send(table, ms(5), 18, text(18, 20, false));
            send(table, ms(6), 8, text(8, 22, true));
            send(table, ms(7), 0, text(0, 8, false));
        }
        assertThat(rec.client).hasToString(text(0, 8, false) + text(8, 10, true) + text(10, 12, false)
                + text(12, 14, true) + text(14, 16, false) + text(16, 18, true) + text(18, 20, false)
                + text(20, 22, true));
    }

    @Test
    void inOrderDataStopsWhereABufferedFirstCopyBegins() {
        try (FlowTable table = builder().build()) {
            open(table, ISN);
            send(table, ms(3), 10, text(10, 20, false));
            send(table, ms(4), 0, text(0, 30, true)); // covers the hole, the buffered copy and more
        }
        assertThat(rec.client).hasToString(text(0, 10, true) + text(10, 20, false) + text(20, 30, true));
    }

    @Test
    void streamsCrossTheSequenceWrap() {
        long isn = 0xFFFF_FFF8L;
        try (FlowTable table = builder().build()) {
            open(table, isn);
            feed(table, ms(3), tcp.c(ACK, (isn + 1 + 20) & 0xFFFF_FFFFL, 501, text(20, 30, false)));
            feed(table, ms(4), tcp.c(ACK, isn + 1, 501, text(0, 5, false)));
            feed(table, ms(5), tcp.c(ACK, isn + 6, 501, text(5, 20, false))); // crosses 2^32
            feed(table, ms(6), tcp.c(ACK, (isn + 1 + 2) & 0xFFFF_FFFFL, 501, text(2, 12, true)));
        }
        assertThat(rec.client).hasToString(text(0, 30, false));
    }

    @Test
    void synDataAndFinAreHandled() {
        try (FlowTable table = builder().build()) {
            feed(table, ms(0), tcp.c(SYN, ISN, 0, "fast open")); // TFO: data on the SYN
            feed(table, ms(1), tcp.s(SYN | ACK, 500, ISN + 10));
            feed(table, ms(2), tcp.c(ACK | FIN, ISN + 10, 501, "!"));
            feed(table, ms(3), tcp.c(ACK, ISN + 12, 501, "after the FIN"));
            feed(table, ms(4), tcp.s(ACK | FIN, 501, ISN + 12, "bye"));
        }
        assertThat(rec.client).hasToString("fast open!");
        assertThat(rec.server).hasToString("bye");
        assertThat(rec.events).containsExactly("opened 40000 rtt 2000000", "ended 40000 CLOSED");
    }

    @Test
    void bytesMissingBeforeAFinAreAGapAtTheEnd() {
        try (FlowTable table = builder().build()) {
            open(table, ISN);
            send(table, ms(3), 0, "abc");
            feed(table, ms(4), tcp.c(ACK | FIN, ISN + 1 + 10, 501));
        }
        assertThat(rec.client).hasToString("abc[gap 7]");
    }

    @Test
    void aHoleUnfilledForTheGapTimeoutIsSkipped() {
        try (FlowTable table = builder().gapTimeout(Duration.ofMillis(100)).build()) {
            open(table, ISN);
            send(table, ms(3), 0, "abc");
            send(table, ms(10), 8, "ijk");
            send(table, ms(50), 14, "op");
            table.advanceTo(ms(109));
            assertThat(rec.client).hasToString("abc");
            table.advanceTo(ms(110));
            assertThat(rec.client).hasToString("abc[gap 5]ijk");
            send(table, ms(111), 11, "lmn");
            assertThat(rec.client).hasToString("abc[gap 5]ijklmnop");
            send(table, ms(112), 3, "defgh"); // too late: already skipped
            assertThat(rec.client).hasToString("abc[gap 5]ijklmnop");
            assertThat(table.bufferOverflows()).isZero();
        }
    }

    @Test
    void thePerFlowLimitSkipsTheHoleAndCountsIt() {
        try (FlowTable table = builder().maxBufferedBytesPerFlow(1024).build()) {
            open(table, ISN);
            send(table, ms(3), 10, "x".repeat(500));   // one block
            send(table, ms(4), 600, "y".repeat(500));  // two blocks: full
            assertThat(rec.client).isEmpty();
            send(table, ms(5), 1200, "z".repeat(100)); // over the limit: the first hole goes
            assertThat(rec.client).hasToString("[gap 10]" + "x".repeat(500));
            assertThat(table.bufferOverflows()).isEqualTo(1);
            send(table, ms(6), 510, "w".repeat(90));
            assertThat(rec.client).hasToString("[gap 10]" + "x".repeat(500) + "w".repeat(90) + "y".repeat(500));
        }
        assertThat(rec.client).hasToString("[gap 10]" + "x".repeat(500) + "w".repeat(90) + "y".repeat(500)
                + "[gap 100]" + "z".repeat(100));
    }

    @Test
    void aSegmentLargerThanTheLimitIsDeliveredInPlaceAfterAGap() {
        try (FlowTable table = builder().maxBufferedBytesPerFlow(512).build()) {
            open(table, ISN);
            send(table, ms(3), 10, "x".repeat(1000));
            assertThat(rec.client).hasToString("[gap 10]" + "x".repeat(1000));
            assertThat(table.bufferOverflows()).isEqualTo(1);
        }
    }

    @Test
    void theTotalLimitSkipsTheOldestHoleOfAnyFlow() {
        Tcp other = new Tcp("10.0.0.9", 50000, "10.0.0.2", 80);
        StringBuilder otherStream = new StringBuilder();
        StreamListener streams = new StreamListener() {
            @Override
            public void data(Flow flow, Side from, MemorySegment bytes) {
                (flow.clientPort() == 50000 ? otherStream : rec.client).append(bytes.byteSize()).append(' ');
            }

            @Override
            public void gap(Flow flow, Side from, long bytes) {
                (flow.clientPort() == 50000 ? otherStream : rec.client).append("gap ").append(bytes).append(' ');
            }
        };
        try (FlowTable table = FlowTable.builder().streams(streams).maxBufferedBytes(2048).build()) {
            open(table, ISN);
            feed(table, ms(3), other.c(ACK, 1000, 1, ""));
            send(table, ms(4), 10, "x".repeat(1000));                // two blocks, the oldest hole
            feed(table, ms(5), other.c(ACK, 1010, 1, "y".repeat(1000))); // two more: the pool is full
            assertThat(rec.client).isEmpty();
            feed(table, ms(6), other.c(ACK, 2020, 1, "z".repeat(10)));   // needs one: the first flow gives
            assertThat(rec.client).hasToString("gap 10 512 488 ");
            assertThat(otherStream).isEmpty();
            assertThat(table.bufferOverflows()).isEqualTo(1);
        }
        assertThat(otherStream).hasToString("gap 10 512 488 gap 10 10 ");
    }

    @Test
    void bytesCutByTheSnapLengthAreAGap() {
        try (FlowTable table = builder().build()) {
            open(table, ISN);
            byte[] frame = tcp.c(ACK, ISN + 1, 501, "abcdefghij");
            byte[] cut = java.util.Arrays.copyOf(frame, frame.length - 4);
            // the IP length still says 10 payload bytes; 6 were captured
            table.onPacket(TestPacket.of(ms(3), cut).originalLength(frame.length));
            send(table, ms(4), 10, "klm");
            send(table, ms(5), 20, "uv");
            send(table, ms(6), 13, "nopqrst");
        }
        assertThat(rec.client).hasToString("abcdef[gap 4]klmnopqrstuv");
    }

    @Test
    void closingFlushesBufferedDataAfterItsGapBeforeTheEndedEvent() {
        List<String> order = new ArrayList<>();
        try (FlowTable table = FlowTable.builder().listener(new FlowListener() {
            @Override
            public void ended(Flow flow) {
                order.add("ended");
            }
        }).streams(new StreamListener() {
            @Override
            public void data(Flow flow, Side from, MemorySegment bytes) {
                order.add("data " + bytes.byteSize());
            }

            @Override
            public void gap(Flow flow, Side from, long bytes) {
                order.add("gap " + bytes);
            }
        }).build()) {
            open(table, ISN);
            send(table, ms(3), 5, "fghij");
            send(table, ms(4), 20, "uvw");
        }
        assertThat(order).containsExactly("gap 5", "data 5", "gap 10", "data 3", "ended");
    }

    @Test
    void midStreamDirectionsStartAtTheirFirstSegment() {
        try (FlowTable table = builder().build()) {
            feed(table, ms(0), tcp.s(ACK | PSH, 7000, 300, "HTTP/1.1 200 OK"));
            feed(table, ms(1), tcp.c(ACK, 300, 7015));
            feed(table, ms(2), tcp.c(ACK | PSH, 300, 7015, "GET /"));
        }
        assertThat(rec.server).hasToString("GET /");
        assertThat(rec.client).hasToString("HTTP/1.1 200 OK");
    }

    /**
     * A random split of a stream into segments, shuffled and partly duplicated with different bytes, is
     * delivered exactly as a reference model of first copy wins says, in both directions.
     */
    @Test
    void randomReorderingAndDuplicationMatchTheFirstCopyModel() {
        Random random = new Random(15);
        for (int round = 0; round < 200; round++) {
            int length = 1 + random.nextInt(5000);
            long isn = random.nextBoolean() ? 0xFFFF_FFFFL - random.nextInt(3000) : random.nextInt(1 << 30);
            List<int[]> segments = new ArrayList<>();
            for (int at = 0; at < length; ) {
                int n = Math.min(length - at, 1 + random.nextInt(1500));
                segments.add(new int[] {at, at + n, 0});
                at += n;
            }
            int copies = random.nextInt(segments.size() + 1);
            for (int i = 0; i < copies; i++) {
                int from = random.nextInt(length);
                segments.add(new int[] {from, Math.min(length, from + 1 + random.nextInt(2000)), 1 + i % 9});
            }
            java.util.Collections.shuffle(segments, random);
            char[] expected = new char[length];
            for (int[] s : segments) {
                for (int i = s[0]; i < s[1]; i++) {
                    if (expected[i] == 0) {
                        expected[i] = mark(i, s[2]);
                    }
                }
            }
            Recorder r = new Recorder();
            try (FlowTable table = FlowTable.builder().streams(r).maxFlows(4).maxBufferedBytes(1 << 20).build()) {
                feed(table, ms(0), tcp.c(SYN, isn, 0));
                feed(table, ms(0), tcp.s(SYN | ACK, isn, isn + 1));
                int t = 1;
                for (int[] s : segments) {
                    StringBuilder text = new StringBuilder();
                    for (int i = s[0]; i < s[1]; i++) {
                        text.append(mark(i, s[2]));
                    }
                    long seq = (isn + 1 + s[0]) & 0xFFFF_FFFFL;
                    feed(table, ms(t), tcp.c(ACK, seq, isn + 1, text.toString()));
                    feed(table, ms(t++), tcp.s(ACK, seq, isn + 1, text.toString()));
                }
                assertThat(table.bufferOverflows()).isZero();
            }
            assertThat(r.client).as("round %d", round).hasToString(new String(expected));
            assertThat(r.server).as("round %d", round).hasToString(new String(expected));
        }
    }

    private static char mark(int position, int copy) {
        return (char) ('A' + copy * 6 + position % 6);
    }
}
