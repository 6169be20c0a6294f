package io.panatap.cli;

import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The TCP options as the JSON key {@code "options"}: a list with one object per option, in header order.
 * Every object has {@code kind} (the option kind) and {@code name} (tcpdump's name: {@code eol},
 * {@code nop}, {@code mss}, {@code wscale}, {@code sackOK}, {@code sack}, {@code echo}, {@code echoreply},
 * {@code TS}, {@code cc}, {@code ccnew}, {@code ccecho}, {@code md5}, {@code scps}, {@code uto},
 * {@code tcp-ao}, {@code mptcp}, {@code tfo}, {@code exp}, else {@code unknown-N}); all but {@code eol} and
 * {@code nop} have {@code length} (the option's length byte). Then, when the length is the one the kind
 * has:
 * <ul>
 * <li>{@code mss}, {@code wscale}, {@code uto} (the raw field), {@code echo}, {@code echoreply}, {@code cc},
 *     {@code ccnew}, {@code ccecho}: {@code "value"} (a number);</li>
 * <li>{@code TS}: {@code "val"} and {@code "ecr"};</li>
 * <li>{@code sack}: {@code "blocks"}, a list of {@code [left, right]} pairs of absolute sequence numbers;</li>
 * <li>{@code tfo}: {@code "cookie"} (hex), absent for a cookie request;</li>
 * <li>{@code mptcp}: {@code "subtype"} (tcpdump's name: {@code capable}, {@code join}, {@code dss},
 *     {@code add-addr}, {@code rem-addr}, {@code prio}, {@code fail}, {@code fast-close}, {@code unknown});</li>
 * <li>{@code exp}: {@code "magic"} (the first two bytes, a number).</li>
 * </ul>
 * Every option with bytes after its length byte also has {@code "data"}: those bytes in lower-case hex.
 * An option whose length byte is below 2 or runs past the header ends the list with
 * {@code "malformed":true}; an option the capture cuts ends it with {@code "truncated":true}. The key is
 * {@code null} when the capture ends before the flags, {@code []} for a header without options.
 * For example: {@code "options":[{"kind":2,"name":"mss","length":4,"value":1460,"data":"05b4"},
 * {"kind":4,"name":"sackOK","length":2},{"kind":1,"name":"nop"}]}.
 */
final class TcpOptionsJson {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final String[] MPTCP_SUBTYPES =
            {"capable", "join", "dss", "add-addr", "rem-addr", "prio", "fail", "fast-close", "unknown"};

    private TcpOptionsJson() {
    }

    /** Appends {@code ,"options":...} for the frame {@code h} holds. */
    static void append(StringBuilder out, PacketHeaders h) {
        out.append(",\"options\":");
        if (!h.hasFlags()) {
            out.append("null");
            return;
        }
        MemorySegment s = h.segment();
        long base = h.frameOffset();
        int at = h.optionsOffset();
        int declared = Math.max(0, 4 * h.dataOffset() - 20);
        int captured = Math.min(declared, h.optionsLength());
        out.append('[');
        int p = 0;
        boolean first = true;
        while (p < declared) {
            if (p >= captured) {
                break; // the capture ends before this option's kind
            }
            int kind = u8(s, base + at + p);
            out.append(first ? "{\"kind\":" : ",{\"kind\":").append(kind).append(",\"name\":\"");
            first = false;
            String name = kind == TcpOptionsText.CC_ECHO ? "ccecho" : TcpOptionsText.name(kind);
            if (name != null) {
                out.append(name);
            } else {
                out.append("unknown-").append(kind);
            }
            out.append('"');
            if (kind == TcpOptionsText.EOL || kind == TcpOptionsText.NOP) {
                out.append('}');
                p++;
                if (kind == TcpOptionsText.EOL) {
                    break;
                }
                continue;
            }
            if (p + 1 >= captured) {
                out.append(",\"truncated\":true}");
                break;
            }
            int length = u8(s, base + at + p + 1);
            out.append(",\"length\":").append(length);
            if (length < 2 || p + length > declared) {
                out.append(",\"malformed\":true}");
                break;
            }
            if (p + length > captured) {
                out.append(",\"truncated\":true}");
                break;
            }
            fields(out, s, base + at + p, kind, length);
            if (length > 2) {
                out.append(",\"data\":\"");
                for (int i = 2; i < length; i++) {
                    SnapBytes.hex2(out, u8(s, base + at + p + i));
                }
                out.append('"');
            }
            out.append('}');
            p += length;
        }
        out.append(']');
    }

    private static void fields(StringBuilder out, MemorySegment s, long o, int kind, int length) {
        switch (kind) {
            case TcpOptionsText.MSS, TcpOptionsText.USER_TIMEOUT -> {
                if (length == 4) {
                    out.append(",\"value\":").append(s.get(U16, o + 2) & 0xFFFF);
                }
            }
            case TcpOptionsText.WSCALE -> {
                if (length == 3) {
                    out.append(",\"value\":").append(u8(s, o + 2));
                }
            }
            case TcpOptionsText.ECHO, TcpOptionsText.ECHO_REPLY, TcpOptionsText.CC, TcpOptionsText.CC_NEW,
                 TcpOptionsText.CC_ECHO -> {
                if (length == 6) {
                    out.append(",\"value\":").append(u32(s, o + 2));
                }
            }
            case TcpOptionsText.TIMESTAMP -> {
                if (length == 10) {
                    out.append(",\"val\":").append(u32(s, o + 2)).append(",\"ecr\":").append(u32(s, o + 6));
                }
            }
            case TcpOptionsText.SACK -> {
                if ((length - 2) % 8 == 0) {
                    out.append(",\"blocks\":[");
                    for (int i = 2; i < length; i += 8) {
                        out.append(i == 2 ? "[" : ",[").append(u32(s, o + i)).append(',').append(u32(s, o + i + 4))
                                .append(']');
                    }
                    out.append(']');
                }
            }
            case TcpOptionsText.FAST_OPEN -> {
                if (length > 2) {
                    out.append(",\"cookie\":\"");
                    for (int i = 2; i < length; i++) {
                        SnapBytes.hex2(out, u8(s, o + i));
                    }
                    out.append('"');
                }
            }
            case TcpOptionsText.MPTCP -> {
                if (length >= 3) {
                    out.append(",\"subtype\":\"")
                            .append(MPTCP_SUBTYPES[Math.min(u8(s, o + 2) >>> 4, MPTCP_SUBTYPES.length - 1)])
                            .append('"');
                }
            }
            case TcpOptionsText.EXPERIMENT2 -> {
                if (length >= 4) {
                    out.append(",\"magic\":").append(s.get(U16, o + 2) & 0xFFFF);
                }
            }
            default -> {
            }
        }
    }

    private static int u8(MemorySegment s, long o) {
        return s.get(ValueLayout.JAVA_BYTE, o) & 0xFF;
    }

    private static long u32(MemorySegment s, long o) {
        return s.get(U32, o) & 0xFFFF_FFFFL;
    }
}
