package io.panatap.parse;

/**
 * Ethernet II header (IEEE 802.3 clause 3.2.6 / RFC 894 framing), LINKTYPE_ETHERNET, and the EtherType values
 * the parser follows.
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
    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    public static final int ETHER_TYPE_OFFSET = 12;
    public static final int LENGTH = 14;

    /** IPv4 (RFC 894). */
    public static final int ETHER_TYPE_IPV4 = 0x0800;
    /** IPv6 (RFC 2464). */
    public static final int ETHER_TYPE_IPV6 = 0x86DD;
    /** IEEE 802.1Q customer VLAN tag. */
    public static final int TPID_8021Q = 0x8100;
    /** IEEE 802.1ad service VLAN tag (QinQ outer tag). */
    public static final int TPID_8021AD = 0x88A8;
    /** Pre-standard QinQ outer tag still used by some switches. */
    public static final int TPID_QINQ_9100 = 0x9100;

    private EthernetHeader() {
    }

    /** True for the tag protocol identifiers that introduce a 4-byte VLAN tag. */
    public static boolean isVlanTpid(int etherType) {
        return etherType == TPID_8021Q || etherType == TPID_8021AD || etherType == TPID_QINQ_9100;
    }
}
