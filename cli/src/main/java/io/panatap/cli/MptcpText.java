package io.panatap.cli;

import io.panatap.parse.TcpFlags;

/**
 * One Multipath TCP option (kind 30) as tcpdump 4.99.3 prints it after {@code mptcp} ({@code mptcp_print} in
 * print-mptcp.c): the option length and subtype name, then the subtype's fields, for example
 * {@code " 12 capable v1 {0x...}"} or {@code " 20 dss ack 123 seq 456 subseq 1 len 10 csum 0x0"}. A length
 * that does not fit the subtype and the segment's flags makes the caller print {@code [bad opt]}.
 */
final class MptcpText {
    private static final String[] SUBTYPES =
            {"capable", "join", "dss", "add-addr", "rem-addr", "prio", "fail", "fast-close", "unknown"};
    private static final int SYN = TcpFlags.SYN;
    private static final int ACK = TcpFlags.ACK;

    /**
     * Appends the option of {@code len} bytes at {@code opt} (its kind byte); false where tcpdump reports a
     * bad option. Reads end at the option (the caller sets the end).
     */
    boolean append(StringBuilder out, SnapBytes b, int opt, int len, int flags) {
        b.protocol = "mptcp";
        if (len < 3) {
            return false;
        }
        int subtype = Math.min(b.u8(opt + 2) >>> 4 & 0xF, SUBTYPES.length - 1);
        out.append(' ').append(len).append(' ').append(SUBTYPES[subtype]);
        return switch (subtype) {
            case 0 -> capable(out, b, opt, len, flags);
            case 1 -> join(out, b, opt, len, flags);
            case 2 -> dss(out, b, opt, len, flags);
            case 3 -> addAddress(out, b, opt, len);
            case 4 -> removeAddress(out, b, opt, len);
            case 5 -> priority(out, b, opt, len);
            case 6 -> {
                if (len != 12) {
                    yield false;
                }
                SnapBytes.unsigned(out.append(" seq "), b.u64(opt + 4));
                yield true;
            }
            case 7 -> {
                if (len != 12) {
                    yield false;
                }
                SnapBytes.hex(out.append(" key 0x"), b.u64(opt + 4));
                yield true;
            }
            default -> true;
        };
    }

    private static boolean capable(StringBuilder out, SnapBytes b, int opt, int len, int flags) {
        if (!((len == 12 || len == 4) && (flags & SYN) != 0)
                && !((len == 20 || len == 22) && (flags & (SYN | ACK)) == ACK)) {
            return false;
        }
        int version = b.u8(opt + 2) & 0xF;
        if (version > 1) {
            out.append(" Unknown Version (").append(version).append(')');
            return true;
        }
        out.append(" v").append(version);
        if ((b.u8(opt + 3) & 0x80) != 0) {
            out.append(" csum");
        }
        if (len == 12 || len >= 20) {
            SnapBytes.hex(out.append(" {0x"), b.u64(opt + 4));
            if (len >= 20) {
                SnapBytes.hex(out.append(",0x"), b.u64(opt + 12));
            }
            out.append('}');
        }
        return true;
    }

    private static boolean join(StringBuilder out, SnapBytes b, int opt, int len, int flags) {
        if (!(len == 12 && (flags & SYN) != 0)
                && !(len == 16 && (flags & (SYN | ACK)) == (SYN | ACK))
                && !(len == 24 && (flags & ACK) != 0)) {
            return false;
        }
        if (len != 24) {
            if ((b.u8(opt + 2) & 0x01) != 0) {
                out.append(" backup");
            }
            out.append(" id ").append(b.u8(opt + 3));
        }
        switch (len) {
            case 12 -> {
                SnapBytes.hex(out.append(" token 0x"), b.u32(opt + 4));
                SnapBytes.hex(out.append(" nonce 0x"), b.u32(opt + 8));
            }
            case 16 -> {
                SnapBytes.hex(out.append(" hmac 0x"), b.u64(opt + 4));
                SnapBytes.hex(out.append(" nonce 0x"), b.u32(opt + 12));
            }
            default -> b.appendHex(out.append(" hmac 0x"), opt + 4, 20);
        }
        return true;
    }

    private static boolean dss(StringBuilder out, SnapBytes b, int opt, int len, int flags) {
        if (len < 4 || (flags & SYN) != 0) {
            return false;
        }
        int dssFlags = b.u8(opt + 3);
        if ((dssFlags & 0x10) != 0) {
            out.append(" fin");
        }
        int p = opt + 4;
        int left = len - 4;
        if ((dssFlags & 0x01) != 0) {
            out.append(" ack ");
            int width = dssNumber(out, b, p, left, (dssFlags & 0x02) != 0);
            if (width == 0) {
                return false;
            }
            p += width;
            left -= width;
        }
        if ((dssFlags & 0x04) != 0) {
            out.append(" seq ");
            int width = dssNumber(out, b, p, left, (dssFlags & 0x08) != 0);
            if (width == 0) {
                return false;
            }
            p += width;
            left -= width;
            if (left < 4) {
                return false;
            }
            out.append(" subseq ").append(b.u32(p));
            p += 4;
            left -= 4;
            if (left < 2) {
                return false;
            }
            out.append(" len ").append(b.u16(p));
            p += 2;
            left -= 2;
            if (left >= 2) {
                SnapBytes.hex(out.append(" csum 0x"), b.u16(p));
                left -= 2;
            }
        }
        return left == 0;
    }

    /**
     * Appends the DSS data ack or sequence number at {@code p}, 8 bytes wide when {@code wide}, else 4;
     * returns its width, or 0 when fewer bytes than that are {@code left}.
     */
    private static int dssNumber(StringBuilder out, SnapBytes b, int p, int left, boolean wide) {
        int width = wide ? 8 : 4;
        if (left < width) {
            return 0;
        }
        if (wide) {
            SnapBytes.unsigned(out, b.u64(p));
        } else {
            out.append(b.u32(p));
        }
        return width;
    }

    private static boolean addAddress(StringBuilder out, SnapBytes b, int opt, int len) {
        if (!(len == 8 || len == 10 || len == 16 || len == 18 || len == 20 || len == 22 || len == 28 || len == 30)) {
            return false;
        }
        out.append(' ').append(switch (b.u8(opt + 2) & 0xF) {
            case 0x6 -> "v0-ip6";
            case 0x4 -> "v0-ip4";
            case 0x1 -> "v1-echo";
            case 0x0 -> "v1";
            default -> "[bad version/echo]";
        });
        out.append(" id ").append(b.u8(opt + 3));
        if (len == 8 || len == 10 || len == 16 || len == 18) {
            b.appendIpv4(out.append(' '), opt + 4);
            if (len == 10 || len == 18) {
                out.append(':').append(b.u16(opt + 8));
            }
            if (len == 16) {
                SnapBytes.hex(out.append(" hmac 0x"), b.u64(opt + 8));
            }
            if (len == 18) {
                SnapBytes.hex(out.append(" hmac 0x"), b.u64(opt + 10));
            }
        } else {
            b.appendIpv6(out.append(' '), opt + 4);
            if (len == 22 || len == 30) {
                out.append(':').append(b.u16(opt + 20));
            }
            if (len == 28) {
                SnapBytes.hex(out.append(" hmac 0x"), b.u64(opt + 20));
            }
            if (len == 30) {
                SnapBytes.hex(out.append(" hmac 0x"), b.u64(opt + 22));
            }
        }
        return true;
    }

    private static boolean removeAddress(StringBuilder out, SnapBytes b, int opt, int len) {
        if (len < 4) {
            return false;
        }
        out.append(" id");
        for (int i = 0; i < len - 3; i++) {
            out.append(' ').append(b.u8(opt + 3 + i));
        }
        return true;
    }

    private static boolean priority(StringBuilder out, SnapBytes b, int opt, int len) {
        if (len != 3 && len != 4) {
            return false;
        }
        out.append((b.u8(opt + 2) & 0x01) != 0 ? " backup" : " non-backup");
        if (len == 4) {
            out.append(" id ").append(b.u8(opt + 3));
        }
        return true;
    }
}
