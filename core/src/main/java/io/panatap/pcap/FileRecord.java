package io.panatap.pcap;

import io.panatap.Direction;
import io.panatap.Packet;
import io.panatap.PacketCopy;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;

/**
 * The reusable flyweight a {@link CaptureFileReader} hands to its listener: metadata of the current record
 * and a window on the mapped file. The headers are parsed on the first {@link #headers()} call for the
 * record, with one {@link PacketHeaders} reused for all records.
 */
final class FileRecord implements Packet {
    private final MemorySegment file;
    private final PacketHeaders headers = new PacketHeaders();
    private boolean parsed;

    private long frameNumber;
    private long timestampNanos;
    private int captureLength;
    private int originalLength;
    private int linkType;
    private long dataOffset;
    private int interfaceIndex;
    private String interfaceName;
    private Direction direction;

    FileRecord(MemorySegment file) {
        this.file = file;
    }

    void set(long frameNumber, long timestampNanos, long dataOffset, int captureLength, int originalLength,
             int linkType, int interfaceIndex, String interfaceName, Direction direction) {
        this.frameNumber = frameNumber;
        this.timestampNanos = timestampNanos;
        this.dataOffset = dataOffset;
        this.captureLength = captureLength;
        this.originalLength = originalLength;
        this.linkType = linkType;
        this.interfaceIndex = interfaceIndex;
        this.interfaceName = interfaceName;
        this.direction = direction;
        this.parsed = false;
    }

    @Override
    public long frameNumber() {
        return frameNumber;
    }

    @Override
    public long timestampNanos() {
        return timestampNanos;
    }

    @Override
    public int captureLength() {
        return captureLength;
    }

    @Override
    public int originalLength() {
        return originalLength;
    }

    @Override
    public int linkType() {
        return linkType;
    }

    @Override
    public MemorySegment segment() {
        return file;
    }

    @Override
    public long dataOffset() {
        return dataOffset;
    }

    @Override
    public int interfaceIndex() {
        return interfaceIndex;
    }

    @Override
    public String interfaceName() {
        return interfaceName;
    }

    @Override
    public Direction direction() {
        return direction;
    }

    /** Files keep any VLAN tag in the frame bytes; nothing was stripped. */
    @Override
    public boolean hasVlanTag() {
        return false;
    }

    @Override
    public int vlanTci() {
        return 0;
    }

    @Override
    public int vlanTpid() {
        return 0;
    }

    @Override
    public PacketHeaders headers() {
        if (!parsed) {
            headers.wrap(file, dataOffset, captureLength, linkType);
            parsed = true;
        }
        return headers;
    }

    @Override
    public Packet copy() {
        return PacketCopy.of(this);
    }

    @Override
    public String toString() {
        return "Packet[frame " + frameNumber + ", " + captureLength + "/" + originalLength + " bytes at file offset "
                + dataOffset + ", link type " + linkType + ", ts " + timestampNanos + " ns]";
    }
}
