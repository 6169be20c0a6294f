package io.panatap.filter;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Builds frames for filter tests, layer by layer: {@code new TestFrames().ethernet(0x0800).ipv4(...)...}.
 * Length and checksum fields are filled with plausible values; filters never read checksums.
 */
final class TestFrames {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static final byte[] MAC_A = {2, 0, 0, 0, 0, 1};
    static final byte[] MAC_B = {2, 0, 0, 0, 0, 2};

    TestFrames bytes(byte... b) {
        out.writeBytes(b);
        return this;
    }

    TestFrames u8(int v) {
        out.write(v);
        return this;
    }

    TestFrames u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    TestFrames u32(int v) {
        return u16(v >>> 16).u16(v);
    }

    /** Destination MAC, source MAC, then optional 802.1Q tags ({tpid, tci} pairs), then the EtherType. */
    TestFrames ethernet(int etherType, int... tags) {
        bytes(MAC_B).bytes(MAC_A);
        for (int i = 0; i + 1 < tags.length; i += 2) {
            u16(tags[i]).u16(tags[i + 1]);
        }
        return u16(etherType);
    }

    /** Linux cooked capture v1: packet type, ARPHRD_ETHER, address length, address, protocol. */
    TestFrames sll(int protocol) {
        u16(0).u16(1).u16(6).bytes(MAC_A).u16(0);
        return u16(protocol);
    }

    /** Linux cooked capture v2: protocol, reserved, interface index, ARPHRD_ETHER, packet type, address. */
    TestFrames sll2(int protocol) {
        u16(protocol).u16(0).u32(2).u16(1).u8(0).u8(6).bytes(MAC_A).u16(0);
        return this;
    }

    /** IPv4 header with {@code optionWords} 4-byte option words (IHL = 5 + optionWords). */
    TestFrames ipv4(int protocol, int src, int dst, int flagsAndFragment, int optionWords, int totalLength) {
        u8(0x40 | (5 + optionWords)).u8(0).u16(totalLength).u16(0x1234).u16(flagsAndFragment);
        u8(64).u8(protocol).u16(0).u32(src).u32(dst);
        for (int i = 0; i < optionWords; i++) {
            u32(0x01010101); // NOPs
        }
        return this;
    }

    TestFrames ipv6(int nextHeader, int[] src, int[] dst, int payloadLength) {
        u32(0x60000000).u16(payloadLength).u8(nextHeader).u8(64);
        for (int w : src) {
            u32(w);
        }
        for (int w : dst) {
            u32(w);
        }
        return this;
    }

    /** An 8-byte IPv6 extension header (hop-by-hop, routing, destination options, or fragment). */
    TestFrames ipv6Extension(int nextHeader, int fragmentOffsetAndFlags) {
        return u8(nextHeader).u8(0).u16(fragmentOffsetAndFlags).u32(0x11223344);
    }

    TestFrames tcp(int srcPort, int dstPort, int flags, int optionWords) {
        u16(srcPort).u16(dstPort).u32(1000).u32(2000);
        u8((5 + optionWords) << 4).u8(flags).u16(65535).u16(0).u16(0);
        for (int i = 0; i < optionWords; i++) {
            u32(0x01010101);
        }
        return this;
    }

    TestFrames udp(int srcPort, int dstPort, int length) {
        return u16(srcPort).u16(dstPort).u16(length).u16(0);
    }

    /** ARP for IPv4 over Ethernet: sender protocol address at 14, target at 24. */
    TestFrames arp(int senderIp, int targetIp) {
        u16(1).u16(0x0800).u8(6).u8(4).u16(1);
        bytes(MAC_A).u32(senderIp).bytes(MAC_B).u32(targetIp);
        return this;
    }

    TestFrames payload(int n) {
        for (int i = 0; i < n; i++) {
            out.write(i * 7 + 3);
        }
        return this;
    }

    byte[] build() {
        return out.toByteArray();
    }

    static byte[] truncate(byte[] frame, int length) {
        return Arrays.copyOf(frame, Math.min(length, frame.length));
    }

    static int ipv4(String dotted) {
        String[] p = dotted.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
                | Integer.parseInt(p[3]);
    }

    static int[] ipv6(String text) {
        byte[] b = java.net.Inet6Address.ofLiteral(text).getAddress();
        int[] w = new int[4];
        for (int i = 0; i < 16; i++) {
            w[i / 4] = (w[i / 4] << 8) | (b[i] & 0xFF);
        }
        return w;
    }
}
