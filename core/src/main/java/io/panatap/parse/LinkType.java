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

    /**
     * tcpdump's names (what {@code tcpdump -r} prints after {@code link-type}, and what {@code -y} takes) of
     * common link types panatap does not decode, so that a message about such records names the capture a
     * user brought (802.11 with radiotap, USB, ...). Decoded link types take their name from {@link LinkLayer}.
     */
    private static final Object[] OTHER_NAMES = {
            0, "NULL", 2, "EN3MB", 3, "AX25", 6, "IEEE802", 7, "ARCNET", 8, "SLIP", 9, "PPP", 10, "FDDI",
            50, "PPP_SERIAL", 51, "PPP_ETHER", 104, "C_HDLC", 105, "IEEE802_11", 107, "FRELAY", 108, "LOOP",
            109, "ENC", 117, "PFLOG", 119, "PRISM_HEADER", 127, "IEEE802_11_RADIO", 129, "ARCNET_LINUX",
            138, "APPLE_IP_OVER_IEEE1394", 139, "MTP2_WITH_PHDR", 140, "MTP2", 141, "MTP3", 142, "SCCP",
            143, "DOCSIS", 163, "IEEE802_11_RADIO_AVS", 166, "PPP_PPPD", 177, "LINUX_LAPD",
            187, "BLUETOOTH_HCI_H4", 189, "USB_LINUX", 192, "PPI", 195, "IEEE802_15_4", 197, "ERF",
            201, "BLUETOOTH_HCI_H4_WITH_PHDR", 215, "IEEE802_15_4_NONASK_PHY", 220, "USB_LINUX_MMAPPED",
            226, "IPNET", 227, "CAN_SOCKETCAN", 230, "IEEE802_15_4_NOFCS", 239, "NFLOG", 240, "NETANALYZER",
            241, "NETANALYZER_TRANSPARENT", 242, "IPOIB", 246, "PFSYNC", 249, "USBPCAP", 251, "BLUETOOTH_LE_LL",
            253, "NETLINK", 254, "BLUETOOTH_LINUX_MONITOR", 256, "BLUETOOTH_LE_LL_WITH_PHDR", 258, "PKTAP",
            266, "USB_DARWIN", 267, "OPENFLOW", 271, "VSOCK", 272, "NORDIC_BLE", 274, "ETHERNET_MPACKET",
            281, "DSA_TAG_BRCM", 282, "DSA_TAG_BRCM_PREPEND", 283, "IEEE802_15_4_TAP", 284, "DSA_TAG_DSA",
            285, "DSA_TAG_EDSA", 288, "USB_2_0",
    };
    /** Names by link type; every listed link type is below 512. */
    private static final String[] OTHER_NAME_BY_TYPE = new String[512];

    static {
        for (int i = 0; i < OTHER_NAMES.length; i += 2) {
            OTHER_NAME_BY_TYPE[(Integer) OTHER_NAMES[i]] = (String) OTHER_NAMES[i + 1];
        }
    }

    /**
     * The name of {@code linkType}: its {@link LinkLayer} name if panatap decodes it (e.g. {@code EN10MB}),
     * tcpdump's for a common one it does not (e.g. {@code ARCNET_LINUX} for 129), else {@code LINKTYPE_<n>}.
     */
    public static String name(int linkType) {
        LinkLayer row = LinkLayer.of(linkType);
        if (row != null) {
            return row.name();
        }
        String other = linkType >= 0 && linkType < OTHER_NAME_BY_TYPE.length ? OTHER_NAME_BY_TYPE[linkType] : null;
        return other != null ? other : "LINKTYPE_" + linkType;
    }

    /** The name and the number, as messages show a link type: {@code ARCNET_LINUX (129)}. */
    public static String describe(int linkType) {
        return name(linkType) + " (" + linkType + ")";
    }
}
