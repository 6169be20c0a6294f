package io.panatap;

import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An independent, immutable {@link Packet}: its own heap copy of the captured bytes and metadata, valid
 * after the listener callback returns. Made by {@link Packet#copy()} implementations.
 *
 * <p>The bytes are exposed as a read-only segment; the headers are parsed on the first {@link #headers()}
 * call. Not for hot paths: every copy allocates.
 */
public final class PacketCopy implements Packet {
    private final long frameNumber;
    private final long timestampNanos;
    private final int originalLength;
    private final int linkType;
    private final byte[] bytes;
    private final MemorySegment segment;
    private final int interfaceIndex;
    private final String interfaceName;
    private final PacketType packetType;
    private final boolean hasVlanTag;
    private final int vlanTci;
    private final int vlanTpid;
    private final int hardwareType;
    private final int protocol;
    private final long linkAddress;
    private final int linkAddressLength;
    private PacketHeaders headers;

    private PacketCopy(Packet p, byte[] bytes) {
        this.frameNumber = p.frameNumber();
        this.timestampNanos = p.timestampNanos();
        this.originalLength = p.originalLength();
        this.linkType = p.linkType();
        this.bytes = bytes;
        this.segment = MemorySegment.ofArray(bytes).asReadOnly();
        this.interfaceIndex = p.interfaceIndex();
        this.interfaceName = p.interfaceName();
        this.packetType = p.packetType();
        this.hasVlanTag = p.hasVlanTag();
        this.vlanTci = p.vlanTci();
        this.vlanTpid = p.vlanTpid();
        this.hardwareType = p.hardwareType();
        this.protocol = p.protocol();
        this.linkAddress = p.linkAddress();
        this.linkAddressLength = p.linkAddressLength();
    }

    /** Copies the metadata and the {@code captureLength()} bytes of {@code packet}. */
    public static PacketCopy of(Packet packet) {
        byte[] bytes = new byte[packet.captureLength()];
        MemorySegment.copy(packet.segment(), ValueLayout.JAVA_BYTE, packet.frameOffset(), bytes, 0, bytes.length);
        return new PacketCopy(packet, bytes);
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
        return bytes.length;
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
        return segment;
    }

    @Override
    public long frameOffset() {
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
    public PacketType packetType() {
        return packetType;
    }

    @Override
    public int hardwareType() {
        return hardwareType;
    }

    @Override
    public int protocol() {
        return protocol;
    }

    @Override
    public long linkAddress() {
        return linkAddress;
    }

    @Override
    public int linkAddressLength() {
        return linkAddressLength;
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

    /** Parsed on first call; each copy has its own {@link PacketHeaders}. */
    @Override
    public synchronized PacketHeaders headers() {
        if (headers == null) {
            PacketHeaders h = new PacketHeaders();
            h.wrap(segment, 0, bytes.length, linkType);
            headers = h;
        }
        return headers;
    }

    /** A copy sharing the (immutable) bytes, with its own headers. */
    @Override
    public Packet copy() {
        return new PacketCopy(this, bytes);
    }

    @Override
    public String toString() {
        return "Packet[frame " + frameNumber + ", " + bytes.length + "/" + originalLength + " bytes, link type "
                + linkType + ", ts " + timestampNanos + " ns]";
    }
}
