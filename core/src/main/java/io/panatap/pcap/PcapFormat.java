package io.panatap.pcap;

/**
 * The classic pcap file format, written down once for the reader ({@link PcapRecords}) and the writer
 * ({@link PcapWriter}): magic numbers, version, header lengths and field offsets. Every field is in the
 * byte order of the program that wrote the file, which the magic number tells.
 *
 * <pre>
 * File header (24 bytes):
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |            Magic (a1b2c3d4, a1b23c4d or a1b2cd34)             |  0
 * +-------------------------------+-------------------------------+
 * |         Major version         |         Minor version         |  4
 * +-------------------------------+-------------------------------+
 * |                    Reserved (thiszone)                        |  8
 * |                    Reserved (sigfigs)                         | 12
 * |                        Snap length                            | 16
 * |          FCS info / reserved  |        Link type              | 20
 * +---------------------------------------------------------------+
 *
 * Record header (16 bytes), then the captured bytes:
 * +---------------------------------------------------------------+
 * |                   Timestamp (seconds)                         |  0
 * |           Timestamp (microseconds or nanoseconds)             |  4
 * |                    Captured length                            |  8
 * |                    Original length                            | 12
 * +---------------------------------------------------------------+
 * /                    Captured bytes ...                         / 16
 * </pre>
 *
 * Alexey Kuznetzov's modified format ({@code 0xa1b2cd34}) has 24-byte record headers: interface index (16),
 * protocol (20, 2 bytes), Linux packet type (22, 1 byte), padding (23).
 */
final class PcapFormat {
    /** Microsecond timestamps. */
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    /** Nanosecond timestamps. */
    static final int MAGIC_NANOS = 0xa1b23c4d;
    /** The modified format: microsecond timestamps and 24-byte records with ifindex and packet type. */
    static final int MAGIC_MODIFIED = 0xa1b2cd34;
    static final int VERSION_MAJOR = 2;
    static final int VERSION_MINOR = 4;

    static final int HEADER_LENGTH = 24;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_MAJOR_OFFSET = 4;
    static final int VERSION_MINOR_OFFSET = 6;
    static final int THISZONE_OFFSET = 8;
    static final int SIGFIGS_OFFSET = 12;
    static final int SNAPLEN_OFFSET = 16;
    static final int LINKTYPE_OFFSET = 20;
    /** The link type is the low 16 bits of its field (libpcap's {@code LT_LINKTYPE}). */
    static final int LINKTYPE_MASK = 0xFFFF;
    /** Bits 16-25 of the link-type field are reserved and must be 0 (libpcap's {@code LT_RESERVED1}). */
    static final int LINKTYPE_RESERVED_MASK = 0x03FF0000;
    /*
     * Bits 26-31 carry FCS information (libpcap's LT_FCS_LENGTH_PRESENT, bit 26, and LT_FCS_LENGTH,
     * bits 28-31): accepted and not part of the link type.
     */

    static final int RECORD_HEADER_LENGTH = 16;
    static final int RECORD_SECONDS = 0;
    static final int RECORD_FRACTION = 4;
    static final int RECORD_CAPTURED_LENGTH = 8;
    static final int RECORD_ORIGINAL_LENGTH = 12;

    static final int MODIFIED_RECORD_HEADER_LENGTH = 24;
    static final int MODIFIED_IFINDEX = 16;
    static final int MODIFIED_PROTOCOL = 20;
    static final int MODIFIED_PKTTYPE = 22;

    private PcapFormat() {
    }

    /** True for the three magic numbers, read in the file's own byte order. */
    static boolean isMagic(int magic) {
        return magic == MAGIC_MICROS || magic == MAGIC_NANOS || magic == MAGIC_MODIFIED;
    }
}
