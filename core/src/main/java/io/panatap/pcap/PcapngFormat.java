package io.panatap.pcap;

import io.panatap.PacketType;

/**
 * The pcapng blocks and options panatap reads ({@link PcapngBlocks}) and writes ({@link PcapngWriter}),
 * written down once: block types, the byte-order magic, body offsets, option codes and the meaning of
 * {@code epb_flags}.
 *
 * <pre>
 * General block (every field in the byte order of its section):
 * +---------------------------------------------------------------+
 * |                       Block type                              |  0
 * |                   Block total length                          |  4
 * /                       Block body                              /  8
 * |                   Block total length                          |  length - 4
 * +---------------------------------------------------------------+
 * </pre>
 *
 * Section header body: byte-order magic 1a2b3c4d (8), major (12), minor (14), section length (16),
 * options (24). Interface description body: link type u16 (8), reserved (10), snap length (12),
 * options (16). Enhanced packet body: interface id (8), timestamp high (12), low (16), captured length
 * (20), original length (24), data (28), options. Obsolete packet: interface id u16 (8), drops u16 (10),
 * then as enhanced. Simple packet: original length (8), data (12). Interface statistics: interface id (8),
 * timestamp high (12), low (16), options (20). Options: code u16, length u16, value padded to 4 bytes.
 */
final class PcapngFormat {
    /** Section header block; also its byte-order-independent magic at offset 0. */
    static final int SHB = 0x0A0D0D0A;
    /** Interface description block. */
    static final int IDB = 1;
    /** Obsolete packet block. */
    static final int OPB = 2;
    /** Simple packet block. */
    static final int SPB = 3;
    /** Interface statistics block. */
    static final int ISB = 5;
    /** Enhanced packet block. */
    static final int EPB = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int VERSION_MAJOR = 1;
    static final int VERSION_MINOR = 0;
    /** Written by some programs for 1.0 files with extra block types; read as 1.0 (as libpcap does). */
    static final int VERSION_MINOR_TOLERATED = 2;

    static final int BLOCK_LENGTH_OFFSET = 4;
    static final int BLOCK_BODY_OFFSET = 8;
    /** Type, length and trailing length: the smallest block. */
    static final int MIN_BLOCK_LENGTH = 12;

    static final int SHB_MIN_LENGTH = 28;
    static final int SHB_BOM_OFFSET = 8;
    static final int SHB_MAJOR_OFFSET = 12;
    static final int SHB_MINOR_OFFSET = 14;
    static final int SHB_SECTION_LENGTH_OFFSET = 16;
    static final int SHB_OPTIONS_OFFSET = 24;

    static final int IDB_MIN_LENGTH = 20;
    static final int IDB_LINKTYPE_OFFSET = 8;
    static final int IDB_SNAPLEN_OFFSET = 12;
    static final int IDB_OPTIONS_OFFSET = 16;

    /** Enhanced and obsolete packet blocks share this layout (the obsolete one's interface id is 16 bits). */
    static final int EPB_MIN_LENGTH = 32;
    static final int EPB_IFID_OFFSET = 8;
    static final int EPB_TS_HIGH_OFFSET = 12;
    static final int EPB_TS_LOW_OFFSET = 16;
    static final int EPB_CAPLEN_OFFSET = 20;
    static final int EPB_ORIGLEN_OFFSET = 24;
    static final int EPB_DATA_OFFSET = 28;

    static final int ISB_IFID_OFFSET = 8;
    static final int ISB_TS_HIGH_OFFSET = 12;
    static final int ISB_TS_LOW_OFFSET = 16;
    static final int ISB_OPTIONS_OFFSET = 20;

    static final int SPB_MIN_LENGTH = 16;
    static final int SPB_ORIGLEN_OFFSET = 8;
    static final int SPB_DATA_OFFSET = 12;

    /** Option header: code (u16) and value length (u16). */
    static final int OPTION_HEADER_LENGTH = 4;
    static final int OPT_END = 0;
    static final int OPT_IF_NAME = 2;
    static final int OPT_IF_TSRESOL = 9;
    static final int OPT_IF_TSOFFSET = 14;
    static final int OPT_EPB_FLAGS = 2;
    static final int OPT_SHB_OS = 3;
    static final int OPT_SHB_USERAPPL = 4;
    static final int OPT_ISB_STARTTIME = 2;
    static final int OPT_ISB_ENDTIME = 3;
    static final int OPT_ISB_IFRECV = 4;
    static final int OPT_ISB_IFDROP = 5;
    static final int OPT_ISB_USRDELIV = 7;
    /** {@code if_tsresol} value for nanoseconds (10^-9 s), what the writer records. */
    static final int TSRESOL_NANOS = 9;

    private PcapngFormat() {
    }

    /** A length rounded up to the 4-byte alignment of block bodies and option values. */
    static long padded(long length) {
        return (length + 3) & ~3L;
    }

    /**
     * The {@code epb_flags} value for a packet type, the inverse of {@link #packetType(int)}; 0 (nothing
     * recorded) for {@link PacketType#UNKNOWN}.
     */
    static int epbFlags(PacketType type) {
        return switch (type) {
            case HOST -> 1 | 1 << 2;
            case MULTICAST -> 1 | 2 << 2;
            case BROADCAST -> 1 | 3 << 2;
            case OTHERHOST -> 1 | 4 << 2;
            case OUTGOING -> 2;
            case UNKNOWN -> 0;
        };
    }

    /**
     * The packet type an {@code epb_flags} value records: bits 0-1 the direction (1 inbound, 2 outbound),
     * bits 2-4 the reception type of an inbound packet (1 unicast, 2 multicast, 3 broadcast,
     * 4 promiscuous).
     */
    static PacketType packetType(int epbFlags) {
        return switch (epbFlags & 3) {
            case 1 -> switch ((epbFlags >>> 2) & 7) {
                case 2 -> PacketType.MULTICAST;
                case 3 -> PacketType.BROADCAST;
                case 4 -> PacketType.OTHERHOST;
                default -> PacketType.HOST;
            };
            case 2 -> PacketType.OUTGOING;
            default -> PacketType.UNKNOWN;
        };
    }
}
