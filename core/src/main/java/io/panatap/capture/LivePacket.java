package io.panatap.capture;

import io.panatap.Direction;
import io.panatap.Packet;
import io.panatap.PacketCopy;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;

/**
 * The reusable view of one frame in the ring, handed to listeners. The capture fills its fields from the
 * frame's {@code tpacket3_hdr} and {@code sockaddr_ll}; headers are decoded on the first
 * {@link #headers()} call for each frame, into one {@link PacketHeaders} per capture.
 */
final class LivePacket implements Packet {
    private static final Direction[] DIRECTIONS = {
            Direction.HOST, Direction.BROADCAST, Direction.MULTICAST, Direction.OTHERHOST, Direction.OUTGOING};

    private final PacketCapture capture;
    private final MemorySegment ring;
    private final int linkType;
    private final PacketHeaders headers = new PacketHeaders();

    long frameNumber;
    long timestampNanos;
    long dataOffset;
    int captureLength;
    int originalLength;
    int interfaceIndex;
    int packetType;
    boolean hasVlanTag;
    int vlanTci;
    int vlanTpid;
    private boolean parsed;

    LivePacket(PacketCapture capture, MemorySegment ring, int linkType) {
        this.capture = capture;
        this.ring = ring.asReadOnly(); // listeners must not write into the kernel's ring
        this.linkType = linkType;
    }

    /** Called by the capture after it filled the fields for the next frame. */
    void reset() {
        parsed = false;
    }

    static Direction direction(int packetType) {
        return packetType >= 0 && packetType < DIRECTIONS.length ? DIRECTIONS[packetType] : Direction.UNKNOWN;
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
        return ring;
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
        return capture.interfaceName(interfaceIndex);
    }

    @Override
    public Direction direction() {
        return direction(packetType);
    }

    @Override
    public boolean hasVlanTag() {
        return hasVlanTag;
    }

    @Override
    public int vlanTci() {
        return vlanTci;
    }

    @Override
    public int vlanTpid() {
        return vlanTpid;
    }

    @Override
    public PacketHeaders headers() {
        if (!parsed) {
            headers.wrap(ring, dataOffset, captureLength, linkType);
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
        return "Packet[#" + frameNumber + " " + interfaceName() + " " + direction() + " " + captureLength + "/"
                + originalLength + " bytes" + (hasVlanTag ? " vlan " + (vlanTci & 0xFFF) : "") + "]";
    }
}
