package io.panatap.parse;

/**
 * Allocation-free text forms of IP addresses: dotted quad and RFC 5952 canonical IPv6
 * ({@link java.net.Inet6Address#getHostAddress()} is not RFC 5952).
 *
 * <p>Both append to the caller's {@link StringBuilder}: digits are written one {@code char} at a time and
 * decimal numbers through {@link StringBuilder#append(int)}, so nothing is allocated unless the builder grows.
 */
public final class IpText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** Bits 32..63 of the low half of an IPv4-mapped address {@code ::ffff:0:0/96} (RFC 4291 2.5.5.2). */
    private static final long MAPPED_LOW_PREFIX = 0x0000_FFFFL;

    private IpText() {
    }

    /** Appends {@code a.b.c.d} for a big-endian int address. */
    public static StringBuilder appendIpv4(StringBuilder out, int address) {
        return out.append(address >>> 24).append('.')
                .append((address >>> 16) & 0xFF).append('.')
                .append((address >>> 8) & 0xFF).append('.')
                .append(address & 0xFF);
    }

    /**
     * Appends the RFC 5952 form of the address whose network-order bytes are {@code high} then {@code low}:
     * longest run of two or more zero groups compressed (the first of equal runs), lower case, and
     * {@code ::ffff:a.b.c.d} for IPv4-mapped addresses.
     *
     * <p>Section 5 recommends mixed notation for the well-known prefixes of RFC 4291, which are the
     * IPv4-mapped {@code ::ffff:0:0/96} and the (deprecated) IPv4-compatible {@code ::/96}. The latter is
     * written {@code ::a.b.c.d} only when its seventh group is non-zero, so {@code ::}, {@code ::1} and
     * {@code ::2} stay hexadecimal: the same rule as tshark and glibc's {@code inet_ntop}.
     */
    public static StringBuilder appendIpv6(StringBuilder out, long high, long low) {
        if (high == 0) {
            long upper = low >>> 32;
            if (upper == MAPPED_LOW_PREFIX) {
                return appendIpv4(out.append("::ffff:"), (int) low);
            }
            if (upper == 0 && (low & 0xFFFF_0000L) != 0) {
                return appendIpv4(out.append("::"), (int) low);
            }
        }
        // Find the first longest run of zero groups (RFC 5952 sections 4.2.1 to 4.2.3).
        int bestStart = -1;
        int bestLength = 0;
        int runStart = -1;
        for (int i = 0; i < 8; i++) {
            if (group(high, low, i) == 0) {
                if (runStart < 0) {
                    runStart = i;
                }
                int runLength = i - runStart + 1;
                if (runLength > bestLength) {
                    bestStart = runStart;
                    bestLength = runLength;
                }
            } else {
                runStart = -1;
            }
        }
        if (bestLength < 2) { // a single zero group is written "0", never "::" (section 4.2.2)
            bestStart = -1;
            bestLength = 0;
        }
        int i = 0;
        while (i < 8) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength;
                continue;
            }
            if (i > 0 && i != bestStart + bestLength) {
                out.append(':');
            }
            appendHexGroup(out, group(high, low, i));
            i++;
        }
        return out;
    }

    /** Appends the RFC 5952 form of the 16 network-order bytes at {@code offset} of {@code bytes}. */
    public static StringBuilder appendIpv6(StringBuilder out, byte[] bytes, int offset) {
        return appendIpv6(out, longAt(bytes, offset), longAt(bytes, offset + 8));
    }

    /** {@link #appendIpv4} as a new string. */
    public static String ipv4(int address) {
        return appendIpv4(new StringBuilder(15), address).toString();
    }

    /** {@link #appendIpv6(StringBuilder, long, long)} as a new string. */
    public static String ipv6(long high, long low) {
        return appendIpv6(new StringBuilder(39), high, low).toString();
    }

    private static int group(long high, long low, int index) {
        long word = index < 4 ? high : low;
        return (int) (word >>> (48 - 16 * (index & 3))) & 0xFFFF;
    }

    /** Lower-case hex without leading zeros (RFC 5952 sections 4.1 and 4.3). */
    private static void appendHexGroup(StringBuilder out, int value) {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int nibble = (value >>> shift) & 0xF;
            if (nibble != 0 || started || shift == 0) {
                out.append(HEX[nibble]);
                started = true;
            }
        }
    }

    private static long longAt(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[offset + i] & 0xFF);
        }
        return value;
    }
}
