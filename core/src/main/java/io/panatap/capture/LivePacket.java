package io.panatap.capture;

import io.panatap.PacketType;
import io.panatap.internal.PacketView;
import io.panatap.internal.linux.PacketAbi;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The reusable view of one frame in the ring, handed to listeners. The {@link RingReader} fills its fields
 * from the frame's {@code tpacket3_hdr} and {@code sockaddr_ll}; headers are decoded on the first
 * {@link #headers()} call for each frame, into one {@link PacketHeaders} per capture. Interface name and
 * direction are looked up only when asked for, not per frame.
 */
final class LivePacket extends PacketView {
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    private final PacketSocket names;
    private int linuxPacketType;
    /** Offset of the frame's {@code sockaddr_ll} in the ring, read only when asked for. */
    private long sockaddr;

    /** {@code names} resolves interface indexes; null where there is no socket (the warm-up ring). */
    LivePacket(PacketSocket names, MemorySegment ring, int linkType) {
        super(ring.asReadOnly(), linkType); // listeners must not write into the kernel's ring
        this.names = names;
    }

    /** Called by the capture for each frame it delivers; the next {@link #headers()} call decodes it. */
    void frame(long frameNumber, long timestampNanos, int captureLength, int originalLength, long frameOffset,
               int interfaceIndex, int packetType, boolean hasVlanTag, int vlanTci, int vlanTpid, long sockaddr,
               int linkHeaderLength) {
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
        this.sockaddr = sockaddr;
        this.linkHeaderLength = linkHeaderLength;
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
    public int hardwareType() {
        return segment.get(ValueLayout.JAVA_SHORT, sockaddr + PacketAbi.SLL_HATYPE) & 0xFFFF;
    }

    @Override
    public int protocol() {
        return segment.get(SHORT_BE, sockaddr + PacketAbi.SLL_PROTOCOL) & 0xFFFF; // network byte order
    }

    @Override
    public long linkAddress() {
        int n = linkAddressLength();
        long address = 0;
        for (int i = 0; i < n; i++) {
            address |= (segment.get(ValueLayout.JAVA_BYTE, sockaddr + PacketAbi.SLL_ADDR + i) & 0xFFL) << (56 - 8 * i);
        }
        return address;
    }

    @Override
    public int linkAddressLength() {
        return Math.min(segment.get(ValueLayout.JAVA_BYTE, sockaddr + PacketAbi.SLL_HALEN) & 0xFF, 8);
    }

    @Override
    public String toString() {
        return "Packet[#" + frameNumber + " " + interfaceName() + " " + packetType() + " " + captureLength + "/"
                + originalLength + " bytes" + (hasVlanTag ? " vlan " + (vlanTci & 0xFFF) : "") + "]";
    }
}
