package io.panatap.flow;

import io.panatap.testing.Frames;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.panatap.flow.Tcp.ACK;
import static io.panatap.flow.Tcp.FIN;
import static io.panatap.flow.Tcp.PSH;
import static io.panatap.flow.Tcp.RST;
import static io.panatap.flow.Tcp.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Connection state, keys, counters, timeouts and eviction of {@link FlowTable} (no reassembly). */
class FlowTableTest {
    static final long T0 = 1_700_000_000_000_000_000L;

    final Recorder events = new Recorder();

    static long ms(long millis) {
        return T0 + millis * 1_000_000;
    }

    FlowTable table() {
        return FlowTable.builder().listener(events).maxFlows(1024).build();
    }

    static void feed(FlowTable table, long nanos, byte[] frame) {
        table.onPacket(TestPacket.of(nanos, frame));
    }

    /** SYN at 0 ms, SYN/ACK at 1 ms, ACK at 3 ms: client ISN 100, server ISN 500. */
    static void handshake(FlowTable table, Tcp tcp) {
        feed(table, ms(0), tcp.c(SYN, 100, 0));
        feed(table, ms(1), tcp.s(SYN | ACK, 500, 101));
        feed(table, ms(3), tcp.c(ACK, 101, 501));
    }

    @Test
    void handshakeOpensWithItsRoundTripAndFinBothWaysCloses() {
        Tcp tcp = Tcp.ipv4();
        try (FlowTable table = table()) {
            handshake(table, tcp);
            assertThat(events.events).containsExactly("opened 40000 rtt 3000000");
            feed(table, ms(4), tcp.c(ACK | PSH, 101, 501, "hello"));
            feed(table, ms(5), tcp.s(ACK | PSH, 501, 106, "world!"));
            feed(table, ms(6), tcp.c(FIN | ACK, 106, 507));
            feed(table, ms(7), tcp.s(FIN | ACK, 507, 107));
            assertThat(table.activeFlows()).isEqualTo(1);
            feed(table, ms(8), tcp.c(ACK, 107, 508)); // the last ACK still counts in the closed flow
            assertThat(events.ended).isEmpty();
            table.advanceTo(ms(8) + FlowTable.LINGER_NANOS);
            assertThat(events.events).containsExactly("opened 40000 rtt 3000000", "ended 40000 CLOSED");
            assertThat(table.activeFlows()).isZero();
        }
        Recorder.Ended flow = events.only();
        assertThat(flow.client()).isEqualTo("10.0.0.1");
        assertThat(flow.server()).isEqualTo("10.0.0.2");
        assertThat(flow.serverPort()).isEqualTo(80);
        assertThat(flow.vlan()).isEqualTo(-1);
        assertThat(flow.midStream()).isFalse();
        assertThat(flow.first()).isEqualTo(ms(0));
        assertThat(flow.last()).isEqualTo(ms(8));
        assertThat(flow.packets()).containsExactly(5, 3);
        assertThat(flow.payload()).containsExactly(5, 6);
        assertThat(flow.wire()).containsExactly(5 * 54 + 5, 3 * 54 + 6);
        assertThat(flow.retransmissions()).containsExactly(0, 0);
        assertThat(flow.outOfOrder()).containsExactly(0, 0);
    }

    @Test
    void resetEndsTheFlowAndSaysWhichSide() {
        Tcp tcp = Tcp.ipv4();
        try (FlowTable table = table()) {
            handshake(table, tcp);
            feed(table, ms(10), tcp.s(RST | ACK, 501, 101));
            feed(table, ms(11), tcp.s(RST, 501, 0)); // a second RST lingers in the same flow
            table.advanceTo(ms(11) + FlowTable.LINGER_NANOS);
            assertThat(events.events).containsExactly("opened 40000 rtt 3000000", "ended 40000 RESET by SERVER");
        }
        assertThat(events.only().packets()).containsExactly(2, 3);
    }

    @Test
    void refusedConnectionEndsWithoutOpening() {
        Tcp tcp = Tcp.ipv4();
        try (FlowTable table = table()) {
            feed(table, ms(0), tcp.c(SYN, 100, 0));
            feed(table, ms(1), tcp.s(RST | ACK, 0, 101));
        }
        assertThat(events.events).containsExactly("ended 40000 RESET by SERVER");
        assertThat(events.only().rtt()).isEqualTo(-1);
    }

    @Test
    void closeEndsOpenFlowsAsOpenAtEndAndLingeringOnesWithTheirReason() {
        Tcp a = Tcp.ipv4();
        Tcp b = new Tcp("10.0.0.1", 40001, "10.0.0.2", 80);
        FlowTable table = table();
        handshake(table, a);
        handshake(table, b);
        feed(table, ms(5), b.c(RST, 101, 0));
        table.close();
        table.close();
        assertThat(events.events).containsExactly("opened 40000 rtt 3000000", "opened 40001 rtt 3000000",
                "ended 40001 RESET by CLIENT", "ended 40000 OPEN_AT_END");
        assertThatThrownBy(() -> feed(table, ms(6), a.c(ACK, 101, 501))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void midStreamFlowOpensAtItsFirstPacketWithItsSenderAsClient() {
        Tcp tcp = Tcp.ipv4();
        try (FlowTable table = table()) {
            feed(table, ms(0), tcp.s(ACK | PSH, 500, 100, "data"));
            feed(table, ms(1), tcp.c(ACK, 100, 504));
            assertThat(events.events).containsExactly("opened 80 mid-stream");
        }
        Recorder.Ended flow = events.only();
        assertThat(flow.client()).isEqualTo("10.0.0.2");
        assertThat(flow.clientPort()).isEqualTo(80);
        assertThat(flow.midStream()).isTrue();
        assertThat(flow.rtt()).isEqualTo(-1);
        assertThat(flow.packets()).containsExactly(1, 1);
        assertThat(flow.reason()).isEqualTo(EndReason.OPEN_AT_END);
    }

    @Test
    void aSynAckFirstMakesItsReceiverTheClient() {
        Tcp tcp = Tcp.ipv4();
        try (FlowTable table = table()) {
            feed(table, ms(1), tcp.s(SYN | ACK, 500, 101));
            feed(table, ms(3), tcp.c(ACK, 101, 501));
        }
        Recorder.Ended flow = events.only();
        assertThat(flow.clientPort()).isEqualTo(40000);
        assertThat(flow.midStream()).isTrue();
        assertThat(flow.packets()).containsExactly(1, 1);
    }

    @Test
    void missingSynAckOpensAtTheFirstAckWithoutRoundTrip() {
        Tcp tcp = Tcp.ipv4();
        try (FlowTable table = table()) {
            feed(table, ms(0), tcp.c(SYN, 100, 0));
            feed(table, ms(3), tcp.c(ACK, 101, 501));
            assertThat(events.events).containsExactly("opened 40000");
        }
    }

    @Test
    void newSynOnTheSamePortsAfterCloseStartsANewFlow() {
        Tcp tcp = Tcp.ipv4();
        try (FlowTable table = table()) {
            handshake(table, tcp);
            feed(table, ms(4), tcp.c(FIN | ACK, 101, 501));
            feed(table, ms(5), tcp.s(FIN | ACK, 501, 102));
            feed(table, ms(10), tcp.c(SYN, 9000, 0));
            assertThat(events.events).containsExactly("opened 40000 rtt 3000000", "ended 40000 CLOSED");
            feed(table, ms(11), tcp.s(SYN | ACK, 7000, 9001));
            feed(table, ms(12), tcp.c(ACK, 9001, 7001));
            assertThat(events.events).last().isEqualTo("opened 40000 rtt 2000000");
        }
    }

    @Test
    void idleFlowsTimeOutByPacketTimeAndByAdvanceTo() {
        Tcp a = Tcp.ipv4();
        Tcp b = new Tcp("10.0.0.3", 5555, "10.0.0.4", 443);
        try (FlowTable table = FlowTable.builder().listener(events).idleTimeout(Duration.ofSeconds(10)).build()) {
            handshake(table, a);
            feed(table, ms(5_000), b.c(ACK, 1, 1));
            feed(table, ms(10_003), b.c(ACK, 1, 1)); // a's last packet was at 3 ms: 10 s idle at this one
            assertThat(events.events).containsExactly("opened 40000 rtt 3000000", "opened 5555 mid-stream",
                    "ended 40000 TIMED_OUT");
            table.advanceTo(ms(20_002));
            assertThat(events.events).hasSize(3);
            table.advanceTo(ms(20_003));
            assertThat(events.events).last().isEqualTo("ended 5555 TIMED_OUT");
            table.advanceTo(ms(0)); // time does not go back
            assertThat(table.activeFlows()).isZero();
        }
    }

    @Test
    void aFullTableEvictsTheLeastRecentlyActiveFlow() {
        try (FlowTable table = FlowTable.builder().listener(events).maxFlows(2).build()) {
            Tcp a = new Tcp("10.0.0.1", 1, "10.0.0.2", 80);
            Tcp b = new Tcp("10.0.0.1", 2, "10.0.0.2", 80);
            Tcp c = new Tcp("10.0.0.1", 3, "10.0.0.2", 80);
            feed(table, ms(0), a.c(ACK, 1, 1));
            feed(table, ms(1), b.c(ACK, 1, 1));
            feed(table, ms(2), a.s(ACK, 1, 1)); // a is now more recent than b
            feed(table, ms(3), c.c(ACK, 1, 1));
            assertThat(events.events).containsExactly("opened 1 mid-stream", "opened 2 mid-stream",
                    "ended 2 EVICTED", "opened 3 mid-stream");
            assertThat(table.evictions()).isEqualTo(1);
            assertThat(table.activeFlows()).isEqualTo(2);
        }
    }

    @Test
    void aFullTableEndsALingeringFlowBeforeEvictingAnOpenOne() {
        try (FlowTable table = FlowTable.builder().listener(events).maxFlows(2).build()) {
            Tcp a = new Tcp("10.0.0.1", 1, "10.0.0.2", 80);
            Tcp b = new Tcp("10.0.0.1", 2, "10.0.0.2", 80);
            Tcp c = new Tcp("10.0.0.1", 3, "10.0.0.2", 80);
            feed(table, ms(0), a.c(ACK, 1, 1));
            feed(table, ms(1), b.c(RST, 1, 1));
            feed(table, ms(2), c.c(ACK, 1, 1));
            assertThat(events.events).containsExactly("opened 1 mid-stream", "opened 2 mid-stream",
                    "ended 2 RESET by CLIENT", "opened 3 mid-stream");
            assertThat(table.evictions()).isZero();
        }
    }

    @Test
    void manyFlowsThroughASmallTableStayBounded() {
        try (FlowTable table = FlowTable.builder().maxFlows(100).listener(events).build()) {
            for (int i = 0; i < 10_000; i++) {
                Tcp tcp = new Tcp("10.0." + (i >> 8 & 255) + "." + (i & 255), 1000 + i % 7, "10.1.0.1", 80);
                feed(table, ms(i), tcp.c(SYN, i, 0));
                assertThat(table.activeFlows()).isLessThanOrEqualTo(100);
            }
            assertThat(table.evictions()).isEqualTo(10_000 - 100);
        }
        assertThat(events.ended).hasSize(10_000);
    }

    @Test
    void bothDirectionsAreOneFlowAndVlansAreApart() {
        Tcp plain = Tcp.ipv4();
        Tcp vlan10 = Tcp.ipv4().vlan(10);
        Tcp vlan20 = Tcp.ipv4().vlan(20);
        try (FlowTable table = table()) {
            for (Tcp tcp : new Tcp[] {plain, vlan10, vlan20}) {
                feed(table, ms(0), tcp.c(ACK, 1, 1));
                feed(table, ms(1), tcp.s(ACK, 1, 1));
            }
            // The kernel stripped the tag: the same flow as the tag in the frame.
            table.onPacket(TestPacket.of(ms(2), plain.c(ACK, 1, 1)).strippedVlan(0x2000 | 20));
            assertThat(table.activeFlows()).isEqualTo(3);
        }
        assertThat(events.ended).extracting(Recorder.Ended::vlan).containsExactlyInAnyOrder(-1, 10, 20);
        assertThat(events.ended).filteredOn(e -> e.vlan() == 20).singleElement()
                .satisfies(e -> assertThat(e.packets()).containsExactly(2, 1));
        assertThat(events.ended).allSatisfy(e -> assertThat(e.packets()[1]).isEqualTo(1));
    }

    @Test
    void ipv6FlowsKeepTheirAddresses() {
        Tcp tcp = new Tcp("2001:db8::1", 40000, "2001:db8:0:1::2", 443);
        Tcp other = new Tcp("2001:db8::1", 40000, "2001:db8:0:1::3", 443);
        try (FlowTable table = table()) {
            handshake(table, tcp);
            feed(table, ms(4), other.c(ACK, 1, 1));
            assertThat(table.activeFlows()).isEqualTo(2);
        }
        Recorder.Ended flow = events.ended.get(0);
        assertThat(flow.client()).isEqualTo("2001:db8::1");
        assertThat(flow.server()).isEqualTo("2001:db8:0:1::2");
        assertThat(flow.rtt()).isEqualTo(3_000_000);
        assertThat(flow.packets()).containsExactly(2, 1);
        assertThat(flow.wire()).containsExactly(2 * 74, 74);
    }

    @Test
    void flowViewReadsAddressesAsNumbers() {
        Tcp tcp = Tcp.ipv4();
        int[] addresses = new int[2];
        FlowListener listener = new FlowListener() {
            @Override
            public void opened(Flow flow) {
                addresses[0] = flow.clientIpv4();
                addresses[1] = flow.serverIpv4();
                assertThat(flow.ipVersion()).isEqualTo(4);
                assertThat(flow.clientIpv6High()).isZero();
                assertThat(flow.endReason()).isNull();
                assertThat(flow.resetBy()).isNull();
            }
        };
        try (FlowTable table = FlowTable.builder().listener(listener).build()) {
            handshake(table, tcp);
        }
        assertThat(addresses).containsExactly(0x0A000001, 0x0A000002);
    }

    @Test
    void notTcpAndDamagedPacketsAreCountedAndIgnored() {
        try (FlowTable table = table()) {
            feed(table, ms(0), Frames.ethernet(Frames.ETHER_TYPE_IPV4,
                    Frames.ipv4("10.0.0.1", "10.0.0.2", Frames.PROTOCOL_UDP, new byte[8])));
            byte[] cut = Tcp.ipv4().c(ACK, 1, 1);
            feed(table, ms(1), Frames.slice(cut, 0, cut.length - 8)); // TCP header cut before the flags
            feed(table, ms(2), new byte[0]);
            assertThat(table.ignoredPackets()).isEqualTo(3);
            assertThat(table.activeFlows()).isZero();
        }
        assertThat(events.events).isEmpty();
    }

    @Test
    void retransmissionsOutOfOrderAndZeroWindowsAreCountedPerDirection() {
        Tcp tcp = Tcp.ipv4();
        try (FlowTable table = table()) {
            handshake(table, tcp);
            feed(table, ms(4), tcp.c(ACK, 101, 501, "aaaa"));      // 101..105
            feed(table, ms(5), tcp.c(ACK, 101, 501, "aaaa"));      // retransmission
            feed(table, ms(6), tcp.c(ACK, 109, 501, "cccc"));      // out of order: 105..109 missing
            feed(table, ms(7), tcp.c(ACK, 105, 501, "bbbb"));      // fills the hole: neither
            feed(table, ms(8), tcp.c(ACK, 107, 501, "bb"));        // now a retransmission
            feed(table, ms(9), tcp.c(ACK, 111, 501, "ccee"));      // overlaps and extends: new data
            feed(table, ms(10), tcp.c(SYN, 100, 0));               // a late SYN copy: retransmission
            feed(table, ms(11), tcp.window(0).s(ACK, 501, 115));   // zero window
            feed(table, ms(12), tcp.s(RST, 501, 0));               // RST with window 0: not counted
        }
        Recorder.Ended flow = events.only();
        assertThat(flow.retransmissions()).containsExactly(3, 0);
        assertThat(flow.outOfOrder()).containsExactly(1, 0);
        assertThat(flow.zeroWindows()).containsExactly(0, 1);
        assertThat(flow.payload()).containsExactly(22, 0);
    }

    @Test
    void sequenceCountersWorkAcrossTheWrap() {
        Tcp tcp = Tcp.ipv4();
        long isn = 0xFFFF_FFF0L;
        try (FlowTable table = table()) {
            feed(table, ms(0), tcp.c(SYN, isn, 0));
            feed(table, ms(1), tcp.s(SYN | ACK, 500, isn + 1));
            feed(table, ms(2), tcp.c(ACK, isn + 1, 501, "0123456789abcdefXYZ")); // crosses 2^32
            feed(table, ms(3), tcp.c(ACK, (isn + 20) & 0xFFFF_FFFFL, 501, "next"));
            feed(table, ms(4), tcp.c(ACK, (isn + 30) & 0xFFFF_FFFFL, 501, "later"));
            feed(table, ms(5), tcp.c(ACK, isn + 1, 501, "0123"));
        }
        Recorder.Ended flow = events.only();
        assertThat(flow.retransmissions()).containsExactly(1, 0);
        assertThat(flow.outOfOrder()).containsExactly(1, 0);
    }

    @Test
    void builderRejectsBadSettings() {
        assertThatThrownBy(() -> FlowTable.builder().maxFlows(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FlowTable.builder().idleTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FlowTable.builder().gapTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FlowTable.builder().maxBufferedBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FlowTable.builder().maxBufferedBytesPerFlow(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FlowTable.builder().listener(null)).isInstanceOf(NullPointerException.class);
    }
}
