package io.panatap.cli;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Builds Ethernet/IPv4|IPv6/TCP frames and classic pcap files as bytes, for the command's tests. */
final class TestFrames {
    private TestFrames() {
    }

    /** A TCP segment description; {@link #frame()} gives the Ethernet frame. */
    record Segment(String src, String dst, int srcPort, int dstPort, int flags, long seq, long ack, int window,
                   int payloadLength, int urgent) {
        Segment(String src, String dst, int srcPort, int dstPort, int flags) {
            this(src, dst, srcPort, dstPort, flags, 1000, 2000, 502, 0, 0);
        }

        Segment payload(int n) {
            return new Segment(src, dst, srcPort, dstPort, flags, seq, ack, window, n, urgent);
        }

        Segment numbers(long seq, long ack, int window) {
            return new Segment(src, dst, srcPort, dstPort, flags, seq, ack, window, payloadLength, urgent);
        }

        Segment urgent(int pointer) {
            return new Segment(src, dst, srcPort, dstPort, flags, seq, ack, window, payloadLength, pointer);
        }

        byte[] frame() {
            byte[] s = address(src);
            byte[] d = address(dst);
            boolean v6 = s.length == 16;
            int ipHeader = v6 ? 40 : 20;
            ByteBuffer b = ByteBuffer.allocate(14 + ipHeader + 20 + payloadLength).order(ByteOrder.BIG_ENDIAN);
            b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
            b.putShort((short) (v6 ? 0x86DD : 0x0800));
            if (v6) {
                b.putInt(0x6000_0000).putShort((short) (20 + payloadLength)).put((byte) 6).put((byte) 64);
            } else {
                b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 20 + payloadLength)).putInt(0)
                        .put((byte) 64).put((byte) 6).putShort((short) 0);
            }
            b.put(s).put(d);
            b.putShort((short) srcPort).putShort((short) dstPort).putInt((int) seq).putInt((int) ack);
            b.putShort((short) (5 << 12 | flags & 0xFFF)).putShort((short) window).putShort((short) 0)
                    .putShort((short) urgent);
            for (int i = 0; i < payloadLength; i++) {
                b.put((byte) ('a' + i % 26));
            }
            return b.array();
        }
    }

    static byte[] address(String text) {
        try {
            byte[] a = InetAddress.getByName(text).getAddress();
            if (a.length == 4 && text.contains(":")) { // ::ffff:a.b.c.d comes back as IPv4
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xFF;
                mapped[11] = (byte) 0xFF;
                System.arraycopy(a, 0, mapped, 12, 4);
                return mapped;
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** A UDP/IPv4 frame (not TCP). */
    static byte[] udpFrame() {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 28).putInt(0).put((byte) 64).put((byte) 17)
                .putShort((short) 0).put(address("10.0.0.1")).put(address("10.0.0.2"));
        b.putShort((short) 53).putShort((short) 53).putShort((short) 8).putShort((short) 0);
        return b.array();
    }

    /** One pcap record: timestamp and frame bytes (captured whole unless {@code captured} is smaller). */
    record Record(long epochMicros, byte[] frame, int captured) {
        Record(long epochMicros, byte[] frame) {
            this(epochMicros, frame, frame.length);
        }
    }

    /** A little-endian microsecond classic pcap file, LINKTYPE_ETHERNET. */
    static byte[] pcap(List<Record> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262_144).putInt(1);
        out.writeBytes(h.array());
        for (Record r : records) {
            ByteBuffer rh = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            rh.putInt((int) (r.epochMicros / 1_000_000)).putInt((int) (r.epochMicros % 1_000_000))
                    .putInt(r.captured).putInt(r.frame.length);
            out.writeBytes(rh.array());
            out.write(r.frame, 0, r.captured);
        }
        return out.toByteArray();
    }

    /** The IP packet of an Ethernet frame, for LINKTYPE_RAW records. */
    static byte[] rawIp(byte[] ethernetFrame) {
        return java.util.Arrays.copyOfRange(ethernetFrame, 14, ethernetFrame.length);
    }

    /** A little-endian pcapng file, block by block; timestamps in microseconds (the default resolution). */
    static final class Pcapng {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** A section header block: a new section, whose interfaces start again at 0. */
        Pcapng section() {
            return block(0x0A0D0D0A, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).array());
        }

        /** An interface description block. */
        Pcapng iface(int linkType, int snapLength) {
            return block(1, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putShort((short) linkType).putShort((short) 0).putInt(snapLength).array());
        }

        /** An enhanced packet block on interface {@code id}. */
        Pcapng epb(int id, long epochMicros, byte[] frame) {
            int padded = (frame.length + 3) & ~3;
            ByteBuffer b = ByteBuffer.allocate(20 + padded).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(id).putInt((int) (epochMicros >>> 32)).putInt((int) epochMicros).putInt(frame.length)
                    .putInt(frame.length).put(frame);
            return block(6, b.array());
        }

        private Pcapng block(int type, byte[] body) {
            ByteBuffer b = ByteBuffer.allocate(12 + body.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(type).putInt(12 + body.length).put(body).putInt(12 + body.length);
            out.writeBytes(b.array());
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
