package io.panatap.flow;

import io.panatap.Packet;
import io.panatap.parse.LinkType;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A reusable packet over native memory, as a live capture hands one over: {@link #set} points it at another
 * frame (and parses it) without allocating.
 */
final class TestPacket implements Packet {
    private final PacketHeaders headers = new PacketHeaders();
    private MemorySegment segment;
    private long timestampNanos;
    private int originalLength;
    private int vlanTci = -1;

    /** A packet holding a native copy of {@code frame} (in the global arena: tests are short-lived). */
    static TestPacket of(long timestampNanos, byte[] frame) {
        return new TestPacket().set(nativeCopy(frame), timestampNanos);
    }

    static MemorySegment nativeCopy(byte[] frame) {
        MemorySegment segment = Arena.global().allocate(Math.max(1, frame.length));
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, segment, 0, frame.length);
        return frame.length == 0 ? segment.asSlice(0, 0) : segment;
    }

    TestPacket set(MemorySegment frame, long timestampNanos) {
        this.segment = frame;
        this.timestampNanos = timestampNanos;
        this.originalLength = (int) frame.byteSize();
        headers.wrap(frame, 0, frame.byteSize(), LinkType.ETHERNET);
        return this;
    }

    /** Pretends the frame was longer on the wire (a snap length cut it). */
    TestPacket originalLength(int length) {
        this.originalLength = length;
        return this;
    }

    /** Pretends the kernel stripped a VLAN tag with this TCI. */
    TestPacket strippedVlan(int tci) {
        this.vlanTci = tci;
        return this;
    }

    @Override
    public long frameNumber() {
        return 1;
    }

    @Override
    public long timestampNanos() {
        return timestampNanos;
    }

    @Override
    public int captureLength() {
        return (int) segment.byteSize();
    }

    @Override
    public int originalLength() {
        return originalLength;
    }

    @Override
    public int linkType() {
        return LinkType.ETHERNET;
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public long frameOffset() {
        return 0;
    }

    @Override
    public boolean hasVlanTag() {
        return vlanTci >= 0;
    }

    @Override
    public int vlanTci() {
        return Math.max(0, vlanTci);
    }

    @Override
    public int vlanTpid() {
        return vlanTci >= 0 ? 0x8100 : 0;
    }

    @Override
    public PacketHeaders headers() {
        return headers;
    }

    @Override
    public Packet copy() {
        throw new UnsupportedOperationException();
    }
}
