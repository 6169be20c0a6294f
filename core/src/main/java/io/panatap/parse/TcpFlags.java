package io.panatap.parse;

/**
 * The 12-bit TCP flags field (the low 12 bits of TCP header bytes 12-13) as an int bitmask, and its
 * renderings. RFC 9293 section 3.1, RFC 3168 (ECE, CWR), RFC 9768 / AccECN (AE, formerly NS).
 */
public final class TcpFlags {
    public static final int FIN = 0x001;
    public static final int SYN = 0x002;
    public static final int RST = 0x004;
    public static final int PSH = 0x008;
    public static final int ACK = 0x010;
    public static final int URG = 0x020;
    public static final int ECE = 0x040;
    public static final int CWR = 0x080;
    public static final int AE = 0x100;
    /** The three bits still reserved. */
    public static final int RESERVED = 0xE00;
    /** Every bit of the field. */
    public static final int MASK = 0xFFF;

    private TcpFlags() {
    }

    /**
     * Appends the six classic columns {@code U A P R S F} as {@code 0}/{@code 1} digits separated by
     * {@code separator} (e.g. two spaces for the tcpdump-like table).
     */
    public static StringBuilder appendColumns(StringBuilder out, int flags, String separator) {
        int[] order = COLUMN_ORDER;
        for (int i = 0; i < order.length; i++) {
            if (i > 0) {
                out.append(separator);
            }
            out.append((flags & order[i]) != 0 ? '1' : '0');
        }
        return out;
    }

    /**
     * Appends tcpdump's flag letters in tcpdump's order ({@code tcp_flag_values} in print-tcp.c):
     * {@code F S R P . U E W e}, where {@code .} is ACK; {@code none} when none of those bits is set.
     * SYN+ACK gives {@code S.}, FIN+PSH+ACK gives {@code FP.}.
     */
    public static StringBuilder appendTcpdumpLetters(StringBuilder out, int flags) {
        int start = out.length();
        if ((flags & FIN) != 0) out.append('F');
        if ((flags & SYN) != 0) out.append('S');
        if ((flags & RST) != 0) out.append('R');
        if ((flags & PSH) != 0) out.append('P');
        if ((flags & ACK) != 0) out.append('.');
        if ((flags & URG) != 0) out.append('U');
        if ((flags & ECE) != 0) out.append('E');
        if ((flags & CWR) != 0) out.append('W');
        if ((flags & AE) != 0) out.append('e');
        if (out.length() == start) {
            out.append("none");
        }
        return out;
    }

    /** tcpdump's flag letters as a new string, e.g. {@code "S."}. */
    public static String tcpdumpLetters(int flags) {
        return appendTcpdumpLetters(new StringBuilder(4), flags).toString();
    }

    /** Six digits {@code U A P R S F}, e.g. {@code "011000"} for PSH+ACK. */
    public static String columns(int flags) {
        return appendColumns(new StringBuilder(6), flags, "").toString();
    }

    private static final int[] COLUMN_ORDER = {URG, ACK, PSH, RST, SYN, FIN};
}
