package io.panatap.pcap;

import io.panatap.PacketListener;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads classic pcap and pcapng files, memory-mapped, delivering every record as a {@link io.panatap.Packet}
 * flyweight over the mapped bytes.
 *
 * <p>STUB: to be implemented (issue 4).
 */
public final class CaptureFileReader implements AutoCloseable {

    private CaptureFileReader() {
    }

    /** Opens and maps {@code file} and checks its header. */
    public static CaptureFileReader open(Path file) throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Delivers up to {@code limit} records to {@code listener}; returns how many were delivered, 0 at the end
     * of the file. Throws {@link CaptureFileException} when the next record is damaged, after every complete
     * record before it was delivered.
     */
    public long poll(PacketListener listener, long limit) throws CaptureFileException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Link type of the first interface (pcap: the file's link type). */
    public int linkType() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Snap length from the file header (pcap) or first interface (pcapng). */
    public int snapLength() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public void close() {
    }
}
