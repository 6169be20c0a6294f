package io.panatap.pcap;

import io.panatap.PacketType;
import io.panatap.internal.PacketView;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;

/**
 * The reusable flyweight a {@link CaptureFileReader} hands to its listener: metadata of the current record
 * and a window on the mapped file. The headers are parsed on the first {@link #headers()} call for the
 * record, with one {@link PacketHeaders} reused for all records. Files keep any VLAN tag in the frame
 * bytes, so {@link #hasVlanTag()} stays false: nothing was stripped.
 */
final class FileRecord extends PacketView {

    FileRecord(MemorySegment file) {
        super(file, 0);
    }

    void set(long frameNumber, long timestampNanos, long frameOffset, int captureLength, int originalLength,
             int linkType, int interfaceIndex, String interfaceName, PacketType packetType) {
        this.frameNumber = frameNumber;
        this.timestampNanos = timestampNanos;
        this.frameOffset = frameOffset;
        this.captureLength = captureLength;
        this.originalLength = originalLength;
        this.linkType = linkType;
        this.interfaceIndex = interfaceIndex;
        this.interfaceName = interfaceName;
        this.packetType = packetType;
        nextFrame();
    }

    @Override
    public String toString() {
        return "Packet[frame " + frameNumber + ", " + captureLength + "/" + originalLength + " bytes at file offset "
                + frameOffset + ", link type " + linkType + ", ts " + timestampNanos + " ns]";
    }
}
