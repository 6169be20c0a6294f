package io.panatap.parse;

/**
 * TCP header, RFC 9293 section 3.1 (flags as in {@link TcpFlags}).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       Source Port (0)         |     Destination Port (2)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Sequence Number (4)                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Acknowledgment Number (8)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | DOff  | Rsrvd |A|C|E|U|A|P|R|S|F|                               |
 * | (12)  |       |E|W|C|R|C|S|S|Y|I|          Window (14)          |
 * |       |       | |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Checksum (16)         |      Urgent Pointer (18)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (20, DOff 6..15)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class TcpHeader {
    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int SEQUENCE_OFFSET = 4;
    public static final int ACKNOWLEDGEMENT_OFFSET = 8;
    /** Data offset in the high nibble; the low nibble holds the reserved bits and AE. */
    public static final int DATA_OFFSET_OFFSET = 12;
    /** The 12-bit flags field is the low 12 bits of the 16-bit word at this offset. */
    public static final int FLAGS_OFFSET = 12;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_POINTER_OFFSET = 18;
    public static final int OPTIONS_OFFSET = 20;
    public static final int MIN_LENGTH = 20;

    /** Bytes needed for the two ports, the least a frame must hold to count as TCP. */
    public static final int PORTS_LENGTH = 4;
    /**
     * Bytes needed before the flags are reported. tshark (4.0) reads the window (bytes 14-15) together with
     * the flags and shows neither when the capture ends before byte 16; the ground truth follows tshark.
     */
    public static final int FLAGS_CAPTURED_LENGTH = 16;

    private TcpHeader() {
    }
}
