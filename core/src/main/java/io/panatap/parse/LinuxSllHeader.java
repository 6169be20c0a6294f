package io.panatap.parse;

/**
 * Linux "cooked" capture headers: LINKTYPE_LINUX_SLL (113, 16 bytes) and LINKTYPE_LINUX_SLL2 (276, 20 bytes),
 * as defined on tcpdump.org's linktypes pages. The protocol field holds an EtherType (or a VLAN TPID, followed
 * by the tag's TCI and inner EtherType like on Ethernet). The protocol and the length are what the
 * {@link LinkLayer} rows publish to the parser and the filter compiler; the file reader takes the packet
 * type (and, from SLL2, the interface index) from these offsets, and the writer builds SLL2 headers with
 * them.
 *
 * <pre>
 * SLL (v1):
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Packet type (0)        |     ARPHRD_ type (2)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Link-layer address length (4) |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |             Link-layer address, padded to 8 bytes (6)         |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |        Protocol (14)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * SLL2:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Protocol (0)          |        Reserved (2)           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Interface index (4)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     ARPHRD_ type (8)          | Pkt type (10) | Addr len (11) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Link-layer address, padded to 8 bytes (12)           |
 * +                                                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class LinuxSllHeader {
    public static final int SLL_PACKET_TYPE_OFFSET = 0;
    public static final int SLL_PROTOCOL_OFFSET = 14;
    public static final int SLL_LENGTH = 16;

    public static final int SLL2_PROTOCOL_OFFSET = 0;
    public static final int SLL2_IFINDEX_OFFSET = 4;
    public static final int SLL2_HATYPE_OFFSET = 8;
    public static final int SLL2_PACKET_TYPE_OFFSET = 10;
    public static final int SLL2_ADDRESS_LENGTH_OFFSET = 11;
    public static final int SLL2_ADDRESS_OFFSET = 12;
    public static final int SLL2_LENGTH = 20;

    private LinuxSllHeader() {
    }
}
