package io.panatap.parse;

import java.lang.foreign.MemorySegment;

import static io.panatap.parse.Bytes.i32;
import static io.panatap.parse.Bytes.i64;
import static io.panatap.parse.Bytes.u16;
import static io.panatap.parse.Bytes.u8;
import static io.panatap.parse.WordShifts.*;

/**
 * Zero-copy decoder and reusable view of one frame's link, IP and TCP headers.
 *
 * <p>{@link #wrap} checks and decodes the frame once and records primitive fields (the TCP header as its raw
 * words); the getters then only return or shift them, never touching the frame again. Nothing is allocated
 * per frame and no input, however crafted, throws or reads outside {@code [offset, offset + length)} (nor
 * outside the segment, when {@code length} claims more).
 *
 * <p>What it knows about link types is their {@link LinkLayer} row; what it knows about header layouts is
 * the named offsets of {@link Ipv4Header}, {@link Ipv6Header}, {@link TcpHeader} and {@link VlanTag}, from
 * which the positions of the fields inside its wide reads are derived.
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
 * not TCP), as tshark does. (tshark 4.0 shows no TCP for an IPv6 payload length of 0 without a Jumbo
 * Payload option, as Linux BIG TCP writes; this parser still finds it.)
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
 *
 * <p>Hot path: each fixed header is read with a few wide big-endian loads from the segment, bounds are
 * checked once per header against the frame length, and the TCP fields are kept as the raw header words
 * and extracted by the getters, so a frame costs a handful of loads and primitive stores; see
 * {@code decode} for why the common path is one method. Instances are not thread-safe; use one per thread.
 */
public final class PacketHeaders {

    /**
     * Frames are parsed as if they were at most this long: every header lies far inside, and positions stay
     * small enough for int arithmetic to never overflow.
     */
    static final long MAX_FRAME_LENGTH = 1 << 30;
    /**
     * Upper bound on IPv6 extension headers walked. Each is at least 8 bytes, so the frame length bounds the
     * walk anyway; the cap makes the bound explicit and small.
     */
    public static final int MAX_IPV6_EXTENSION_HEADERS = 64;

    // Status codes are the ParseStatus ordinals; the state packs status, problem layer (bits 8-15) and the
    // TCP header bytes read (from TCP_BYTES_SHIFT) in one int, so that a frame costs one primitive store
    // rather than two reference stores and a count.
    private static final int OK = 0;
    private static final int NOT_TCP = 1;
    private static final int TRUNCATED = 2;
    private static final int MALFORMED = 3;
    private static final int TCP_BYTES_SHIFT = 16;

    private static final ParseStatus[] STATUSES = ParseStatus.values();
    /**
     * Ethernet's row of the {@link LinkLayer} table, read once: static finals are constants to the JIT, so
     * the common frame pays no table lookup (measured: the lookup cost about 1.3 ns of a 13 ns frame).
     */
    private static final LinkLayer ETHERNET = LinkLayer.of(LinkType.ETHERNET);
    private static final int ETHERNET_TYPE_OFFSET = ETHERNET.typeOffset();
    private static final int ETHERNET_HEADER_LENGTH = ETHERNET.headerLength();
    private static final Layer[] LAYERS = Layer.values();

    static {
        if (STATUSES[OK] != ParseStatus.OK || STATUSES[NOT_TCP] != ParseStatus.NOT_TCP
                || STATUSES[TRUNCATED] != ParseStatus.TRUNCATED || STATUSES[MALFORMED] != ParseStatus.MALFORMED) {
            throw new AssertionError("ParseStatus order changed");
        }
        if (ETHERNET.protocol() != LinkLayer.Protocol.ETHERTYPE) {
            throw new AssertionError("decode reads Ethernet's protocol from an EtherType");
        }
    }

    /** An empty view: {@link #status()} is TRUNCATED at {@link Layer#LINK} until the first {@link #wrap}. */
    public PacketHeaders() {
    }

    // Only what wrap() sets on every frame, or what getters guard by ipVersion / tcpBytes(), is stored, and
    // what the getters can derive (the payload offset, the end of the visible datagram) is not: every store
    // counts at 8 ns a frame (measured: eight fewer stores made the 54-byte SYN set 2.5 ns faster), and no
    // stale value can leak from the previous frame.
    private MemorySegment segment;
    private long base;
    // The LinkLayer row of the last non-Ethernet link type: reading these costs measurably less per frame
    // than the table lookup (about 0.5 ns against 1.2 ns on a Linux cooked or raw-IP frame). -1 is never a
    // decoded link type, so the first such frame looks its row up (one that asks for -1 finds rowLink null).
    private int rowLinkType = -1;
    private LinkLayer rowLink;
    private LinkLayer.Protocol rowProtocol;
    private int rowTypeOffset;
    private int rowHeaderLength;
    private int frameLength;
    private int state = TRUNCATED | Layer.LINK.ordinal() << 8;
    private int vlanCount;
    private int outerTci;
    private int ipVersion;
    private int ipOffset;
    private int ipv4Source;
    private int ipv4Destination;
    private long ipv6SourceHigh;
    private long ipv6SourceLow;
    private long ipv6DestinationHigh;
    private long ipv6DestinationLow;
    private int tcpOffset;
    /** TCP bytes 0-7, 8-15 and 16-19 as read (missing bytes of a cut header are 0). */
    private long tcpWord0;
    private long tcpWord1;
    private int tcpWord2;
    /** End of the datagram per the IP length field, or -1 when it says nothing (0 length). */
    private int declaredEnd;

    /**
     * Decodes the frame of {@code length} bytes at {@code offset} in {@code segment}, captured with link
     * type {@code linkType} ({@link LinkType}). Reads only inside {@code [offset, offset + length)}, further
     * limited to the segment's size.
     */
    public ParseStatus wrap(MemorySegment segment, long offset, long length, int linkType) {
        return decode(segment, offset, length, linkType);
    }

    /** Decodes a frame that fills a whole segment (e.g. a slice of a capture buffer). */
    public ParseStatus wrap(MemorySegment frame, int linkType) {
        return wrap(frame, 0, frame.byteSize(), linkType);
    }

    /**
     * The common frame, link header to TCP, in one method body; the rare cases (cut headers, other links,
     * tag stacks, extension headers) are separate methods called from it.
     *
     * <p>Why one body: every segment read inlines a long chain of FFM checks, and the JIT (C2) stops
     * inlining into one compilation after a fixed amount of such code. When the parser was small methods
     * inlined into the caller's loop, the JIT ran out of room after the parser's reads and left the caller's
     * getter calls, or some of the reads themselves, as calls: a mixed set of frames then cost twice as much,
     * in some runs and not others (depending on the order of compilation). This method is too big for the
     * JIT to inline into a caller (more than 325 bytes of bytecode, HotSpot's FreqInlineSize), so it is
     * always compiled on its own, with room for all its reads, and the caller's loop keeps room for the
     * getters: one call per frame, as a hand-written parser of this size costs too. Each header is read at
     * exactly one place, and the common path's reads come first, so that if room runs out it is a rare
     * path that stays a call.
     */
    private ParseStatus decode(MemorySegment segment, long offset, long length, int linkType) {
        if (this.segment != segment) {
            this.segment = segment;
        }
        this.base = offset;
        long size = segment.byteSize();
        long available = (offset < 0 || offset > size || length < 0) ? 0 : Math.min(length, size - offset);
        int end = (int) Math.min(available, MAX_FRAME_LENGTH);
        frameLength = end;
        vlanCount = 0;
        ipVersion = 0;
        // The TCP state (tcpBytes, the TCP words) is written once per frame: by the TCP layer, or zeroed by
        // stop(), decided() or done() when the frame ends before TCP; so port, flag and window getters need
        // no guard.
        // The link layer: where the IP header starts, and which IP it is (LinkHeaders' encoding).
        int found;
        if (linkType == LinkType.ETHERNET) {
            if (end < ETHERNET_HEADER_LENGTH) {
                return stop(TRUNCATED, Layer.LINK);
            }
            int etherType = u16(segment, base + ETHERNET_TYPE_OFFSET);
            found = etherType == EtherType.IPV4 ? ETHERNET_IPV4
                    : etherType == EtherType.IPV6 ? ETHERNET_IPV6
                    : etherTypeOther(ETHERNET_HEADER_LENGTH, etherType, end);
        } else {
            found = otherLinks(linkType, end);
        }
        int kind = found & LinkHeaders.KIND_MASK;
        int pos = found >>> LinkHeaders.SHIFT;
        ipOffset = pos;
        long at = base + pos;
        // The IP layer: where the TCP header starts, where the datagram's visible bytes end (the capture or
        // the IP length, whichever is first), and where the IP length says it ends (-1: it says nothing).
        int tcpAt;
        int visibleEnd = end;
        int lengthEnd = -1;
        if (kind == LinkHeaders.IPV4) {
            if (end - pos < Ipv4Header.MIN_LENGTH) {
                return shortIp(at, end - pos, Ipv4Header.VERSION, Layer.IPV4);
            }
            // The fixed 20 bytes in three reads: [version/IHL, TOS, total length, id, flags/fragment],
            // [TTL, protocol, checksum, source], [destination] (field shifts: see the constants).
            long word0 = i64(segment, at + Ipv4Header.VERSION_IHL_OFFSET);
            long word1 = i64(segment, at + Ipv4Header.TTL_OFFSET);
            int destination = i32(segment, at + Ipv4Header.DESTINATION_OFFSET);
            int versionIhl = (int) (word0 >>> IPV4_VERSION_IHL_SHIFT) & 0xFF;
            if (versionIhl >>> 4 != Ipv4Header.VERSION) {
                return stop(MALFORMED, Layer.IPV4);
            }
            int headerLength = (versionIhl & 0x0F) * WORD_BYTES;
            if (end - pos < headerLength) {
                return stop(TRUNCATED, Layer.IPV4);
            }
            ipVersion = 4;
            ipv4Source = (int) (word1 >>> IPV4_SOURCE_SHIFT);
            ipv4Destination = destination;
            if (headerLength < Ipv4Header.MIN_LENGTH) {
                return stop(MALFORMED, Layer.IPV4);
            }
            int totalLength = (int) (word0 >>> IPV4_TOTAL_LENGTH_SHIFT) & 0xFFFF;
            if (totalLength != 0) {
                if (totalLength < headerLength) {
                    return stop(MALFORMED, Layer.IPV4);
                }
                lengthEnd = pos + totalLength;
                visibleEnd = Math.min(end, lengthEnd);
            }
            int fragment = (int) (word0 >>> IPV4_FLAGS_FRAGMENT_SHIFT) & 0xFFFF;
            int protocol = (int) (word1 >>> IPV4_PROTOCOL_SHIFT) & 0xFF;
            if ((fragment & Ipv4Header.FRAGMENT_OFFSET_MASK) != 0 || protocol != Ipv4Header.PROTOCOL_TCP) {
                return stop(NOT_TCP, Layer.NONE);
            }
            tcpAt = pos + headerLength;
        } else if (kind == LinkHeaders.IPV6) {
            if (end - pos < Ipv6Header.LENGTH) {
                return shortIp(at, end - pos, Ipv6Header.VERSION, Layer.IPV6);
            }
            // [version, traffic class, flow label, payload length, next header, hop limit] in one read.
            long word0 = i64(segment, at + Ipv6Header.VERSION_OFFSET);
            if (((int) (word0 >>> IPV6_VERSION_SHIFT) & 0x0F) != Ipv6Header.VERSION) {
                return stop(MALFORMED, Layer.IPV6);
            }
            ipVersion = 6;
            ipv6SourceHigh = i64(segment, at + Ipv6Header.SOURCE_OFFSET);
            ipv6SourceLow = i64(segment, at + Ipv6Header.SOURCE_OFFSET + 8);
            ipv6DestinationHigh = i64(segment, at + Ipv6Header.DESTINATION_OFFSET);
            ipv6DestinationLow = i64(segment, at + Ipv6Header.DESTINATION_OFFSET + 8);
            int payloadLen = (int) (word0 >>> IPV6_PAYLOAD_LENGTH_SHIFT) & 0xFFFF;
            if (payloadLen != 0) { // 0: jumbogram or BIG TCP, the length is elsewhere or nowhere
                lengthEnd = pos + Ipv6Header.LENGTH + payloadLen;
                visibleEnd = Math.min(end, lengthEnd);
            }
            int next = (int) (word0 >>> IPV6_NEXT_HEADER_SHIFT) & 0xFF;
            tcpAt = next == Ipv6Header.NEXT_TCP ? pos + Ipv6Header.LENGTH
                    : extensionHeaders(next, pos + Ipv6Header.LENGTH, visibleEnd, end);
            if (tcpAt < 0) {
                return status(); // decided by the extension headers
            }
        } else {
            return status(); // decided by the link layer
        }
        // The TCP layer.
        tcpOffset = tcpAt;
        declaredEnd = lengthEnd;
        int visible = visibleEnd - tcpAt;
        long tcp = base + tcpAt;
        if (visible >= TcpHeader.MIN_LENGTH) {
            // The common case, the whole fixed header, in three reads: [ports, sequence],
            // [acknowledgement, data offset/flags, window], [checksum, urgent pointer].
            long word1 = i64(segment, tcp + TcpHeader.ACKNOWLEDGEMENT_OFFSET);
            int words = (int) (word1 >>> TCP_DATA_OFFSET_SHIFT) & 0x0F;
            tcpWord0 = i64(segment, tcp + TcpHeader.SOURCE_PORT_OFFSET);
            tcpWord1 = word1;
            tcpWord2 = i32(segment, tcp + TcpHeader.CHECKSUM_OFFSET);
            if (words < TCP_MIN_DATA_OFFSET) {
                return malformedDataOffset(word1, TcpHeader.MIN_LENGTH);
            }
            state = OK_WHOLE_TCP; // not record(): no call left here to inline
            return ParseStatus.OK;
        }
        if (visible < TcpHeader.PORTS_LENGTH) {
            return stop(tcpAt + TcpHeader.PORTS_LENGTH > end ? TRUNCATED : MALFORMED, Layer.TCP);
        }
        return cutTcp(tcp, tcpAt, visible);
    }

    // The link layers other than untagged Ethernet answer in LinkHeaders' encoding (IP header offset
    // << SHIFT | IPV4 or IPV6), or DECIDED once decided() has recorded the frame's status.

    /** A link-layer answer meaning "the status is recorded": not an IP kind. */
    private static final int DECIDED = LinkHeaders.NOT_IP;
    private static final int ETHERNET_IPV4 = ETHERNET_HEADER_LENGTH << LinkHeaders.SHIFT | LinkHeaders.IPV4;
    private static final int ETHERNET_IPV6 = ETHERNET_HEADER_LENGTH << LinkHeaders.SHIFT | LinkHeaders.IPV6;
    private static final int OK_WHOLE_TCP = OK | Layer.NONE.ordinal() << 8 | TcpHeader.MIN_LENGTH << TCP_BYTES_SHIFT;

    /**
     * Link types other than Ethernet, as their {@link LinkLayer} row describes them: the parser knows ways
     * of telling the network protocol ({@link LinkLayer.Protocol}), not link types, so a link type whose
     * protocol is an EtherType at a fixed offset needs only its row. The row's facts are kept from the last
     * frame of that link type (frames come in runs of one link type): the table is looked up only when the
     * link type changes.
     */
    private int otherLinks(int linkType, int end) {
        if (linkType != rowLinkType) {
            LinkLayer link = LinkLayer.of(linkType);
            if (link == null) {
                return decided(NOT_TCP, Layer.NONE);
            }
            rowLinkType = linkType;
            rowLink = link;
            rowProtocol = link.protocol();
            rowTypeOffset = link.typeOffset();
            rowHeaderLength = link.headerLength();
        }
        if (rowProtocol == LinkLayer.Protocol.ETHERTYPE) {
            if (end < rowHeaderLength) {
                return decided(TRUNCATED, Layer.LINK);
            }
            return etherTypeOther(rowHeaderLength, u16(segment, base + rowTypeOffset), end);
        }
        return otherLink(rowLink, end);
    }

    /** The IP header after a link header of {@code headerLength} bytes whose EtherType is {@code etherType}. */
    private int etherTypeOther(int headerLength, int etherType, int end) {
        if (etherType == EtherType.IPV4) {
            return headerLength << LinkHeaders.SHIFT | LinkHeaders.IPV4;
        }
        if (etherType == EtherType.IPV6) {
            return headerLength << LinkHeaders.SHIFT | LinkHeaders.IPV6;
        }
        return EtherType.isVlanTag(etherType) ? vlanTags(headerLength, etherType, end) : decided(NOT_TCP, Layer.NONE);
    }

    /** Link types whose protocol is not an EtherType at a fixed offset: IP where {@link LinkHeaders} finds it. */
    private int otherLink(LinkLayer link, int end) {
        if (link == null) {
            return decided(NOT_TCP, Layer.NONE);
        }
        int found = LinkHeaders.network(segment, base, link, end);
        return switch (found & LinkHeaders.KIND_MASK) {
            case LinkHeaders.IPV4, LinkHeaders.IPV6 -> found;
            case LinkHeaders.TRUNCATED -> decided(TRUNCATED, Layer.LINK);
            // Raw IP whose first nibble is neither 4 nor 6 is not an IP packet at all.
            case LinkHeaders.MALFORMED -> decided(MALFORMED, Layer.LINK);
            default -> decided(NOT_TCP, Layer.NONE);
        };
    }

    /** Any number of tags from {@code pos}; each step consumes 4 bytes, so the loop ends with the frame. */
    private int vlanTags(int pos, int etherType, int end) {
        while (EtherType.isVlanTag(etherType)) {
            if (end - pos < VlanTag.LENGTH) {
                return decided(TRUNCATED, Layer.VLAN);
            }
            int tag = i32(segment, base + pos + VlanTag.TCI_OFFSET); // TCI, then the next EtherType
            if (vlanCount == 0) {
                outerTci = tag >>> VLAN_TCI_SHIFT & 0xFFFF;
            }
            vlanCount++;
            etherType = tag >>> VLAN_ETHER_TYPE_SHIFT & 0xFFFF;
            pos += VlanTag.LENGTH;
        }
        if (etherType == EtherType.IPV4) {
            return pos << LinkHeaders.SHIFT | LinkHeaders.IPV4;
        }
        if (etherType == EtherType.IPV6) {
            return pos << LinkHeaders.SHIFT | LinkHeaders.IPV6;
        }
        return decided(NOT_TCP, Layer.NONE);
    }

    /** An IP header cut by the capture: MALFORMED if the version is wrong already, else TRUNCATED. */
    private ParseStatus shortIp(long at, int available, int version, Layer layer) {
        if (available >= 1 && u8(segment, at) >>> 4 != version) {
            return stop(MALFORMED, layer);
        }
        return stop(TRUNCATED, layer);
    }

    /**
     * Walks hop-by-hop, routing, destination-options and fragment headers from {@code p} to TCP: its
     * offset, or -1 once the frame's status is recorded. Every step advances at least 8 bytes and the count
     * is capped: the walk always ends.
     */
    private int extensionHeaders(int next, int p, int datagramEnd, int end) {
        for (int headers = 0; headers <= MAX_IPV6_EXTENSION_HEADERS; headers++) {
            switch (next) {
                case Ipv6Header.NEXT_TCP -> {
                    return p;
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
                        return done(NOT_TCP, Layer.NONE);
                    }
                    next = u8(segment, base + p + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET);
                    p += Ipv6Header.FRAGMENT_HEADER_LENGTH;
                }
                default -> {
                    return done(NOT_TCP, Layer.NONE);
                }
            }
        }
        return done(MALFORMED, Layer.IPV6_EXTENSION);
    }

    /**
     * A TCP header cut before byte 20: keep the bytes that are there; the getters expose only the fields
     * they complete (tshark's rules, see the class comment).
     */
    private ParseStatus cutTcp(long at, int pos, int visible) {
        // The same two words as decode() reads (word 0 at SOURCE_PORT_OFFSET, word 1 at ACKNOWLEDGEMENT_OFFSET),
        // byte by byte, with the missing bytes 0.
        long word0 = 0;
        long word1 = 0;
        for (int i = TcpHeader.SOURCE_PORT_OFFSET; i < TcpHeader.ACKNOWLEDGEMENT_OFFSET + 8; i++) {
            long value = i < visible ? u8(segment, at + i) : 0;
            if (i < TcpHeader.ACKNOWLEDGEMENT_OFFSET) {
                word0 |= value << 8 * (TcpHeader.SOURCE_PORT_OFFSET + 7 - i);
            } else {
                word1 |= value << 8 * (TcpHeader.ACKNOWLEDGEMENT_OFFSET + 7 - i);
            }
        }
        tcpWord0 = word0;
        // Flags and window count only once bytes 12-15 are all there; the data offset byte stays.
        tcpWord1 = visible < TcpHeader.FLAGS_CAPTURED_LENGTH ? word1 & ~FLAGS_AND_WINDOW : word1;
        tcpWord2 = 0;
        int words = (int) (word1 >>> TCP_DATA_OFFSET_SHIFT) & 0x0F;
        if (visible > TcpHeader.DATA_OFFSET_OFFSET && words < TCP_MIN_DATA_OFFSET) {
            return malformedDataOffset(word1, visible);
        }
        return record(OK, Layer.NONE, visible);
    }

    /** Data offset below 5: ports, sequence, acknowledgement and data offset stay readable, nothing after. */
    private ParseStatus malformedDataOffset(long word1, int tcpBytes) {
        tcpWord1 = word1 & ~FLAGS_AND_WINDOW;
        tcpWord2 = 0;
        return record(MALFORMED, Layer.TCP, tcpBytes);
    }

    /** A header that needs bytes up to {@code needed}: cut by the capture, or by the IP length field. */
    private int cut(Layer layer, int needed, int end) {
        return done(needed > end ? TRUNCATED : MALFORMED, layer);
    }

    /** Records the frame's status, the layer of its problem and how many TCP header bytes were read. */
    private ParseStatus record(int status, Layer layer, int tcpBytes) {
        state = status | layer.ordinal() << 8 | tcpBytes << TCP_BYTES_SHIFT;
        return STATUSES[status];
    }

    /** {@link #record} for a frame that ends before its TCP header: no TCP bytes were read. */
    private ParseStatus stop(int status, Layer layer) {
        tcpWord0 = 0;
        tcpWord1 = 0;
        tcpWord2 = 0;
        return record(status, layer, 0);
    }

    /** {@link #stop}, for a link layer: its answer that the frame is decided. */
    private int decided(int status, Layer layer) {
        stop(status, layer);
        return DECIDED;
    }

    /** {@link #stop}, for an IP layer: its answer (-1) that the frame is decided. */
    private int done(int status, Layer layer) {
        stop(status, layer);
        return -1;
    }

    /** TCP header bytes inside the capture and the IP datagram, capped at 20; 0 when TCP was not reached. */
    private int tcpBytes() {
        return state >>> TCP_BYTES_SHIFT;
    }

    /** End of the TCP segment's visible bytes: the capture or the IP length, whichever is first. */
    private int datagramEnd() {
        return declaredEnd < 0 ? frameLength : Math.min(frameLength, declaredEnd);
    }

    private int status0() {
        return state & 0xFF;
    }

    /** Result of the last {@link #wrap}. */
    public ParseStatus status() {
        return STATUSES[state & 0xFF];
    }

    /** Layer at which the frame was TRUNCATED or MALFORMED; {@link Layer#NONE} otherwise. */
    public Layer problemLayer() {
        return LAYERS[state >>> 8 & 0xFF];
    }

    /** True when {@link #status()} is OK. */
    public boolean isTcp() {
        return status0() == OK;
    }

    /**
     * True when the TCP ports were read: always when {@link #isTcp()}, and also for a frame MALFORMED at
     * {@link Layer#TCP} because its data offset is below 5, which tshark still lists with its ports.
     */
    public boolean hasPorts() {
        return tcpBytes() >= TcpHeader.PORTS_LENGTH;
    }

    /** 4 or 6 once an IP header was found, else 0. */
    public int ipVersion() {
        return ipVersion;
    }

    /** IPv4 source address as a big-endian int (valid when ipVersion() == 4, else 0). */
    public int ipv4Source() {
        return ipVersion == 4 ? ipv4Source : 0;
    }

    /** IPv4 destination address as a big-endian int (valid when ipVersion() == 4, else 0). */
    public int ipv4Destination() {
        return ipVersion == 4 ? ipv4Destination : 0;
    }

    /** High 64 bits of the IPv6 source address (network order; valid when ipVersion() == 6, else 0). */
    public long ipv6SourceHigh() {
        return ipVersion == 6 ? ipv6SourceHigh : 0;
    }

    public long ipv6SourceLow() {
        return ipVersion == 6 ? ipv6SourceLow : 0;
    }

    public long ipv6DestinationHigh() {
        return ipVersion == 6 ? ipv6DestinationHigh : 0;
    }

    public long ipv6DestinationLow() {
        return ipVersion == 6 ? ipv6DestinationLow : 0;
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

    /**
     * Appends the source endpoint as {@code 10.0.0.1:5000}, or {@code [2001:db8::1]:5000} for IPv6, so that the
     * port never reads as part of the address (RFC 5952 section 6).
     */
    public StringBuilder appendSourceEndpoint(StringBuilder out) {
        return endpoint(out, true);
    }

    /** Appends the destination endpoint, as {@link #appendSourceEndpoint}. */
    public StringBuilder appendDestinationEndpoint(StringBuilder out) {
        return endpoint(out, false);
    }

    private StringBuilder endpoint(StringBuilder out, boolean source) {
        if (ipVersion == 6) {
            out.append('[');
        }
        if (source) {
            appendSource(out);
        } else {
            appendDestination(out);
        }
        if (ipVersion == 6) {
            out.append(']');
        }
        return out.append(':').append(source ? sourcePort() : destinationPort());
    }

    /** TCP source port; 0 when {@link #hasPorts()} is false. */
    public int sourcePort() {
        return (int) (tcpWord0 >>> TCP_SOURCE_PORT_SHIFT) & 0xFFFF; // zero unless the ports were read (see wrap)
    }

    /** TCP destination port; 0 when {@link #hasPorts()} is false. */
    public int destinationPort() {
        return (int) (tcpWord0 >>> TCP_DESTINATION_PORT_SHIFT) & 0xFFFF;
    }

    /**
     * True for a TCP frame whose flags and window (bytes 12-15) are inside the capture and the IP datagram.
     * False when the header is cut before byte 16, where tshark stops reporting the flags, and for a frame
     * MALFORMED at the data offset.
     */
    public boolean hasFlags() {
        return tcpBytes() >= TcpHeader.FLAGS_CAPTURED_LENGTH && status0() == OK;
    }

    /** The whole 12-bit flags field ({@link TcpFlags}); 0 when {@link #hasFlags()} is false. */
    public int flags() {
        return (int) (tcpWord1 >>> TCP_FLAGS_SHIFT) & TcpFlags.MASK; // zero unless hasFlags() (see tcp, cutTcp)
    }

    /** Sequence number as an unsigned 32-bit value in a long; -1 if not captured. */
    public long sequenceNumber() {
        return tcpBytes() >= TcpHeader.SEQUENCE_OFFSET + 4 ? tcpWord0 >>> TCP_SEQUENCE_SHIFT & 0xFFFF_FFFFL : -1;
    }

    /** Acknowledgement number as an unsigned 32-bit value in a long; -1 if not captured. */
    public long acknowledgementNumber() {
        return tcpBytes() >= TcpHeader.ACKNOWLEDGEMENT_OFFSET + 4
                ? tcpWord1 >>> TCP_ACKNOWLEDGEMENT_SHIFT & 0xFFFF_FFFFL : -1;
    }

    /**
     * The TCP header's Data Offset field (RFC 9293): the TCP header length counted in 32-bit words, not
     * bytes. 5..15 (20..60 bytes), or below 5 when MALFORMED; 0 if not captured. In bytes it is
     * {@code 4 * dataOffset()}. (Not to be confused with {@link io.panatap.Packet#frameOffset()}, a byte
     * offset.)
     */
    public int dataOffset() {
        return tcpBytes() > TcpHeader.DATA_OFFSET_OFFSET ? (int) (tcpWord1 >>> TCP_DATA_OFFSET_SHIFT) & 0x0F : 0;
    }

    /** Window; 0 when {@link #hasFlags()} is false. */
    public int window() {
        return (int) (tcpWord1 >>> TCP_WINDOW_SHIFT) & 0xFFFF;
    }

    /** Urgent pointer; 0 if not captured. */
    public int urgentPointer() {
        return tcpWord2 >>> TCP_URGENT_POINTER_SHIFT & 0xFFFF; // zero unless the whole header was read and is OK
    }

    /** Offset, in the frame (from the wrapped offset), of the IP header; 0 when none was found. */
    public int ipOffset() {
        return ipVersion != 0 ? ipOffset : 0;
    }

    /** Offset, in the frame, of the TCP header; 0 when {@link #hasPorts()} is false. */
    public int tcpOffset() {
        return hasPorts() ? tcpOffset : 0;
    }

    /** Offset, in the frame, of the TCP options ({@code tcpOffset() + 20}); 0 when not TCP. */
    public int optionsOffset() {
        return isTcp() ? tcpOffset + TcpHeader.OPTIONS_OFFSET : 0;
    }

    /** Captured bytes of TCP options (clamped to the captured datagram; 0 when the data offset is 5). */
    public int optionsLength() {
        return isTcp() ? Math.max(0, payloadOffset() - (tcpOffset + TcpHeader.OPTIONS_OFFSET)) : 0;
    }

    /**
     * Offset, in the frame, of the TCP payload (after options), clamped to the end of the captured datagram
     * when the data offset points past it (or is not captured); 0 when not TCP.
     */
    public int payloadOffset() {
        if (!isTcp()) {
            return 0;
        }
        // Without the data offset the payload is taken to start at the end of what is visible.
        int words = dataOffset();
        return words == 0 ? datagramEnd() : Math.min(tcpOffset + WORD_BYTES * words, datagramEnd());
    }

    /**
     * TCP payload length on the wire as far as the IP header says (IP total length minus headers), or the
     * captured bytes after the TCP header when the IP length is 0 or unusable; 0 when not TCP or when the
     * data offset was not captured.
     */
    public int payloadLength() {
        int words = dataOffset();
        if (!isTcp() || words == 0) {
            return 0;
        }
        return Math.max(0, (declaredEnd >= 0 ? declaredEnd : frameLength) - (tcpOffset + WORD_BYTES * words));
    }

    /** Payload bytes actually present at {@link #payloadOffset()} (never beyond the capture or the IP length). */
    public int capturedPayloadLength() {
        return isTcp() ? datagramEnd() - payloadOffset() : 0;
    }

    /** Number of 802.1Q/802.1ad tags found in the frame (not counting one stripped by the kernel). */
    public int vlanCount() {
        return vlanCount;
    }

    /** VLAN id (12 bits) of the outermost tag in the frame, or -1. */
    public int outerVlanId() {
        return vlanCount > 0 ? outerTci & VlanTag.VLAN_ID_MASK : -1;
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
