package io.panatap.flow;

import io.panatap.Packet;
import io.panatap.PacketListener;

import java.time.Duration;
import java.util.Objects;

/**
 * A bounded table of TCP connections fed with packets: connection events to a {@link FlowListener} and,
 * optionally, each direction's reassembled byte stream to a {@link StreamListener}.
 *
 * <p>A flow is keyed by IP version, both addresses and ports, and the outer VLAN id; both directions map to
 * the same flow. All storage is allocated when the table is built: in steady state a packet allocates
 * nothing. Time is the packets' capture time, so a file and a live capture give the same results.
 *
 * <p>Not thread-safe: feed one table from one thread. With a {@link io.panatap.capture.CaptureGroup} in hash
 * fanout both directions of a connection reach the same worker, so give each worker its own table.
 */
public final class FlowTable implements PacketListener, AutoCloseable {

    private FlowTable(Builder builder) {
        Objects.requireNonNull(builder);
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
     */
    @Override
    public void onPacket(Packet packet) {
    }

    /**
     * Ends, with {@link EndReason#TIMED_OUT}, every flow idle for the idle timeout at capture time
     * {@code nanos}, and gives up on reassembly gaps older than the gap timeout. Packet timestamps do this
     * too; call it when no packets arrive (a quiet live capture). Time never goes back: an earlier
     * {@code nanos} does nothing.
     *
     * @param nanos capture time in nanoseconds since the Unix epoch
     */
    public void advanceTo(long nanos) {
    }

    /**
     * Ends every open flow with {@link EndReason#OPEN_AT_END}, delivering what its streams still hold
     * (holes reported as gaps) first, and frees the reassembly buffer. The table accepts no packets after.
     */
    @Override
    public void close() {
    }

    /**
     * Flows currently tracked.
     *
     * @return the count
     */
    public int activeFlows() {
        return 0;
    }

    /**
     * Flows ended with {@link EndReason#EVICTED} to make room.
     *
     * @return the count
     */
    public long evictions() {
        return 0;
    }

    /**
     * Times a reassembly buffer limit (per flow or in total) bound and a hole was skipped as a gap instead of
     * waiting for it.
     *
     * @return the count
     */
    public long bufferOverflows() {
        return 0;
    }

    /**
     * Packets ignored because they were not TCP or too damaged to account.
     *
     * @return the count
     */
    public long ignoredPackets() {
        return 0;
    }

    /** Settings of a {@link FlowTable}. */
    public static final class Builder {

        private Builder() {
        }

        /**
         * The most flows tracked at once (default 65,536). When the table is full a new flow evicts the
         * least recently active one.
         *
         * @param maxFlows at least 1
         * @return this builder
         */
        public Builder maxFlows(int maxFlows) {
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
            return this;
        }

        /**
         * Where connection events go (default: nowhere).
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(FlowListener listener) {
            return this;
        }

        /**
         * Enables stream reassembly and says where the streams go (default: no reassembly).
         *
         * @param streams the listener
         * @return this builder
         */
        public Builder streams(StreamListener streams) {
            return this;
        }

        /**
         * The most out-of-order bytes one flow may hold in both directions together while waiting for a hole
         * to fill (default 1 MiB). When reached, the oldest hole is skipped as a gap.
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder maxBufferedBytesPerFlow(int bytes) {
            return this;
        }

        /**
         * The most out-of-order bytes all flows together may hold (default 64 MiB); also the size of the
         * reassembly buffer, allocated off-heap when the table is built with {@link #streams}.
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder maxBufferedBytes(long bytes) {
            return this;
        }

        /**
         * How long, in capture time, a hole may stay unfilled before it is skipped as a gap (default 10
         * seconds).
         *
         * @param gapTimeout positive
         * @return this builder
         */
        public Builder gapTimeout(Duration gapTimeout) {
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
