package io.panatap.pcap;

import io.panatap.Packet;

import java.io.IOException;

/**
 * What every capture file writer does, whatever the format ({@link PcapWriter} for classic pcap,
 * {@link PcapngWriter} for pcapng), so that a program (and a wrapper such as file rotation) handles both
 * alike: write packets, flush whole records, record the capture's statistics at a normal stop, close.
 * Implementations are not thread-safe.
 */
public interface CaptureFileWriter extends AutoCloseable {

    /**
     * Writes one packet (its bytes beyond the snap length are cut).
     *
     * @throws LinkTypeMismatchException if the format cannot hold the packet's link type next to the ones
     *                                   already written (classic pcap holds one): nothing is written
     */
    void write(Packet packet) throws IOException;

    /**
     * Writes one packet as {@link #write} does, but may refer to its bytes instead of copying them: they must
     * stay where they are, unchanged, until the next {@link #flush()} or {@link #close()}, as the packets of a
     * {@link io.panatap.PacketBatch} do until {@link io.panatap.PacketBatchListener#onBatch} returns (flush
     * before returning). A writer that cannot refer to them copies them ({@link #write}, the default).
     */
    default void writeInPlace(Packet packet) throws IOException {
        write(packet);
    }

    /** Writes the buffered whole records to the file. */
    void flush() throws IOException;

    /**
     * Bytes of the file so far, including records still buffered (what {@code ftell} says of tcpdump's
     * buffered file, which its {@code -C} compares).
     */
    long size();

    /**
     * Records the capture's statistics at a normal stop, before {@link #close()}: {@code received} packets
     * that passed the socket's filter and {@code dropped} packets the kernel could not deliver; a negative
     * value is not known (a capture read from a file). pcapng writes an interface statistics block per
     * interface; classic pcap has no place for them and ignores the call.
     */
    default void writeStatistics(long received, long dropped) throws IOException {
    }

    /** Flushes and closes the file; idempotent. */
    @Override
    void close() throws IOException;
}
