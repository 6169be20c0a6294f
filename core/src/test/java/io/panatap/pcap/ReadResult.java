package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.PacketCopy;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Everything a reader delivered from one file, and the error that ended it (null at a clean end). */
record ReadResult(List<Packet> packets, CaptureFileException error) {

    /** Writes {@code bytes} to a new file in {@code dir} and reads it to the end or the first error. */
    static ReadResult of(Path dir, byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "capture", ".bin");
        Files.write(file, bytes);
        return read(file);
    }

    /** Overwrites {@code file} with {@code bytes} and reads it. */
    static ReadResult rewrite(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        return read(file);
    }

    static ReadResult read(Path file) throws IOException {
        List<Packet> packets = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            while (reader.poll(p -> packets.add(PacketCopy.of(p)), 7) > 0) {
                // 7 per poll so that batching is exercised too
            }
            return new ReadResult(packets, null);
        } catch (CaptureFileException e) {
            return new ReadResult(packets, e);
        }
    }

    static byte[] bytesOf(Packet p) {
        byte[] b = new byte[p.captureLength()];
        java.lang.foreign.MemorySegment.copy(p.segment(), ValueLayout.JAVA_BYTE, p.dataOffset(), b, 0, b.length);
        return b;
    }
}
