package io.panatap.testing;

import io.panatap.Direction;
import io.panatap.Packet;
import io.panatap.PacketCopy;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A reusable packet over a native buffer that {@link FuzzFrames} refills: like a live packet, a view that
 * changes with every frame. {@link #segment()} is sliced to exactly the captured bytes, so any read past
 * the frame throws instead of seeing stale bytes.
 */
public final class FuzzPacket implements Packet {
    /** Largest generated frame. */
    public static final int MAX_LENGTH = 4096;

    final MemorySegment buffer = Arena.ofAuto().allocate(MAX_LENGTH);
    private final PacketHeaders headers = new PacketHeaders();
    private boolean parsed;
    private MemorySegment view;
    long frameNumber;
    long timestampNanos;
    int captureLength;
    int originalLength;
    int linkType;
    int interfaceIndex;
    String interfaceName;
    Direction direction = Direction.UNKNOWN;
    boolean hasVlanTag;
    int vlanTci;
    int vlanTpid;

    void reset() {
        parsed = false;
        view = buffer.asSlice(0, captureLength);
    }

    /** The frame's bytes, for reports of a failing frame. */
    public byte[] bytes() {
        return view.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
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
        return view;
    }

    @Override
    public long dataOffset() {
        return 0;
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
            headers.wrap(view, 0, captureLength, linkType);
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
        return "frame " + frameNumber + " link type " + linkType + " length " + captureLength + "/" + originalLength
                + (hasVlanTag ? " vlan " + vlanTpid + ":" + vlanTci : "") + ": " + java.util.HexFormat.of().formatHex(bytes(), 0, Math.min(captureLength, 256))
                + (captureLength > 256 ? "..." : "");
    }
}
