package io.panatap;

/**
 * What kind of packet the Linux kernel says a frame is, relative to this host ({@code sll_pkttype} in
 * {@code <linux/if_packet.h>}): addressed to it, broadcast, multicast, seen in promiscuous mode, or sent by
 * it. Files record it in Linux cooked headers (SLL, SLL2), in pcapng {@code epb_flags} and in
 * modified pcap records; a packet whose source does not record it is {@link #UNKNOWN}.
 *
 * <p>{@link #direction()} reduces it to the two directions that capture selects by.
 */
public enum PacketType {
    /** {@code PACKET_HOST} (0): addressed to this host. */
    HOST(Direction.IN),
    /** {@code PACKET_BROADCAST} (1). */
    BROADCAST(Direction.IN),
    /** {@code PACKET_MULTICAST} (2). */
    MULTICAST(Direction.IN),
    /** {@code PACKET_OTHERHOST} (3): seen in promiscuous mode, addressed elsewhere. */
    OTHERHOST(Direction.IN),
    /** {@code PACKET_OUTGOING} (4): sent by this host. */
    OUTGOING(Direction.OUT),
    /** Not recorded. */
    UNKNOWN(Direction.UNKNOWN);

    /** The kernel's values 0..4 in order; the one place that maps them. */
    private static final PacketType[] BY_LINUX_VALUE = {HOST, BROADCAST, MULTICAST, OTHERHOST, OUTGOING};

    private final Direction direction;

    PacketType(Direction direction) {
        this.direction = direction;
    }

    /** The type for a Linux {@code sll_pkttype} value; {@link #UNKNOWN} for values outside 0..4. */
    public static PacketType ofLinux(int pktType) {
        return pktType >= 0 && pktType < BY_LINUX_VALUE.length ? BY_LINUX_VALUE[pktType] : UNKNOWN;
    }

    /** The Linux {@code sll_pkttype} value (0..4); -1 for {@link #UNKNOWN}. */
    public int linuxValue() {
        return this == UNKNOWN ? -1 : ordinal();
    }

    /** {@link Direction#OUT} for {@link #OUTGOING}, {@link Direction#UNKNOWN} for {@link #UNKNOWN}, else in. */
    public Direction direction() {
        return direction;
    }
}
