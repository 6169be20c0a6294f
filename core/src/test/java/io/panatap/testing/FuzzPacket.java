package io.panatap.testing;

import io.panatap.PacketType;
import io.panatap.internal.PacketView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A reusable packet over a native buffer that {@link FuzzFrames} refills: like a live packet, a view that
 * changes with every frame. {@link #segment()} is sliced to exactly the captured bytes, so any read past
 * the frame throws instead of seeing stale bytes.
 */
public final class FuzzPacket extends PacketView {
    /** Largest generated frame. */
    public static final int MAX_LENGTH = 4096;

    final MemorySegment buffer = Arena.ofAuto().allocate(MAX_LENGTH);

    public FuzzPacket() {
        super(MemorySegment.NULL, 0);
    }

    /** Called by {@link FuzzFrames} after it wrote the next frame's bytes into {@link #buffer}. */
    void frame(long frameNumber, long timestampNanos, int captureLength, int originalLength, int linkType,
               int interfaceIndex, String interfaceName, PacketType packetType, boolean hasVlanTag, int vlanTci,
               int vlanTpid) {
        this.frameNumber = frameNumber;
        this.timestampNanos = timestampNanos;
        this.captureLength = captureLength;
        this.originalLength = originalLength;
        this.linkType = linkType;
        this.interfaceIndex = interfaceIndex;
        this.interfaceName = interfaceName;
        this.packetType = packetType;
        this.hasVlanTag = hasVlanTag;
        this.vlanTci = vlanTci;
        this.vlanTpid = vlanTpid;
        this.segment = buffer.asSlice(0, captureLength);
        nextFrame();
    }

    /** The frame's bytes, for reports of a failing frame. */
    public byte[] bytes() {
        return segment.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    @Override
    public String toString() {
        return "frame " + frameNumber + " link type " + linkType + " length " + captureLength + "/" + originalLength
                + (hasVlanTag ? " vlan " + vlanTpid + ":" + vlanTci : "") + ": " + java.util.HexFormat.of().formatHex(bytes(), 0, Math.min(captureLength, 256))
                + (captureLength > 256 ? "..." : "");
    }
}
