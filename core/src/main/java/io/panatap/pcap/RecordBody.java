package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.parse.EtherType;
import io.panatap.parse.LinkType;
import io.panatap.parse.LinuxSllHeader;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The bytes a writer stores for a packet, shared by {@link PcapWriter} and {@link PcapngWriter}: the frame as
 * captured; or the frame with the VLAN tag the kernel stripped put back after the MAC addresses (Ethernet, as
 * libpcap does); or, for a frame of a capture on all interfaces (which starts at the network layer), the
 * frame behind a Linux cooked v2 header ({@code LINKTYPE_LINUX_SLL2}) built from the metadata the kernel
 * reported with it (interface index, hardware type, packet type, link-layer address, protocol), as
 * {@code tcpdump -i any} writes it, with a stripped VLAN tag put back behind the protocol field; or, for a
 * frame of a capture on all interfaces that kept the link-layer headers ({@link Packet#linkHeaderLength()}),
 * the frame from its link-layer header on, under the interface's own link type ({@link #deviceLinkType}),
 * with a stripped VLAN tag put back as for any Ethernet frame.
 */
final class RecordBody {
    /** The frame as it is. */
    static final int PLAIN = 0;
    /** An Ethernet frame with a stripped VLAN tag: 4 bytes more. */
    static final int VLAN = 1;
    /** A network-layer frame behind a cooked v2 header: 20 bytes more (24 with a VLAN tag). */
    static final int COOKED = 2;
    /** A network-layer frame with the link-layer header in front of it: {@link Packet#linkHeaderLength()} more. */
    static final int LINK = 3;
    /** As {@link #LINK}, an Ethernet header with a stripped VLAN tag: 4 bytes more again. */
    static final int LINK_VLAN = 4;

    // Hardware types (sll_hatype, linux/if_arp.h) whose link-layer header a link type describes.
    private static final int ARPHRD_ETHER = 1;
    private static final int ARPHRD_LOOPBACK = 772;
    private static final int ARPHRD_NONE = 0xFFFE;
    private static final int ARPHRD_RAWIP = 519;
    private static final int ARPHRD_TUNNEL = 768;
    private static final int ARPHRD_TUNNEL6 = 769;
    private static final int ARPHRD_SIT = 776;
    private static final int ETHERNET_HEADER_LENGTH = 14;

    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int MAC_ADDRESSES_LENGTH = 12;
    private static final int VLAN_TAG_LENGTH = 4;

    private RecordBody() {
    }

    /**
     * How {@code packet} is stored in a file (or interface) of link type {@code fileLinkType}: {@link #COOKED}
     * when that is {@code LINUX_SLL2} and the packet starts at the network layer with the kernel's metadata,
     * {@link #VLAN} for an Ethernet frame whose tag was stripped, else {@link #PLAIN}.
     */
    static int kind(Packet packet, int fileLinkType) {
        if (packet.linkType() == LinkType.RAW) {
            if (fileLinkType == LinkType.LINUX_SLL2 && packet.hardwareType() >= 0) {
                return COOKED;
            }
            if (fileLinkType == LinkType.ETHERNET && packet.linkHeaderLength() >= ETHERNET_HEADER_LENGTH) {
                return packet.hasVlanTag() ? LINK_VLAN : LINK;
            }
            return PLAIN;
        }
        if (packet.hasVlanTag() && fileLinkType == LinkType.ETHERNET && packet.linkType() == LinkType.ETHERNET
                && packet.captureLength() >= MAC_ADDRESSES_LENGTH) {
            return VLAN;
        }
        return PLAIN;
    }

    /**
     * The link type under which a frame of a capture on all interfaces ({@link LinkType#RAW} with the
     * kernel's metadata) is stored in pcapng: the interface's own where its hardware type maps to one as
     * libpcap's {@code map_arphrd_to_dlt} maps it and the frame has that header in front of it
     * ({@link LinkType#ETHERNET} for Ethernet and loopback devices with {@link Packet#linkHeaderLength()} of
     * at least 14; {@link LinkType#RAW} for devices without a link-layer header (tun, raw IP, IP-in-IP)
     * when the packet is IPv4 or IPv6 and none precedes it), else {@link LinkType#LINUX_SLL2}, a cooked
     * header built from the metadata: never a header the frame did not have.
     */
    static int deviceLinkType(Packet packet) {
        int linkHeader = packet.linkHeaderLength();
        return switch (packet.hardwareType()) {
            case ARPHRD_ETHER, ARPHRD_LOOPBACK ->
                    linkHeader >= ETHERNET_HEADER_LENGTH ? LinkType.ETHERNET : LinkType.LINUX_SLL2;
            case ARPHRD_NONE, ARPHRD_RAWIP, ARPHRD_TUNNEL, ARPHRD_TUNNEL6, ARPHRD_SIT ->
                    linkHeader == 0 && (packet.protocol() == EtherType.IPV4 || packet.protocol() == EtherType.IPV6)
                            ? LinkType.RAW : LinkType.LINUX_SLL2;
            default -> LinkType.LINUX_SLL2;
        };
    }

    /** Bytes the stored record has beyond the packet's own. */
    static int extra(Packet packet, int kind) {
        return switch (kind) {
            case VLAN -> VLAN_TAG_LENGTH;
            case LINK -> packet.linkHeaderLength();
            case LINK_VLAN -> packet.linkHeaderLength() + VLAN_TAG_LENGTH;
            case COOKED -> LinuxSllHeader.SLL2_LENGTH + (packet.hasVlanTag() ? VLAN_TAG_LENGTH : 0);
            default -> 0;
        };
    }

    /**
     * Writes the first {@code captured} bytes of the stored form of {@code packet} to {@code dst} at
     * {@code at}; {@code captured} is at most the packet's capture length plus {@link #extra}.
     */
    static void copy(Packet packet, int kind, MemorySegment dst, long at, int captured) {
        MemorySegment src = packet.segment();
        long from = packet.frameOffset();
        if (kind == PLAIN) {
            MemorySegment.copy(src, from, dst, at, captured);
        } else if (kind == COOKED) {
            copyCooked(packet, src, from, dst, at, captured);
        } else if (kind == VLAN) {
            // Destination and source MAC, then the tag, then the rest of the frame from its EtherType on.
            copyWithTag(packet, src, from, MAC_ADDRESSES_LENGTH, dst, at, captured);
        } else if (kind == LINK) {
            MemorySegment.copy(src, from - packet.linkHeaderLength(), dst, at, captured);
        } else { // LINK_VLAN: the link header's MAC addresses, the tag, then the rest
            copyWithTag(packet, src, from - packet.linkHeaderLength(), MAC_ADDRESSES_LENGTH, dst, at, captured);
        }
    }

    private static void copyCooked(Packet packet, MemorySegment src, long from, MemorySegment dst, long at,
                                   int captured) {
        int headerLength = LinuxSllHeader.SLL2_LENGTH;
        if (captured < headerLength) {
            // A snap length shorter than the header (rare): build it aside, keep its first bytes.
            MemorySegment whole = MemorySegment.ofArray(new byte[headerLength]);
            cookedHeader(packet, whole, 0);
            MemorySegment.copy(whole, 0, dst, at, captured);
            return;
        }
        cookedHeader(packet, dst, at);
        int rest = captured - headerLength;
        long to = at + headerLength;
        if (packet.hasVlanTag()) {
            // The protocol field holds the TPID; the TCI and the real protocol follow, then the frame.
            int tag = (packet.vlanTci() & 0xFFFF) << 16 | (packet.protocol() & 0xFFFF);
            int tagBytes = Math.min(VLAN_TAG_LENGTH, rest);
            for (int i = 0; i < tagBytes; i++) {
                dst.set(ValueLayout.JAVA_BYTE, to + i, (byte) (tag >>> (24 - 8 * i)));
            }
            rest -= tagBytes;
            to += tagBytes;
        }
        if (rest > 0) {
            MemorySegment.copy(src, from, dst, to, rest);
        }
    }

    private static void cookedHeader(Packet packet, MemorySegment dst, long at) {
        dst.set(SHORT_BE, at + LinuxSllHeader.SLL2_PROTOCOL_OFFSET,
                (short) (packet.hasVlanTag() ? tpid(packet) : packet.protocol()));
        dst.set(SHORT_BE, at + LinuxSllHeader.SLL2_PROTOCOL_OFFSET + 2, (short) 0);
        dst.set(INT_BE, at + LinuxSllHeader.SLL2_IFINDEX_OFFSET, packet.interfaceIndex());
        dst.set(SHORT_BE, at + LinuxSllHeader.SLL2_HATYPE_OFFSET, (short) packet.hardwareType());
        dst.set(ValueLayout.JAVA_BYTE, at + LinuxSllHeader.SLL2_PACKET_TYPE_OFFSET,
                (byte) packet.packetType().linuxValue());
        dst.set(ValueLayout.JAVA_BYTE, at + LinuxSllHeader.SLL2_ADDRESS_LENGTH_OFFSET,
                (byte) packet.linkAddressLength());
        dst.set(LONG_BE, at + LinuxSllHeader.SLL2_ADDRESS_OFFSET, packet.linkAddress());
    }

    /** The frame with the 4-byte tag inserted after {@code before} bytes. */
    private static void copyWithTag(Packet packet, MemorySegment src, long from, int before, MemorySegment dst,
                                    long at, int captured) {
        MemorySegment.copy(src, from, dst, at, Math.min(before, captured));
        if (captured <= before) {
            return;
        }
        int tag = tpid(packet) << 16 | (packet.vlanTci() & 0xFFFF);
        int tagBytes = Math.min(VLAN_TAG_LENGTH, captured - before);
        for (int i = 0; i < tagBytes; i++) {
            dst.set(ValueLayout.JAVA_BYTE, at + before + i, (byte) (tag >>> (24 - 8 * i)));
        }
        int rest = captured - before - VLAN_TAG_LENGTH;
        if (rest > 0) {
            MemorySegment.copy(src, from + before, dst, at + before + VLAN_TAG_LENGTH, rest);
        }
    }

    private static int tpid(Packet packet) {
        return packet.vlanTpid() != 0 ? packet.vlanTpid() : EtherType.VLAN_8021Q;
    }
}
