package io.panatap.parse;

import java.lang.foreign.MemorySegment;

/**
 * Zero-copy decoder and reusable view of one frame's link, IP and TCP headers.
 *
 * <p>{@link #wrap} checks and decodes the frame once and records primitive fields; the getters then only
 * return them. Nothing is allocated per frame and no input, however crafted, throws or reads outside
 * {@code [offset, offset + length)}.
 *
 * <p>STUB: to be implemented (issue 3). Signatures are the contract used by the pcap, capture and cli code.
 */
public final class PacketHeaders {

    /**
     * Decodes the frame of {@code length} bytes at {@code offset} in {@code segment}, captured with link
     * type {@code linkType} ({@link LinkType}).
     */
    public ParseStatus wrap(MemorySegment segment, long offset, long length, int linkType) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Result of the last {@link #wrap}. */
    public ParseStatus status() { throw new UnsupportedOperationException(); }

    /** Layer at which the frame was TRUNCATED or MALFORMED; {@link Layer#NONE} otherwise. */
    public Layer problemLayer() { throw new UnsupportedOperationException(); }

    /** True when {@link #status()} is OK. */
    public boolean isTcp() { throw new UnsupportedOperationException(); }

    /** 4 or 6 once an IP header was found, else 0. */
    public int ipVersion() { throw new UnsupportedOperationException(); }

    /** IPv4 source address as a big-endian int (valid when ipVersion() == 4). */
    public int ipv4Source() { throw new UnsupportedOperationException(); }

    /** IPv4 destination address as a big-endian int. */
    public int ipv4Destination() { throw new UnsupportedOperationException(); }

    /** High 64 bits of the IPv6 source address (network order). */
    public long ipv6SourceHigh() { throw new UnsupportedOperationException(); }

    public long ipv6SourceLow() { throw new UnsupportedOperationException(); }

    public long ipv6DestinationHigh() { throw new UnsupportedOperationException(); }

    public long ipv6DestinationLow() { throw new UnsupportedOperationException(); }

    /** Appends the source address as text (dotted quad or RFC 5952). */
    public StringBuilder appendSource(StringBuilder out) { throw new UnsupportedOperationException(); }

    /** Appends the destination address as text (dotted quad or RFC 5952). */
    public StringBuilder appendDestination(StringBuilder out) { throw new UnsupportedOperationException(); }

    public int sourcePort() { throw new UnsupportedOperationException(); }

    public int destinationPort() { throw new UnsupportedOperationException(); }

    /** False when the capture ends after the ports but before the flags. */
    public boolean hasFlags() { throw new UnsupportedOperationException(); }

    /** The whole 12-bit flags field ({@link TcpFlags}); 0 when {@link #hasFlags()} is false. */
    public int flags() { throw new UnsupportedOperationException(); }

    /** Sequence number as an unsigned 32-bit value in a long; -1 if not captured. */
    public long sequenceNumber() { throw new UnsupportedOperationException(); }

    /** Acknowledgement number as an unsigned 32-bit value in a long; -1 if not captured. */
    public long acknowledgementNumber() { throw new UnsupportedOperationException(); }

    /** TCP data offset in 32-bit words (5..15); 0 if not captured. */
    public int dataOffset() { throw new UnsupportedOperationException(); }

    public int window() { throw new UnsupportedOperationException(); }

    public int urgentPointer() { throw new UnsupportedOperationException(); }

    /** Offset, in the frame (from the wrapped offset), of the IP header. */
    public int ipOffset() { throw new UnsupportedOperationException(); }

    /** Offset, in the frame, of the TCP header. */
    public int tcpOffset() { throw new UnsupportedOperationException(); }

    /** Offset, in the frame, of the TCP payload (after options). */
    public int payloadOffset() { throw new UnsupportedOperationException(); }

    /**
     * TCP payload length on the wire as far as the IP header says (IP total length minus headers), or the
     * captured bytes after the TCP header when the IP length is 0 or unusable.
     */
    public int payloadLength() { throw new UnsupportedOperationException(); }

    /** Number of 802.1Q/802.1ad tags found in the frame (not counting one stripped by the kernel). */
    public int vlanCount() { throw new UnsupportedOperationException(); }

    /** VLAN id (12 bits) of the outermost tag in the frame, or -1. */
    public int outerVlanId() { throw new UnsupportedOperationException(); }
}
