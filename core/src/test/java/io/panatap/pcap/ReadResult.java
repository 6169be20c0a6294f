package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.PacketCopy;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntSupplier;

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
        return read(() -> CaptureFileReader.open(file));
    }

    /** Reads {@code bytes} as a stream that hands them out in chunks whose sizes {@code chunks} gives, as a pipe would. */
    static ReadResult streamed(byte[] bytes, IntSupplier chunks) throws IOException {
        return read(() -> CaptureFileReader.open(new ChunkedChannel(bytes, chunks)));
    }

    /** Opens a reader; what {@link #read(Opener)} reads to the end. */
    interface Opener {
        CaptureFileReader open() throws IOException;
    }

    static ReadResult read(Opener opener) throws IOException {
        List<Packet> packets = new ArrayList<>();
        try (CaptureFileReader reader = opener.open()) {
            while (reader.poll(p -> packets.add(PacketCopy.of(p)), 7) > 0) {
                // 7 per poll so that batching is exercised too
            }
            return new ReadResult(packets, null);
        } catch (CaptureFileException e) {
            return new ReadResult(packets, e);
        }
    }

    /** Every field of every packet, and the error with its offset: two readers of the same bytes give equal lists. */
    List<String> described() {
        List<String> lines = new ArrayList<>();
        for (Packet p : packets) {
            lines.add(p.frameNumber() + " " + p.timestampNanos() + " " + p.captureLength() + "/" + p.originalLength()
                    + " link " + p.linkType() + " if " + p.interfaceIndex() + " " + p.interfaceName() + " "
                    + p.direction() + " " + HexFormat.of().formatHex(bytesOf(p)));
        }
        lines.add(error == null ? "end" : error.getMessage() + " @" + error.offset());
        return lines;
    }

    /** Hands out the bytes in chunks of the sizes {@code chunks} gives (at least 1), then the end of input. */
    static final class ChunkedChannel implements ReadableByteChannel {
        private final byte[] bytes;
        private final IntSupplier chunks;
        private int at;
        private boolean open = true;

        ChunkedChannel(byte[] bytes, IntSupplier chunks) {
            this.bytes = bytes;
            this.chunks = chunks;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (at == bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(Math.max(1, chunks.getAsInt()), dst.remaining()), bytes.length - at);
            dst.put(bytes, at, n);
            at += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }

    static byte[] bytesOf(Packet p) {
        byte[] b = new byte[p.captureLength()];
        java.lang.foreign.MemorySegment.copy(p.segment(), ValueLayout.JAVA_BYTE, p.frameOffset(), b, 0, b.length);
        return b;
    }
}
