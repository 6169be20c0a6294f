package io.panatap.bench.parse;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The hand-written limit for {@link io.panatap.parse.PacketHeaders}: the plainest safe parser of an off-heap
 * frame that reads the same fields (IP version, addresses, ports, the 12 flag bits), written the way one
 * would write it for a single purpose, with narrow big-endian reads straight from the segment.
 *
 * <p>It takes no shortcut PacketHeaders cannot take: it checks the link type, walks any number of
 * 802.1Q/802.1ad/0x9100 tags, honours the IPv4 header length, total length and fragment offset, walks IPv6
 * hop-by-hop, routing, destination-options and fragment headers (capped like PacketHeaders), checks the
 * versions, and never reads outside {@code [offset, offset + length)}. It is simpler in what it reports:
 * a frame is TCP or not (no truncated/malformed status, no partial headers, no offsets or lengths).
 */
final class SegmentParser {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    int ipVersion;
    int ipv4Source;
    int ipv4Destination;
    long ipv6SourceHigh;
    long ipv6SourceLow;
    long ipv6DestinationHigh;
    long ipv6DestinationLow;
    int sourcePort;
    int destinationPort;
    int flags;

    /** True when the frame is TCP with a whole fixed TCP header; the fields are then set. */
    boolean parse(MemorySegment s, long offset, int length, int linkType) {
        if (linkType != PacketMix.ETHERNET || length < 14) {
            return false;
        }
        int p = 14;
        int etherType = u16(s, offset + 12);
        while (etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100) {
            if (length - p < 4) {
                return false;
            }
            etherType = u16(s, offset + p + 2);
            p += 4;
        }
        int end;
        if (etherType == 0x0800) {
            if (length - p < 20) {
                return false;
            }
            int versionIhl = s.get(ValueLayout.JAVA_BYTE, offset + p) & 0xFF;
            int headerLength = (versionIhl & 0x0F) * 4;
            if (versionIhl >>> 4 != 4 || headerLength < 20 || length - p < headerLength) {
                return false;
            }
            int total = u16(s, offset + p + 2);
            if (total != 0 && total < headerLength) {
                return false;
            }
            end = total == 0 ? length : Math.min(length, p + total);
            if ((u16(s, offset + p + 6) & 0x1FFF) != 0 || (s.get(ValueLayout.JAVA_BYTE, offset + p + 9) & 0xFF) != 6) {
                return false;
            }
            ipVersion = 4;
            ipv4Source = s.get(U32, offset + p + 12);
            ipv4Destination = s.get(U32, offset + p + 16);
            p += headerLength;
        } else if (etherType == 0x86DD) {
            if (length - p < 40 || (s.get(ValueLayout.JAVA_BYTE, offset + p) & 0xF0) != 0x60) {
                return false;
            }
            int payload = u16(s, offset + p + 4);
            end = payload == 0 ? length : Math.min(length, p + 40 + payload);
            int next = s.get(ValueLayout.JAVA_BYTE, offset + p + 6) & 0xFF;
            ipVersion = 6;
            ipv6SourceHigh = s.get(U64, offset + p + 8);
            ipv6SourceLow = s.get(U64, offset + p + 16);
            ipv6DestinationHigh = s.get(U64, offset + p + 24);
            ipv6DestinationLow = s.get(U64, offset + p + 32);
            p += 40;
            for (int headers = 0; next != 6; headers++) {
                if (headers > 64 || end - p < 8) {
                    return false;
                }
                int headerLength;
                if (next == 0 || next == 43 || next == 60) {
                    headerLength = ((s.get(ValueLayout.JAVA_BYTE, offset + p + 1) & 0xFF) + 1) * 8;
                } else if (next == 44) {
                    if ((u16(s, offset + p + 2) & 0xFFF8) != 0) {
                        return false;
                    }
                    headerLength = 8;
                } else {
                    return false;
                }
                if (end - p < headerLength) {
                    return false;
                }
                next = s.get(ValueLayout.JAVA_BYTE, offset + p) & 0xFF;
                p += headerLength;
            }
        } else {
            return false;
        }
        if (end - p < 20) {
            return false;
        }
        int offsetAndFlags = u16(s, offset + p + 12);
        if (offsetAndFlags >>> 12 < 5) {
            return false;
        }
        sourcePort = u16(s, offset + p);
        destinationPort = u16(s, offset + p + 2);
        flags = offsetAndFlags & 0xFFF;
        return true;
    }

    private static int u16(MemorySegment s, long at) {
        return s.get(U16, at) & 0xFFFF;
    }
}
