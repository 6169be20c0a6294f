package io.panatap.bench.flow;

import io.panatap.Packet;
import io.panatap.parse.LinkType;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;

/**
 * A reusable Ethernet packet view for the flow benchmarks, as a capture hands one over: {@link #set} points it
 * at another frame and parses it, allocating nothing.
 */
final class BenchPacket implements Packet {
    private final PacketHeaders headers = new PacketHeaders();
    private MemorySegment segment;
    private long timestampNanos;

    BenchPacket set(MemorySegment frame, long timestampNanos) {
        this.segment = frame;
        this.timestampNanos = timestampNanos;
        headers.wrap(frame, 0, frame.byteSize(), LinkType.ETHERNET);
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
        return (int) segment.byteSize();
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
    public PacketHeaders headers() {
        return headers;
    }

    @Override
    public Packet copy() {
        throw new UnsupportedOperationException("not needed by the benchmarks");
    }
}
