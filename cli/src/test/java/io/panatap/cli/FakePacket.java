package io.panatap.cli;

import io.panatap.PacketType;
import io.panatap.Packet;
import io.panatap.parse.LinkType;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;

/** A packet over bytes a test built, with the metadata a live capture or file would give. */
final class FakePacket implements Packet {
    private final long frameNumber;
    private final long timestampNanos;
    private final MemorySegment segment;
    private final int captureLength;
    private final String interfaceName;
    private final PacketType packetType;
    private final PacketHeaders headers = new PacketHeaders();

    FakePacket(long frameNumber, long timestampNanos, byte[] frame, int captureLength, String interfaceName,
               PacketType packetType) {
        this.frameNumber = frameNumber;
        this.timestampNanos = timestampNanos;
        this.segment = MemorySegment.ofArray(frame.clone());
        this.captureLength = captureLength;
        this.interfaceName = interfaceName;
        this.packetType = packetType;
        headers.wrap(segment, 0, captureLength, LinkType.ETHERNET);
    }

    FakePacket(long frameNumber, long timestampNanos, byte[] frame) {
        this(frameNumber, timestampNanos, frame, frame.length, null, PacketType.UNKNOWN);
    }

    @Override public long frameNumber() { return frameNumber; }
    @Override public long timestampNanos() { return timestampNanos; }
    @Override public int captureLength() { return captureLength; }
    @Override public int originalLength() { return (int) segment.byteSize(); }
    @Override public int linkType() { return LinkType.ETHERNET; }
    @Override public MemorySegment segment() { return segment; }
    @Override public long frameOffset() { return 0; }
    @Override public int interfaceIndex() { return interfaceName == null ? -1 : 1; }
    @Override public String interfaceName() { return interfaceName; }
    @Override public PacketType packetType() { return packetType; }
    @Override public PacketHeaders headers() { return headers; }
    @Override public Packet copy() { return this; }
}
