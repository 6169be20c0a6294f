package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.pcap.PcapWriter;

import java.io.IOException;

/**
 * Where the command writes packets: one capture file, a rotating set of files ({@link RotatingWriter}) or a
 * stream. One interface so that the sink and the rotation do not depend on the file format: rotation opens
 * "a new file of the same kind" through a {@link Factory}.
 */
interface PacketWriter extends AutoCloseable {
    /** Opens the writer for one named file; rotation calls it for every file it starts. */
    @FunctionalInterface
    interface Factory {
        PacketWriter open(String name) throws IOException;
    }

    void write(Packet packet) throws IOException;

    /** Writes what is buffered, as whole records. */
    void flush() throws IOException;

    /** Bytes of the current file so far, buffered records included. */
    long size();

    @Override
    void close() throws IOException;

    /** A classic pcap writer as a {@code PacketWriter}. */
    static PacketWriter of(PcapWriter writer) {
        return new PacketWriter() {
            @Override
            public void write(Packet packet) throws IOException {
                writer.write(packet);
            }

            @Override
            public void flush() throws IOException {
                writer.flush();
            }

            @Override
            public long size() {
                return writer.size();
            }

            @Override
            public void close() throws IOException {
                writer.close();
            }
        };
    }
}
