package io.panatap.flow;

import io.panatap.Packet;
import io.panatap.PacketBatch;
import io.panatap.PacketBatchListener;

import io.panatap.parse.PacketHeaders;
import io.panatap.parse.TcpFlags;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A bounded table of TCP connections fed with packets: connection events to a {@link FlowListener} and,
 * optionally, each direction's reassembled byte stream to a {@link StreamListener}.
 *
 * <p>A flow is keyed by IP version, both addresses and ports, and the outer VLAN id; both directions map to
 * the same flow. All storage is allocated when the table is built (the reassembly buffer as it is first
 * needed, up to its limit): in steady state a packet allocates nothing, except that each
 * {@link StreamListener#data} call receives a new {@link java.lang.foreign.MemorySegment} slice (some 40
 * bytes, removed by the JIT when it can inline the listener). Time is the packets' capture time, so a file
 * and a live capture give the same results.
 *
 * <p>Connection state: a flow whose first packet is a SYN (without ACK) is opened when the handshake
 * completes, at the client's first ACK after the server's SYN/ACK, and its handshake round-trip time is the
 * capture time from the first SYN to that ACK. If the SYN/ACK was not captured the flow opens at the first
 * non-SYN, non-RST segment with ACK, without a round-trip time. A flow whose first packet is anything else is
 * {@linkplain Flow#midStream() mid-stream} and opens at once; if that packet is a SYN/ACK its receiver is the
 * client (it sent the SYN), otherwise the sender is. A FIN from both sides closes a flow
 * ({@link EndReason#CLOSED}), a RST resets it ({@link EndReason#RESET}); either way the flow then lingers for
 * one second of capture time (at most the idle timeout), so the last ACKs and retransmitted FINs or RSTs are
 * still counted in it, before its {@link FlowListener#ended ended} event. A SYN (without ACK) reaching a
 * lingering flow starts a new flow on the same addresses and ports.
 *
 * <p>Limits: when a new flow finds the table full, a lingering flow ends first if there is one (with its own
 * reason); otherwise the least recently active open flow is evicted ({@link EndReason#EVICTED}, counted in
 * {@link #evictions()}). Flows idle for the idle timeout end as {@link EndReason#TIMED_OUT}. Reassembly
 * limits are described at {@link Builder#maxBufferedBytesPerFlow} and {@link Builder#maxBufferedBytes}; the
 * policy for retransmitted and overlapping data (first copy wins) at {@link StreamListener}.
 *
 * <p>Not thread-safe: feed one table from one thread. With a {@link io.panatap.capture.CaptureGroup} in hash
 * fanout both directions of a connection reach the same worker, so give each worker its own table.
 */
public final class FlowTable implements PacketBatchListener, AutoCloseable {

    /** How long a closed or reset flow lingers before its ended event, at most the idle timeout. */
    static final long LINGER_NANOS = 1_000_000_000L;
    /** Packets of a batch whose table memory {@link #onBatch} reads together before handling them. */
    static final int LOOKAHEAD = 32;
    private static final FlowListener NO_EVENTS = new FlowListener() {
    };

    private final FlowStore store;
    private final DirectionCounters counters;
    private final FlowView view;
    private final FlowListener listener;
    private final Reassembler reassembler;
    private final long idleNanos;
    private final long lingerNanos;
    /** {@link #onBatch}: per packet, its flow hash with bit 32 set, or 0 for a packet the table ignores. */
    private final long[] hashes = new long[LOOKAHEAD];
    /** {@link #onBatch}: per packet, the slot its lookup starts at (-1: none). */
    private final int[] slots = new int[LOOKAHEAD];
    /** What the look-ahead reads add up to, kept so that the reads are not left out as unused. */
    private long preloaded;
    private long clock = Long.MIN_VALUE;
    private long evictions;
    private long ignored;
    private boolean closed;

    private FlowTable(Builder builder) {
        store = new FlowStore(builder.maxFlows, ThreadLocalRandom.current().nextLong());
        counters = new DirectionCounters(builder.maxFlows);
        view = new FlowView(store, counters);
        listener = builder.listener == null ? NO_EVENTS : builder.listener;
        idleNanos = builder.idleNanos;
        lingerNanos = Math.min(LINGER_NANOS, idleNanos);
        reassembler = builder.streams == null ? null : new Reassembler(builder.maxFlows, builder.streams, view,
                builder.maxFlowBytes, builder.maxBytes, builder.gapNanos);
    }

    /**
     * A builder with the defaults documented on its methods.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Accounts one packet. Packets that are not TCP, or whose TCP header is cut before the flags, are
     * counted in {@link #ignoredPackets()} and otherwise ignored. Flows idle for the idle timeout before
     * the packet's timestamp are ended first.
     *
     * @param packet the packet, read only during the call
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public void onPacket(Packet packet) {
        if (closed) {
            throw new IllegalStateException("flow table closed");
        }
        PacketHeaders h = packet.headers();
        if (!accountable(h)) {
            ignored++;
            return;
        }
        account(packet, h, hashOf(packet, h));
    }

    /** Accounts a TCP packet whose flow hash is {@code hash}. */
    private void account(Packet packet, PacketHeaders h, int hash) {
        long now = packet.timestampNanos();
        if (now > clock) {
            clock = now;
            expire(now);
        }
        int version = h.ipVersion();
        long srcHigh = sourceHigh(h);
        long srcLow = sourceLow(h);
        long dstHigh = destinationHigh(h);
        long dstLow = destinationLow(h);
        int srcPort = h.sourcePort();
        int dstPort = h.destinationPort();
        int vlan = vlanOf(packet, h);
        int flags = h.flags();
        boolean synOnly = (flags & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN;
        int found = store.find(hash, version, vlan, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort);
        if (found >= 0 && synOnly && store.listOf(found >> 1) == FlowStore.FINISHED) {
            end(found >> 1); // the ports are reused by a new connection
            found = -1;
        }
        if (found < 0) {
            if (store.full()) {
                evict();
            }
            boolean synAck = (flags & (TcpFlags.SYN | TcpFlags.ACK)) == (TcpFlags.SYN | TcpFlags.ACK);
            int slot = synAck
                    ? store.insert(hash, version, vlan, dstHigh, dstLow, dstPort, srcHigh, srcLow, srcPort, now)
                    : store.insert(hash, version, vlan, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, now);
            store.flags[slot] = synOnly ? 0 : FlowStore.MID_STREAM;
            counters.reset(slot);
            if (reassembler != null) {
                reassembler.reset(slot);
            }
            found = synAck ? 2 * slot + 1 : 2 * slot;
        }
        update(found >> 1, found & 1, packet, h, flags, now);
    }

    /**
     * Accounts the packets of a batch, with the same results as {@link #onPacket} for each in order. With many
     * flows a packet's flow is rarely in the processor's caches, and one packet's lookup waits for main memory
     * before the next starts; here the table first reads what the lookups of up to {@value #LOOKAHEAD} packets
     * will need, all of those reads waiting at once, and then handles the packets one by one. A live capture
     * delivers batches to the table (see {@link PacketBatchListener}).
     *
     * @param batch the packets, read only during the call
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public void onBatch(PacketBatch batch) {
        if (closed) {
            throw new IllegalStateException("flow table closed");
        }
        int size = batch.size();
        for (int start = 0; start < size; start += LOOKAHEAD) {
            int count = Math.min(LOOKAHEAD, size - start);
            for (int i = 0; i < count; i++) {
                Packet packet = batch.get(start + i);
                PacketHeaders h = packet.headers();
                hashes[i] = accountable(h) ? 1L << 32 | hashOf(packet, h) & 0xFFFF_FFFFL : 0;
            }
            preloaded += preload(count);
            for (int i = 0; i < count; i++) {
                if (closed) { // a listener closed the table
                    throw new IllegalStateException("flow table closed");
                }
                Packet packet = batch.get(start + i);
                if (hashes[i] == 0) {
                    ignored++;
                } else {
                    account(packet, packet.headers(), (int) hashes[i]);
                }
            }
        }
    }

    /** Whether the table accounts the packet: TCP, with its header up to the flags captured. */
    private static boolean accountable(PacketHeaders h) {
        return h.isTcp() && h.hasFlags();
    }

    /** The flow hash of a TCP packet: the same for both directions. */
    private int hashOf(Packet packet, PacketHeaders h) {
        return store.hash(h.ipVersion(), vlanOf(packet, h), sourceHigh(h), sourceLow(h), h.sourcePort(),
                destinationHigh(h), destinationLow(h), h.destinationPort());
    }

    // The addresses as the store keys them: an IPv4 address in the low half, 0 in the high one.

    private static long sourceHigh(PacketHeaders h) {
        return h.ipVersion() == 4 ? 0 : h.ipv6SourceHigh();
    }

    private static long sourceLow(PacketHeaders h) {
        return h.ipVersion() == 4 ? h.ipv4Source() & 0xFFFF_FFFFL : h.ipv6SourceLow();
    }

    private static long destinationHigh(PacketHeaders h) {
        return h.ipVersion() == 4 ? 0 : h.ipv6DestinationHigh();
    }

    private static long destinationLow(PacketHeaders h) {
        return h.ipVersion() == 4 ? h.ipv4Destination() & 0xFFFF_FFFFL : h.ipv6DestinationLow();
    }

    /** The outer VLAN id of the packet: the one the kernel stripped, else the first tag in the frame; -1 for none. */
    private static int vlanOf(Packet packet, PacketHeaders h) {
        return packet.hasVlanTag() ? packet.vlanTci() & 0xFFF : h.outerVlanId();
    }

    /**
     * Reads the index entries of the first {@code count} packets' hashes, then the flow memory of the slots
     * they name, in loops that do nothing else, so that the processor keeps many of these reads in flight at
     * once; then, for the packets whose first slot holds a flow of another hash, that of the slot further
     * along the index with their hash. Only a hint: the lookup decides.
     */
    private long preload(int count) {
        for (int i = 0; i < count; i++) {
            slots[i] = hashes[i] == 0 ? -1 : store.home((int) hashes[i]);
        }
        long sum = preloadSlots(count);
        // Where the first slot holds another flow (its hash differs), the flow sits further along the index.
        for (int i = 0; i < count; i++) {
            int s = slots[i];
            slots[i] = s >= 0 && store.hashOf(s) != (int) hashes[i] ? store.probe((int) hashes[i]) : -1;
        }
        return sum + preloadSlots(count);
    }

    /** Reads the flow memory of the first {@code count} {@link #slots} (-1: none), in a loop of its own. */
    private long preloadSlots(int count) {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            int s = slots[i];
            if (s >= 0) {
                sum += store.preload(s) + counters.preload(s);
            }
        }
        return sum;
    }

    private void update(int slot, int side, Packet packet, PacketHeaders h, int flags, long now) {
        store.lastNanos[slot] = now;
        store.touch(slot, store.listOf(slot));
        int d = 2 * slot + side;
        int seq = (int) h.sequenceNumber();
        int payload = h.payloadLength();
        int span = payload + ((flags & TcpFlags.SYN) != 0 ? 1 : 0) + ((flags & TcpFlags.FIN) != 0 ? 1 : 0);
        boolean rst = (flags & TcpFlags.RST) != 0;
        counters.count(d, packet.originalLength(), payload, h.window() == 0 && !rst, seq, span);
        int f = store.flags[slot];
        view.bind(slot);
        if ((f & FlowStore.REASON_MASK) == 0) {
            f = transition(slot, side, flags, f, now);
            store.flags[slot] = f;
        }
        if (reassembler != null) {
            reassembler.segment(d, flags, seq, payload, h.segment(), h.frameOffset() + h.payloadOffset(),
                    h.capturedPayloadLength(), now);
        }
    }

    /** The connection state machine for one segment of an open flow; returns the new flags. */
    private int transition(int slot, int side, int flags, int f, long now) {
        boolean syn = (flags & TcpFlags.SYN) != 0;
        boolean ack = (flags & TcpFlags.ACK) != 0;
        boolean rst = (flags & TcpFlags.RST) != 0;
        boolean client = side == 0;
        if (syn && !ack && client && (f & FlowStore.MID_STREAM) == 0 && (f & FlowStore.SYN_SEEN) == 0) {
            f |= FlowStore.SYN_SEEN;
            store.synNanos[slot] = now;
        } else if (syn && ack && !client) {
            f |= FlowStore.SYN_ACK_SEEN;
        }
        if ((f & FlowStore.OPENED) == 0 && ((f & FlowStore.MID_STREAM) != 0 || !syn && !rst && ack)) {
            if (client && (f & FlowStore.SYN_ACK_SEEN) != 0 && store.synNanos[slot] >= 0) {
                store.rttNanos[slot] = now - store.synNanos[slot];
            }
            f |= FlowStore.OPENED;
            store.flags[slot] = f;
            listener.opened(view);
        }
        if ((flags & TcpFlags.FIN) != 0) {
            f |= client ? FlowStore.FIN_CLIENT : FlowStore.FIN_SERVER;
        }
        if (rst) {
            f |= (client ? FlowStore.RESET_BY_CLIENT : FlowStore.RESET_BY_SERVER) | reason(EndReason.RESET);
            store.touch(slot, FlowStore.FINISHED);
        } else if ((f & (FlowStore.FIN_CLIENT | FlowStore.FIN_SERVER)) == (FlowStore.FIN_CLIENT | FlowStore.FIN_SERVER)) {
            f |= reason(EndReason.CLOSED);
            store.touch(slot, FlowStore.FINISHED);
        }
        return f;
    }

    private static int reason(EndReason reason) {
        return (reason.ordinal() + 1) << FlowStore.REASON_SHIFT;
    }

    /** Ends lingering flows, idle flows and old reassembly holes, as of capture time {@code now}. */
    private void expire(long now) {
        for (int s = store.oldest(FlowStore.FINISHED); s >= 0 && now - store.lastNanos[s] >= lingerNanos;
             s = store.oldest(FlowStore.FINISHED)) {
            end(s);
        }
        for (int s = store.oldest(FlowStore.ACTIVE); s >= 0 && now - store.lastNanos[s] >= idleNanos;
             s = store.oldest(FlowStore.ACTIVE)) {
            store.flags[s] |= reason(EndReason.TIMED_OUT);
            end(s);
        }
        if (reassembler != null) {
            reassembler.expire(now);
        }
    }

    /** Makes room for one flow: a lingering flow ends, or else the least recently active one is evicted. */
    private void evict() {
        int s = store.oldest(FlowStore.FINISHED);
        if (s < 0) {
            s = store.oldest(FlowStore.ACTIVE);
            store.flags[s] |= reason(EndReason.EVICTED);
            evictions++;
        }
        end(s);
    }

    /** Delivers what the flow's streams hold, reports its end and frees its slot. */
    private void end(int slot) {
        view.bind(slot);
        if (reassembler != null) {
            reassembler.flush(slot);
        }
        listener.ended(view);
        store.remove(slot);
    }

    /**
     * Ends, with {@link EndReason#TIMED_OUT}, every flow idle for the idle timeout at capture time
     * {@code nanos}, ends the closed or reset flows that lingered long enough, and gives up reassembly holes
     * older than the gap timeout. Packet timestamps do this too; call it when no packets arrive (a quiet live
     * capture). Time never goes back: an earlier {@code nanos} does nothing.
     *
     * @param nanos capture time in nanoseconds since the Unix epoch
     */
    public void advanceTo(long nanos) {
        if (!closed && nanos > clock) {
            clock = nanos;
            expire(nanos);
        }
    }

    /**
     * Ends every flow: closed or reset flows still lingering with their reason, open ones with
     * {@link EndReason#OPEN_AT_END}, delivering what their streams still hold (holes reported as gaps)
     * first; then frees the reassembly buffer. The table accepts no packets after. Closing twice does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int s = store.oldest(FlowStore.FINISHED); s >= 0; s = store.oldest(FlowStore.FINISHED)) {
            end(s);
        }
        for (int s = store.oldest(FlowStore.ACTIVE); s >= 0; s = store.oldest(FlowStore.ACTIVE)) {
            store.flags[s] |= reason(EndReason.OPEN_AT_END);
            end(s);
        }
        if (reassembler != null) {
            reassembler.close();
        }
    }

    /**
     * Flows currently in the table, including closed or reset ones still lingering.
     *
     * @return the count
     */
    public int activeFlows() {
        return store.used();
    }

    /**
     * Flows ended with {@link EndReason#EVICTED} to make room.
     *
     * @return the count
     */
    public long evictions() {
        return evictions;
    }

    /**
     * Times a reassembly buffer limit (per flow or in total) bound and a hole was skipped as a gap instead of
     * waiting for it.
     *
     * @return the count
     */
    public long bufferOverflows() {
        return reassembler == null ? 0 : reassembler.overflows();
    }

    /**
     * Packets ignored because they were not TCP or too damaged to account (TCP header cut before the flags).
     *
     * @return the count
     */
    public long ignoredPackets() {
        return ignored;
    }

    /** Settings of a {@link FlowTable}. */
    public static final class Builder {

        /** 256 GiB: the buffer's block numbers stay ints (its descriptors take about 5 % of it on the heap). */
        private static final long MAX_BUFFERED_BYTES = 1L << 38;

        private int maxFlows = 65_536;
        private long idleNanos = Duration.ofMinutes(5).toNanos();
        private FlowListener listener;
        private StreamListener streams;
        private int maxFlowBytes = 1 << 20;
        private long maxBytes = 64L << 20;
        private long gapNanos = Duration.ofSeconds(10).toNanos();

        private Builder() {
        }

        private static long positiveNanos(Duration duration, String what) {
            long nanos = Objects.requireNonNull(duration, what).toNanos();
            if (nanos <= 0) {
                throw new IllegalArgumentException(what + " must be positive: " + duration);
            }
            return nanos;
        }

        /**
         * The most flows tracked at once (default 65,536). When the table is full a new flow evicts the
         * least recently active one.
         *
         * @param maxFlows at least 1
         * @return this builder
         */
        public Builder maxFlows(int maxFlows) {
            if (maxFlows < 1 || maxFlows > 1 << 28) {
                throw new IllegalArgumentException("maxFlows must be 1.." + (1 << 28) + ": " + maxFlows);
            }
            this.maxFlows = maxFlows;
            return this;
        }

        /**
         * How long, in capture time, a flow may go without packets before it ends with
         * {@link EndReason#TIMED_OUT} (default 5 minutes).
         *
         * @param idleTimeout positive
         * @return this builder
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleNanos = positiveNanos(idleTimeout, "idleTimeout");
            return this;
        }

        /**
         * Where connection events go (default: nowhere).
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(FlowListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Enables stream reassembly and says where the streams go (default: no reassembly).
         *
         * @param streams the listener
         * @return this builder
         */
        public Builder streams(StreamListener streams) {
            this.streams = Objects.requireNonNull(streams, "streams");
            return this;
        }

        /**
         * The most out-of-order bytes one flow may hold in both directions together while waiting for a hole
         * to fill (default 1 MiB), counted in buffer blocks of 512 bytes. When a segment would exceed it, a
         * hole of the flow (of the segment's own direction first) is skipped as a gap and counted in
         * {@link FlowTable#bufferOverflows()}.
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder maxBufferedBytesPerFlow(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxBufferedBytesPerFlow must be positive: " + bytes);
            }
            this.maxFlowBytes = bytes;
            return this;
        }

        /**
         * The most out-of-order bytes all flows together may hold (default 64 MiB), counted in buffer blocks of
         * 512 bytes. The buffer is off-heap memory taken in 1 MiB slabs as it is first needed and kept until
         * {@link FlowTable#close()}, so it never exceeds this. When a segment would exceed it, the oldest hole of
         * any flow is skipped as a gap and counted in {@link FlowTable#bufferOverflows()}. At most 256 GiB;
         * block descriptors take about 28 bytes of heap per 512 bytes, allocated when the table is built.
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder maxBufferedBytes(long bytes) {
            if (bytes < 1 || bytes > MAX_BUFFERED_BYTES) {
                throw new IllegalArgumentException("maxBufferedBytes must be 1.." + MAX_BUFFERED_BYTES + ": " + bytes);
            }
            this.maxBytes = bytes;
            return this;
        }

        /**
         * How long, in capture time, a hole may stay unfilled before it is skipped as a gap (default 10
         * seconds), counted from when data beyond it was first held.
         *
         * @param gapTimeout positive
         * @return this builder
         */
        public Builder gapTimeout(Duration gapTimeout) {
            this.gapNanos = positiveNanos(gapTimeout, "gapTimeout");
            return this;
        }

        /**
         * Builds the table, allocating all its storage.
         *
         * @return the table
         */
        public FlowTable build() {
            return new FlowTable(this);
        }
    }
}
