package io.panatap.capture;

import io.panatap.Packet;
import io.panatap.PacketBatch;
import io.panatap.PacketBatchListener;
import io.panatap.PacketListener;
import io.panatap.parse.EtherType;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.panatap.internal.linux.PacketAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The walk over a {@code TPACKET_V3} ring: takes the blocks the kernel has handed to user space in order,
 * fills the {@link LivePacket} view from each frame's {@code tpacket3_hdr} and {@code sockaddr_ll}, drops
 * the frames the direction selection rejects, calls the listener, and hands each block back once its last
 * frame was delivered. A {@link PacketBatchListener} gets the frames of a block as batches instead, each
 * packet of a batch in a view of its own, the block handed back after the batch with its last frame. Nothing
 * is allocated per packet. Used by the polling thread only.
 */
final class RingReader {
    private static final VarHandle INT_HANDLE = JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final long blockSize;
    private final int blockCount;
    private final int snapLength;
    private final boolean incoming;
    private final boolean outgoing;
    /** On loopback each packet is seen sent and received: the copy kept is the sent one only for OUT alone. */
    private final boolean loopbackKeepsOutgoing;
    /** Frames come with their link-layer header ({@code SOCK_RAW} on all interfaces): packets start at tp_net. */
    private final boolean linkHeaders;
    private final LivePacket packet;
    private final PacketSocket names;
    private final int linkType;
    /** For a {@link PacketBatchListener}: made on its first batch. */
    private Batch batch;
    private int currentBlock;
    private int remainingInBlock;
    private long nextFrame;
    private long delivered;
    private boolean stopped;

    /**
     * {@code names} resolves interface indexes for the packets' {@code interfaceName()}; null for none. With
     * {@code linkHeaders} each frame holds its device's link-layer header before the network header, and the
     * packet is delivered from the network header with {@link LivePacket#linkHeaderLength()} telling how many
     * bytes precede it.
     */
    RingReader(MemorySegment ring, long blockSize, int blockCount, int linkType, int snapLength,
               boolean incoming, boolean outgoing, PacketSocket names, boolean linkHeaders) {
        this.linkHeaders = linkHeaders;
        this.ring = ring;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.snapLength = snapLength;
        this.incoming = incoming;
        this.outgoing = outgoing;
        this.loopbackKeepsOutgoing = outgoing && !incoming;
        this.packet = new LivePacket(names, ring, linkType);
        this.names = names;
        this.linkType = linkType;
    }

    /** Packets delivered so far. */
    long delivered() {
        return delivered;
    }

    /** Makes the current {@link #deliver} return after the listener call in progress (a close from it). */
    void stop() {
        stopped = true;
    }

    /** Delivers at most {@code limit} ready packets, without waiting; returns how many. */
    int deliver(PacketListener listener, int limit) {
        if (listener instanceof PacketBatchListener batches) {
            return deliverBatches(batches, limit);
        }
        final MemorySegment ring = this.ring;
        final LivePacket p = this.packet;
        int n = 0;
        while (n < limit && !stopped) { // the listener may close the capture
            if (remainingInBlock == 0 && !blockReady()) {
                break;
            }
            long frame = nextFrame;
            nextFrame = frame + (ring.get(JAVA_INT, frame + TP_NEXT_OFFSET) & 0xFFFFFFFFL);
            boolean lastInBlock = --remainingInBlock == 0;
            try {
                int packetType = acceptedType(ring, frame);
                if (packetType >= 0) {
                    fill(ring, frame, packetType, p, ++delivered);
                    n++;
                    listener.onPacket(p);
                }
            } finally {
                if (lastInBlock) {
                    releaseBlock();
                }
            }
        }
        return n;
    }

    /**
     * Like {@link #deliver} for a listener that takes batches: each batch holds the accepted frames among the
     * next ones of the current block, at most {@link PacketBatchListener#MAX_BATCH} and what is left of
     * {@code limit}.
     */
    private int deliverBatches(PacketBatchListener listener, int limit) {
        final MemorySegment ring = this.ring;
        if (batch == null) {
            batch = new Batch();
        }
        final LivePacket[] views = batch.views;
        int n = 0;
        while (n < limit && !stopped) {
            if (remainingInBlock == 0 && !blockReady()) {
                break;
            }
            int size = 0;
            int room = Math.min(limit - n, views.length);
            while (size < room && remainingInBlock > 0) {
                long frame = nextFrame;
                nextFrame = frame + (ring.get(JAVA_INT, frame + TP_NEXT_OFFSET) & 0xFFFFFFFFL);
                remainingInBlock--;
                int packetType = acceptedType(ring, frame);
                if (packetType >= 0) {
                    fill(ring, frame, packetType, views[size], delivered + size + 1);
                    size++;
                }
            }
            boolean lastInBlock = remainingInBlock == 0;
            batch.size = size;
            delivered += size;
            n += size;
            try {
                if (size > 0) {
                    listener.onBatch(batch);
                }
            } finally {
                batch.size = 0;
                if (lastInBlock) {
                    releaseBlock();
                }
            }
        }
        return n;
    }

    /**
     * With the current block done: whether the kernel has handed over the next one with frames in it, which
     * then becomes the current block (an empty one is handed back at once).
     */
    private boolean blockReady() {
        while (remainingInBlock == 0) {
            long block = currentBlock * blockSize;
            int status = (int) INT_HANDLE.getAcquire(ring, block + BLOCK_STATUS);
            if ((status & TP_STATUS_USER) == 0) {
                return false;
            }
            remainingInBlock = ring.get(JAVA_INT, block + BLOCK_NUM_PKTS);
            nextFrame = block + (ring.get(JAVA_INT, block + BLOCK_OFFSET_TO_FIRST_PKT) & 0xFFFFFFFFL);
            if (remainingInBlock == 0) {
                releaseBlock();
            }
        }
        return true;
    }

    /** The frame's {@code sll_pkttype} if the direction selection keeps the frame, else -1. */
    private int acceptedType(MemorySegment ring, long frame) {
        long sll = frame + TP_SOCKADDR_LL;
        int packetType = ring.get(JAVA_BYTE, sll + SLL_PKTTYPE) & 0xFF;
        boolean sent = packetType == PACKET_OUTGOING;
        if ((ring.get(JAVA_SHORT, sll + SLL_HATYPE) & 0xFFFF) == ARPHRD_LOOPBACK) {
            // Sent on loopback means received again: keep one copy.
            if (sent != loopbackKeepsOutgoing) {
                return -1;
            }
        } else if (sent ? !outgoing : !incoming) {
            return -1;
        }
        return packetType;
    }

    /** Reads the frame's metadata into the view, as packet {@code number} of the capture. */
    private void fill(MemorySegment ring, long frame, int packetType, LivePacket p, long number) {
        long sll = frame + TP_SOCKADDR_LL;
        int status = ring.get(JAVA_INT, frame + TP_STATUS);
        boolean vlan = (status & TP_STATUS_VLAN_VALID) != 0;
        int vlanTci = vlan ? ring.get(JAVA_INT, frame + TP_VLAN_TCI) & 0xFFFF : 0;
        int vlanTpid = !vlan ? 0
                : (status & TP_STATUS_VLAN_TPID_VALID) != 0 ? ring.get(JAVA_SHORT, frame + TP_VLAN_TPID) & 0xFFFF
                : EtherType.VLAN_8021Q;
        int captured = ring.get(JAVA_INT, frame + TP_SNAPLEN);
        int mac = ring.get(JAVA_SHORT, frame + TP_MAC) & 0xFFFF;
        int linkHeader = 0;
        if (linkHeaders) {
            // The packet starts at the network header, as on the cooked socket; the link header precedes it.
            linkHeader = Math.clamp((ring.get(JAVA_SHORT, frame + TP_NET) & 0xFFFF) - mac, 0, captured);
        }
        p.frame(number,
                (ring.get(JAVA_INT, frame + TP_SEC) & 0xFFFFFFFFL) * 1_000_000_000L
                        + ring.get(JAVA_INT, frame + TP_NSEC),
                Math.min(captured - linkHeader, snapLength),
                ring.get(JAVA_INT, frame + TP_LEN) - linkHeader,
                frame + mac + linkHeader,
                ring.get(JAVA_INT, sll + SLL_IFINDEX),
                packetType, vlan, vlanTci, vlanTpid, sll, linkHeader);
    }

    private void releaseBlock() {
        INT_HANDLE.setRelease(ring, currentBlock * blockSize + BLOCK_STATUS, TP_STATUS_KERNEL);
        currentBlock = currentBlock + 1 == blockCount ? 0 : currentBlock + 1;
        remainingInBlock = 0;
    }

    /**
     * The packets of one batch, a view of its own for each, so that headers a listener decoded stay decoded
     * while it goes over the batch again.
     */
    private final class Batch implements PacketBatch {
        final LivePacket[] views = new LivePacket[PacketBatchListener.MAX_BATCH];
        int size;

        Batch() {
            for (int i = 0; i < views.length; i++) {
                views[i] = new LivePacket(names, ring, linkType);
            }
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public Packet get(int index) {
            return views[java.util.Objects.checkIndex(index, size)];
        }
    }
}
