package io.panatap.capture;

import io.panatap.PacketListener;

/**
 * A live capture on a Linux {@code AF_PACKET} socket with a memory-mapped {@code TPACKET_V3} ring.
 *
 * <p>STUB: to be implemented (issue 5). Create with {@link #builder()}.
 */
public final class PacketCapture implements AutoCloseable {

    /** Which packets to capture by direction (tcpdump's {@code -Q}). */
    public enum DirectionFilter { IN, OUT, INOUT }

    /** {@code PACKET_FANOUT} modes. */
    public enum FanoutMode { HASH, LB, CPU, ROLLOVER }

    private PacketCapture() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Delivers at most {@code limit} packets that are ready, waiting up to the block timeout if none is;
     * returns how many were delivered (0 on timeout or after {@link #close()}).
     */
    public int poll(PacketListener listener, int limit) throws CaptureException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Delivers packets until {@link #close()} is called from another thread. */
    public void run(PacketListener listener) throws CaptureException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public CaptureStats stats() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Idempotent; wakes a blocked {@link #poll} promptly. */
    @Override
    public void close() {
    }

    /** Configuration with documented defaults. */
    public static final class Builder {
        Builder() {
        }

        public PacketCapture open() throws CaptureException {
            throw new UnsupportedOperationException("not implemented yet");
        }
    }
}
