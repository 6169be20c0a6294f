package io.panatap.filter;

import io.panatap.parse.LinkType;

/**
 * Where the network layer starts for a link type and how its protocol is told: an EtherType field
 * (Ethernet, Linux cooked), the IP version nibble (raw IP), or fixed (IPv4-only / IPv6-only links).
 */
record LinkLayer(int linkType, Kind kind, int typeOffset, int headerLength, boolean vlanTags) {
    enum Kind { ETHERTYPE, IP_VERSION, IPV4_ONLY, IPV6_ONLY }

    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86dd;
    static final int ETHERTYPE_ARP = 0x0806;
    static final int ETHERTYPE_RARP = 0x8035;
    /** 802.1Q, 802.1ad and the pre-standard QinQ tag, the three libpcap's {@code vlan} accepts. */
    static final int[] VLAN_TPIDS = {0x8100, 0x88a8, 0x9100};

    static LinkLayer of(int linkType) throws FilterException {
        return switch (linkType) {
            case LinkType.ETHERNET -> new LinkLayer(linkType, Kind.ETHERTYPE, 12, 14, true);
            case LinkType.LINUX_SLL -> new LinkLayer(linkType, Kind.ETHERTYPE, 14, 16, false);
            case LinkType.LINUX_SLL2 -> new LinkLayer(linkType, Kind.ETHERTYPE, 0, 20, false);
            case LinkType.RAW, LinkType.RAW_BSD_12, LinkType.RAW_BSD_14 ->
                    new LinkLayer(linkType, Kind.IP_VERSION, 0, 0, false);
            case LinkType.IPV4 -> new LinkLayer(linkType, Kind.IPV4_ONLY, 0, 0, false);
            case LinkType.IPV6 -> new LinkLayer(linkType, Kind.IPV6_ONLY, 0, 0, false);
            default -> throw new FilterException("filters are not supported on link type " + LinkType.name(linkType)
                    + " (" + linkType + "); supported: EN10MB, RAW, LINUX_SLL, LINUX_SLL2, IPV4, IPV6");
        };
    }

    /** Offset of the EtherType after {@code vlans} tags. */
    int typeOffset(int vlans) {
        return typeOffset + 4 * vlans;
    }

    /** Offset of the network-layer header after {@code vlans} tags. */
    int networkOffset(int vlans) {
        return headerLength + 4 * vlans;
    }
}
