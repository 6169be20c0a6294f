package io.panatap.capture;

import io.panatap.Direction;
import io.panatap.PacketListener;
import io.panatap.flow.EndReason;
import io.panatap.flow.Flow;
import io.panatap.flow.FlowListener;
import io.panatap.flow.FlowTable;
import io.panatap.flow.Side;
import io.panatap.internal.linux.PacketAbi;
import io.panatap.parse.LinkType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The synthetic traffic of {@link PacketCapture#warmUp(PacketListener)}, as a listener and a flow table see it,
 * and the warm-up's wait in {@code poll(2)}.
 */
class WarmUpTest {
    private static final int CONNECTIONS = 2100;
    private static final int STRAYS = 2700;
    private static final int PACKETS_PER_CONNECTION = 9;

    @Test
    void aListenerSeesWholeTcpConnectionsInBothDirections() {
        int[] packets = new int[1];
        int[] strays = new int[1];
        int[] out = new int[1];
        Set<Long> endpoints = new HashSet<>();
        Set<Integer> strayLengths = new HashSet<>();
        long[] lastNanos = {Long.MIN_VALUE};
        boolean[] ordered = {true};
        PacketCapture.warmUp(p -> {
            packets[0]++;
            assertThat(p.headers().isTcp()).isTrue();
            assertThat(p.headers().hasPorts()).isTrue();
            assertThat(p.captureLength()).isEqualTo(p.originalLength()).isEqualTo(54 + p.headers().payloadLength());
            if (p.direction() == Direction.OUT) {
                out[0]++;
            }
            ordered[0] &= p.timestampNanos() > lastNanos[0];
            lastNanos[0] = p.timestampNanos();
            if (p.headers().ipv4Source() >>> 16 == 0x0a02) { // 10.2.0.0/16
                strays[0]++;
                strayLengths.add(p.captureLength());
                return;
            }
            endpoints.add((long) p.headers().ipv4Source() << 16 | p.headers().sourcePort());
        });
        assertThat(packets[0]).isEqualTo(CONNECTIONS * PACKETS_PER_CONNECTION + STRAYS);
        assertThat(strays[0]).isEqualTo(STRAYS);
        // Every length from 54 to 117 bytes: every remainder modulo 8 below and above 64, where copying
        // a frame takes different branches.
        assertThat(strayLengths).isEqualTo(IntStream.rangeClosed(54, 117).boxed().collect(Collectors.toSet()));
        assertThat(out[0]).isEqualTo(CONNECTIONS * 2); // SYN/ACK and the last segment come from the server
        assertThat(endpoints).hasSize(CONNECTIONS + 2); // every client, and the server on ports 80 and 443
        assertThat(ordered[0]).isTrue();
    }

    @Test
    void aFlowTableSeesHandshakesClosesResetsAndConnectionsSeenMidway() {
        Map<EndReason, Integer> ends = new EnumMap<>(EndReason.class);
        int[] midway = new int[1];
        int[] handshakes = new int[1];
        int[] resetByServer = new int[1];
        int[] strayFlows = new int[1];
        long[] strayPackets = new long[1];
        long[] strayDisorder = new long[1];
        long[] strayRetransmissions = new long[1];
        FlowTable table = FlowTable.builder().maxFlows(1 << 16).listener(new FlowListener() {
            @Override
            public void ended(Flow flow) {
                if (flow.clientIpv4() >>> 16 == 0x0a02 || flow.serverIpv4() >>> 16 == 0x0a02) {
                    strayFlows[0]++;
                    strayPackets[0] += flow.packets(Side.CLIENT) + flow.packets(Side.SERVER);
                    strayDisorder[0] += flow.outOfOrder(Side.CLIENT) + flow.outOfOrder(Side.SERVER);
                    strayRetransmissions[0] += flow.retransmissions(Side.CLIENT) + flow.retransmissions(Side.SERVER);
                    return;
                }
                ends.merge(flow.endReason(), 1, Integer::sum);
                if (flow.midStream()) {
                    midway[0]++;
                }
                if (flow.handshakeRttNanos() > 0) {
                    handshakes[0]++;
                }
                if (flow.resetBy() == Side.SERVER) {
                    resetByServer[0]++;
                }
                assertThat(flow.packets(Side.CLIENT)).isEqualTo(PACKETS_PER_CONNECTION - 2);
                assertThat(flow.packets(Side.SERVER)).isEqualTo(2);
                assertThat(flow.payloadBytes(Side.CLIENT)).isEqualTo(4 * 32); // one of them a retransmission
                assertThat(flow.retransmissions(Side.CLIENT)).isEqualTo(1);
                assertThat(flow.outOfOrder(Side.CLIENT)).isEqualTo(1);
                int c = flow.clientPort() - 1024; // the connection's number
                assertThat(flow.endReason()).isEqualTo(c % 3 == 2 ? EndReason.OPEN_AT_END
                        : c % 5 == 4 ? EndReason.RESET : EndReason.CLOSED);
                assertThat(flow.zeroWindows(Side.CLIENT)).isEqualTo(c % 5 == 4 ? 1 : 0);
                assertThat(flow.retransmissions(Side.SERVER) + flow.outOfOrder(Side.SERVER)).isZero();
            }
        }).build();
        PacketCapture.warmUp(table::onPacket);
        table.close();
        int expectMidway = 0;
        int expectReset = 0;
        for (int c = 0; c < CONNECTIONS; c++) {
            if (c % 3 == 2) {
                expectMidway++;
            } else if (c % 5 == 4) {
                expectReset++;
            }
        }
        assertThat(ends).containsOnlyKeys(EndReason.CLOSED, EndReason.RESET, EndReason.OPEN_AT_END);
        assertThat(ends.get(EndReason.OPEN_AT_END)).isEqualTo(expectMidway).isEqualTo(midway[0]);
        assertThat(ends.get(EndReason.RESET)).isEqualTo(expectReset).isEqualTo(resetByServer[0]);
        assertThat(ends.get(EndReason.CLOSED)).isEqualTo(CONNECTIONS - expectMidway - expectReset);
        assertThat(handshakes[0]).isEqualTo(CONNECTIONS - expectMidway);
        // The strays: 16 hosts and 64 ports, met again in random order.
        assertThat(strayPackets[0]).isEqualTo(STRAYS);
        assertThat(strayFlows[0]).isBetween(100, 16 * 64);
        assertThat(strayDisorder[0]).isPositive();
        assertThat(strayRetransmissions[0]).isPositive();
    }

    @Test
    void aListenersWarmUpClosesTheDescriptorItWaitsOn() throws Exception {
        long before = openDescriptors();
        PacketCapture.warmUp(p -> { });
        PacketCapture.warmUp(p -> {
            throw new IllegalStateException("listener failed");
        });
        assertThat(openDescriptors()).isEqualTo(before);
    }

    /**
     * The warm-up's wait: the stand-in is always ready, so a poll of its capture returns at once, with the
     * packets of the blocks released to it or with none.
     */
    @Test
    void theWarmUpCaptureWaitsInPollOnTheStandInAndReturnsAtOnce() throws Exception {
        PacketSocket standIn = PacketSocket.standIn();
        assertThat(standIn).as("the tests run with native access").isNotNull();
        try (Arena arena = Arena.ofConfined()) {
            assertThat(standIn.await(100_000, new AtomicBoolean())).isEqualTo(PacketSocket.READY);
            assertThat(standIn.await(100_000, new AtomicBoolean(true))).isEqualTo(PacketSocket.TIMEOUT); // closed
            int blockSize = 4096;
            MemorySegment ring = arena.allocate(2L * blockSize, 4096); // both blocks the kernel's: nothing ready
            RingReader reader = new RingReader(ring, blockSize, 2, LinkType.ETHERNET, 1500, true, true, null, false);
            PacketCapture capture = PacketCapture.forWarmUp(standIn, reader, 1500);
            int[] packets = new int[1];
            for (int i = 0; i < 100; i++) {
                assertThat(capture.poll(p -> packets[0]++, 64)).isZero();
            }
            assertThat(packets[0]).isZero();
            ring.set(ValueLayout.JAVA_INT, PacketAbi.BLOCK_STATUS, PacketAbi.TP_STATUS_USER); // an empty block
            assertThat(capture.poll(p -> packets[0]++, 64)).isZero();
            assertThat(ring.get(ValueLayout.JAVA_INT, PacketAbi.BLOCK_STATUS)).as("handed back")
                    .isEqualTo(PacketAbi.TP_STATUS_KERNEL);
        } finally {
            standIn.closeStandIn();
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aFailingListenerEndsTheWarmUpQuietly() {
        int[] calls = new int[1];
        PacketCapture.warmUp(p -> {
            calls[0]++;
            throw new IllegalStateException("listener failed");
        });
        assertThat(calls[0]).isEqualTo(1);
        assertThatThrownBy(() -> PacketCapture.warmUp(null)).isInstanceOf(NullPointerException.class);
    }
}
