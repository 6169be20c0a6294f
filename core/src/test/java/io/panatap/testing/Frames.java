package io.panatap.testing;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;

/**
 * Builds test frames as byte arrays: Ethernet, 802.1Q tags, Linux cooked headers, IPv4, IPv6 and TCP, with
 * lengths filled in (checksums are left 0, the parser does not check them).
 *
 * <p>Addresses are literals ({@code "10.0.0.1"}, {@code "fd00::1"}); payload bytes are {@code 0, 1, 2, ...}.
 * Everything returns a fresh array, so building blocks nest: {@code ethernet(IPV4, ipv4(src, dst, TCP,
 * tcp(...)))}.
 */
public final class Frames {
    public static final int ETHER_TYPE_IPV4 = 0x0800;
    public static final int ETHER_TYPE_IPV6 = 0x86DD;
    public static final int ETHER_TYPE_ARP = 0x0806;
    public static final int TPID_8021Q = 0x8100;
    public static final int TPID_8021AD = 0x88A8;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    public static final String SRC4 = "192.0.2.1";
    public static final String DST4 = "198.51.100.2";
    public static final String SRC6 = "2001:db8::1";
    public static final String DST6 = "2001:db8:0:1::2";

    private static final byte[] DST_MAC = {0x02, 0, 0, 0, 0, 0x02};
    private static final byte[] SRC_MAC = {0x02, 0, 0, 0, 0, 0x01};

    private Frames() {
    }

    // ---- whole frames -------------------------------------------------------------------------------

    /** Ethernet / IPv4 / TCP with sequence 1000, ack 2000 (if ACK), window 65535, no options. */
    public static byte[] ethernetIpv4Tcp(String src, String dst, int sport, int dport, int flags, int payloadLen) {
        return ethernet(ETHER_TYPE_IPV4, ipv4Tcp(src, dst, sport, dport, flags, payloadLen));
    }

    /** Ethernet / IPv6 / TCP, same TCP fields as {@link #ethernetIpv4Tcp}. */
    public static byte[] ethernetIpv6Tcp(String src, String dst, int sport, int dport, int flags, int payloadLen) {
        return ethernet(ETHER_TYPE_IPV6, ipv6Tcp(src, dst, sport, dport, flags, payloadLen));
    }

    /** A raw IPv4 packet carrying TCP (LINKTYPE_RAW / LINKTYPE_IPV4 frame). */
    public static byte[] ipv4Tcp(String src, String dst, int sport, int dport, int flags, int payloadLen) {
        return ipv4(src, dst, PROTOCOL_TCP, tcp(sport, dport, flags, payloadLen));
    }

    /** A raw IPv6 packet carrying TCP (LINKTYPE_RAW / LINKTYPE_IPV6 frame). */
    public static byte[] ipv6Tcp(String src, String dst, int sport, int dport, int flags, int payloadLen) {
        return ipv6(src, dst, PROTOCOL_TCP, tcp(sport, dport, flags, payloadLen));
    }

    // ---- link layers --------------------------------------------------------------------------------

    /** Ethernet II header (02:00:00:00:00:01 to 02:00:00:00:00:02) followed by {@code payload}. */
    public static byte[] ethernet(int etherType, byte[] payload) {
        return concat(DST_MAC, SRC_MAC, u16(etherType), payload);
    }

    /** Inserts one 802.1Q tag (priority 0) as the new outermost tag of an Ethernet frame. */
    public static byte[] vlan(byte[] ethernetFrame, int vlanId) {
        return vlan(ethernetFrame, TPID_8021Q, vlanId);
    }

    /** Inserts one tag with the given TPID as the new outermost tag of an Ethernet frame. */
    public static byte[] vlan(byte[] ethernetFrame, int tpid, int vlanId) {
        return concat(slice(ethernetFrame, 0, 12), u16(tpid), u16(vlanId & 0x0FFF),
                slice(ethernetFrame, 12, ethernetFrame.length));
    }

    /** Tags an Ethernet frame with {@code vlanIds}, the first being the outermost. */
    public static byte[] vlans(byte[] ethernetFrame, int tpid, int... vlanIds) {
        byte[] frame = ethernetFrame;
        for (int i = vlanIds.length - 1; i >= 0; i--) {
            frame = vlan(frame, tpid, vlanIds[i]);
        }
        return frame;
    }

    /**
     * Replaces the 14-byte Ethernet header by a 16-byte LINUX_SLL header (packet type 0 "to us", ARPHRD_ETHER,
     * the source MAC) keeping the EtherType; tags after the MACs stay as they are.
     */
    public static byte[] sll(byte[] ethernetFrame) {
        byte[] header = new byte[14];
        header[3] = 1; // ARPHRD_ETHER
        header[5] = 6; // address length
        System.arraycopy(SRC_MAC, 0, header, 6, 6);
        return concat(header, slice(ethernetFrame, 12, ethernetFrame.length));
    }

    /** Replaces the Ethernet header by a 20-byte LINUX_SLL2 header (protocol first, interface index 1). */
    public static byte[] sll2(byte[] ethernetFrame) {
        byte[] header = new byte[18];
        // Offsets below are the SLL2 offsets minus the 2 bytes of protocol.
        header[5] = 1; // interface index 1
        header[7] = 1; // ARPHRD_ETHER
        header[9] = 6; // address length (packet type 0 "to us" at 8)
        System.arraycopy(SRC_MAC, 0, header, 10, 6);
        return concat(slice(ethernetFrame, 12, 14), header, slice(ethernetFrame, 14, ethernetFrame.length));
    }

    /**
     * A BSD loopback frame (LINKTYPE_NULL or LOOP): the 4-byte address {@code family} in {@code order}, then the
     * IP packet.
     */
    public static byte[] loopback(int family, java.nio.ByteOrder order, byte[] ipPacket) {
        byte[] header = java.nio.ByteBuffer.allocate(4).order(order).putInt(family).array();
        return concat(header, ipPacket);
    }

    /**
     * A PPP frame (LINKTYPE_PPP or PPP_HDLC): with {@code hdlc} the address and control bytes 0xff 0x03, then
     * the 2-byte PPP {@code protocol} (0x0021 IPv4, 0x0057 IPv6), then the packet.
     */
    public static byte[] ppp(boolean hdlc, int protocol, byte[] packet) {
        byte[] header = hdlc ? new byte[] {(byte) 0xff, 0x03, 0, 0} : new byte[2];
        put16(header, header.length - 2, protocol);
        return concat(header, packet);
    }

    /**
     * A PPPoE frame (LINKTYPE_PPP_ETHER): version/type 0x11, {@code code} (0 for a session frame), session id,
     * the length of what follows, the 2-byte PPP {@code protocol}, then the packet.
     */
    public static byte[] pppoe(int code, int session, int protocol, byte[] packet) {
        byte[] header = new byte[8];
        header[0] = 0x11;
        header[1] = (byte) code;
        put16(header, 2, session);
        put16(header, 4, packet.length + 2);
        put16(header, 6, protocol);
        return concat(header, packet);
    }

    /**
     * A classic pcap file (microseconds, snap length 262144) of {@code linkType} in {@code order}; record
     * {@code i} has the timestamp {@code i} seconds.
     */
    public static byte[] pcapFile(int linkType, java.nio.ByteOrder order, java.util.List<byte[]> frames) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(java.nio.ByteBuffer.allocate(24).order(order).putInt(0xa1b2c3d4).putShort((short) 2)
                .putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(linkType).array());
        for (int i = 0; i < frames.size(); i++) {
            byte[] frame = frames.get(i);
            out.writeBytes(java.nio.ByteBuffer.allocate(16).order(order).putInt(i).putInt(0).putInt(frame.length)
                    .putInt(frame.length).array());
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    // ---- IP -----------------------------------------------------------------------------------------

    /** IPv4 header (IHL 5, DF, TTL 64, correct total length) followed by {@code payload}. */
    public static byte[] ipv4(String src, String dst, int protocol, byte[] payload) {
        return ipv4(src, dst, protocol, new byte[0], 0x4000, payload);
    }

    /**
     * IPv4 header with {@code options} (padded with zeros to a multiple of 4) and the 16-bit flags/fragment
     * field {@code flagsAndFragment} (e.g. {@code 0x2000} MF, {@code 0x0001} offset 8 bytes).
     */
    public static byte[] ipv4(String src, String dst, int protocol, byte[] options, int flagsAndFragment,
                              byte[] payload) {
        int optionsLength = (options.length + 3) & ~3;
        int headerLength = 20 + optionsLength;
        byte[] header = new byte[headerLength];
        header[0] = (byte) (0x40 | headerLength / 4);
        put16(header, 2, headerLength + payload.length);
        put16(header, 4, 0x1234);
        put16(header, 6, flagsAndFragment);
        header[8] = 64;
        header[9] = (byte) protocol;
        System.arraycopy(address(src, 4), 0, header, 12, 4);
        System.arraycopy(address(dst, 4), 0, header, 16, 4);
        System.arraycopy(options, 0, header, 20, options.length);
        return concat(header, payload);
    }

    /** IPv6 header (hop limit 64, correct payload length) followed by {@code payload}. */
    public static byte[] ipv6(String src, String dst, int nextHeader, byte[] payload) {
        byte[] header = new byte[40];
        header[0] = 0x60;
        put16(header, 4, payload.length);
        header[6] = (byte) nextHeader;
        header[7] = 64;
        System.arraycopy(address(src, 16), 0, header, 8, 16);
        System.arraycopy(address(dst, 16), 0, header, 24, 16);
        return concat(header, payload);
    }

    /**
     * A hop-by-hop (0), routing (43) or destination-options (60) extension header of {@code 8 * units} bytes
     * (padded with PadN), followed by {@code payload}.
     */
    public static byte[] ipv6Extension(int nextHeader, int units, byte[] payload) {
        byte[] header = new byte[8 * units];
        header[0] = (byte) nextHeader;
        header[1] = (byte) (units - 1);
        header[2] = 1; // PadN
        header[3] = (byte) (header.length - 4);
        return concat(header, payload);
    }

    /** An IPv6 fragment header ({@code offset} in 8-byte units, {@code more} = M flag) then {@code payload}. */
    public static byte[] ipv6Fragment(int nextHeader, int offset, boolean more, byte[] payload) {
        byte[] header = new byte[8];
        header[0] = (byte) nextHeader;
        put16(header, 2, (offset << 3) | (more ? 1 : 0));
        put32(header, 4, 0xCAFE);
        return concat(header, payload);
    }

    // ---- TCP ----------------------------------------------------------------------------------------

    /** TCP header without options, seq 1000, ack 2000 when ACK is set (else 0), window 65535. */
    public static byte[] tcp(int sport, int dport, int flags, int payloadLen) {
        return tcp(sport, dport, 1000, (flags & 0x010) != 0 ? 2000 : 0, flags, 65535, new byte[0], payloadLen);
    }

    /**
     * TCP header with every field given. {@code options} is padded with zeros (EOL) to a multiple of 4 and
     * sets the data offset; the urgent pointer is 7 when URG is set.
     */
    public static byte[] tcp(int sport, int dport, long seq, long ack, int flags, int window, byte[] options,
                             int payloadLen) {
        int optionsLength = (options.length + 3) & ~3;
        byte[] header = new byte[20 + optionsLength];
        put16(header, 0, sport);
        put16(header, 2, dport);
        put32(header, 4, (int) seq);
        put32(header, 8, (int) ack);
        put16(header, 12, (header.length / 4) << 12 | (flags & 0x0FFF));
        put16(header, 14, window);
        put16(header, 18, (flags & 0x020) != 0 ? 7 : 0);
        System.arraycopy(options, 0, header, 20, options.length);
        return concat(header, payload(payloadLen));
    }

    /** Typical SYN options: MSS 1460, SACK permitted, timestamps, NOP, window scale 7 (20 bytes). */
    public static byte[] synOptions() {
        return hex("0204 05b4 0402 080a 0001 e240 0000 0000 0103 0307");
    }

    /** {@code length} payload bytes 0, 1, 2, ... (mod 256). */
    public static byte[] payload(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    // ---- byte helpers -------------------------------------------------------------------------------

    /** Parses hex digits, ignoring whitespace, e.g. {@code "0800 4500"}. */
    public static byte[] hex(String digits) {
        return HexFormat.of().parseHex(digits.replaceAll("\\s+", ""));
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    public static byte[] slice(byte[] bytes, int from, int to) {
        return java.util.Arrays.copyOfRange(bytes, from, to);
    }

    /** A copy of {@code bytes} in a native segment of exactly that size (reads past it throw). */
    public static MemorySegment nativeCopy(Arena arena, byte[] bytes) {
        MemorySegment segment = arena.allocate(Math.max(1, bytes.length)).asSlice(0, bytes.length);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, 0, bytes.length);
        return segment;
    }

    /** The network-order bytes of an address literal of the given size (4 or 16). */
    public static byte[] address(String literal, int size) {
        try {
            byte[] bytes = InetAddress.getByName(literal).getAddress();
            if (bytes.length == size) {
                return bytes;
            }
            if (bytes.length == 4 && size == 16) { // Java turns ::ffff:a.b.c.d into an Inet4Address
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xFF;
                mapped[11] = (byte) 0xFF;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                return mapped;
            }
            throw new IllegalArgumentException("not an IPv" + (size == 4 ? 4 : 6) + " literal: " + literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address literal: " + literal, e);
        }
    }

    static byte[] u16(int value) {
        return new byte[] {(byte) (value >>> 8), (byte) value};
    }

    public static void put16(byte[] bytes, int offset, int value) {
        bytes[offset] = (byte) (value >>> 8);
        bytes[offset + 1] = (byte) value;
    }

    public static void put32(byte[] bytes, int offset, int value) {
        put16(bytes, offset, value >>> 16);
        put16(bytes, offset + 2, value);
    }
}
