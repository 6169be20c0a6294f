package io.panatap.parse;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Big-endian (network order) reads at absolute offsets of a segment. Callers check bounds against the frame
 * first; the segment's own checks are the last line of defence, never the control flow.
 */
final class Bytes {
    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    static int u8(MemorySegment segment, long offset) {
        return segment.get(U8, offset) & 0xFF;
    }

    static int u16(MemorySegment segment, long offset) {
        return segment.get(U16, offset) & 0xFFFF;
    }

    static int i32(MemorySegment segment, long offset) {
        return segment.get(U32, offset);
    }

    static long u32(MemorySegment segment, long offset) {
        return segment.get(U32, offset) & 0xFFFF_FFFFL;
    }

    static long i64(MemorySegment segment, long offset) {
        return segment.get(U64, offset);
    }
}
