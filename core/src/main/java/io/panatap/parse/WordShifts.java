package io.panatap.parse;

/**
 * Where each field sits in the wide big-endian reads of {@link PacketHeaders}, as bit shifts derived from the
 * named offsets of the header classes.
 *
 * <p>The parser reads a header in big-endian words that start at the named offset of their first field; a
 * field of n bytes at offset f, in a word of w bytes read at offset r, then sits (r + w - f - n) * 8 bits up.
 * Every shift below is that formula over the header classes' named offsets, so the offsets they publish are
 * the ones the parser reads (HeaderLayoutTest checks them against the RFCs). All are compile-time constants:
 * no cost per frame.
 */
final class WordShifts {
    private WordShifts() {
    }

    // IPv4 word 0, 8 bytes at VERSION_IHL_OFFSET: [version/IHL, TOS, total length, id, flags/fragment].
    static final int IPV4_VERSION_IHL_SHIFT =
            8 * (Ipv4Header.VERSION_IHL_OFFSET + 8 - Ipv4Header.VERSION_IHL_OFFSET - 1);
    static final int IPV4_TOTAL_LENGTH_SHIFT =
            8 * (Ipv4Header.VERSION_IHL_OFFSET + 8 - Ipv4Header.TOTAL_LENGTH_OFFSET - 2);
    static final int IPV4_FLAGS_FRAGMENT_SHIFT =
            8 * (Ipv4Header.VERSION_IHL_OFFSET + 8 - Ipv4Header.FLAGS_FRAGMENT_OFFSET - 2);
    // IPv4 word 1, 8 bytes at TTL_OFFSET: [TTL, protocol, checksum, source].
    static final int IPV4_PROTOCOL_SHIFT = 8 * (Ipv4Header.TTL_OFFSET + 8 - Ipv4Header.PROTOCOL_OFFSET - 1);
    static final int IPV4_SOURCE_SHIFT = 8 * (Ipv4Header.TTL_OFFSET + 8 - Ipv4Header.SOURCE_OFFSET - 4);
    /** The IHL and the TCP data offset count 32-bit words. */
    static final int WORD_BYTES = 4;

    // IPv6 word 0, 8 bytes at VERSION_OFFSET: [version, traffic class, flow label, payload length, next
    // header, hop limit]. The version is the high nibble of its byte.
    static final int IPV6_VERSION_SHIFT =
            8 * (Ipv6Header.VERSION_OFFSET + 8 - Ipv6Header.VERSION_OFFSET - 1) + 4;
    static final int IPV6_PAYLOAD_LENGTH_SHIFT =
            8 * (Ipv6Header.VERSION_OFFSET + 8 - Ipv6Header.PAYLOAD_LENGTH_OFFSET - 2);
    static final int IPV6_NEXT_HEADER_SHIFT =
            8 * (Ipv6Header.VERSION_OFFSET + 8 - Ipv6Header.NEXT_HEADER_OFFSET - 1);

    // TCP word 0, 8 bytes at SOURCE_PORT_OFFSET: [source port, destination port, sequence].
    static final int TCP_SOURCE_PORT_SHIFT =
            8 * (TcpHeader.SOURCE_PORT_OFFSET + 8 - TcpHeader.SOURCE_PORT_OFFSET - 2);
    static final int TCP_DESTINATION_PORT_SHIFT =
            8 * (TcpHeader.SOURCE_PORT_OFFSET + 8 - TcpHeader.DESTINATION_PORT_OFFSET - 2);
    static final int TCP_SEQUENCE_SHIFT =
            8 * (TcpHeader.SOURCE_PORT_OFFSET + 8 - TcpHeader.SEQUENCE_OFFSET - 4);
    // TCP word 1, 8 bytes at ACKNOWLEDGEMENT_OFFSET: [acknowledgement, data offset/flags, window]. The data
    // offset is the high nibble of its byte; the flags are the low 12 bits of the 16 at FLAGS_OFFSET.
    static final int TCP_ACKNOWLEDGEMENT_SHIFT =
            8 * (TcpHeader.ACKNOWLEDGEMENT_OFFSET + 8 - TcpHeader.ACKNOWLEDGEMENT_OFFSET - 4);
    static final int TCP_DATA_OFFSET_SHIFT =
            8 * (TcpHeader.ACKNOWLEDGEMENT_OFFSET + 8 - TcpHeader.DATA_OFFSET_OFFSET - 1) + 4;
    static final int TCP_FLAGS_SHIFT =
            8 * (TcpHeader.ACKNOWLEDGEMENT_OFFSET + 8 - TcpHeader.FLAGS_OFFSET - 2);
    static final int TCP_WINDOW_SHIFT =
            8 * (TcpHeader.ACKNOWLEDGEMENT_OFFSET + 8 - TcpHeader.WINDOW_OFFSET - 2);
    // TCP word 2, 4 bytes at CHECKSUM_OFFSET: [checksum, urgent pointer].
    static final int TCP_URGENT_POINTER_SHIFT =
            8 * (TcpHeader.CHECKSUM_OFFSET + 4 - TcpHeader.URGENT_POINTER_OFFSET - 2);
    /** The smallest valid data offset, in 32-bit words (5: the header without options). */
    static final int TCP_MIN_DATA_OFFSET = TcpHeader.MIN_LENGTH / WORD_BYTES;
    /** Bits of TCP word 1 holding the flags and the window, below the data offset. */
    static final long FLAGS_AND_WINDOW =
            (long) TcpFlags.MASK << TCP_FLAGS_SHIFT | 0xFFFFL << TCP_WINDOW_SHIFT;

    // A VLAN tag, 4 bytes at TCI_OFFSET: [TCI, next EtherType].
    static final int VLAN_TCI_SHIFT = 8 * (VlanTag.TCI_OFFSET + 4 - VlanTag.TCI_OFFSET - 2);
    static final int VLAN_ETHER_TYPE_SHIFT = 8 * (VlanTag.TCI_OFFSET + 4 - VlanTag.ETHER_TYPE_OFFSET - 2);
}
