package io.panatap.parse;

/**
 * The EtherType values panatap reads and writes (IEEE 802 numbers, as in the IANA/IEEE registry and
 * {@code <linux/if_ether.h>}): the one place each is written down. They appear in Ethernet headers, in the
 * protocol field of Linux cooked headers (SLL, SLL2), behind VLAN tags, and in BPF programs.
 */
public final class EtherType {
    /** IPv4 (RFC 894). */
    public static final int IPV4 = 0x0800;
    /** ARP (RFC 826). */
    public static final int ARP = 0x0806;
    /** Reverse ARP (RFC 903). */
    public static final int RARP = 0x8035;
    /** IPv6 (RFC 2464). */
    public static final int IPV6 = 0x86DD;
    /** IEEE 802.1Q customer VLAN tag. */
    public static final int VLAN_8021Q = 0x8100;
    /** IEEE 802.1ad service VLAN tag (QinQ outer tag). */
    public static final int VLAN_8021AD = 0x88A8;
    /** Pre-standard QinQ outer tag still used by some switches (libpcap's {@code vlan} accepts it). */
    public static final int VLAN_QINQ_9100 = 0x9100;

    private EtherType() {
    }

    /** True for the tag protocol identifiers that introduce a 4-byte VLAN tag. */
    public static boolean isVlanTag(int etherType) {
        return etherType == VLAN_8021Q || etherType == VLAN_8021AD || etherType == VLAN_QINQ_9100;
    }
}
