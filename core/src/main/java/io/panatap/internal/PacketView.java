package io.panatap.internal;

import io.panatap.PacketType;
import io.panatap.Packet;
import io.panatap.PacketCopy;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;

/**
 * The state and getters shared by the reusable {@link Packet} flyweights (live capture, file reader): plain
 * fields that the owner overwrites for every frame, and one {@link PacketHeaders} decoded on the first
 * {@link #headers()} call per frame. A subclass writes the fields, then calls {@link #nextFrame()}.
 *
 * <p>The package is not exported. The fields are protected, not public, because on the class path this
 * class is reachable: code outside can then only write fields of its own subclasses, never of the views a
 * capture hands to listeners. {@link PacketCopy} does not extend this class: a copy is immutable (final
 * fields, safe to publish to other threads), these views are not.
 */
public abstract class PacketView implements Packet {
    private final PacketHeaders headers = new PacketHeaders();
    private boolean parsed;

    protected MemorySegment segment;
    protected long frameOffset;
    protected int captureLength;
    protected int originalLength;
    protected int linkType;
    protected long frameNumber;
    protected long timestampNanos;
    protected int interfaceIndex;
    protected String interfaceName;
    protected PacketType packetType = PacketType.UNKNOWN;
    protected boolean hasVlanTag;
    protected int vlanTci;
    protected int vlanTpid;
    protected int linkHeaderLength;

    protected PacketView(MemorySegment segment, int linkType) {
        this.segment = segment;
        this.linkType = linkType;
    }

    /** Called after the fields hold the next frame: its headers are decoded again when asked for. */
    protected final void nextFrame() {
        parsed = false;
    }

    @Override
    public final long frameNumber() {
        return frameNumber;
    }

    @Override
    public final long timestampNanos() {
        return timestampNanos;
    }

    @Override
    public final int captureLength() {
        return captureLength;
    }

    @Override
    public final int originalLength() {
        return originalLength;
    }

    @Override
    public final int linkType() {
        return linkType;
    }

    @Override
    public final MemorySegment segment() {
        return segment;
    }

    @Override
    public final long frameOffset() {
        return frameOffset;
    }

    @Override
    public final int interfaceIndex() {
        return interfaceIndex;
    }

    /** The field's value; a subclass that derives the name only when asked overrides this. */
    @Override
    public String interfaceName() {
        return interfaceName;
    }

    /** The field's value; a subclass that derives the packet type only when asked overrides this. */
    @Override
    public PacketType packetType() {
        return packetType;
    }

    @Override
    public final boolean hasVlanTag() {
        return hasVlanTag;
    }

    @Override
    public final int vlanTci() {
        return vlanTci;
    }

    @Override
    public final int vlanTpid() {
        return vlanTpid;
    }

    @Override
    public final int linkHeaderLength() {
        return linkHeaderLength;
    }

    @Override
    public final PacketHeaders headers() {
        if (!parsed) {
            headers.wrap(segment, frameOffset, captureLength, linkType);
            parsed = true;
        }
        return headers;
    }

    @Override
    public final Packet copy() {
        return PacketCopy.of(this);
    }
}
