package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.PacketCopy;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;

/** A packet as live capture would hand it over, possibly with a VLAN tag the kernel stripped. */
record TestPacket(long timestampNanos, byte[] bytes, int originalLength, int linkType, boolean hasVlanTag,
                  int vlanTci, int vlanTpid) implements Packet {

    static TestPacket of(long timestampNanos, byte[] bytes, int linkType) {
        return new TestPacket(timestampNanos, bytes, bytes.length, linkType, false, 0, 0);
    }

    @Override
    public long frameNumber() {
        return 1;
    }

    @Override
    public int captureLength() {
        return bytes.length;
    }

    @Override
    public MemorySegment segment() {
        // Place the frame at a non-zero offset so writers must honour frameOffset().
        byte[] padded = new byte[bytes.length + 3];
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        return MemorySegment.ofArray(padded);
    }

    @Override
    public long frameOffset() {
        return 3;
    }

    @Override
    public PacketHeaders headers() {
        throw new UnsupportedOperationException("not needed by the writer");
    }

    @Override
    public Packet copy() {
        return PacketCopy.of(this);
    }
}
