package io.panatap.cli;

/**
 * What tcpdump 4.99.3 prints about IP headers beyond the addresses: with {@code -v} the IPv4 header's fields
 * and options ({@code (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)} and a new
 * line) or the IPv6 header's ({@code (flowlabel 0x..., hlim 64, next-header TCP (6) payload length: 40)}),
 * and, with or without {@code -v}, the IPv6 extension headers in front of TCP ({@code HBH}, {@code DSTOPT},
 * {@code RT6 (...)}) with their options.
 */
final class IpVerboseText {
    private static final int IP6OPT_PAD1 = 0;
    private static final int IP6OPT_PADN = 1;
    private static final int IP6OPT_ROUTER_ALERT = 5;
    private static final int IP6OPT_JUMBO = 0xC2;
    private static final int IP6OPT_HOME_ADDRESS = 0xC9;

    /** Set by {@link #hopByHop}: a valid Jumbo Payload option was found, of {@link #jumboLength}. */
    boolean jumboFound;
    long jumboLength;

    /**
     * The IPv4 part of {@code -v}, through {@code ")\n    "}. False when the row ends here (options cut
     * by the capture: the addresses and {@code [|ip]} were printed).
     */
    boolean ipv4(StringBuilder out, SnapBytes b, int ip, int hlen, boolean checksums) {
        int tos = b.u8(ip + 1);
        SnapBytes.hex(out.append("(tos 0x"), tos);
        switch (tos & 3) {
            case 1 -> out.append(",ECT(1)");
            case 2 -> out.append(",ECT(0)");
            case 3 -> out.append(",CE");
            default -> {
            }
        }
        int ttl = b.u8(ip + 8);
        if (ttl >= 1) {
            out.append(", ttl ").append(ttl);
        }
        int off = b.u16(ip + 6);
        out.append(", id ").append(b.u16(ip + 4)).append(", offset ").append((off & 0x1FFF) * 8).append(", flags [");
        int start = out.length();
        if ((off & 0x2000) != 0) {
            out.append('+');
        }
        if ((off & 0x4000) != 0) {
            out.append(out.length() > start ? ", DF" : "DF");
        }
        if ((off & 0x8000) != 0) {
            out.append(out.length() > start ? ", rsvd" : "rsvd");
        }
        if (out.length() == start) {
            out.append("none");
        }
        int proto = b.u8(ip + 9);
        out.append("], proto ").append(protocolName(proto)).append(" (").append(proto).append(')');
        out.append(", length ").append(b.u16(ip + 2));
        boolean truncated = false;
        if (hlen > 20) {
            out.append(", options (");
            if (!IpOptionsText.append(out, b, ip + 20, hlen - 20)) {
                out.append(" [truncated-option]");
                truncated = true;
            }
            out.append(')');
        }
        if (checksums && b.has(ip, hlen)) {
            int sum = InternetChecksum.of(b, ip, hlen);
            if (sum != 0) {
                int field = b.u16(ip + 10);
                SnapBytes.hex(out.append(", bad cksum "), field).append(" (->");
                SnapBytes.hex(out, InternetChecksum.shouldBe(field, sum)).append(")!");
            }
        }
        out.append(")\n    ");
        if (truncated) {
            b.appendIpv4(out, ip + 12).append(" > ");
            b.appendIpv4(out, ip + 16).append(": ");
            out.append(" [|").append(b.protocol).append(']');
            return false;
        }
        return true;
    }

    /** The IPv6 part of {@code -v}, through {@code "payload length: N) "}. */
    void ipv6(StringBuilder out, SnapBytes b, int ip, int nh, long payloadLength) {
        long flow = b.u32(ip);
        out.append('(');
        if ((flow & 0x0FF0_0000L) != 0) {
            SnapBytes.hex(out.append("class 0x"), (flow & 0x0FF0_0000L) >>> 20, 2).append(", ");
        }
        if ((flow & 0x000F_FFFFL) != 0) {
            SnapBytes.hex(out.append("flowlabel 0x"), flow & 0x000F_FFFFL, 5).append(", ");
        }
        out.append("hlim ").append(b.u8(ip + 7)).append(", next-header ").append(protocolName(nh)).append(" (")
                .append(nh).append(") payload length: ").append(payloadLength).append(") ");
    }

    /** {@code hbhopt_process}: the header's length in bytes, or -1 where the row ends. */
    int hopByHop(StringBuilder out, SnapBytes b, int cp, long payloadLength, boolean verbose) {
        jumboFound = false;
        b.protocol = "hbhopt";
        int length = (b.u8(cp + 1) + 1) * 8;
        if (!b.has(cp, length)) {
            out.append(" [|hbhopt]");
            return -1;
        }
        out.append("HBH ");
        if (!options(out, b, cp + 2, length - 2, true, payloadLength, verbose)) {
            out.append(" [|hbhopt]");
            return -1;
        }
        return length;
    }

    /** {@code dstopt_process}: the header's length in bytes, or -1 where the row ends. */
    int destinationOptions(StringBuilder out, SnapBytes b, int cp, boolean verbose) {
        b.protocol = "dstopt";
        int length = (b.u8(cp + 1) + 1) * 8;
        if (!b.has(cp, length)) {
            out.append(" [|dstopt]");
            return -1;
        }
        out.append("DSTOPT ");
        if (verbose && !options(out, b, cp + 2, length - 2, false, 0, true)) {
            out.append(" [|dstopt]");
            return -1;
        }
        return length;
    }

    /** {@code rt6_print}: the header's length in bytes, or -1 where the row ends. */
    int routing(StringBuilder out, SnapBytes b, int cp, boolean verbose) {
        b.protocol = "rt6";
        out.append("RT6");
        int len = b.u8(cp + 1);
        out.append(" (len=").append(len);
        int type = b.u8(cp + 2);
        out.append(", type=").append(type);
        if (type == 0) {
            out.append(" [Deprecated]");
        }
        out.append(", segleft=").append(b.u8(cp + 3));
        if (type == 0 || type == 2) {
            long reserved = b.u32(cp + 4);
            if (reserved != 0 || verbose) {
                SnapBytes.hex(out.append(", rsv=0x"), reserved);
            }
        } else if (type == 4) {
            out.append(", last-entry=").append(b.u8(cp + 4));
            int flags = b.u8(cp + 5);
            if (flags != 0 || verbose) {
                SnapBytes.hex(out.append(", flags=0x"), flags);
            }
            SnapBytes.hex(out.append(", tag="), b.u16(cp + 6));
        } else {
            out.append(" (unknown type) (invalid)");
            return -1;
        }
        if (len % 2 == 1) {
            out.append(" (invalid length ").append(len).append(") (invalid)");
            return -1;
        }
        int p = cp + 8;
        for (int i = 0; i < len / 2; i++) {
            b.appendIpv6(out.append(", [").append(i).append(']'), p);
            p += 16;
        }
        out.append(") ");
        return (b.u8(cp + 1) + 1) * 8;
    }

    /** {@code ip6_opt_process}: false where the options are cut ({@code -1}). */
    private boolean options(StringBuilder out, SnapBytes b, int bp, int len, boolean hopByHop, long payloadLength,
                            boolean verbose) {
        if (len == 0) {
            return true;
        }
        boolean seen = false;
        int optlen;
        for (int i = 0; i < len; i += optlen) {
            int type = b.u8(bp + i);
            if (type == IP6OPT_PAD1) {
                optlen = 1;
            } else if (i + 1 < len) {
                optlen = b.u8(bp + i + 1) + 2;
            } else {
                return false;
            }
            if (i + optlen > len) {
                return false;
            }
            switch (type) {
                case IP6OPT_PAD1 -> {
                    if (verbose) {
                        out.append("(pad1)");
                    }
                }
                case IP6OPT_PADN -> {
                    if (len - i < 2) {
                        out.append("(padn: trunc)");
                        return false;
                    }
                    if (verbose) {
                        out.append("(padn)");
                    }
                }
                case IP6OPT_ROUTER_ALERT -> {
                    if (len - i < 4) {
                        out.append("(rtalert: trunc)");
                        return false;
                    }
                    if (b.u8(bp + i + 1) != 2) {
                        out.append("(rtalert: invalid len ").append(b.u8(bp + i + 1)).append(')');
                        return false;
                    }
                    if (verbose) {
                        SnapBytes.hex(out.append("(rtalert: 0x"), b.u16(bp + i + 2), 4).append(") ");
                    }
                }
                case IP6OPT_JUMBO -> {
                    if (len - i < 6) {
                        out.append("(jumbo: trunc)");
                        return false;
                    }
                    if (b.u8(bp + i + 1) != 4) {
                        out.append("(jumbo: invalid len ").append(b.u8(bp + i + 1)).append(')');
                        return false;
                    }
                    long jumbo = b.u32(bp + i + 2);
                    if (seen) {
                        if (verbose) {
                            out.append("(jumbo: ").append(jumbo).append(" - already seen) ");
                        }
                    } else {
                        seen = true;
                        if (!hopByHop) {
                            if (verbose) {
                                out.append("(jumbo: ").append(jumbo).append(" - not a hop-by-hop option) ");
                            }
                        } else if (payloadLength != 0) {
                            if (verbose) {
                                out.append("(jumbo: ").append(jumbo).append(" - payload len != 0) ");
                            }
                        } else if (jumbo < 65536) {
                            if (verbose) {
                                out.append("(jumbo: ").append(jumbo).append(" - < 65536) ");
                            }
                        } else {
                            jumboFound = true;
                            jumboLength = jumbo;
                            if (verbose) {
                                out.append("(jumbo: ").append(jumbo).append(") ");
                            }
                        }
                    }
                }
                case IP6OPT_HOME_ADDRESS -> {
                    if (len - i < 18) {
                        out.append("(homeaddr: trunc)");
                        return false;
                    }
                    if (b.u8(bp + i + 1) < 16) {
                        out.append("(homeaddr: invalid len ").append(b.u8(bp + i + 1)).append(')');
                        return false;
                    }
                    if (verbose) {
                        b.appendIpv6(out.append("(homeaddr: "), bp + i + 2);
                        out.append(')');
                    }
                }
                default -> {
                    if (len - i < 2) {
                        out.append("(type ").append(type).append(": trunc)");
                        return false;
                    }
                    if (verbose) {
                        SnapBytes.hex(out.append("(opt_type 0x"), type, 2).append(": len=")
                                .append(b.u8(bp + i + 1)).append(')');
                    }
                }
            }
        }
        if (verbose) {
            out.append(' ');
        }
        return true;
    }

    /** tcpdump's {@code ipproto_values} name of the protocols an IP header in front of TCP may name. */
    static String protocolName(int protocol) {
        return switch (protocol) {
            case 0 -> "Options";
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 43 -> "Routing";
            case 44 -> "Fragment";
            case 50 -> "ESP";
            case 51 -> "AH";
            case 58 -> "ICMPv6";
            case 135 -> "Mobility";
            default -> "unknown";
        };
    }
}
