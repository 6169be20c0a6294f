package io.panatap.cli;

/**
 * The TCP options as tcpdump 4.99.3 prints them ({@code tcp_print} in print-tcp.c): {@code ", options [mss
 * 1460,sackOK,TS val 1 ecr 0,nop,wscale 7]"}, SACK blocks ({@code sack 1 {a:b}}), MPTCP
 * ({@link MptcpText}), TCP Fast Open ({@code tfo cookie ...}, {@code exp-tfo cookiereq}), unknown kinds
 * ({@code unknown-N 0x..}), {@code [len N]} after an option whose length differs from what its kind needs,
 * {@code [bad opt]} where a length is impossible, and {@code " [|tcp]>"} where the capture ends inside an
 * option. Sequence numbers in SACK blocks are absolute ({@code -S}).
 */
final class TcpOptionsText {
    static final int EOL = 0;
    static final int NOP = 1;
    static final int MSS = 2;
    static final int WSCALE = 3;
    static final int SACK_OK = 4;
    static final int SACK = 5;
    static final int ECHO = 6;
    static final int ECHO_REPLY = 7;
    static final int TIMESTAMP = 8;
    static final int CC = 11;
    static final int CC_NEW = 12;
    static final int CC_ECHO = 13;
    static final int MD5 = 19;
    static final int SCPS = 20;
    static final int USER_TIMEOUT = 28;
    static final int TCP_AO = 29;
    static final int MPTCP = 30;
    static final int FAST_OPEN = 34;
    static final int EXPERIMENT2 = 254;
    /** Bytes of a TCP-MD5 signature (RFC 2385). */
    private static final int MD5_LENGTH = 16;

    /** What ended the options: printed normally, or the row ends here. */
    enum End { DONE, BAD, TRUNCATED }

    private final MptcpText mptcp = new MptcpText();

    /** tcpdump's name of option {@code kind}, or null where it prints {@code unknown-N}. */
    static String name(int kind) {
        return switch (kind) {
            case EOL -> "eol";
            case NOP -> "nop";
            case MSS -> "mss";
            case WSCALE -> "wscale";
            case SACK_OK -> "sackOK";
            case SACK -> "sack";
            case ECHO -> "echo";
            case ECHO_REPLY -> "echoreply";
            case TIMESTAMP -> "TS";
            case CC -> "cc";
            case CC_NEW -> "ccnew";
            case CC_ECHO -> "";
            case MD5 -> "md5";
            case SCPS -> "scps";
            case USER_TIMEOUT -> "uto";
            case TCP_AO -> "tcp-ao";
            case MPTCP -> "mptcp";
            case FAST_OPEN -> "tfo";
            case EXPERIMENT2 -> "exp";
            default -> null;
        };
    }

    /**
     * Appends {@code ", options [...]"} for the {@code optionLength} bytes of options at frame offset
     * {@code at}. {@code flags} are the TCP flags (MPTCP checks them), {@code payloadAt} and
     * {@code payloadLength} the segment's data (the MD5 option says whether it could be checked).
     * Reads past the bytes' end throw {@link SnapBytes#TRUNCATED} as tcpdump's reads do.
     */
    End append(StringBuilder out, SnapBytes b, int at, int optionLength, int flags, int payloadAt, long payloadLength) {
        int hlen = optionLength;
        int cp = at;
        boolean comma = false;
        out.append(", options [");
        while (hlen > 0) {
            if (comma) {
                out.append(',');
            }
            int opt = b.u8(cp);
            cp++;
            int len;
            if (opt == EOL || opt == NOP) {
                len = 1;
            } else {
                len = b.u8(cp);
                cp++;
                if (len < 2 || len > hlen) {
                    return bad(out, comma);
                }
                --hlen;
            }
            --hlen;
            int datalen = 0;
            String name = name(opt);
            if (name != null) {
                out.append(name);
            } else {
                out.append("unknown-").append(opt);
            }
            switch (opt) {
                case MSS -> {
                    datalen = 2;
                    if (datalen > hlen) {
                        return bad(out, comma);
                    }
                    if (!b.has(cp, datalen)) {
                        return truncated(out, b, comma);
                    }
                    out.append(' ').append(b.u16(cp));
                }
                case WSCALE -> {
                    datalen = 1;
                    if (datalen > hlen) {
                        return bad(out, comma);
                    }
                    if (!b.has(cp, datalen)) {
                        return truncated(out, b, comma);
                    }
                    out.append(' ').append(b.u8(cp));
                }
                case SACK -> {
                    datalen = len - 2;
                    if (datalen % 8 != 0) {
                        out.append(" invalid sack");
                    } else {
                        out.append(' ').append(datalen / 8).append(' ');
                        for (int i = 0; i < datalen; i += 8) {
                            if (i + 4 > hlen) {
                                return bad(out, comma);
                            }
                            if (!b.has(cp, i + 4)) {
                                return truncated(out, b, comma);
                            }
                            long s = b.u32(cp + i);
                            if (i + 8 > hlen) {
                                return bad(out, comma);
                            }
                            if (!b.has(cp, i + 8)) {
                                return truncated(out, b, comma);
                            }
                            long e = b.u32(cp + i + 4);
                            out.append('{').append(s).append(':').append(e).append('}');
                        }
                    }
                }
                case CC, CC_NEW, CC_ECHO, ECHO, ECHO_REPLY -> {
                    datalen = 4;
                    if (datalen > hlen) {
                        return bad(out, comma);
                    }
                    if (!b.has(cp, datalen)) {
                        return truncated(out, b, comma);
                    }
                    out.append(' ').append(b.u32(cp));
                }
                case TIMESTAMP -> {
                    datalen = 8;
                    if (datalen > hlen) {
                        return bad(out, comma);
                    }
                    if (!b.has(cp, datalen)) {
                        return truncated(out, b, comma);
                    }
                    out.append(" val ").append(b.u32(cp)).append(" ecr ").append(b.u32(cp + 4));
                }
                case MD5 -> {
                    datalen = MD5_LENGTH;
                    if (datalen > hlen) {
                        return bad(out, comma);
                    }
                    if (!b.has(cp, datalen)) {
                        return truncated(out, b, comma);
                    }
                    // tcpdump built with libcrypto, without -M: the signature cannot be checked.
                    out.append(b.has(payloadAt, payloadLength)
                            ? " shared secret not supplied with -M, can't check - "
                            : " snaplen too short, can't check - ");
                    b.appendHex(out, cp, MD5_LENGTH);
                }
                case SCPS -> {
                    datalen = 2;
                    if (datalen > hlen) {
                        return bad(out, comma);
                    }
                    if (!b.has(cp, datalen)) {
                        return truncated(out, b, comma);
                    }
                    SnapBytes.hex2(out.append(" cap "), b.u8(cp)).append(" id ").append(b.u8(cp + 1));
                }
                case TCP_AO -> {
                    datalen = len - 2;
                    if (datalen < 2) {
                        out.append(" (invalid)");
                    } else {
                        if (1 > hlen) {
                            return bad(out, comma);
                        }
                        if (!b.has(cp, 1)) {
                            return truncated(out, b, comma);
                        }
                        out.append(" keyid ").append(b.u8(cp));
                        if (2 > hlen) {
                            return bad(out, comma);
                        }
                        if (!b.has(cp, 2)) {
                            return truncated(out, b, comma);
                        }
                        out.append(" rnextkeyid ").append(b.u8(cp + 1));
                        if (datalen > 2) {
                            out.append(" mac 0x");
                            for (int i = 2; i < datalen; i++) {
                                if (i + 1 > hlen) {
                                    return bad(out, comma);
                                }
                                if (!b.has(cp, i + 1)) {
                                    return truncated(out, b, comma);
                                }
                                SnapBytes.hex2(out, b.u8(cp + i));
                            }
                        }
                    }
                }
                case EOL, NOP, SACK_OK -> {
                    // nothing after the name
                }
                case USER_TIMEOUT -> {
                    datalen = 2;
                    if (datalen > hlen) {
                        return bad(out, comma);
                    }
                    if (!b.has(cp, datalen)) {
                        return truncated(out, b, comma);
                    }
                    int value = b.u16(cp);
                    SnapBytes.hex(out.append(" 0x"), value);
                    out.append(' ').append((value & 1) != 0 ? (value >>> 1) * 60 : value >>> 1);
                }
                case MPTCP -> {
                    datalen = len - 2;
                    if (datalen > hlen) {
                        return bad(out, comma);
                    }
                    if (!b.has(cp, datalen)) {
                        return truncated(out, b, comma);
                    }
                    int saved = b.end;
                    b.end = Math.min(cp - 2 + len, saved);
                    boolean ok;
                    try {
                        ok = mptcp.append(out, b, cp - 2, len, flags);
                    } finally {
                        b.end = saved;
                    }
                    if (!ok) {
                        return bad(out, comma);
                    }
                }
                case FAST_OPEN -> {
                    datalen = len - 2;
                    if (datalen > hlen) {
                        return bad(out, comma);
                    }
                    if (!b.has(cp, datalen)) {
                        return truncated(out, b, comma);
                    }
                    fastOpen(out.append(' '), b, cp, datalen, false);
                }
                case EXPERIMENT2 -> {
                    datalen = len - 2;
                    if (datalen > hlen) {
                        return bad(out, comma);
                    }
                    if (!b.has(cp, datalen)) {
                        return truncated(out, b, comma);
                    }
                    if (datalen < 2) {
                        return bad(out, comma);
                    }
                    int magic = b.u16(cp);
                    out.append('-');
                    if (magic == 0xf989) {
                        fastOpen(out, b, cp + 2, datalen - 2, true);
                    } else {
                        SnapBytes.hex(out, magic, 4);
                    }
                }
                default -> {
                    datalen = len - 2;
                    if (datalen != 0) {
                        out.append(" 0x");
                    }
                    for (int i = 0; i < datalen; i++) {
                        if (i + 1 > hlen) {
                            return bad(out, comma);
                        }
                        if (!b.has(cp, i + 1)) {
                            return truncated(out, b, comma);
                        }
                        SnapBytes.hex2(out, b.u8(cp + i));
                    }
                }
            }
            cp += datalen;
            hlen -= datalen;
            int expected = datalen + (opt == EOL || opt == NOP ? 1 : 2);
            if (expected != len) {
                out.append("[len ").append(len).append(']');
            }
            comma = true;
            if (opt == EOL) {
                break;
            }
        }
        out.append(']');
        return End.DONE;
    }

    private static void fastOpen(StringBuilder out, SnapBytes b, int cp, int datalen, boolean experimental) {
        if (experimental) {
            out.append("tfo");
        }
        if (datalen == 0) {
            out.append(" cookiereq");
        } else if (datalen % 2 != 0 || datalen < 4 || datalen > 16) {
            out.append(" (invalid)");
        } else {
            b.appendHex(out.append(" cookie "), cp, datalen);
        }
    }

    private static End bad(StringBuilder out, boolean comma) {
        out.append("[bad opt]");
        if (comma) {
            out.append(']');
        }
        return End.BAD;
    }

    private static End truncated(StringBuilder out, SnapBytes b, boolean comma) {
        out.append(" [|").append(b.protocol).append(']');
        if (comma) {
            out.append('>');
        }
        return End.TRUNCATED;
    }
}
