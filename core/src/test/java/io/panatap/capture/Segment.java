package io.panatap.capture;

import io.panatap.PacketType;
import io.panatap.Packet;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * What the live capture tests check about one captured TCP segment, decoded here from the bytes (plain
 * Ethernet or raw IP, no tags) so the tests do not depend on the parser.
 */
record Segment(PacketType packetType, String source, int sourcePort, String destination, int destinationPort,
               int flags, long sequence, long acknowledgement, int payloadLength, int captureLength, int originalLength, String interfaceName) {

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    /** Decodes a TCP segment, or returns null if the frame is not one. */
    static Segment of(Packet p, boolean ethernet) {
        MemorySegment s = p.segment();
        long base = p.frameOffset();
        int len = p.captureLength();
        int ip = 0;
        if (ethernet) {
            ip = 14;
        }
        if (len < ip + 20) {
            return null;
        }
        int version = u8(s, base + ip) >> 4;
        int tcp;
        String src;
        String dst;
        int payload;
        if (version == 4) {
            if (u8(s, base + ip + 9) != 6) {
                return null;
            }
            int ihl = (u8(s, base + ip) & 0xF) * 4;
            int total = u16(s, base + ip + 2);
            src = address(s, base + ip + 12, 4);
            dst = address(s, base + ip + 16, 4);
            tcp = ip + ihl;
            payload = total - ihl - (u8(s, base + tcp + 12) >> 4) * 4;
        } else if (version == 6) {
            if (u8(s, base + ip + 6) != 6) {
                return null;
            }
            src = address(s, base + ip + 8, 16);
            dst = address(s, base + ip + 24, 16);
            tcp = ip + 40;
            payload = u16(s, base + ip + 4) - (u8(s, base + tcp + 12) >> 4) * 4;
        } else {
            return null;
        }
        long seq = ((long) u16(s, base + tcp + 4) << 16) | u16(s, base + tcp + 6);
        long ack = ((long) u16(s, base + tcp + 8) << 16) | u16(s, base + tcp + 10);
        return new Segment(p.packetType(), src, u16(s, base + tcp), dst, u16(s, base + tcp + 2),
                u8(s, base + tcp + 13), seq, ack, payload, p.captureLength(), p.originalLength(), p.interfaceName());
    }

    boolean has(int flag) {
        return (flags & flag) == flag;
    }

    boolean involves(int port) {
        return sourcePort == port || destinationPort == port;
    }

    private static int u8(MemorySegment s, long at) {
        return s.get(JAVA_BYTE, at) & 0xFF;
    }

    private static int u16(MemorySegment s, long at) {
        return u8(s, at) << 8 | u8(s, at + 1);
    }

    private static String address(MemorySegment s, long at, int n) {
        byte[] b = new byte[n];
        MemorySegment.copy(s, JAVA_BYTE, at, b, 0, n);
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
