package io.panatap.parse;

/**
 * IPv6 fixed header (RFC 8200 section 3) and the extension headers the parser walks (section 4).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Payload Length (4)        | Next Hdr (6)  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Source Address (8, 16 bytes)                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Destination Address (24, 16 bytes)              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Hop-by-hop (0), routing (43), destination options (60):   Fragment (44), always 8 bytes:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Hdr (0)  | Hdr Ext Len (1)|  data ...                | Next Hdr (0)  |   Reserved    | Offset(13b)|Res|M|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   length = (Hdr Ext Len + 1) * 8 bytes                     |                 Identification (4)               |
 *                                                            +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv6Header {
    public static final int VERSION_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int SOURCE_OFFSET = 8;
    public static final int DESTINATION_OFFSET = 24;
    public static final int LENGTH = 40;
    public static final int VERSION = 6;

    public static final int NEXT_HOP_BY_HOP = 0;
    public static final int NEXT_TCP = 6;
    public static final int NEXT_ROUTING = 43;
    public static final int NEXT_FRAGMENT = 44;
    public static final int NEXT_DESTINATION_OPTIONS = 60;

    /** Offsets inside an extension header. */
    public static final int EXTENSION_NEXT_HEADER_OFFSET = 0;
    public static final int EXTENSION_LENGTH_OFFSET = 1;
    /** Extension header lengths count 8-byte units beyond the first 8 bytes. */
    public static final int EXTENSION_UNIT = 8;
    public static final int FRAGMENT_OFFSET_FIELD_OFFSET = 2;
    /** The 13-bit fragment offset occupies the high bits of bytes 2-3; the low bit is M. */
    public static final int FRAGMENT_OFFSET_MASK = 0xFFF8;
    public static final int FRAGMENT_HEADER_LENGTH = 8;

    private Ipv6Header() {
    }
}
