package io.panatap.cli;

/**
 * IPv4 options as tcpdump 4.99.3 prints them with {@code -v} ({@code ip_optprint} in print-ip.c), inside
 * {@code ", options (...)"}: the option names ({@code NOP}, {@code EOL}, {@code RR}, {@code LSRR},
 * {@code SSRR}, {@code timestamp}, {@code RA}, {@code security}, {@code traceroute}, {@code unknown N}), the
 * addresses of a route, the entries of a timestamp and {@code [bad length N]} notes.
 */
final class IpOptionsText {
    private IpOptionsText() {
    }

    /** Appends the {@code length} option bytes at {@code cp}; false where the capture cuts them. */
    static boolean append(StringBuilder out, SnapBytes b, int cp, int length) {
        String sep = "";
        int optionLength;
        for (; length > 0; cp += optionLength, length -= optionLength) {
            out.append(sep);
            sep = ",";
            int code = b.u8(cp);
            String name = name(code);
            if (name != null) {
                out.append(name);
            } else {
                out.append("unknown ").append(code);
            }
            if (code == 0 || code == 1) {
                optionLength = 1;
            } else {
                optionLength = b.u8(cp + 1);
                if (optionLength < 2) {
                    out.append(" [bad length ").append(optionLength).append(']');
                    return true;
                }
            }
            if (optionLength > length) {
                out.append(" [bad length ").append(optionLength).append(']');
                return true;
            }
            if (!b.has(cp, optionLength)) {
                return false;
            }
            switch (code) {
                case 0 -> {
                    return true;
                }
                case 0x44 -> {
                    if (!timestamp(out, b, cp, optionLength)) {
                        return false;
                    }
                }
                case 7, 0x89, 0x83 -> {
                    if (!route(out, b, cp, optionLength)) {
                        return false;
                    }
                }
                case 0x94 -> {
                    if (optionLength < 4) {
                        out.append(" [bad length ").append(optionLength).append(']');
                    } else if (b.u16(cp + 2) != 0) {
                        out.append(" value ").append(b.u16(cp + 2));
                    }
                }
                default -> {
                }
            }
        }
        return true;
    }

    private static String name(int code) {
        return switch (code) {
            case 0 -> "EOL";
            case 1 -> "NOP";
            case 0x44 -> "timestamp";
            case 0x82 -> "security";
            case 7 -> "RR";
            case 0x89 -> "SSRR";
            case 0x83 -> "LSRR";
            case 0x94 -> "RA";
            case 0x52 -> "traceroute";
            default -> null;
        };
    }

    private static boolean route(StringBuilder out, SnapBytes b, int cp, int length) {
        if (length < 3) {
            out.append(" [bad length ").append(length).append(']');
            return true;
        }
        if (((length + 1) & 3) != 0) {
            out.append(" [bad length ").append(length).append(']');
        }
        int ptr = b.u8(cp + 2) - 1;
        if (ptr < 3 || ((ptr + 1) & 3) != 0 || ptr > length + 1) {
            out.append(" [bad ptr ").append(b.u8(cp + 2)).append(']');
        }
        for (int len = 3; len < length; len += 4) {
            if (!b.has(cp + len, 4)) {
                return false;
            }
            b.appendIpv4(out.append(' '), cp + len);
            if (ptr > len) {
                out.append(',');
            }
        }
        return true;
    }

    private static boolean timestamp(StringBuilder out, SnapBytes b, int cp, int length) {
        if (length < 4) {
            out.append("[bad length ").append(length).append(']');
            return true;
        }
        out.append(" TS{");
        int flag = b.u8(cp + 3) & 0xF;
        int hoplen = flag != 0 ? 8 : 4;
        if (((length - 4) & (hoplen - 1)) != 0) {
            out.append("[bad length ").append(length).append(']');
        }
        int ptr = b.u8(cp + 2) - 1;
        int len = 0;
        if (ptr < 4 || ((ptr - 4) & (hoplen - 1)) != 0 || ptr > length + 1) {
            out.append("[bad ptr ").append(b.u8(cp + 2)).append(']');
        }
        boolean done = false;
        switch (flag) {
            case 0 -> out.append("TSONLY");
            case 1 -> out.append("TS+ADDR");
            case 3 -> out.append("PRESPEC");
            default -> {
                out.append("[bad ts type ").append(flag).append(']');
                done = true;
            }
        }
        if (!done) {
            String type = " ";
            for (len = 4; len < length; len += hoplen) {
                if (ptr == len) {
                    type = " ^ ";
                }
                if (!b.has(cp + len, hoplen)) {
                    return false;
                }
                out.append(type).append(b.u32(cp + len + hoplen - 4)).append('@');
                if (hoplen == 8) {
                    b.appendIpv4(out, cp + len);
                }
                type = " ";
            }
        }
        out.append(ptr == len ? " ^ " : "");
        int hops = b.u8(cp + 3) >>> 4;
        if (hops != 0) {
            out.append(" [").append(hops).append(" hops not recorded]} ");
        } else {
            out.append('}');
        }
        return true;
    }
}
