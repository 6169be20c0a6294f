package io.panatap;

import java.io.IOException;

/**
 * Where packets come from: a live capture ({@code io.panatap.capture.PacketCapture}) or a capture file
 * ({@code io.panatap.pcap.CaptureFileReader}). The caller owns the loop and the thread:
 *
 * <pre>{@code
 * int n;
 * while ((n = source.poll(listener, 1024)) >= 0) {
 *     // n packets were delivered (0: none ready yet, a live capture's poll timeout)
 * }
 * // -1: the source has ended (end of file, or the capture was closed)
 * }</pre>
 *
 * <p><b>Threads.</b> {@link #poll} is called from one thread at a time. Whether {@link #close()} may be called
 * from another thread is up to the implementation: a live capture allows it (and wakes a blocked poll at
 * once), a file reader does not.
 */
public interface PacketSource extends AutoCloseable {

    /** {@link #poll} returns this when no packet will come any more. */
    int END = -1;

    /**
     * 262144 bytes: the snap length of a live capture unless one is set, the largest one it accepts, and the
     * length assumed where a file or filter gives none (libpcap's {@code MAXIMUM_SNAPLEN}); enough for
     * 64 KiB GSO/GRO super-frames.
     */
    int DEFAULT_SNAP_LENGTH = 262_144;

    /**
     * Delivers at most {@code limit} packets to {@code listener}, each valid only during its call (see
     * {@link PacketListener}). Returns how many were delivered; 0 when none was ready in the source's wait
     * (a live capture's poll timeout); {@link #END} when the source has ended and every packet was delivered.
     * An exception thrown by the listener propagates; its packet counts as delivered. A source may hand a
     * {@link PacketBatchListener} its packets in batches (a live capture does, a file reader does not).
     *
     * @param limit at most this many packets; must be positive
     * @throws IOException if the source fails (a damaged file after every whole record before the damage,
     *                     or a socket error); the subclass named by the implementation
     */
    int poll(PacketListener listener, int limit) throws IOException;

    /**
     * Delivers packets until the source ends ({@link #poll} returns {@link #END}); for a live capture, until
     * it is closed from another thread (or from the listener).
     */
    default void run(PacketListener listener) throws IOException {
        while (poll(listener, 1024) != END) {
            // every packet went to the listener
        }
    }

    /**
     * Link type of the frames ({@link io.panatap.parse.LinkType}); for a pcapng file, that of its first
     * interface (a packet's own is {@link Packet#linkType()}), -1 if none is known yet.
     */
    int linkType();

    /** The snap length: at most this many bytes of each frame are captured (0: unlimited, in pcapng). */
    int snapLength();

    /** Releases the source; idempotent. */
    @Override
    void close();
}
