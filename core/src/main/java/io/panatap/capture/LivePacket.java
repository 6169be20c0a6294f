package io.panatap.capture;

import io.panatap.PacketType;
import io.panatap.internal.PacketView;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;

/**
 * The reusable view of one frame in the ring, handed to listeners. The {@link RingReader} fills its fields
 * from the frame's {@code tpacket3_hdr} and {@code sockaddr_ll}; headers are decoded on the first
 * {@link #headers()} call for each frame, into one {@link PacketHeaders} per capture. Interface name and
 * direction are looked up only when asked for, not per frame.
 */
final class LivePacket extends PacketView {
    private final PacketSocket names;
    private int linuxPacketType;

    /** {@code names} resolves interface indexes; null where there is no socket (the warm-up ring). */
    LivePacket(PacketSocket names, MemorySegment ring, int linkType) {
        super(ring.asReadOnly(), linkType); // listeners must not write into the kernel's ring
        this.names = names;
    }

    /** Called by the capture for each frame it delivers; the next {@link #headers()} call decodes it. */
    void frame(long frameNumber, long timestampNanos, int captureLength, int originalLength, long frameOffset,
               int interfaceIndex, int packetType, boolean hasVlanTag, int vlanTci, int vlanTpid) {
        this.frameNumber = frameNumber;
        this.timestampNanos = timestampNanos;
        this.captureLength = captureLength;
        this.originalLength = originalLength;
        this.frameOffset = frameOffset;
        this.interfaceIndex = interfaceIndex;
        this.linuxPacketType = packetType;
        this.hasVlanTag = hasVlanTag;
        this.vlanTci = vlanTci;
        this.vlanTpid = vlanTpid;
        nextFrame();
    }

    @Override
    public String interfaceName() {
        return names == null ? null : names.interfaceName(interfaceIndex);
    }

    @Override
    public PacketType packetType() {
        return PacketType.ofLinux(linuxPacketType);
    }

    @Override
    public String toString() {
        return "Packet[#" + frameNumber + " " + interfaceName() + " " + packetType() + " " + captureLength + "/"
                + originalLength + " bytes" + (hasVlanTag ? " vlan " + (vlanTci & 0xFFF) : "") + "]";
    }
}
