package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.PacketCopy;
import io.panatap.PacketType;
import io.panatap.parse.LinkType;
import io.panatap.parse.PacketHeaders;
import io.panatap.testing.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * pcapng of a capture on all interfaces with link-layer headers ({@link Packet#linkHeaderLength()}): each
 * frame under its device's own link type, from its link-layer header on, or under Linux cooked v2 when the
 * hardware type or the header in front does not fit one; read back by the reader.
 */
class LinkHeaderRecordsTest {
    private static final long T = 1_700_000_000_123_456_789L;
    private static final byte[] FRAME = Frames.ethernetIpv4Tcp("10.0.0.1", "10.0.0.2", 40000, 80, 0x18, 40);
    private static final byte[] IP = Frames.slice(FRAME, 14, FRAME.length);

    @TempDir
    Path dir;

    /** A network-layer packet with {@code header} bytes of link-layer header in front, as the ring holds it. */
    private record Linked(byte[] header, byte[] ip, int hardwareType, int index, String name, boolean tagged)
            implements Packet {
        @Override public long frameNumber() { return 1; }
        @Override public long timestampNanos() { return T; }
        @Override public int captureLength() { return ip.length; }
        @Override public int originalLength() { return ip.length; }
        @Override public int linkType() { return LinkType.RAW; }
        @Override public long frameOffset() { return 3 + header.length; }
        @Override public int interfaceIndex() { return index; }
        @Override public String interfaceName() { return name; }
        @Override public PacketType packetType() { return PacketType.HOST; }
        @Override public int hardwareType() { return hardwareType; }
        @Override public int protocol() { return 0x0800; }
        @Override public long linkAddress() { return 0; }
        @Override public int linkAddressLength() { return 0; }
        @Override public int linkHeaderLength() { return header.length; }
        @Override public boolean hasVlanTag() { return tagged; }
        @Override public int vlanTci() { return 100; }
        @Override public int vlanTpid() { return 0x8100; }
        @Override public PacketHeaders headers() { throw new UnsupportedOperationException(); }
        @Override public Packet copy() { return PacketCopy.of(this); }

        @Override
        public MemorySegment segment() {
            byte[] all = new byte[3 + header.length + ip.length];
            System.arraycopy(header, 0, all, 3, header.length);
            System.arraycopy(ip, 0, all, 3 + header.length, ip.length);
            return MemorySegment.ofArray(all);
        }
    }

    private ReadResult write(int snapLength, Packet... packets) throws IOException {
        Path file = dir.resolve("linked.pcapng");
        try (PcapngWriter w = PcapngWriter.create(file, snapLength, true, "test")) {
            for (Packet p : packets) {
                w.write(p);
            }
        }
        return ReadResult.read(file);
    }

    @Test
    void eachDeviceIsWrittenUnderItsOwnLinkTypeOrCookedWhenItsHeaderDoesNotFitOne() throws IOException {
        byte[] ethernet = Frames.slice(FRAME, 0, 14);
        List<Packet> read = write(262144,
                new Linked(ethernet, IP, 1, 2, "eth0", false),
                new Linked(ethernet, IP, 1, 2, "eth0", true),
                new Linked(ethernet, IP, 772, 1, "lo", false),
                new Linked(new byte[0], IP, 0xFFFE, 5, "tun0", false),
                new Linked(new byte[0], IP, 1, 2, "eth0", false), // a cooked socket: no header in front
                new Linked(new byte[4], IP, 778, 6, "gre1", false) // GRE: not mapped
        ).packets();
        assertThat(read).extracting(Packet::linkType).containsExactly(LinkType.ETHERNET, LinkType.ETHERNET,
                LinkType.ETHERNET, LinkType.RAW, LinkType.LINUX_SLL2, LinkType.LINUX_SLL2);
        assertThat(ReadResult.bytesOf(read.get(0))).isEqualTo(FRAME);
        assertThat(ReadResult.bytesOf(read.get(1))).as("the stripped tag put back").isEqualTo(Frames.vlan(FRAME, 100));
        assertThat(read.get(1).originalLength()).isEqualTo(FRAME.length + 4);
        assertThat(ReadResult.bytesOf(read.get(2))).isEqualTo(FRAME);
        assertThat(ReadResult.bytesOf(read.get(3))).isEqualTo(IP);
        byte[] cooked = ReadResult.bytesOf(read.get(5));
        assertThat(Frames.slice(cooked, 20, cooked.length)).as("the network layer only").isEqualTo(IP);
        assertThat(read).extracting(Packet::interfaceName)
                .containsExactly("eth0", "eth0", "lo", "tun0", "eth0", "gre1");
    }

    @Test
    void theSnapLengthCountsFromTheLinkLayerHeaderAsOnANamedInterface() throws IOException {
        Packet p = write(30, new Linked(Frames.slice(FRAME, 0, 14), IP, 1, 2, "eth0", false)).packets().getFirst();
        assertThat(p.captureLength()).isEqualTo(30);
        assertThat(p.originalLength()).isEqualTo(FRAME.length);
        assertThat(ReadResult.bytesOf(p)).isEqualTo(Frames.slice(FRAME, 0, 30));
    }
}
