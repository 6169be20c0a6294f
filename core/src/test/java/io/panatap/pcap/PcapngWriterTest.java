package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.PacketType;
import io.panatap.parse.LinkType;
import io.panatap.testing.Frames;
import io.panatap.testing.PcapngStatistics;
import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PcapngWriter}: interfaces described as their first packet arrives, directions in {@code epb_flags},
 * nanosecond timestamps, VLAN tags put back, cooked v2 headers for a capture on all interfaces, statistics
 * blocks; read back by panatap's reader, tshark and capinfos. Also the classic writer's SLL2 records and
 * the reader's packet type and interface index from cooked headers.
 */
class PcapngWriterTest {
    private static final long T = 1_700_000_000_123_456_789L;
    private static final long MAC = 0x02_00_5e_10_20_30L << 16; // 02:00:5e:10:20:30 in the top 6 bytes
    private static final byte[] SYN = Frames.ethernetIpv4Tcp("10.0.0.1", "10.0.0.2", 40000, 80, 0x02, 0);
    private static final byte[] SYN_ACK = Frames.ethernetIpv4Tcp("10.0.0.2", "10.0.0.1", 80, 40000, 0x12, 0);
    private static final byte[] DATA = Frames.ethernetIpv4Tcp("10.0.0.1", "10.0.0.2", 40000, 80, 0x18, 100);
    private static final byte[] RAW_V6 = Frames.ipv6Tcp("fd00::1", "fd00::2", 5000, 22, 0x02, 0);

    @TempDir
    Path dir;

    /** eth0 in and out, lo broadcast, a stripped VLAN tag on eth0, and raw IP on tun0. */
    private List<Packet> mixedPackets() {
        return List.of(
                MetaPacket.ethernet(T, SYN, 2, "eth0", PacketType.HOST),
                MetaPacket.ethernet(T + 1_001, SYN_ACK, 2, "eth0", PacketType.OUTGOING),
                MetaPacket.ethernet(T + 2_002, SYN, 1, "lo", PacketType.BROADCAST),
                MetaPacket.ethernet(T + 3_003, DATA, 2, "eth0", PacketType.MULTICAST).withVlan(100),
                new MetaPacket(1, T + 4_004, RAW_V6, RAW_V6.length, LinkType.RAW, 7, "tun0", PacketType.OTHERHOST,
                        false, 0, 0, 65534, 0x86DD, 0, 0),
                MetaPacket.ethernet(T + 5_005, DATA, 2, "eth0", PacketType.UNKNOWN));
    }

    private Path write(String name, List<Packet> packets, boolean cook, int snapLength, long received, long dropped)
            throws IOException {
        Path file = dir.resolve(name);
        try (PcapngWriter w = PcapngWriter.create(file, snapLength, cook, "panatap test")) {
            for (Packet p : packets) {
                w.write(p);
            }
            w.writeStatistics(received, dropped);
        }
        return file;
    }

    @Test
    void readsBackEveryPacketUnderItsOwnInterfaceWithItsDirectionAndNanoseconds() throws IOException {
        Path file = write("mixed.pcapng", mixedPackets(), false, 262144, 10, 1);
        ReadResult r = ReadResult.read(file);
        assertThat(r.error()).isNull();
        List<Packet> p = r.packets();
        assertThat(p).hasSize(6);
        assertThat(p).extracting(Packet::timestampNanos)
                .containsExactly(T, T + 1_001, T + 2_002, T + 3_003, T + 4_004, T + 5_005);
        assertThat(p).extracting(Packet::interfaceName).containsExactly("eth0", "eth0", "lo", "eth0", "tun0", "eth0");
        assertThat(p).extracting(Packet::interfaceIndex).containsExactly(0, 0, 1, 0, 2, 0);
        assertThat(p).extracting(Packet::linkType).containsExactly(1, 1, 1, 1, LinkType.RAW, 1);
        assertThat(p).extracting(Packet::packetType).containsExactly(PacketType.HOST, PacketType.OUTGOING,
                PacketType.BROADCAST, PacketType.MULTICAST, PacketType.OTHERHOST, PacketType.UNKNOWN);
        assertThat(ReadResult.bytesOf(p.get(0))).isEqualTo(SYN);
        assertThat(ReadResult.bytesOf(p.get(3))).as("the stripped tag put back").isEqualTo(Frames.vlan(DATA, 100));
        assertThat(p.get(3).originalLength()).isEqualTo(DATA.length + 4);
        assertThat(ReadResult.bytesOf(p.get(4))).isEqualTo(RAW_V6);
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            assertThat(reader.isPcapng()).isTrue();
            assertThat(reader.snapLength()).isEqualTo(262144);
        }
    }

    @Test
    void cutsAtTheSnapLengthAndKeepsTheOriginalLength() throws IOException {
        Path file = write("snap.pcapng", List.of(MetaPacket.ethernet(T, DATA, 2, "eth0", PacketType.HOST)),
                false, 61, -1, -1);
        Packet p = ReadResult.read(file).packets().getFirst();
        assertThat(p.captureLength()).isEqualTo(61);
        assertThat(p.originalLength()).isEqualTo(DATA.length);
        assertThat(ReadResult.bytesOf(p)).isEqualTo(Frames.slice(DATA, 0, 61));
    }

    @Test
    void aCaptureOnAllInterfacesIsWrittenBehindCookedV2HeadersNamedAfterTheRealInterfaces() throws IOException {
        byte[] ip = Frames.slice(SYN, 14, SYN.length);
        List<Packet> packets = List.of(
                MetaPacket.anyInterface(T, ip, 3, "eth1", PacketType.HOST, MAC),
                MetaPacket.anyInterface(T + 1, ip, 4, "eth2", PacketType.OUTGOING, MAC).withVlan(0x2005));
        Path file = write("any.pcapng", packets, true, 262144, -1, -1);
        List<Packet> read = ReadResult.read(file).packets();
        assertThat(read).extracting(Packet::linkType).containsOnly(LinkType.LINUX_SLL2);
        assertThat(read).extracting(Packet::interfaceName).containsExactly("eth1", "eth2");
        assertThat(read).extracting(Packet::packetType).containsExactly(PacketType.HOST, PacketType.OUTGOING);
        assertThat(ReadResult.bytesOf(read.get(0))).isEqualTo(Frames.concat(
                Frames.hex("0800 0000 00000003 0001 00 06 02005e102030 0000"), ip));
        assertThat(ReadResult.bytesOf(read.get(1))).as("the tag behind the protocol field").isEqualTo(Frames.concat(
                Frames.hex("8100 0000 00000004 0001 04 06 02005e102030 0000 2005 0800"), ip));
        assertThat(read.get(1).headers().isTcp()).isTrue();
        assertThat(read.get(1).headers().outerVlanId()).isEqualTo(5);
    }

    @Test
    void theClassicWriterStartedAsSll2WritesCookedRecordsThatTheReaderTurnsBackIntoDirectionAndInterface()
            throws IOException {
        byte[] ip = Frames.slice(SYN, 14, SYN.length);
        Path file = dir.resolve("any.pcap");
        try (PcapWriter w = PcapWriter.create(file, LinkType.LINUX_SLL2, 262144, PcapWriter.Precision.MICRO)) {
            w.write(MetaPacket.anyInterface(T, ip, 3, "eth1", PacketType.HOST, MAC));
            w.write(MetaPacket.anyInterface(T, ip, 9, "eth2", PacketType.OUTGOING, MAC));
            Packet fromAFile = new MetaPacket(1, T, ip, ip.length, LinkType.RAW, -1, null, PacketType.UNKNOWN,
                    false, 0, 0, -1, 0, 0, 0);
            assertThatThrownBy(() -> w.write(fromAFile)).as("raw IP without the kernel's metadata")
                    .isInstanceOf(LinkTypeMismatchException.class);
        }
        List<Packet> read = ReadResult.read(file).packets();
        assertThat(read).extracting(Packet::packetType).containsExactly(PacketType.HOST, PacketType.OUTGOING);
        assertThat(read).extracting(Packet::interfaceIndex).containsExactly(3, 9);
        assertThat(ReadResult.bytesOf(read.get(0))).isEqualTo(Frames.concat(
                Frames.hex("0800 0000 00000003 0001 00 06 02005e102030 0000"), ip));
    }

    @Test
    void theReaderTakesThePacketTypeFromSllV1Headers() throws IOException {
        byte[] sll = Frames.sll(SYN);
        sll[1] = 4; // outgoing
        Path file = dir.resolve("sll.pcap");
        Files.write(file, Frames.pcapFile(LinkType.LINUX_SLL, ByteOrder.BIG_ENDIAN, List.of(sll)));
        Packet p = ReadResult.read(file).packets().getFirst();
        assertThat(p.packetType()).isEqualTo(PacketType.OUTGOING);
        assertThat(p.interfaceIndex()).isEqualTo(-1);
    }

    @Test
    void writesOneStatisticsBlockPerInterfaceWithTheSocketCountsOnlyWhenThereIsOneInterface() throws IOException {
        long before = System.currentTimeMillis() * 1_000_000L;
        Path one = write("one.pcapng", List.of(MetaPacket.ethernet(T, SYN, 2, "eth0", PacketType.HOST),
                MetaPacket.ethernet(T + 1, SYN, 2, "eth0", PacketType.HOST)), false, 262144, 12, 3);
        long after = System.currentTimeMillis() * 1_000_000L + 1_000_000L;
        List<Map<Integer, Long>> stats = PcapngStatistics.of(Files.readAllBytes(one));
        assertThat(stats).hasSize(1);
        Map<Integer, Long> s = stats.getFirst();
        assertThat(s.get(-1)).as("interface id").isZero();
        assertThat(s.get(4)).as("isb_ifrecv").isEqualTo(12);
        assertThat(s.get(5)).as("isb_ifdrop").isEqualTo(3);
        assertThat(s.get(7)).as("isb_usrdeliv").isEqualTo(2);
        assertThat(s.get(2)).as("isb_starttime").isBetween(before, after);
        assertThat(s.get(3)).as("isb_endtime").isBetween(s.get(2), after);

        Path several = write("several.pcapng", mixedPackets(), false, 262144, 12, 3);
        List<Map<Integer, Long>> each = PcapngStatistics.of(Files.readAllBytes(several));
        assertThat(each).hasSize(3);
        assertThat(each).extracting(m -> m.get(-1)).containsExactly(0L, 1L, 2L);
        assertThat(each).extracting(m -> m.get(7)).containsExactly(4L, 1L, 1L);
        assertThat(each).allSatisfy(m -> assertThat(m).doesNotContainKeys(4, 5));
        assertThat(ReadResult.read(several).error()).as("the reader skips them").isNull();
    }

    @Test
    void aClosedWriterRefusesMoreAndANegativeTimestampIsRefused() throws IOException {
        Path file = dir.resolve("closed.pcapng");
        PcapngWriter w = PcapngWriter.create(file, 100, false, "panatap test");
        assertThatThrownBy(() -> w.write(MetaPacket.ethernet(-1, SYN, 1, "x", PacketType.HOST)))
                .hasMessageContaining("before 1970");
        w.close();
        assertThatThrownBy(() -> w.write(MetaPacket.ethernet(T, SYN, 1, "x", PacketType.HOST)))
                .hasMessageContaining("closed");
        assertThat(ReadResult.read(file).packets()).isEmpty();
    }

    @Test
    void tsharkReadsInterfacesDirectionsNanosecondsAndCookedHeaders() throws Exception {
        Prerequisites.requireTool("tshark");
        Path file = write("mixed.pcapng", mixedPackets(), false, 262144, 10, 1);
        List<String> lines = run("tshark", "-r", file.toString(), "-T", "fields", "-E", "separator=,",
                "-e", "frame.interface_id", "-e", "frame.interface_name", "-e", "frame.packet_flags_direction",
                "-e", "frame.time_epoch", "-e", "frame.len", "-e", "vlan.id", "-e", "tcp.flags");
        assertThat(lines).containsExactly(
                "0,eth0,0x00000001,1700000000.123456789,54,,0x0002",
                "0,eth0,0x00000002,1700000000.123457790,54,,0x0012",
                "1,lo,0x00000001,1700000000.123458791,54,,0x0002",
                "0,eth0,0x00000001,1700000000.123459792,158,100,0x0018",
                "2,tun0,0x00000001,1700000000.123460793,60,,0x0002",
                "0,eth0,,1700000000.123461794,154,,0x0018");

        byte[] ip = Frames.slice(SYN, 14, SYN.length);
        Path any = write("any.pcapng", List.of(MetaPacket.anyInterface(T, ip, 3, "eth1", PacketType.OUTGOING, MAC)
                .withVlan(7)), true, 262144, -1, -1);
        assertThat(run("tshark", "-r", any.toString(), "-T", "fields", "-E", "separator=,",
                "-e", "frame.interface_name", "-e", "frame.packet_flags_direction", "-e", "sll.ifindex",
                "-e", "sll.pkttype", "-e", "sll.src.eth", "-e", "vlan.id", "-e", "ip.src"))
                .containsExactly("eth1,0x00000002,3,4,02:00:5e:10:20:30,7,10.0.0.1");
    }

    @Test
    void capinfosReadsTheSectionInterfacesAndStatistics() throws Exception {
        Prerequisites.requireTool("capinfos");
        Path file = write("mixed.pcapng", mixedPackets(), false, 1500, 10, 1);
        String info = String.join("\n", run("capinfos", file.toString()));
        assertThat(info).contains("Capture application: panatap test")
                .contains("Capture oper-sys:    " + System.getProperty("os.name"))
                .contains("Number of interfaces in file: 3")
                .contains("Number of packets:   6")
                .contains("Encapsulation = Ethernet (1 - ether)")
                .contains("Encapsulation = Raw IP (7 - rawip)")
                .contains("Name = tun0")
                .contains("Capture length = 1500")
                .contains("Time precision = nanoseconds (9)")
                .contains("Number of stat entries = 1");
    }

    static List<String> run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        assertThat(p.exitValue()).as("%s exit status", command[0]).isZero();
        return lines;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
