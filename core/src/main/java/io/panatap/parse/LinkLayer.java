package io.panatap.parse;

/**
 * What panatap knows about each link type it decodes: the one table that the header parser, the filter
 * compiler, the file readers (which link types are decoded) and {@link LinkType#name} read. Adding a link
 * type means a {@link LinkType} constant and a row in {@link #TABLE} (and, for a new way of telling the
 * network protocol, a {@link Protocol} value that the parser and the compiler learn).
 *
 * <p>Each row says where the network layer starts ({@link #headerLength()}), how its protocol is told
 * ({@link #protocol()}: an EtherType, PPP protocol or address-family field at {@link #typeOffset()}, the IP
 * version nibble, or fixed), and whether VLAN tags can follow the link header in the frame.
 */
public final class LinkLayer {

    /** How the network-layer protocol of a frame is told. */
    public enum Protocol {
        /** An EtherType field (Ethernet, Linux cooked capture). */
        ETHERTYPE,
        /** No link header; the first nibble is the IP version (raw IP). */
        IP_VERSION,
        /** No link header; always IPv4. */
        IPV4_ONLY,
        /** No link header; always IPv6. */
        IPV6_ONLY,
        /**
         * A 4-byte address family in the byte order of the capturing host (BSD loopback): 2 is IPv4, 24, 28
         * and 30 are IPv6. The parser reads either byte order, as tcpdump and tshark do.
         */
        ADDRESS_FAMILY_HOST_ORDER,
        /** A 4-byte address family in network byte order (OpenBSD loopback), values as above. */
        ADDRESS_FAMILY_NETWORK_ORDER,
        /**
         * A PPP protocol field ({@link #PPP_IPV4}, {@link #PPP_IPV6}) at {@link #typeOffset()}, where filters
         * read it; the parser also takes frames without the HDLC address and control bytes, and a protocol
         * field compressed to one byte.
         */
        PPP,
        /** As {@link #PPP}, and Cisco HDLC frames (address 0x0f or 0x8f, then an EtherType) in the same link. */
        PPP_HDLC,
        /** A PPPoE header; session frames (code 0) then carry the PPP protocol at {@link #typeOffset()}. */
        PPPOE_SESSION
    }

    /** The PPP protocol number of IPv4. */
    public static final int PPP_IPV4 = 0x0021;
    /** The PPP protocol number of IPv6. */
    public static final int PPP_IPV6 = 0x0057;
    /** The address family of IPv4 in BSD loopback headers. */
    public static final int AF_INET = 2;
    /** The address families of IPv6 in BSD loopback headers: NetBSD/OpenBSD, FreeBSD, macOS. */
    public static final int AF_INET6_BSD = 24;
    public static final int AF_INET6_FREEBSD = 28;
    public static final int AF_INET6_DARWIN = 30;
    /** A PPP link header: address 0xff, control 0x03, then the 2-byte protocol. */
    private static final int PPP_HEADER = 4;
    /** A PPPoE header (version/type, code, session id, length) then the 2-byte PPP protocol. */
    private static final int PPPOE_HEADER = 8;

    private static final LinkLayer[] TABLE = {
            new LinkLayer(LinkType.NULL, "NULL", Protocol.ADDRESS_FAMILY_HOST_ORDER, 0, 4, false),
            new LinkLayer(LinkType.ETHERNET, "EN10MB", Protocol.ETHERTYPE,
                    EthernetHeader.ETHER_TYPE_OFFSET, EthernetHeader.LENGTH, true),
            new LinkLayer(LinkType.LINUX_SLL, "LINUX_SLL", Protocol.ETHERTYPE,
                    LinuxSllHeader.SLL_PROTOCOL_OFFSET, LinuxSllHeader.SLL_LENGTH, false),
            new LinkLayer(LinkType.LINUX_SLL2, "LINUX_SLL2", Protocol.ETHERTYPE,
                    LinuxSllHeader.SLL2_PROTOCOL_OFFSET, LinuxSllHeader.SLL2_LENGTH, false),
            new LinkLayer(LinkType.RAW, "RAW", Protocol.IP_VERSION, 0, 0, false),
            new LinkLayer(LinkType.RAW_BSD_12, "RAW", Protocol.IP_VERSION, 0, 0, false),
            new LinkLayer(LinkType.RAW_BSD_14, "RAW", Protocol.IP_VERSION, 0, 0, false),
            new LinkLayer(LinkType.LOOP, "LOOP", Protocol.ADDRESS_FAMILY_NETWORK_ORDER, 0, 4, false),
            new LinkLayer(LinkType.PPP, "PPP", Protocol.PPP, 2, PPP_HEADER, false),
            new LinkLayer(LinkType.PPP_HDLC, "PPP_SERIAL", Protocol.PPP_HDLC, 2, PPP_HEADER, false),
            new LinkLayer(LinkType.PPP_ETHER, "PPP_ETHER", Protocol.PPPOE_SESSION, 6, PPPOE_HEADER, false),
            new LinkLayer(LinkType.IPV4, "IPV4", Protocol.IPV4_ONLY, 0, 0, false),
            new LinkLayer(LinkType.IPV6, "IPV6", Protocol.IPV6_ONLY, 0, 0, false),
    };
    /** Rows by link type for the parser's per-frame lookup; link types are below 512 in this table. */
    private static final LinkLayer[] BY_TYPE = new LinkLayer[512];

    static {
        for (LinkLayer row : TABLE) {
            BY_TYPE[row.linkType] = row;
        }
    }

    private final int linkType;
    private final String name;
    private final Protocol protocol;
    private final int typeOffset;
    private final int headerLength;
    private final boolean vlanTagsInFrame;

    private LinkLayer(int linkType, String name, Protocol protocol, int typeOffset, int headerLength,
                      boolean vlanTagsInFrame) {
        this.linkType = linkType;
        this.name = name;
        this.protocol = protocol;
        this.typeOffset = typeOffset;
        this.headerLength = headerLength;
        this.vlanTagsInFrame = vlanTagsInFrame;
    }

    /** The row for {@code linkType}, or {@code null} if panatap does not decode that link type. */
    public static LinkLayer of(int linkType) {
        return linkType >= 0 && linkType < BY_TYPE.length ? BY_TYPE[linkType] : null;
    }

    /** True if frames of {@code linkType} are decoded. */
    public static boolean isDecoded(int linkType) {
        return of(linkType) != null;
    }

    /** The names of the decoded link types, for messages ({@code "EN10MB, LINUX_SLL, ..."}). */
    public static String decodedNames() {
        // Whole names: "PPP" is part of "PPP_SERIAL", and RAW has three rows.
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (LinkLayer row : TABLE) {
            names.add(row.name);
        }
        return String.join(", ", names);
    }

    /**
     * The address families that mean IP version {@code version} (4 or 6) in a BSD loopback header, in the
     * order libpcap's filters compare them on a capture file (a new array each call).
     */
    public static int[] addressFamilies(int version) {
        return version == 4 ? new int[] {AF_INET} : new int[] {AF_INET6_DARWIN, AF_INET6_BSD, AF_INET6_FREEBSD};
    }

    /** The {@code LINKTYPE_*} number. */
    public int linkType() {
        return linkType;
    }

    /** tcpdump's name for it ({@code tcpdump -y NAME}), e.g. {@code "EN10MB"}. */
    public String name() {
        return name;
    }

    /** How the network-layer protocol is told. */
    public Protocol protocol() {
        return protocol;
    }

    /**
     * Offset of the field that tells the network protocol where filters read it: the EtherType, the PPP
     * protocol or the address family (meaningless for raw IP).
     */
    public int typeOffset() {
        return typeOffset;
    }

    /** Offset of the EtherType after {@code vlans} VLAN tags in the frame. */
    public int typeOffset(int vlans) {
        return typeOffset + VlanTag.LENGTH * vlans;
    }

    /** Length of the link header: where the network layer starts when no tag follows. */
    public int headerLength() {
        return headerLength;
    }

    /** Offset of the network-layer header after {@code vlans} VLAN tags in the frame. */
    public int networkOffset(int vlans) {
        return headerLength + VlanTag.LENGTH * vlans;
    }

    /**
     * True if VLAN tags can stand in the frame after the link header (Ethernet). Linux cooked headers carry
     * the tag in their protocol field instead, which the parser follows but filters do not address.
     */
    public boolean vlanTagsInFrame() {
        return vlanTagsInFrame;
    }

    @Override
    public String toString() {
        return name + " (" + linkType + ")";
    }
}
