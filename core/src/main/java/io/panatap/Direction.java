package io.panatap;

/**
 * Which way a packet went, as the Linux kernel reports it in {@code sll_pkttype}.
 * Packets read from a file whose format does not record it are {@link #UNKNOWN}.
 */
public enum Direction {
    /** {@code PACKET_HOST}: addressed to this host. */
    HOST,
    /** {@code PACKET_BROADCAST}. */
    BROADCAST,
    /** {@code PACKET_MULTICAST}. */
    MULTICAST,
    /** {@code PACKET_OTHERHOST}: seen in promiscuous mode, addressed elsewhere. */
    OTHERHOST,
    /** {@code PACKET_OUTGOING}: sent by this host. */
    OUTGOING,
    /** Not recorded. */
    UNKNOWN;

    /** True for every direction except {@link #OUTGOING} and {@link #UNKNOWN}. */
    public boolean isIncoming() {
        return this != OUTGOING && this != UNKNOWN;
    }
}
