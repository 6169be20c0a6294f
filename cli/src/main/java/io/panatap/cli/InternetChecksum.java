package io.panatap.cli;

/**
 * The Internet checksum (RFC 1071) of IP headers and TCP segments with their pseudo-header, computed as
 * tcpdump checks them with {@code -v}: the destination in the pseudo-header is the final one of a source
 * route (IPv4 LSRR/SSRR option, IPv6 routing header), and a wrong checksum is reported with the value that
 * should have been there ({@code in_cksum_shouldbe}).
 */
final class InternetChecksum {
    private InternetChecksum() {
    }

    /** The one's complement of the sum of the {@code length} bytes at {@code offset}: 0 when they check. */
    static int of(SnapBytes b, int offset, int length) {
        return ~fold(sum(b, offset, length)) & 0xFFFF;
    }

    /** tcpdump's {@code tcp_cksum}/{@code tcp6_cksum}: 0 when the segment's checksum is right. */
    static int tcp(SnapBytes b, int ip, int version, int tcp, int length) {
        long sum;
        if (version == 4) {
            sum = sum(b, ip + 12, 4) + sum(b, ipv4Destination(b, ip), 4) + 6 + (length & 0xFFFF);
        } else {
            sum = sum(b, ip + 8, 16) + sum(b, ipv6Destination(b, ip), 16) + (length >>> 16) + (length & 0xFFFF) + 6;
        }
        sum += sum(b, tcp, length);
        return ~fold(sum) & 0xFFFF;
    }

    /** The value the checksum field should have held, given the field and the computed checksum. */
    static int shouldBe(int field, int computed) {
        return fold(field + computed);
    }

    private static int fold(long sum) {
        long s = (sum & 0xFFFF) + (sum >>> 16 & 0xFFFF_FFFFL) + (sum >>> 48);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int) ((s & 0xFFFF) + (s >>> 16));
    }

    private static long sum(SnapBytes b, int offset, int length) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < length; i += 2) {
            sum += b.u16(offset + i);
        }
        if (i < length) {
            sum += b.u8(offset + i) << 8;
        }
        return sum;
    }

    /** {@code ip_finddst}: the offset of the last address of a valid LSRR/SSRR option, else of the destination. */
    private static int ipv4Destination(SnapBytes b, int ip) {
        int hlen = (b.u8(ip) & 0xF) * 4;
        int cp = ip + 20;
        int length = hlen - 20;
        while (length > 0) {
            if (!b.has(cp, 1)) {
                break;
            }
            int type = b.u8(cp);
            int len;
            if (type == 0) {
                break;
            } else if (type == 1) {
                len = 1;
            } else {
                if (!b.has(cp + 1, 1)) {
                    break;
                }
                len = b.u8(cp + 1);
                if (len < 2) {
                    break;
                }
            }
            if (length < len || !b.has(cp, len)) {
                break;
            }
            if ((type == 0x89 || type == 0x83) && len >= 7) {
                return cp + len - 4;
            }
            cp += len;
            length -= len;
        }
        return ip + 16;
    }

    /** {@code ip6_finddst}: the final destination of the first routing header, else the destination. */
    private static int ipv6Destination(SnapBytes b, int ip) {
        int destination = ip + 24;
        int cp = ip;
        int advance = 40;
        int nh = b.u8(ip + 6);
        while (cp < b.end) {
            cp += advance;
            if (!b.has(cp, 2)) {
                return destination;
            }
            switch (nh) {
                case 0, 60, 62, 135 -> {
                    advance = (b.u8(cp + 1) + 1) * 8;
                    nh = b.u8(cp);
                }
                case 44 -> {
                    advance = 8;
                    nh = b.u8(cp);
                }
                case 43 -> {
                    if (!b.has(cp, 4)) {
                        return destination;
                    }
                    int len = b.u8(cp + 1);
                    int type = b.u8(cp + 2);
                    if (type == 0 || type == 2) {
                        if (len % 2 == 1) {
                            return destination;
                        }
                        int p = cp + 8;
                        for (int i = 0; i < len / 2; i++) {
                            if (!b.has(p, 16)) {
                                return destination;
                            }
                            destination = p;
                            p += 16;
                        }
                    } else if (type == 4) {
                        if (len % 2 == 1 || !b.has(cp + 8, 16)) {
                            return destination;
                        }
                        destination = cp + 8;
                    }
                    return destination;
                }
                default -> {
                    return destination;
                }
            }
        }
        return destination;
    }
}
