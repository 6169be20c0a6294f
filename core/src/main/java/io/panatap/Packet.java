package io.panatap;

import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;

/**
 * One captured frame: metadata, the captured bytes and their parsed headers.
 *
 * <p>Instances handed to a {@link PacketListener} are flyweights reused for the next packet and valid only
 * during the callback; reading them allocates nothing. {@link #copy()} returns an independent packet.
 *
 * <p>The metadata only a capture records (interface, packet type, a stripped VLAN tag, the kernel's link
 * details) has defaults that say "not recorded", so a packet made by other code, for example to test a
 * listener, implements only its number, time, lengths, link type and bytes, its headers and {@link #copy()}.
 */
public interface Packet {

    /** 1-based number of this frame in its source (file record number, or capture sequence). */
    long frameNumber();

    /** Capture time in nanoseconds since the Unix epoch. */
    long timestampNanos();

    /** Bytes captured (at most the snap length). */
    int captureLength();

    /** Length of the frame on the wire (may exceed {@link #captureLength()}). */
    int originalLength();

    /** Link type of the bytes ({@link io.panatap.parse.LinkType}). */
    int linkType();

    /** Memory holding the frame; the frame is {@code captureLength()} bytes at {@link #frameOffset()}. */
    MemorySegment segment();

    /** Offset of the first captured byte in {@link #segment()}. */
    long frameOffset();

    /**
     * Interface index: the kernel's for live capture and for classic files with Linux cooked v2 headers
     * ({@code LINKTYPE_LINUX_SLL2}), the interface id within its section for pcapng; -1 if unknown (the
     * default, for a packet made by other code).
     */
    default int interfaceIndex() {
        return -1;
    }

    /**
     * Interface name, or {@code null} if unknown (the default). Cached per interface, not allocated per
     * packet.
     */
    default String interfaceName() {
        return null;
    }

    /**
     * What the kernel reported the packet to be ({@code sll_pkttype}); {@link PacketType#UNKNOWN} if not
     * recorded (the default).
     */
    default PacketType packetType() {
        return PacketType.UNKNOWN;
    }

    /** Which way the packet went: {@code packetType().direction()}. */
    default Direction direction() {
        return packetType().direction();
    }

    /**
     * The hardware type of the interface ({@code sll_hatype}, an {@code ARPHRD_*} value) as the kernel
     * reported it with the frame; -1 when not recorded (files). With {@link #protocol()} and
     * {@link #linkAddress()} it is what a Linux cooked header records, so that a capture on all interfaces,
     * whose frames start at the network layer, can be written as {@code tcpdump -i any} writes it.
     */
    default int hardwareType() {
        return -1;
    }

    /** The frame's protocol as the kernel reported it ({@code sll_protocol}, an EtherType); 0 when not recorded. */
    default int protocol() {
        return 0;
    }

    /**
     * The link-layer source address the kernel reported ({@code sll_addr}): its first
     * {@link #linkAddressLength()} bytes, the first in the top 8 bits; 0 when not recorded.
     */
    default long linkAddress() {
        return 0;
    }

    /** How many bytes of {@link #linkAddress()} are the address (0 to 8); 0 when not recorded. */
    default int linkAddressLength() {
        return 0;
    }

    /**
     * How many bytes of link-layer header precede a frame that starts at the network layer: they are the
     * {@code linkHeaderLength()} bytes of {@link #segment()} before {@link #frameOffset()}, the header of
     * the interface's hardware type ({@link #hardwareType()}), with the VLAN tag the kernel stripped
     * ({@link #hasVlanTag()}) not in them. Non-zero only for a live capture on all interfaces that asked for
     * link-layer headers ({@link io.panatap.capture.PacketCapture.Builder#linkHeaders(boolean)}) and only for
     * devices that have one; 0 otherwise, in files and in copies.
     */
    default int linkHeaderLength() {
        return 0;
    }

    /**
     * True when the kernel stripped a VLAN tag from the frame (TP_STATUS_VLAN_VALID); false by default (the
     * tag, if any, is then in the frame's bytes).
     */
    default boolean hasVlanTag() {
        return false;
    }

    /** The stripped VLAN TCI (priority, DEI, id), valid when {@link #hasVlanTag()}; 0 by default. */
    default int vlanTci() {
        return 0;
    }

    /** The stripped tag protocol (0x8100 or 0x88a8), valid when {@link #hasVlanTag()}; 0 by default. */
    default int vlanTpid() {
        return 0;
    }

    /** The parsed link/IP/TCP headers of this frame; reused like the packet itself. */
    PacketHeaders headers();

    /** An independent copy (its own bytes and headers) that stays valid after the callback. */
    Packet copy();
}
