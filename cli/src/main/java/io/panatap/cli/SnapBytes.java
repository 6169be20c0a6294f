package io.panatap.cli;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The bytes of one frame as tcpdump's printers see them: big-endian reads at frame offsets that stop at a
 * moving end (tcpdump's {@code snapend}: the captured bytes, then cut to the IP datagram, to an option). A
 * read past that end throws {@link #TRUNCATED}, as tcpdump's {@code GET_} macros leave the printer, and the
 * row then ends with {@code " [|protocol]"}, naming the printer that was running ({@link #protocol}).
 * Reused for every row; nothing is allocated per read.
 */
final class SnapBytes {
    /** Thrown by a read past {@link #end}; one shared instance without a stack trace. */
    static final RuntimeException TRUNCATED = new RuntimeException("truncated", null, false, false) {
    };
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private MemorySegment segment;
    private long base;
    /** Frame offset one past the last byte that may be read. */
    int end;
    /** tcpdump's {@code ndo_protocol}: the name printed in the truncation marker. */
    String protocol;

    /** Starts a frame: {@code captured} bytes at {@code base} in {@code segment}. */
    void wrap(MemorySegment segment, long base, int captured) {
        this.segment = segment;
        this.base = base;
        this.end = captured;
        this.protocol = "";
    }

    /** True when the {@code length} bytes at {@code offset} are before the end ({@code ND_TTEST_LEN}). */
    boolean has(int offset, long length) {
        return offset >= 0 && length >= 0 && offset + length <= end;
    }

    /** Cuts the end to {@code offset + length} if that is shorter ({@code nd_push_snaplen}). */
    void cut(int offset, long length) {
        if (length <= end - offset) {
            end = (int) (offset + length);
        }
    }

    int u8(int offset) {
        check(offset, 1);
        return segment.get(ValueLayout.JAVA_BYTE, base + offset) & 0xFF;
    }

    int u16(int offset) {
        check(offset, 2);
        return segment.get(U16, base + offset) & 0xFFFF;
    }

    long u32(int offset) {
        check(offset, 4);
        return segment.get(U32, base + offset) & 0xFFFF_FFFFL;
    }

    long u64(int offset) {
        check(offset, 8);
        return segment.get(U64, base + offset);
    }

    private void check(int offset, int length) {
        if (!has(offset, length)) {
            throw TRUNCATED;
        }
    }

    /** {@code %02x} for each of {@code count} bytes at {@code offset}. */
    StringBuilder appendHex(StringBuilder out, int offset, int count) {
        for (int i = 0; i < count; i++) {
            hex2(out, u8(offset + i));
        }
        return out;
    }

    static StringBuilder hex2(StringBuilder out, int value) {
        return out.append(Character.forDigit(value >>> 4 & 0xF, 16)).append(Character.forDigit(value & 0xF, 16));
    }

    /** {@code %x}: lower-case hex without leading zeros (unsigned). */
    static StringBuilder hex(StringBuilder out, long value) {
        if (value == 0) {
            return out.append('0');
        }
        int shift = 60;
        while ((value >>> shift & 0xF) == 0) {
            shift -= 4;
        }
        for (; shift >= 0; shift -= 4) {
            out.append(Character.forDigit((int) (value >>> shift & 0xF), 16));
        }
        return out;
    }

    /** {@code %0Nx}: lower-case hex padded with zeros to {@code digits}. */
    static StringBuilder hex(StringBuilder out, long value, int digits) {
        for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
            if (shift < 64) {
                out.append(Character.forDigit((int) (value >>> shift & 0xF), 16));
            } else {
                out.append('0');
            }
        }
        return out;
    }

    /** {@code %u} of a 64-bit unsigned value. */
    static StringBuilder unsigned(StringBuilder out, long value) {
        if (value >= 0) {
            return out.append(value);
        }
        long quotient = (value >>> 1) / 5;
        return out.append(quotient).append(value - quotient * 10);
    }

    /** Appends the IPv4 address at {@code offset} (dotted quad). */
    StringBuilder appendIpv4(StringBuilder out, int offset) {
        return io.panatap.parse.IpText.appendIpv4(out, (int) u32(offset));
    }

    /** Appends the IPv6 address at {@code offset} as tcpdump prints it (inet_ntop). */
    StringBuilder appendIpv6(StringBuilder out, int offset) {
        return io.panatap.parse.IpText.appendIpv6(out, u64(offset), u64(offset + 8));
    }
}
