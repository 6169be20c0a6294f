package io.panatap.capture;

import io.panatap.Direction;
import io.panatap.Packet;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** An independent packet: its own bytes on the heap and its own headers, decoded on first use. */
final class CopiedPacket implements Packet {
    private final long frameNumber;
    private final long timestampNanos;
    private final int originalLength;
    private final int linkType;
    private final MemorySegment data;
    private final int interfaceIndex;
    private final String interfaceName;
    private final Direction direction;
    private final boolean hasVlanTag;
    private final int vlanTci;
    private final int vlanTpid;
    private PacketHeaders headers;

    CopiedPacket(Packet p) {
        this.frameNumber = p.frameNumber();
        this.timestampNanos = p.timestampNanos();
        this.originalLength = p.originalLength();
        this.linkType = p.linkType();
        byte[] bytes = new byte[p.captureLength()];
        MemorySegment.copy(p.segment(), ValueLayout.JAVA_BYTE, p.dataOffset(), bytes, 0, bytes.length);
        this.data = MemorySegment.ofArray(bytes);
        this.interfaceIndex = p.interfaceIndex();
        this.interfaceName = p.interfaceName();
        this.direction = p.direction();
        this.hasVlanTag = p.hasVlanTag();
        this.vlanTci = p.vlanTci();
        this.vlanTpid = p.vlanTpid();
    }

    @Override public long frameNumber() { return frameNumber; }
    @Override public long timestampNanos() { return timestampNanos; }
    @Override public int captureLength() { return (int) data.byteSize(); }
    @Override public int originalLength() { return originalLength; }
    @Override public int linkType() { return linkType; }
    @Override public MemorySegment segment() { return data; }
    @Override public long dataOffset() { return 0; }
    @Override public int interfaceIndex() { return interfaceIndex; }
    @Override public String interfaceName() { return interfaceName; }
    @Override public Direction direction() { return direction; }
    @Override public boolean hasVlanTag() { return hasVlanTag; }
    @Override public int vlanTci() { return vlanTci; }
    @Override public int vlanTpid() { return vlanTpid; }

    @Override
    public synchronized PacketHeaders headers() {
        if (headers == null) {
            PacketHeaders h = new PacketHeaders();
            h.wrap(data, 0, data.byteSize(), linkType);
            headers = h;
        }
        return headers;
    }

    @Override
    public Packet copy() {
        return this; // immutable already
    }
}
