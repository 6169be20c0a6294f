package io.panatap.parse;

/**
 * Ethernet II header (IEEE 802.3 clause 3.2.6 / RFC 894 framing), LINKTYPE_ETHERNET. The EtherType
 * values are in {@link EtherType}. Only the fields panatap reads are named (through the {@link LinkLayer}
 * row); the diagram shows the rest.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination MAC (6 bytes)                  |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+       Source MAC (6 bytes)    +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     EtherType / TPID (12)     |   payload or VLAN TCI ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class EthernetHeader {
    public static final int ETHER_TYPE_OFFSET = 12;
    public static final int LENGTH = 14;

    private EthernetHeader() {
    }
}
