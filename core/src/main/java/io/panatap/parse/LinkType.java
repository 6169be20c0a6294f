package io.panatap.parse;

/**
 * Link-layer header types (the {@code LINKTYPE_*} numbers of the pcap/pcapng formats) that the parser
 * understands; what panatap knows about each is its row in {@link LinkLayer}.
 */
public final class LinkType {
    /**
     * LINKTYPE_NULL: BSD and macOS loopback; a 4-byte address family in the byte order of the host that
     * captured (2 is IPv4; 24, 28 and 30 are IPv6 on NetBSD/OpenBSD, FreeBSD and macOS).
     */
    public static final int NULL = 0;
    /** LINKTYPE_ETHERNET (DLT_EN10MB): Ethernet II, optionally 802.1Q/802.1ad tagged. */
    public static final int ETHERNET = 1;
    /** LINKTYPE_PPP: a PPP protocol field, optionally after the HDLC address and control bytes 0xff 0x03. */
    public static final int PPP = 9;
    /** DLT_RAW as written by some BSDs (raw IPv4/IPv6, no link header). */
    public static final int RAW_BSD_12 = 12;
    /** DLT_RAW as written by OpenBSD (raw IPv4/IPv6, no link header). */
    public static final int RAW_BSD_14 = 14;
    /** LINKTYPE_PPP_HDLC (tcpdump's PPP_SERIAL): PPP in HDLC-like framing, 0xff 0x03 then the protocol. */
    public static final int PPP_HDLC = 50;
    /** LINKTYPE_PPP_ETHER: PPPoE, a 6-byte PPPoE header then, in session frames, the PPP protocol. */
    public static final int PPP_ETHER = 51;
    /** LINKTYPE_RAW: raw IPv4 or IPv6, version taken from the first nibble. */
    public static final int RAW = 101;
    /** LINKTYPE_LOOP: OpenBSD loopback; as {@link #NULL} with the address family in network byte order. */
    public static final int LOOP = 108;
    /** LINKTYPE_LINUX_SLL: Linux cooked capture v1, 16-byte header. */
    public static final int LINUX_SLL = 113;
    /** LINKTYPE_IPV4: raw IPv4. */
    public static final int IPV4 = 228;
    /** LINKTYPE_IPV6: raw IPv6. */
    public static final int IPV6 = 229;
    /** LINKTYPE_LINUX_SLL2: Linux cooked capture v2, 20-byte header. */
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }

    /** A short name for messages, e.g. {@code "EN10MB"}; {@code "LINKTYPE_<n>"} for unknown values. */
    public static String name(int linkType) {
        LinkLayer row = LinkLayer.of(linkType);
        return row != null ? row.name() : "LINKTYPE_" + linkType;
    }
}
