package io.panatap.parse;

/**
 * Allocation-free text forms of IP addresses: dotted quad and RFC 5952 canonical IPv6
 * ({@link java.net.Inet6Address#getHostAddress()} is not RFC 5952).
 *
 * <p>STUB: to be implemented (issue 3).
 */
public final class IpText {
    private IpText() {
    }

    /** Appends {@code a.b.c.d} for a big-endian int address. */
    public static StringBuilder appendIpv4(StringBuilder out, int address) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Appends the RFC 5952 form of the address whose network-order bytes are {@code high} then {@code low}:
     * longest run of two or more zero groups compressed (the first of equal runs), lower case, and
     * {@code ::ffff:a.b.c.d} for IPv4-mapped addresses.
     */
    public static StringBuilder appendIpv6(StringBuilder out, long high, long low) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
