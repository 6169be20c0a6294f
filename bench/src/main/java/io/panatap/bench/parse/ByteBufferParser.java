package io.panatap.bench.parse;

import java.nio.ByteBuffer;

/**
 * The baseline: the same decoding written the obvious way with {@link ByteBuffer} relative reads over a
 * wrapped array, one buffer per packet, fields copied into this reusable holder.
 */
final class ByteBufferParser {
    boolean tcp;
    int ipVersion;
    int ipv4Source;
    int ipv4Destination;
    long ipv6SourceHigh;
    long ipv6SourceLow;
    long ipv6DestinationHigh;
    long ipv6DestinationLow;
    int sourcePort;
    int destinationPort;
    long sequence;
    long acknowledgement;
    int flags;
    int window;
    int payloadOffset;
    int vlanCount;

    boolean parse(byte[] frame) {
        tcp = false;
        vlanCount = 0;
        ipVersion = 0;
        ByteBuffer b = ByteBuffer.wrap(frame);
        if (b.remaining() < 14) {
            return false;
        }
        b.position(12);
        int etherType = b.getShort() & 0xFFFF;
        while (etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100) {
            if (b.remaining() < 4) {
                return false;
            }
            b.getShort();
            etherType = b.getShort() & 0xFFFF;
            vlanCount++;
        }
        int ipStart = b.position();
        int protocol;
        if (etherType == 0x0800) {
            if (b.remaining() < 20) {
                return false;
            }
            int versionIhl = b.get() & 0xFF;
            if (versionIhl >> 4 != 4 || (versionIhl & 0xF) < 5) {
                return false;
            }
            int headerLength = (versionIhl & 0xF) * 4;
            b.get();
            b.getShort(); // total length
            b.getShort(); // id
            int fragment = b.getShort() & 0x1FFF;
            b.get(); // ttl
            protocol = b.get() & 0xFF;
            b.getShort(); // checksum
            ipv4Source = b.getInt();
            ipv4Destination = b.getInt();
            ipVersion = 4;
            if (fragment != 0 || frame.length < ipStart + headerLength) {
                return false;
            }
            b.position(ipStart + headerLength);
        } else if (etherType == 0x86DD) {
            if (b.remaining() < 40) {
                return false;
            }
            if ((b.get(ipStart) & 0xFF) >> 4 != 6) {
                return false;
            }
            b.position(ipStart + 6);
            protocol = b.get() & 0xFF;
            b.get();
            ipv6SourceHigh = b.getLong();
            ipv6SourceLow = b.getLong();
            ipv6DestinationHigh = b.getLong();
            ipv6DestinationLow = b.getLong();
            ipVersion = 6;
            while (protocol == 0 || protocol == 43 || protocol == 60 || protocol == 44) {
                if (b.remaining() < 8) {
                    return false;
                }
                int start = b.position();
                int next = b.get() & 0xFF;
                int length = protocol == 44 ? 8 : ((b.get() & 0xFF) + 1) * 8;
                if (protocol == 44 && ((b.getShort(start + 2) & 0xFFF8) != 0)) {
                    return false;
                }
                if (frame.length < start + length) {
                    return false;
                }
                b.position(start + length);
                protocol = next;
            }
        } else {
            return false;
        }
        if (protocol != 6 || b.remaining() < 20) {
            return false;
        }
        int tcpStart = b.position();
        sourcePort = b.getShort() & 0xFFFF;
        destinationPort = b.getShort() & 0xFFFF;
        sequence = b.getInt() & 0xFFFF_FFFFL;
        acknowledgement = b.getInt() & 0xFFFF_FFFFL;
        int offsetAndFlags = b.getShort() & 0xFFFF;
        flags = offsetAndFlags & 0xFFF;
        window = b.getShort() & 0xFFFF;
        int dataOffset = offsetAndFlags >>> 12;
        if (dataOffset < 5) {
            return false;
        }
        payloadOffset = Math.min(tcpStart + dataOffset * 4, frame.length);
        tcp = true;
        return true;
    }
}
