package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.PacketCopy;
import io.panatap.PacketType;
import io.panatap.parse.LinkType;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;

/**
 * A packet with every piece of metadata a live capture gives (interface, packet type, stripped VLAN tag,
 * the kernel's hardware type, protocol and link-layer address), for the writers' tests.
 */
record MetaPacket(long frameNumber, long timestampNanos, byte[] bytes, int originalLength, int linkType,
                  int interfaceIndex, String interfaceName, PacketType packetType, boolean hasVlanTag, int vlanTci,
                  int vlanTpid, int hardwareType, int protocol, long linkAddress, int linkAddressLength)
        implements Packet {

    /** An Ethernet frame seen on interface {@code index} named {@code name}. */
    static MetaPacket ethernet(long ts, byte[] frame, int index, String name, PacketType type) {
        return new MetaPacket(1, ts, frame, frame.length, LinkType.ETHERNET, index, name, type, false, 0, 0,
                1, 0x0800, 0, 0);
    }

    /** A frame of a capture on all interfaces: raw IP with the kernel's metadata (an Ethernet interface). */
    static MetaPacket anyInterface(long ts, byte[] ip, int index, String name, PacketType type, long mac) {
        int protocol = (ip[0] & 0xF0) == 0x60 ? 0x86DD : 0x0800;
        return new MetaPacket(1, ts, ip, ip.length, LinkType.RAW, index, name, type, false, 0, 0, 1, protocol,
                mac, 6);
    }

    MetaPacket withVlan(int tci) {
        return new MetaPacket(frameNumber, timestampNanos, bytes, originalLength, linkType, interfaceIndex,
                interfaceName, packetType, true, tci, 0x8100, hardwareType, protocol, linkAddress, linkAddressLength);
    }

    @Override
    public int captureLength() {
        return bytes.length;
    }

    @Override
    public MemorySegment segment() {
        byte[] padded = new byte[bytes.length + 5];
        System.arraycopy(bytes, 0, padded, 5, bytes.length);
        return MemorySegment.ofArray(padded);
    }

    @Override
    public long frameOffset() {
        return 5;
    }

    @Override
    public PacketHeaders headers() {
        throw new UnsupportedOperationException("not needed by the writers");
    }

    @Override
    public Packet copy() {
        return PacketCopy.of(this);
    }
}
