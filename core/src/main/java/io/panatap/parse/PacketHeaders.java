package io.panatap.parse;

import java.lang.foreign.MemorySegment;

import static io.panatap.parse.Bytes.i32;
import static io.panatap.parse.Bytes.i64;
import static io.panatap.parse.Bytes.u16;
import static io.panatap.parse.Bytes.u32;
import static io.panatap.parse.Bytes.u8;

/**
 * Zero-copy decoder and reusable view of one frame's link, IP and TCP headers.
 *
 * <p>{@link #wrap} checks and decodes the frame once and records primitive fields; the getters then only
 * return them. Nothing is allocated per frame and no input, however crafted, throws or reads outside
 * {@code [offset, offset + length)} (nor outside the segment, when {@code length} claims more).
 *
 * <p>The layout decoded is
 * {@code link header -> [802.1Q/802.1ad/0x9100 tags] -> IPv4 | IPv6 [hop-by-hop, routing, destination
 * options, fragment] -> TCP}. TCP carried by anything else (UDP tunnels, GRE, IP-in-IP, AH, ESP, ICMP errors)
 * is {@link ParseStatus#NOT_TCP}: only TCP carried directly by the first IP header counts. Non-first IP
 * fragments are never TCP; a first fragment that holds a TCP header is.
 *
 * <p>IP length fields are not trusted to find TCP: an IPv4 total length of 0 (TSO, BIG TCP) or an IPv6
 * payload length of 0 (jumbogram) means "to the end of the capture", and a length larger than the capture
 * is cut to the capture. A non-zero length shorter than the capture ends the datagram (Ethernet padding is
 * not TCP), as tshark does.
 *
 * <p>Partial TCP headers follow tshark 4.0, whose output is this project's ground truth: at least the 4
 * bytes of ports make the frame TCP ({@link ParseStatus#OK}); the flags are only reported
 * ({@link #hasFlags()}) once bytes 12-15 (flags and window) are inside the capture and the IP datagram.
 * A TCP data offset below 5 is {@link ParseStatus#MALFORMED} at {@link Layer#TCP}, but its addresses and
 * ports stay readable ({@link #hasPorts()}), since tshark still lists such a frame with its ports. A data
 * offset reaching past the captured bytes is OK: {@link #payloadOffset()} and {@link #optionsLength()} are
 * clamped to the captured bytes.
 *
 * <p>Offsets returned by getters are relative to the {@code offset} given to {@link #wrap}. Getters of
 * fields that were not reached return 0 (-1 for sequence, acknowledgement and VLAN id).
 */
public final class PacketHeaders {

    /**
     * Frames are parsed as if they were at most this long: every header lies far inside, and positions stay
     * small enough for int arithmetic to never overflow.
     */
    static final long MAX_FRAME_LENGTH = 1 << 30;
    /** Upper bound on IPv6 extension headers walked; each is at least 8 bytes, so this is never reached by
     * a sane frame, but it makes the bound of the walk explicit. */
    public static final int MAX_IPV6_EXTENSION_HEADERS = 64;

    private MemorySegment segment;
    private long base;

    private ParseStatus status = ParseStatus.TRUNCATED;
    private Layer problemLayer = Layer.LINK;
    private int ipVersion;
    private int ipv4Source;
    private int ipv4Destination;
    private long ipv6SourceHigh;
    private long ipv6SourceLow;
    private long ipv6DestinationHigh;
    private long ipv6DestinationLow;
    private boolean hasPorts;
    private int sourcePort;
    private int destinationPort;
    private boolean hasFlags;
    private int flags;
    private long sequenceNumber = -1;
    private long acknowledgementNumber = -1;
    private int dataOffset;
    private int window;
    private int urgentPointer;
    private int ipOffset;
    private int tcpOffset;
    private int payloadOffset;
    private int payloadLength;
    private int capturedPayloadLength;
    private int optionsLength;
    private int vlanCount;
    private int outerVlanId = -1;
    private int frameLength;

    /**
     * Decodes the frame of {@code length} bytes at {@code offset} in {@code segment}, captured with link
     * type {@code linkType} ({@link LinkType}). Reads only inside {@code [offset, offset + length)}, further
     * limited to the segment's size.
     */
    public ParseStatus wrap(MemorySegment segment, long offset, long length, int linkType) {
        reset();
        this.segment = segment;
        this.base = offset;
        long size = segment.byteSize();
        long available = (offset < 0 || offset > size || length < 0) ? 0 : Math.min(length, size - offset);
        int end = (int) Math.min(available, MAX_FRAME_LENGTH);
        frameLength = end;
        return decode(end, linkType);
    }

    /** Decodes a frame of {@code length} bytes held in a whole segment (e.g. a slice of a capture buffer). */
    public ParseStatus wrap(MemorySegment frame, int linkType) {
        return wrap(frame, 0, frame.byteSize(), linkType);
    }

    private void reset() {
        status = ParseStatus.TRUNCATED;
        problemLayer = Layer.NONE;
        ipVersion = 0;
        ipv4Source = 0;
        ipv4Destination = 0;
        ipv6SourceHigh = 0;
        ipv6SourceLow = 0;
        ipv6DestinationHigh = 0;
        ipv6DestinationLow = 0;
        hasPorts = false;
        sourcePort = 0;
        destinationPort = 0;
        hasFlags = false;
        flags = 0;
        sequenceNumber = -1;
        acknowledgementNumber = -1;
        dataOffset = 0;
        window = 0;
        urgentPointer = 0;
        ipOffset = 0;
        tcpOffset = 0;
        payloadOffset = 0;
        payloadLength = 0;
        capturedPayloadLength = 0;
        optionsLength = 0;
        vlanCount = 0;
        outerVlanId = -1;
    }

    private ParseStatus decode(int end, int linkType) {
        int pos;
        int etherType;
        switch (linkType) {
            case LinkType.ETHERNET -> {
                if (end < EthernetHeader.LENGTH) {
                    return finish(ParseStatus.TRUNCATED, Layer.LINK);
                }
                etherType = u16(segment, base + EthernetHeader.ETHER_TYPE_OFFSET);
                pos = EthernetHeader.LENGTH;
            }
            case LinkType.LINUX_SLL -> {
                if (end < LinuxSllHeader.SLL_LENGTH) {
                    return finish(ParseStatus.TRUNCATED, Layer.LINK);
                }
                etherType = u16(segment, base + LinuxSllHeader.SLL_PROTOCOL_OFFSET);
                pos = LinuxSllHeader.SLL_LENGTH;
            }
            case LinkType.LINUX_SLL2 -> {
                if (end < LinuxSllHeader.SLL2_LENGTH) {
                    return finish(ParseStatus.TRUNCATED, Layer.LINK);
                }
                etherType = u16(segment, base + LinuxSllHeader.SLL2_PROTOCOL_OFFSET);
                pos = LinuxSllHeader.SLL2_LENGTH;
            }
            case LinkType.RAW, LinkType.RAW_BSD_12, LinkType.RAW_BSD_14 -> {
                if (end < 1) {
                    return finish(ParseStatus.TRUNCATED, Layer.LINK);
                }
                int version = u8(segment, base) >>> 4;
                if (version == Ipv4Header.VERSION) {
                    return ipv4(0, end);
                }
                if (version == Ipv6Header.VERSION) {
                    return ipv6(0, end);
                }
                // Raw IP whose first nibble is neither 4 nor 6 is not an IP packet at all.
                return finish(ParseStatus.MALFORMED, Layer.LINK);
            }
            case LinkType.IPV4 -> {
                return ipv4(0, end);
            }
            case LinkType.IPV6 -> {
                return ipv6(0, end);
            }
            default -> {
                return finish(ParseStatus.NOT_TCP, Layer.NONE);
            }
        }
        // Any number of tags; each step consumes 4 bytes, so the loop ends with the frame.
        while (EthernetHeader.isVlanTpid(etherType)) {
            if (end - pos < VlanTag.LENGTH) {
                return finish(ParseStatus.TRUNCATED, Layer.VLAN);
            }
            int tci = u16(segment, base + pos + VlanTag.TCI_OFFSET);
            if (vlanCount == 0) {
                outerVlanId = tci & VlanTag.VLAN_ID_MASK;
            }
            vlanCount++;
            etherType = u16(segment, base + pos + VlanTag.ETHER_TYPE_OFFSET);
            pos += VlanTag.LENGTH;
        }
        if (etherType == EthernetHeader.ETHER_TYPE_IPV4) {
            return ipv4(pos, end);
        }
        if (etherType == EthernetHeader.ETHER_TYPE_IPV6) {
            return ipv6(pos, end);
        }
        return finish(ParseStatus.NOT_TCP, Layer.NONE);
    }

    private ParseStatus ipv4(int pos, int end) {
        ipOffset = pos;
        if (end - pos < 1) {
            return finish(ParseStatus.TRUNCATED, Layer.IPV4);
        }
        int versionIhl = u8(segment, base + pos + Ipv4Header.VERSION_IHL_OFFSET);
        if (versionIhl >>> 4 != Ipv4Header.VERSION) {
            return finish(ParseStatus.MALFORMED, Layer.IPV4);
        }
        int headerLength = (versionIhl & 0x0F) * 4;
        if (end - pos < Ipv4Header.MIN_LENGTH || end - pos < headerLength) {
            return finish(ParseStatus.TRUNCATED, Layer.IPV4);
        }
        long at = base + pos;
        ipVersion = 4;
        ipv4Source = i32(segment, at + Ipv4Header.SOURCE_OFFSET);
        ipv4Destination = i32(segment, at + Ipv4Header.DESTINATION_OFFSET);
        if (headerLength < Ipv4Header.MIN_LENGTH) {
            return finish(ParseStatus.MALFORMED, Layer.IPV4);
        }
        int totalLength = u16(segment, at + Ipv4Header.TOTAL_LENGTH_OFFSET);
        int datagramEnd = end;
        int declaredEnd = -1;
        if (totalLength != 0) {
            if (totalLength < headerLength) {
                return finish(ParseStatus.MALFORMED, Layer.IPV4);
            }
            declaredEnd = pos + totalLength;
            datagramEnd = Math.min(end, declaredEnd);
        }
        int fragment = u16(segment, at + Ipv4Header.FLAGS_FRAGMENT_OFFSET);
        if ((fragment & Ipv4Header.FRAGMENT_OFFSET_MASK) != 0
                || u8(segment, at + Ipv4Header.PROTOCOL_OFFSET) != Ipv4Header.PROTOCOL_TCP) {
            return finish(ParseStatus.NOT_TCP, Layer.NONE);
        }
        return tcp(pos + headerLength, datagramEnd, declaredEnd, end);
    }

    private ParseStatus ipv6(int pos, int end) {
        ipOffset = pos;
        if (end - pos < 1) {
            return finish(ParseStatus.TRUNCATED, Layer.IPV6);
        }
        if (u8(segment, base + pos + Ipv6Header.VERSION_OFFSET) >>> 4 != Ipv6Header.VERSION) {
            return finish(ParseStatus.MALFORMED, Layer.IPV6);
        }
        if (end - pos < Ipv6Header.LENGTH) {
            return finish(ParseStatus.TRUNCATED, Layer.IPV6);
        }
        long at = base + pos;
        ipVersion = 6;
        ipv6SourceHigh = i64(segment, at + Ipv6Header.SOURCE_OFFSET);
        ipv6SourceLow = i64(segment, at + Ipv6Header.SOURCE_OFFSET + 8);
        ipv6DestinationHigh = i64(segment, at + Ipv6Header.DESTINATION_OFFSET);
        ipv6DestinationLow = i64(segment, at + Ipv6Header.DESTINATION_OFFSET + 8);
        int payloadLen = u16(segment, at + Ipv6Header.PAYLOAD_LENGTH_OFFSET);
        int datagramEnd = end;
        int declaredEnd = -1;
        if (payloadLen != 0) { // 0: jumbogram or BIG TCP, the length is elsewhere or nowhere
            declaredEnd = pos + Ipv6Header.LENGTH + payloadLen;
            datagramEnd = Math.min(end, declaredEnd);
        }
        int next = u8(segment, at + Ipv6Header.NEXT_HEADER_OFFSET);
        int p = pos + Ipv6Header.LENGTH;
        // Every step advances p by at least 8 bytes and the count is capped: the walk always ends.
        for (int headers = 0; headers <= MAX_IPV6_EXTENSION_HEADERS; headers++) {
            switch (next) {
                case Ipv6Header.NEXT_TCP -> {
                    return tcp(p, datagramEnd, declaredEnd, end);
                }
                case Ipv6Header.NEXT_HOP_BY_HOP, Ipv6Header.NEXT_ROUTING, Ipv6Header.NEXT_DESTINATION_OPTIONS -> {
                    if (datagramEnd - p < 2) {
                        return cut(Layer.IPV6_EXTENSION, p + 2, end);
                    }
                    int length = (u8(segment, base + p + Ipv6Header.EXTENSION_LENGTH_OFFSET) + 1)
                            * Ipv6Header.EXTENSION_UNIT;
                    if (datagramEnd - p < length) {
                        return cut(Layer.IPV6_EXTENSION, p + length, end);
                    }
                    next = u8(segment, base + p + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET);
                    p += length;
                }
                case Ipv6Header.NEXT_FRAGMENT -> {
                    if (datagramEnd - p < Ipv6Header.FRAGMENT_HEADER_LENGTH) {
                        return cut(Layer.IPV6_EXTENSION, p + Ipv6Header.FRAGMENT_HEADER_LENGTH, end);
                    }
                    if ((u16(segment, base + p + Ipv6Header.FRAGMENT_OFFSET_FIELD_OFFSET)
                            & Ipv6Header.FRAGMENT_OFFSET_MASK) != 0) {
                        return finish(ParseStatus.NOT_TCP, Layer.NONE);
                    }
                    next = u8(segment, base + p + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET);
                    p += Ipv6Header.FRAGMENT_HEADER_LENGTH;
                }
                default -> {
                    return finish(ParseStatus.NOT_TCP, Layer.NONE);
                }
            }
        }
        return finish(ParseStatus.MALFORMED, Layer.IPV6_EXTENSION);
    }

    /**
     * Decodes the TCP header at {@code pos}. The segment's visible bytes end at {@code datagramEnd} (the
     * capture or the IP length, whichever is first); {@code declaredEnd} is where the IP length says the
     * datagram ends (-1 when it says nothing).
     */
    private ParseStatus tcp(int pos, int datagramEnd, int declaredEnd, int end) {
        tcpOffset = pos;
        payloadOffset = datagramEnd;
        int visible = datagramEnd - pos;
        if (visible < TcpHeader.PORTS_LENGTH) {
            return cut(Layer.TCP, pos + TcpHeader.PORTS_LENGTH, end);
        }
        long at = base + pos;
        hasPorts = true;
        sourcePort = u16(segment, at + TcpHeader.SOURCE_PORT_OFFSET);
        destinationPort = u16(segment, at + TcpHeader.DESTINATION_PORT_OFFSET);
        if (visible >= TcpHeader.SEQUENCE_OFFSET + 4) {
            sequenceNumber = u32(segment, at + TcpHeader.SEQUENCE_OFFSET);
        }
        if (visible >= TcpHeader.ACKNOWLEDGEMENT_OFFSET + 4) {
            acknowledgementNumber = u32(segment, at + TcpHeader.ACKNOWLEDGEMENT_OFFSET);
        }
        if (visible <= TcpHeader.DATA_OFFSET_OFFSET) {
            return finish(ParseStatus.OK, Layer.NONE);
        }
        int words = u8(segment, at + TcpHeader.DATA_OFFSET_OFFSET) >>> 4;
        dataOffset = words;
        if (words * 4 < TcpHeader.MIN_LENGTH) {
            return finish(ParseStatus.MALFORMED, Layer.TCP);
        }
        if (visible >= TcpHeader.FLAGS_CAPTURED_LENGTH) {
            hasFlags = true;
            flags = u16(segment, at + TcpHeader.FLAGS_OFFSET) & TcpFlags.MASK;
            window = u16(segment, at + TcpHeader.WINDOW_OFFSET);
        }
        if (visible >= TcpHeader.URGENT_POINTER_OFFSET + 2) {
            urgentPointer = u16(segment, at + TcpHeader.URGENT_POINTER_OFFSET);
        }
        int headerEnd = pos + words * 4;
        payloadOffset = Math.min(headerEnd, datagramEnd);
        optionsLength = Math.max(0, payloadOffset - (pos + TcpHeader.OPTIONS_OFFSET));
        capturedPayloadLength = datagramEnd - payloadOffset;
        payloadLength = Math.max(0, (declaredEnd >= 0 ? declaredEnd : end) - headerEnd);
        return finish(ParseStatus.OK, Layer.NONE);
    }

    /** A header that needs bytes up to {@code needed}: cut by the capture, or by the IP length field. */
    private ParseStatus cut(Layer layer, int needed, int end) {
        return finish(needed > end ? ParseStatus.TRUNCATED : ParseStatus.MALFORMED, layer);
    }

    private ParseStatus finish(ParseStatus result, Layer layer) {
        status = result;
        problemLayer = layer;
        return result;
    }

    /** Result of the last {@link #wrap}. */
    public ParseStatus status() {
        return status;
    }

    /** Layer at which the frame was TRUNCATED or MALFORMED; {@link Layer#NONE} otherwise. */
    public Layer problemLayer() {
        return problemLayer;
    }

    /** True when {@link #status()} is OK. */
    public boolean isTcp() {
        return status == ParseStatus.OK;
    }

    /**
     * True when the TCP ports were read: always when {@link #isTcp()}, and also for a frame MALFORMED at
     * {@link Layer#TCP} (data offset below 5), which tshark still lists with its ports.
     */
    public boolean hasPorts() {
        return hasPorts;
    }

    /** 4 or 6 once an IP header was found, else 0. */
    public int ipVersion() {
        return ipVersion;
    }

    /** IPv4 source address as a big-endian int (valid when ipVersion() == 4). */
    public int ipv4Source() {
        return ipv4Source;
    }

    /** IPv4 destination address as a big-endian int. */
    public int ipv4Destination() {
        return ipv4Destination;
    }

    /** High 64 bits of the IPv6 source address (network order). */
    public long ipv6SourceHigh() {
        return ipv6SourceHigh;
    }

    public long ipv6SourceLow() {
        return ipv6SourceLow;
    }

    public long ipv6DestinationHigh() {
        return ipv6DestinationHigh;
    }

    public long ipv6DestinationLow() {
        return ipv6DestinationLow;
    }

    /** Appends the source address as text (dotted quad or RFC 5952); nothing when no IP header was found. */
    public StringBuilder appendSource(StringBuilder out) {
        if (ipVersion == 4) {
            return IpText.appendIpv4(out, ipv4Source);
        }
        if (ipVersion == 6) {
            return IpText.appendIpv6(out, ipv6SourceHigh, ipv6SourceLow);
        }
        return out;
    }

    /** Appends the destination address as text (dotted quad or RFC 5952); nothing when no IP header was found. */
    public StringBuilder appendDestination(StringBuilder out) {
        if (ipVersion == 4) {
            return IpText.appendIpv4(out, ipv4Destination);
        }
        if (ipVersion == 6) {
            return IpText.appendIpv6(out, ipv6DestinationHigh, ipv6DestinationLow);
        }
        return out;
    }

    public int sourcePort() {
        return sourcePort;
    }

    public int destinationPort() {
        return destinationPort;
    }

    /**
     * False when the capture (or the IP length) ends after the ports but before the end of the window
     * (TCP bytes 12-15), where tshark stops reporting the flags.
     */
    public boolean hasFlags() {
        return hasFlags;
    }

    /** The whole 12-bit flags field ({@link TcpFlags}); 0 when {@link #hasFlags()} is false. */
    public int flags() {
        return flags;
    }

    /** Sequence number as an unsigned 32-bit value in a long; -1 if not captured. */
    public long sequenceNumber() {
        return sequenceNumber;
    }

    /** Acknowledgement number as an unsigned 32-bit value in a long; -1 if not captured. */
    public long acknowledgementNumber() {
        return acknowledgementNumber;
    }

    /** TCP data offset in 32-bit words (5..15, or below 5 when MALFORMED); 0 if not captured. */
    public int dataOffset() {
        return dataOffset;
    }

    /** Window; 0 when {@link #hasFlags()} is false. */
    public int window() {
        return window;
    }

    /** Urgent pointer; 0 if not captured. */
    public int urgentPointer() {
        return urgentPointer;
    }

    /** Offset, in the frame (from the wrapped offset), of the IP header. */
    public int ipOffset() {
        return ipOffset;
    }

    /** Offset, in the frame, of the TCP header. */
    public int tcpOffset() {
        return tcpOffset;
    }

    /** Offset, in the frame, of the TCP options (always {@code tcpOffset() + 20}). */
    public int optionsOffset() {
        return tcpOffset + TcpHeader.OPTIONS_OFFSET;
    }

    /** Captured bytes of TCP options (clamped to the captured datagram; 0 when the data offset is 5). */
    public int optionsLength() {
        return optionsLength;
    }

    /**
     * Offset, in the frame, of the TCP payload (after options), clamped to the end of the captured datagram
     * when the data offset points past it.
     */
    public int payloadOffset() {
        return payloadOffset;
    }

    /**
     * TCP payload length on the wire as far as the IP header says (IP total length minus headers), or the
     * captured bytes after the TCP header when the IP length is 0 or unusable.
     */
    public int payloadLength() {
        return payloadLength;
    }

    /** Payload bytes actually present at {@link #payloadOffset()} (never beyond the capture or the IP length). */
    public int capturedPayloadLength() {
        return capturedPayloadLength;
    }

    /** Number of 802.1Q/802.1ad tags found in the frame (not counting one stripped by the kernel). */
    public int vlanCount() {
        return vlanCount;
    }

    /** VLAN id (12 bits) of the outermost tag in the frame, or -1. */
    public int outerVlanId() {
        return outerVlanId;
    }

    /** Bytes of the frame that were looked at: {@code length} of {@link #wrap}, limited to the segment. */
    public int frameLength() {
        return frameLength;
    }

    /** The segment of the last {@link #wrap} (for reading options or payload at the offsets above). */
    public MemorySegment segment() {
        return segment;
    }

    /** The {@code offset} of the last {@link #wrap}: frame offsets are relative to it. */
    public long frameOffset() {
        return base;
    }
}
