package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.parse.PacketHeaders;
import io.panatap.parse.TcpFlags;

/**
 * The IP and TCP part of a {@code --format line} row, as {@code tcpdump -n -S} 4.99.3 prints it for a TCP
 * frame ({@code ip_print}, {@code ip6_print} and {@code tcp_print}): from {@code IP }/{@code IP6 } to
 * {@code length N}, with tcpdump's notes on bad lengths ({@code truncated-ip - N bytes missing!},
 * {@code bad-len N}, {@code [bad hdr length ...]}), the IPv6 extension headers it names ({@code HBH},
 * {@code DSTOPT}, {@code RT6 (...)}, {@code frag (...)}), the TCP options ({@link TcpOptionsText}) and the
 * truncation markers ({@code [|tcp]}) where the capture ends early. With {@code -v} the IP header's fields
 * ({@link IpVerboseText}) and the TCP checksum check; with {@code -q} tcpdump's short {@code tcp N}.
 * The text after {@code length N} (tcpdump's application-layer decoding) is left out.
 *
 * <p>Reads follow tcpdump's rules on how far a printer may read ({@link SnapBytes}), so every row ends
 * where tcpdump's would. Reused for every row; allocates nothing for a well-formed frame.
 */
final class TcpdumpLine {
    private static final int IP_MF = 0x2000;
    private static final int IP_OFFSET_MASK = 0x1FFF;
    private static final int PROTOCOL_TCP = 6;
    private static final int TCP_HEADER = 20;

    private final int verbosity;
    private final boolean quiet;
    private final boolean checksums;
    private final boolean ipPrefix;
    private final SnapBytes b = new SnapBytes();
    private final TcpOptionsText options = new TcpOptionsText();
    private final IpVerboseText verbose = new IpVerboseText();
    private int snapLimit = Integer.MAX_VALUE;

    /**
     * @param verbosity the number of {@code -v}
     * @param quiet     {@code -q}: {@code tcp N} instead of the flags, numbers and options
     * @param checksums false with {@code -K}: no checksum checks with {@code -v}
     * @param ipPrefix  false with {@code -e}, where tcpdump leaves out {@code IP }/{@code IP6 }
     */
    TcpdumpLine(int verbosity, boolean quiet, boolean checksums, boolean ipPrefix) {
        this.verbosity = verbosity;
        this.quiet = quiet;
        this.checksums = checksums;
        this.ipPrefix = ipPrefix;
    }

    /** The line part for the command line's {@code -v}, {@code -q}, {@code -K} and {@code -e}. */
    static TcpdumpLine of(Options options) {
        return new TcpdumpLine(options.verbosity, options.quiet, !options.noChecksums, !options.linkHeader);
    }

    /**
     * Reads at most {@code snapLength} bytes of a frame (when positive): a file's records longer than its
     * header's snap length are cut there by libpcap, so tcpdump sees only that much.
     */
    TcpdumpLine snapLimit(int snapLength) {
        this.snapLimit = snapLength > 0 ? snapLength : Integer.MAX_VALUE;
        return this;
    }

    /** Appends the IP and TCP text of {@code packet} (no newline). */
    void append(Packet packet, StringBuilder out) {
        PacketHeaders h = packet.headers();
        b.wrap(h.segment(), h.frameOffset(), Math.min(h.frameLength(), snapLimit));
        int ip = h.ipOffset();
        // tcpdump's "length" for the network layer: the frame's length on the wire after the link header.
        long length = Math.max(0L, (packet.originalLength() & 0xFFFF_FFFFL) - ip);
        try {
            if (h.ipVersion() == 6) {
                ipv6(out, ip, length);
            } else {
                ipv4(out, ip, length);
            }
        } catch (RuntimeException e) {
            if (e != SnapBytes.TRUNCATED) {
                throw e;
            }
            out.append(" [|").append(b.protocol).append(']');
        }
    }

    private void ipv4(StringBuilder out, int ip, long length) {
        b.protocol = "ip";
        if (ipPrefix) {
            out.append("IP ");
        }
        if (!b.has(ip, 20)) {
            throw SnapBytes.TRUNCATED;
        }
        if (length < 20) {
            out.append("truncated-ip ").append(length);
            return;
        }
        int hlen = (b.u8(ip) & 0xF) * 4;
        if (hlen < 20) {
            out.append("bad-hlen ").append(hlen);
            return;
        }
        int len = b.u16(ip + 2);
        if (length < len) {
            out.append("truncated-ip - ").append(len - length).append(" bytes missing! ");
        }
        if (len < hlen) {
            out.append("bad-len ").append(len);
            return;
        }
        b.cut(ip, len);
        len -= hlen;
        int off = b.u16(ip + 6);
        if (verbosity > 0 && !verbose.ipv4(out, b, ip, hlen, checksums)) {
            return;
        }
        if ((off & IP_OFFSET_MASK) != 0) {
            b.appendIpv4(out, ip + 12).append(" > ");
            b.appendIpv4(out, ip + 16).append(": ip-proto-").append(b.u8(ip + 9));
            return;
        }
        if (!b.has(ip, hlen)) {
            out.append(" [remaining caplen(").append(b.end - ip).append(") < header length(").append(hlen)
                    .append(")]");
            throw SnapBytes.TRUNCATED;
        }
        tcp(out, ip, 4, b.u8(ip + 9) == PROTOCOL_TCP, ip + hlen, len, (off & IP_MF) != 0);
    }

    private void ipv6(StringBuilder out, int ip, long length) {
        b.protocol = "ip6";
        if (!b.has(ip, 40)) {
            throw SnapBytes.TRUNCATED;
        }
        if (length < 40) {
            out.append("truncated-ip6 ").append(length);
            return;
        }
        if (ipPrefix) {
            out.append("IP6 ");
        }
        long payloadLength = b.u16(ip + 4);
        long len;
        if (payloadLength != 0) {
            len = payloadLength + 40;
            if (length < len) {
                out.append("truncated-ip6 - ").append(len - length).append(" bytes missing!");
            }
        } else {
            len = length + 40;
        }
        int nh = b.u8(ip + 6);
        if (verbosity > 0) {
            verbose.ipv6(out, b, ip, nh, payloadLength);
        }
        int outerEnd = b.end;
        b.cut(ip, len);
        int cp = ip;
        int advance = 40;
        long totalAdvance = 0;
        boolean extension = false;
        boolean jumbo = false;
        boolean hopByHop = false;
        boolean fragmented = false;
        int previous = 255;
        while (cp < b.end && advance > 0) {
            if (len < advance) {
                throw SnapBytes.TRUNCATED;
            }
            cp += advance;
            len -= advance;
            totalAdvance += advance;
            if (cp == ip + 40 && nh != PROTOCOL_TCP && nh != 17 && nh != 33 && nh != 132) {
                b.appendIpv6(out, ip + 8).append(" > ");
                b.appendIpv6(out, ip + 24).append(": ");
            }
            switch (nh) {
                case 0 -> {
                    if (hopByHop) {
                        out.append("[The Hop-by-Hop Options header was already found] (invalid)");
                        return;
                    }
                    if (previous != 255) {
                        out.append("[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)");
                        return;
                    }
                    advance = verbose.hopByHop(out, b, cp, payloadLength, verbosity > 0);
                    if (verbose.jumboFound) {
                        jumbo = true;
                        payloadLength = verbose.jumboLength;
                    }
                    if (payloadLength == 0 && !jumbo) {
                        out.append("[No valid Jumbo Payload Hop-by-Hop option found] (invalid)");
                        return;
                    }
                    if (advance < 0) {
                        return;
                    }
                    extension = true;
                    hopByHop = true;
                    nh = b.u8(cp);
                }
                case 60 -> {
                    advance = verbose.destinationOptions(out, b, cp, verbosity > 0);
                    if (advance < 0) {
                        return;
                    }
                    extension = true;
                    nh = b.u8(cp);
                }
                case 44 -> {
                    b.protocol = "frag6";
                    int offset = b.u16(cp + 2) & 0xFFF8;
                    long fragmentLength = 40 + b.u16(ip + 4) - (cp - ip) - 8L;
                    if (verbosity > 0) {
                        SnapBytes.hex(out.append("frag (0x"), b.u32(cp + 4), 8).append(':');
                    } else {
                        out.append("frag (");
                    }
                    out.append(offset).append('|').append(fragmentLength).append(')');
                    if (offset != 0) {
                        return;
                    }
                    out.append(' ');
                    advance = 8;
                    if (b.end <= cp + advance) {
                        return;
                    }
                    extension = true;
                    nh = b.u8(cp);
                    fragmented = true;
                }
                case 43 -> {
                    b.u8(cp);
                    advance = verbose.routing(out, b, cp, verbosity > 0);
                    if (advance < 0) {
                        return;
                    }
                    extension = true;
                    nh = b.u8(cp);
                }
                default -> {
                    if (jumbo) {
                        len = payloadLength + 40;
                        if (len < totalAdvance) {
                            throw SnapBytes.TRUNCATED;
                        }
                        if (length < len) {
                            out.append("truncated-ip6 - ").append(len - length).append(" bytes missing!");
                        }
                        if (len <= outerEnd - ip) {
                            b.end = (int) (ip + len);
                        }
                        len -= totalAdvance;
                    } else if (payloadLength == 0) {
                        if (extension) {
                            throw SnapBytes.TRUNCATED;
                        }
                        len = 40;
                        if (len <= outerEnd - ip) {
                            b.end = ip + 40;
                        }
                        len -= totalAdvance;
                    }
                    if (nh == PROTOCOL_TCP) {
                        tcp(out, ip, 6, b.u8(ip + 6) == PROTOCOL_TCP, cp, len, fragmented);
                    }
                    return;
                }
            }
            previous = nh;
            b.protocol = "ip6";
        }
    }

    /**
     * {@code tcp_print}: the TCP header at {@code tcp} of a segment of {@code length} bytes (header
     * included) as the IP header gives it. {@code addresses}: the IP header's own protocol is TCP, so the
     * addresses come before the ports (else, after IPv6 extension headers, only the ports).
     */
    private void tcp(StringBuilder out, int ip, int version, boolean addresses, int tcp, long length,
                     boolean fragmented) {
        b.protocol = "tcp";
        if (!b.has(tcp + 2, 2)) {
            appendAddress(out, ip, version, true).append(" > ");
            appendAddress(out, ip, version, false).append(':');
            throw SnapBytes.TRUNCATED;
        }
        int sport = b.u16(tcp);
        int dport = b.u16(tcp + 2);
        if (addresses) {
            appendAddress(out, ip, version, true).append('.').append(sport).append(" > ");
            appendAddress(out, ip, version, false).append('.').append(dport).append(": ");
        } else {
            out.append(sport).append(" > ").append(dport).append(": ");
        }
        if (!b.has(tcp, TCP_HEADER)) {
            throw SnapBytes.TRUNCATED;
        }
        int hlen = (b.u8(tcp + 12) >>> 4) * 4;
        if (hlen < TCP_HEADER) {
            out.append(" tcp ").append(length - hlen & 0xFFFF_FFFFL).append(" [bad hdr length ").append(hlen)
                    .append(" - too short, < 20]");
            return;
        }
        long seq = b.u32(tcp + 4);
        long ack = b.u32(tcp + 8);
        int win = b.u16(tcp + 14);
        int urp = b.u16(tcp + 18);
        if (quiet) {
            out.append("tcp ").append(length - hlen & 0xFFFF_FFFFL);
            if (hlen > length) {
                out.append(" [bad hdr length ").append(hlen).append(" - too long, > ").append(length).append(']');
            }
            return;
        }
        int flags = b.u8(tcp + 13);
        TcpFlags.appendTcpdumpLetters(out.append("Flags ["), flags).append(']');
        if (hlen > length) {
            out.append(" [bad hdr length ").append(hlen).append(" - too long, > ").append(length).append(']');
            return;
        }
        if (verbosity > 0 && checksums && !fragmented && b.has(tcp, length)) {
            int sum = InternetChecksum.tcp(b, ip, version, tcp, (int) length);
            int field = b.u16(tcp + 16);
            SnapBytes.hex(out.append(", cksum 0x"), field, 4);
            if (sum != 0) {
                SnapBytes.hex(out.append(" (incorrect -> 0x"), InternetChecksum.shouldBe(field, sum), 4).append(')');
            } else {
                out.append(" (correct)");
            }
        }
        length -= hlen;
        if (verbosity > 1 || length > 0 || (flags & (TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST)) != 0) {
            out.append(", seq ").append(seq);
            if (length > 0) {
                out.append(':').append(seq + length & 0xFFFF_FFFFL);
            }
        }
        if ((flags & TcpFlags.ACK) != 0) {
            out.append(", ack ").append(ack);
        }
        out.append(", win ").append(win);
        if ((flags & TcpFlags.URG) != 0) {
            out.append(", urg ").append(urp);
        }
        if (hlen > TCP_HEADER) {
            TcpOptionsText.End end = options.append(out, b, tcp + TCP_HEADER, hlen - TCP_HEADER, flags,
                    tcp + hlen, length);
            if (end != TcpOptionsText.End.DONE) {
                return;
            }
        }
        out.append(", length ").append(length);
        if (length != 0 && !b.has(tcp, hlen)) {
            out.append(" [remaining caplen(").append(Math.max(0, b.end - tcp)).append(") < header length(")
                    .append(hlen).append(")]");
            throw SnapBytes.TRUNCATED;
        }
    }

    private StringBuilder appendAddress(StringBuilder out, int ip, int version, boolean source) {
        return version == 6 ? b.appendIpv6(out, ip + (source ? 8 : 24)) : b.appendIpv4(out, ip + (source ? 12 : 16));
    }
}
