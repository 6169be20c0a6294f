package io.panatap.pcap;

import io.panatap.parse.LinkLayer;

/**
 * One pcapng interface description: link type, snap length, name ({@code if_name}) and the conversion of
 * its timestamps to nanoseconds ({@code if_tsresol}, powers of 10 and of 2, and {@code if_tsoffset}).
 */
final class PcapngInterface {
    final int linkType;
    final int snapLength;
    /** Whether the parser decodes {@link #linkType}; records of an interface it does not are counted. */
    final boolean decoded;
    String name;
    long offsetNanos;
    // units * multiplier / divisor for decimal resolutions; binary ones shift.
    private long multiplier = 1000;
    private long divisor = 1;
    private int binaryShift = -1;

    PcapngInterface(int linkType, int snapLength) {
        this.linkType = linkType;
        this.snapLength = snapLength;
        this.decoded = LinkLayer.isDecoded(linkType);
    }

    /** {@code if_tsresol}: high bit clear = 10^-n seconds, set = 2^-n seconds. */
    void setResolution(int value) {
        int n = value & 0x7F;
        multiplier = 1;
        divisor = 1;
        binaryShift = -1;
        if ((value & 0x80) != 0) {
            binaryShift = n;
        } else if (n <= 9) {
            for (int i = n; i < 9; i++) {
                multiplier *= 10;
            }
        } else {
            // Beyond 10^-27 every 64-bit count is below one nanosecond.
            divisor = n - 9 <= 18 ? pow10(n - 9) : 0;
        }
    }

    private static long pow10(int n) {
        long v = 1;
        for (int i = 0; i < n; i++) {
            v *= 10;
        }
        return v;
    }

    /** A timestamp of the interface's resolution in nanoseconds since the epoch, offset applied. */
    long toNanos(long units) {
        long nanos;
        if (binaryShift >= 0) {
            int s = binaryShift;
            if (s == 0) {
                nanos = units * 1_000_000_000L;
            } else if (s >= 64) {
                nanos = 0;
            } else {
                long seconds = units >>> s;
                long fraction = units & ((1L << s) - 1);
                // fraction * 1e9 / 2^s, with a 128-bit product.
                long high = Math.unsignedMultiplyHigh(fraction, 1_000_000_000L);
                long low = fraction * 1_000_000_000L;
                long fractionNanos = (low >>> s) | (high << (64 - s));
                nanos = seconds * 1_000_000_000L + fractionNanos;
            }
        } else if (divisor == 1) {
            nanos = units * multiplier;
        } else {
            nanos = divisor == 0 ? 0 : Long.divideUnsigned(units, divisor);
        }
        return nanos + offsetNanos;
    }
}
