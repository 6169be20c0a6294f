package io.panatap.parse;

import java.lang.foreign.MemorySegment;

import static io.panatap.parse.Bytes.i32;
import static io.panatap.parse.Bytes.u16;
import static io.panatap.parse.Bytes.u8;

/**
 * Finds the network layer of a frame whose link header does not tell it by an EtherType at a fixed offset:
 * raw IP, BSD loopback (an address family) and PPP (a PPP protocol, after optional HDLC bytes or a PPPoE
 * header). {@link PacketHeaders} decodes EtherType links itself; this class only says where IP starts and
 * which version, so nothing here is on Ethernet's path.
 *
 * <p>The answer is one int: the offset of the IP header shifted up by {@link #SHIFT}, with {@link #IPV4},
 * {@link #IPV6}, {@link #NOT_IP}, {@link #TRUNCATED} or {@link #MALFORMED} in the low bits. Reads stay below
 * {@code end}.
 */
final class LinkHeaders {
    static final int NOT_IP = 0;
    static final int TRUNCATED = 1;
    static final int MALFORMED = 2;
    static final int IPV4 = 4;
    static final int IPV6 = 6;
    static final int SHIFT = 4;
    static final int KIND_MASK = (1 << SHIFT) - 1;

    /** HDLC address and control bytes before a PPP protocol field. */
    private static final int HDLC_ADDRESS_CONTROL = 0xff03;
    /** Cisco HDLC addresses (unicast, multicast), which tcpdump and tshark also read in PPP_HDLC captures. */
    private static final int CISCO_HDLC_UNICAST = 0x0f;
    private static final int CISCO_HDLC_MULTICAST = 0x8f;
    private static final int PPPOE_CODE_OFFSET = 1;
    private static final int PPPOE_CODE_SESSION = 0x00;

    private LinkHeaders() {
    }

    /** The network layer of a frame of {@code end} bytes at {@code base}, read the way {@code link} says. */
    static int network(MemorySegment segment, long base, LinkLayer link, int end) {
        int header = link.headerLength();
        return switch (link.protocol()) {
            case IPV4_ONLY -> at(header, IPV4);
            case IPV6_ONLY -> at(header, IPV6);
            case IP_VERSION -> ipVersion(segment, base, header, end);
            case ADDRESS_FAMILY_HOST_ORDER -> addressFamily(segment, base, header, end, true);
            case ADDRESS_FAMILY_NETWORK_ORDER -> addressFamily(segment, base, header, end, false);
            case PPP -> ppp(segment, base, end, false);
            case PPP_HDLC -> ppp(segment, base, end, true);
            case PPPOE_SESSION -> pppoe(segment, base, link.typeOffset(), end);
            case ETHERTYPE -> NOT_IP; // PacketHeaders reads EtherType links itself
        };
    }

    private static int at(int pos, int kind) {
        return pos << SHIFT | kind;
    }

    /** Raw IP: the first nibble is the version; anything but 4 or 6 is not an IP packet at all. */
    private static int ipVersion(MemorySegment segment, long base, int pos, int end) {
        if (end - pos < 1) {
            return TRUNCATED;
        }
        int version = u8(segment, base + pos) >>> 4;
        if (version == Ipv4Header.VERSION) {
            return at(pos, IPV4);
        }
        return version == Ipv6Header.VERSION ? at(pos, IPV6) : MALFORMED;
    }

    /**
     * A 4-byte address family. In host order it was written by either a little- or a big-endian host:
     * every family fits in 16 bits, so a value with high bits set is read swapped (tshark and tcpdump
     * decide the same way, whatever the file's byte order).
     */
    private static int addressFamily(MemorySegment segment, long base, int header, int end, boolean hostOrder) {
        if (end < header) {
            return TRUNCATED;
        }
        int family = i32(segment, base);
        if (hostOrder && (family & 0xFFFF0000) != 0) {
            family = Integer.reverseBytes(family);
        }
        return switch (family) {
            case LinkLayer.AF_INET -> at(header, IPV4);
            case LinkLayer.AF_INET6_BSD, LinkLayer.AF_INET6_FREEBSD, LinkLayer.AF_INET6_DARWIN -> at(header, IPV6);
            default -> NOT_IP;
        };
    }

    /**
     * PPP: the HDLC address and control bytes 0xff 0x03 when present, then the protocol. In a PPP_HDLC
     * capture a Cisco HDLC frame (address 0x0f or 0x8f, control, EtherType) may stand instead.
     */
    private static int ppp(MemorySegment segment, long base, int end, boolean ciscoToo) {
        if (end < 2) {
            return TRUNCATED;
        }
        int first = u16(segment, base);
        if (first == HDLC_ADDRESS_CONTROL) {
            return pppProtocol(segment, base, 2, end);
        }
        int address = first >>> 8;
        if (ciscoToo && (address == CISCO_HDLC_UNICAST || address == CISCO_HDLC_MULTICAST)) {
            if (end < 4) {
                return TRUNCATED;
            }
            int etherType = u16(segment, base + 2);
            return etherType == EtherType.IPV4 ? at(4, IPV4) : etherType == EtherType.IPV6 ? at(4, IPV6) : NOT_IP;
        }
        return pppProtocol(segment, base, 0, end);
    }

    /** PPPoE: only session frames (code 0) carry PPP; discovery frames are not IP. */
    private static int pppoe(MemorySegment segment, long base, int protocolOffset, int end) {
        if (end < protocolOffset) {
            return TRUNCATED;
        }
        if (u8(segment, base + PPPOE_CODE_OFFSET) != PPPOE_CODE_SESSION) {
            return NOT_IP;
        }
        return pppProtocol(segment, base, protocolOffset, end);
    }

    /**
     * A PPP protocol field at {@code pos}: two bytes, or one when compressed (RFC 1661 protocol-field
     * compression; protocol numbers have an even high byte and an odd low byte, so an odd first byte is a
     * whole one-byte protocol).
     */
    private static int pppProtocol(MemorySegment segment, long base, int pos, int end) {
        if (end - pos < 1) {
            return TRUNCATED;
        }
        int protocol = u8(segment, base + pos);
        if ((protocol & 1) != 0) {
            pos += 1;
        } else {
            if (end - pos < 2) {
                return TRUNCATED;
            }
            protocol = u16(segment, base + pos);
            pos += 2;
        }
        return protocol == LinkLayer.PPP_IPV4 ? at(pos, IPV4) : protocol == LinkLayer.PPP_IPV6 ? at(pos, IPV6) : NOT_IP;
    }
}
