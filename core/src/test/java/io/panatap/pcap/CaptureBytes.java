package io.panatap.pcap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds classic pcap and pcapng files byte by byte for tests, in either byte order, including damaged
 * ones (raw blocks and records with any length fields). Remembers where each record or block starts.
 */
final class CaptureBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Long> boundaries = new ArrayList<>();
    private final List<Long> packetEnds = new ArrayList<>();
    private ByteOrder order;

    private CaptureBytes(ByteOrder order) {
        this.order = order;
    }

    /** A pcapng option: code and raw value (padding is added). */
    record Option(int code, byte[] value) {
        static Option name(String name) {
            return new Option(2, name.getBytes(StandardCharsets.UTF_8));
        }

        static Option tsresol(int value) {
            return new Option(9, new byte[] {(byte) value});
        }

        static Option u32(ByteOrder order, int code, int value) {
            return new Option(code, ByteBuffer.allocate(4).order(order).putInt(value).array());
        }

        static Option u64(ByteOrder order, int code, long value) {
            return new Option(code, ByteBuffer.allocate(8).order(order).putLong(value).array());
        }
    }

    // ------------------------------------------------------------------------------------------ classic

    static CaptureBytes pcap(ByteOrder order, boolean nanos, int snapLength, int linkType) {
        return pcapWithMagic(order, nanos ? 0xa1b23c4d : 0xa1b2c3d4, snapLength, linkType);
    }

    static CaptureBytes pcapWithMagic(ByteOrder order, int magic, int snapLength, int linkType) {
        CaptureBytes b = new CaptureBytes(order);
        b.u32(magic).u16(2).u16(4).u32(0).u32(0).u32(snapLength).u32(linkType);
        return b;
    }

    /** A well-formed classic record with captured length {@code data.length}. */
    CaptureBytes record(long seconds, long fraction, byte[] data, int originalLength) {
        return record(seconds, fraction, data.length, originalLength, data);
    }

    /** A classic record whose header says {@code capturedLength}, followed by exactly {@code data}. */
    CaptureBytes record(long seconds, long fraction, long capturedLength, long originalLength, byte[] data) {
        boundaries.add((long) out.size());
        u32((int) seconds).u32((int) fraction).u32((int) capturedLength).u32((int) originalLength).raw(data);
        packetEnds.add((long) out.size());
        return this;
    }

    /** A record of the modified pcap format (magic 0xa1b2cd34): ifindex, protocol and packet type follow. */
    CaptureBytes modifiedRecord(long seconds, long fraction, byte[] data, int ifIndex, int packetType) {
        boundaries.add((long) out.size());
        u32((int) seconds).u32((int) fraction).u32(data.length).u32(data.length).u32(ifIndex).u16(0x0800);
        raw(new byte[] {(byte) packetType, 0}).raw(data);
        packetEnds.add((long) out.size());
        return this;
    }

    // ------------------------------------------------------------------------------------------- pcapng

    /** Nothing yet: for files that start with something other than a well-formed header. */
    static CaptureBytes empty(ByteOrder order) {
        return new CaptureBytes(order);
    }

    static CaptureBytes pcapng(ByteOrder order) {
        CaptureBytes b = new CaptureBytes(order);
        b.section(order);
        return b;
    }

    /** A section header block; switches the byte order for the blocks that follow. */
    CaptureBytes section(ByteOrder sectionOrder) {
        this.order = sectionOrder;
        byte[] body = ByteBuffer.allocate(16).order(sectionOrder)
                .putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).array();
        return block(0x0A0D0D0A, body);
    }

    CaptureBytes iface(int linkType, int snapLength, Option... options) {
        ByteBuffer body = buffer(8).putShort((short) linkType).putShort((short) 0).putInt(snapLength);
        return block(1, concat(body.array(), options(options)));
    }

    CaptureBytes epb(int interfaceId, long timestamp, byte[] data, int originalLength, Option... options) {
        return packet(6, interfaceId, timestamp, data.length, originalLength, data, options);
    }

    /** An obsolete packet block (type 2): 16-bit interface id and drop count. */
    CaptureBytes opb(int interfaceId, long timestamp, byte[] data, int originalLength, Option... options) {
        return packet(2, interfaceId, timestamp, data.length, originalLength, data, options);
    }

    /** An enhanced or obsolete packet block whose header says {@code capturedLength}. */
    CaptureBytes packet(int type, int interfaceId, long timestamp, long capturedLength, int originalLength,
                        byte[] data, Option... options) {
        ByteBuffer head = buffer(20);
        if (type == 2) {
            head.putShort((short) interfaceId).putShort((short) 0);
        } else {
            head.putInt(interfaceId);
        }
        head.putInt((int) (timestamp >>> 32)).putInt((int) timestamp).putInt((int) capturedLength)
                .putInt(originalLength);
        block(type, concat(head.array(), pad(data), options(options)));
        packetEnds.add((long) out.size());
        return this;
    }

    CaptureBytes spb(int originalLength, byte[] data) {
        block(3, concat(buffer(4).putInt(originalLength).array(), pad(data)));
        packetEnds.add((long) out.size());
        return this;
    }

    /** A well-formed block of any type with {@code body} (padded to 4). */
    CaptureBytes block(int type, byte[] body) {
        byte[] padded = pad(body);
        return rawBlock(type, 12 + padded.length, padded, 12 + padded.length);
    }

    /** A block with the given leading and trailing lengths, whatever the body. */
    CaptureBytes rawBlock(int type, long length, byte[] body, long trailingLength) {
        boundaries.add((long) out.size());
        u32(type).u32((int) length).raw(body).u32((int) trailingLength);
        return this;
    }

    // ------------------------------------------------------------------------------------------- output

    CaptureBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    CaptureBytes u32(int v) {
        out.writeBytes(buffer(4).putInt(v).array());
        return this;
    }

    CaptureBytes u16(int v) {
        out.writeBytes(buffer(2).putShort((short) v).array());
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** Offsets where records (classic) or blocks (pcapng) start. */
    List<Long> boundaries() {
        return boundaries;
    }

    /** Offsets just after each packet record or packet block. */
    List<Long> packetEnds() {
        return packetEnds;
    }

    private ByteBuffer buffer(int n) {
        return ByteBuffer.allocate(n).order(order);
    }

    private byte[] options(Option... options) {
        if (options.length == 0) {
            return new byte[0];
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (Option option : options) {
            o.writeBytes(buffer(4).putShort((short) option.code()).putShort((short) option.value().length).array());
            o.writeBytes(pad(option.value()));
        }
        o.writeBytes(new byte[4]);
        return o.toByteArray();
    }

    static byte[] pad(byte[] b) {
        int n = (b.length + 3) & ~3;
        byte[] p = new byte[n];
        System.arraycopy(b, 0, p, 0, b.length);
        return p;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** {@code n} bytes 0, 1, 2, ... so each frame's content is recognisable. */
    static byte[] frame(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }
}
