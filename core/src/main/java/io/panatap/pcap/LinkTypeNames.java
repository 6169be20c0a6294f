package io.panatap.pcap;

import io.panatap.parse.LinkLayer;
import io.panatap.parse.LinkType;

/**
 * Names of link types for messages about records panatap does not decode: tcpdump's name (what
 * {@code tcpdump -r} prints after {@code link-type}, and what {@code -y} takes) for the link types people
 * commonly bring, so that a user recognises the capture (a BSD loopback, 802.11 with radiotap, USB...). A
 * link type the parser decodes has its {@link LinkLayer} name; one not listed here is {@code LINKTYPE_<n>}.
 * The numbers are the {@code LINKTYPE_*} values of capture files (tcpdump.org's link-layer header types).
 */
public final class LinkTypeNames {
    /** Pairs of link type and tcpdump name, for link types the parser may not decode. */
    private static final Object[] KNOWN = {
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
    private static final String[] BY_TYPE = new String[512];

    static {
        for (int i = 0; i < KNOWN.length; i += 2) {
            BY_TYPE[(Integer) KNOWN[i]] = (String) KNOWN[i + 1];
        }
    }

    private LinkTypeNames() {
    }

    /**
     * The name of {@code linkType}: panatap's for a link type it decodes (e.g. {@code EN10MB}), tcpdump's for
     * a common one it does not (e.g. {@code ARCNET_LINUX} for 129), else {@code LINKTYPE_<n>}.
     */
    public static String name(int linkType) {
        if (LinkLayer.isDecoded(linkType)) {
            return LinkType.name(linkType);
        }
        String known = linkType >= 0 && linkType < BY_TYPE.length ? BY_TYPE[linkType] : null;
        return known != null ? known : "LINKTYPE_" + linkType;
    }

    /** The name and the number, as messages show a link type: {@code ARCNET_LINUX (129)}. */
    public static String describe(int linkType) {
        return name(linkType) + " (" + linkType + ")";
    }
}
