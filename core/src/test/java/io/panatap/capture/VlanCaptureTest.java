package io.panatap.capture;

import io.panatap.Packet;
import io.panatap.testing.Netns;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hand-built frames sent from a raw socket in the peer namespace: 802.1Q- and 802.1ad-tagged TCP, and
 * untagged UDP that the default filter keeps out.
 */
class VlanCaptureTest {
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** argv: interface, destination MAC, then frame kinds to send ("dot1q", "qinq", "udp", "tcp"). */
    private static final String SENDER = """
            import socket, struct, sys
            iface, dst = sys.argv[1], bytes.fromhex(sys.argv[2].replace(':', ''))
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((iface, 0))
            src = s.getsockname()[4]
            def ip4(proto, payload):
                return struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                                   socket.inet_aton('10.99.0.1'), socket.inet_aton('10.99.0.2')) + payload
            tcp = struct.pack('!HHIIBBHHH', 40001, 40002, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
            udp = struct.pack('!HHHH', 40001, 40002, 8, 0)
            frames = {
                'tcp': dst + src + b'\\x08\\x00' + ip4(6, tcp),
                'dot1q': dst + src + struct.pack('!HH', 0x8100, (5 << 13) | 42) + b'\\x08\\x00' + ip4(6, tcp),
                'qinq': dst + src + struct.pack('!HHHH', 0x88a8, 100, 0x8100, 42) + b'\\x08\\x00' + ip4(6, tcp),
                'udp': dst + src + b'\\x08\\x00' + ip4(17, udp),
            }
            for kind in sys.argv[3:]:
                s.send(frames[kind])
            """;

    private static Netns net;
    private static String hostMac;

    @BeforeAll
    static void createNamespace() throws Exception {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
        hostMac = Files.readString(Path.of("/sys/class/net", net.hostInterface(), "address")).trim();
    }

    @AfterAll
    static void removeNamespace() {
        if (net != null) {
            net.close();
        }
    }

    private static List<Packet> send(PacketCapture capture, String... kinds) throws CaptureException {
        String[] args = new String[kinds.length + 2];
        args[0] = net.peerInterface();
        args[1] = hostMac;
        System.arraycopy(kinds, 0, args, 2, kinds.length);
        net.python(SENDER, args);
        List<Packet> packets = new ArrayList<>();
        long deadline = System.nanoTime() + 500_000_000L;
        while (System.nanoTime() < deadline) {
            capture.poll(p -> {
                // Only the crafted frames: IPv4 from 10.99.0.1 (ignore neighbour discovery and the like).
                if (p.captureLength() >= 34 && p.segment().get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN),
                        p.frameOffset() + 14 + vlanBytes(p) + 12) == 0x0a630001) {
                    packets.add(p.copy());
                }
            }, 100);
        }
        return packets;
    }

    /** Bytes of VLAN tags still in the frame (the inner tag of 802.1ad). */
    private static int vlanBytes(Packet p) {
        int type = p.segment().get(BE_SHORT, p.frameOffset() + 12) & 0xFFFF;
        return type == 0x8100 || type == 0x88A8 ? 4 : 0;
    }

    @Test
    void reportsTheTagTheKernelStrippedFromAnIeee8021qFrame() throws Exception {
        try (PacketCapture capture = PacketCapture.builder().interfaceName(net.hostInterface()).open()) {
            List<Packet> packets = send(capture, "dot1q");
            assertThat(packets).hasSize(1);
            Packet p = packets.getFirst();
            assertThat(p.hasVlanTag()).isTrue();
            assertThat(p.vlanTci() & 0xFFF).isEqualTo(42);
            assertThat(p.vlanTci() >>> 13).isEqualTo(5);
            assertThat(p.vlanTpid()).isEqualTo(0x8100);
            assertThat(p.segment().get(BE_SHORT, p.frameOffset() + 12)).isEqualTo((short) 0x0800);
            assertThat(p.captureLength()).isEqualTo(14 + 20 + 20);
        }
    }

    @Test
    void reportsTheOuterTagOfAnIeee8021adFrameAndKeepsTheInnerOneInTheFrame() throws Exception {
        try (PacketCapture capture = PacketCapture.builder().interfaceName(net.hostInterface()).open()) {
            List<Packet> packets = send(capture, "qinq");
            assertThat(packets).hasSize(1);
            Packet p = packets.getFirst();
            assertThat(p.hasVlanTag()).isTrue();
            assertThat(p.vlanTci() & 0xFFF).isEqualTo(100);
            assertThat(p.vlanTpid()).isEqualTo(0x88A8);
            assertThat(p.segment().get(BE_SHORT, p.frameOffset() + 12)).isEqualTo((short) 0x8100);
            assertThat(p.segment().get(BE_SHORT, p.frameOffset() + 14) & 0xFFF).isEqualTo(42);
        }
    }

    @Test
    void untaggedFramesReportNoTag() throws Exception {
        try (PacketCapture capture = PacketCapture.builder().interfaceName(net.hostInterface()).open()) {
            List<Packet> packets = send(capture, "tcp");
            assertThat(packets).hasSize(1);
            assertThat(packets.getFirst().hasVlanTag()).isFalse();
            assertThat(packets.getFirst().vlanTci()).isZero();
        }
    }

    @Test
    void theDefaultFilterKeepsOutEverythingButTcp() throws Exception {
        try (PacketCapture capture = PacketCapture.builder().interfaceName(net.hostInterface()).open()) {
            List<Packet> packets = send(capture, "udp", "tcp", "udp", "dot1q", "udp");
            assertThat(packets).hasSize(2);
            assertThat(capture.stats().received()).isEqualTo(2);
        }
    }

    @Test
    void withoutTheTcpFilterEveryFrameArrives() throws Exception {
        try (PacketCapture capture = PacketCapture.builder().interfaceName(net.hostInterface()).tcpOnly(false).open()) {
            List<Packet> packets = send(capture, "udp", "tcp", "udp");
            assertThat(packets).hasSize(3);
        }
    }

    @Test
    void onAllInterfacesTaggedTcpPassesTheCookedFilter() throws Exception {
        try (PacketCapture capture = PacketCapture.builder().allInterfaces().open()) {
            String[] args = {net.peerInterface(), hostMac, "dot1q", "udp"};
            net.python(SENDER, args);
            List<Packet> packets = new ArrayList<>();
            long deadline = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < deadline) {
                capture.poll(p -> {
                    if (net.hostInterface().equals(p.interfaceName())) {
                        packets.add(p.copy());
                    }
                }, 100);
            }
            assertThat(packets).hasSize(1);
            Packet p = packets.getFirst();
            assertThat(p.hasVlanTag()).isTrue();
            assertThat(p.vlanTci() & 0xFFF).isEqualTo(42);
            assertThat(p.segment().get(ValueLayout.JAVA_BYTE, p.frameOffset())).isEqualTo((byte) 0x45);
        }
    }

    @Test
    void aLivePacketWrittenToPcapCarriesTheStrippedTagAgain(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("vlan.pcap");
        try (PacketCapture capture = PacketCapture.builder().interfaceName(net.hostInterface()).open()) {
            List<Packet> packets = send(capture, "dot1q");
            assertThat(packets).hasSize(1);
            try (io.panatap.pcap.PcapWriter writer = io.panatap.pcap.PcapWriter.create(file, capture.linkType(),
                    capture.snapLength(), io.panatap.pcap.PcapWriter.Precision.NANO)) {
                writer.write(packets.getFirst());
            }
        }
        byte[] bytes = Files.readAllBytes(file);
        // 24-byte file header, 16-byte record header, then the frame with the tag back after the MACs.
        int frame = 24 + 16;
        assertThat(bytes).hasSize(frame + 14 + 4 + 20 + 20);
        assertThat(java.util.HexFormat.of().formatHex(bytes, frame + 12, frame + 18)).isEqualTo("8100a02a0800");
    }
}
