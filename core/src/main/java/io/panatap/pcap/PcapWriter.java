package io.panatap.pcap;

import io.panatap.Packet;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Writes classic pcap files, buffered; the file is valid up to the last whole record at any time it is
 * flushed.
 *
 * <p>STUB: to be implemented (issue 4).
 */
public final class PcapWriter implements AutoCloseable {

    /** Timestamp resolution of the file (magic 0xa1b2c3d4 or 0xa1b23c4d). */
    public enum Precision { MICRO, NANO }

    private PcapWriter() {
    }

    public static PcapWriter create(Path file, int linkType, int snapLength, Precision precision) throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Writes one record of {@code captureLength} bytes at {@code offset} in {@code data}. */
    public void write(long timestampNanos, MemorySegment data, long offset, int captureLength, int originalLength)
            throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Writes a packet; re-inserts a VLAN tag the kernel stripped (Ethernet only), as libpcap does. */
    public void write(Packet packet) throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public void flush() throws IOException {
    }

    @Override
    public void close() throws IOException {
    }
}
