package io.panatap.pcap;

import io.panatap.PacketListener;
import io.panatap.PacketSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.panatap.pcap.CaptureBytes.frame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mapped file that another process truncates while it is read: the reader reports it as damage (a
 * {@link CaptureFileException} with the byte offset, after the whole records before it), not as the
 * JVM's {@link InternalError} for a fault in the mapping.
 */
class TruncatedWhileReadingTest {
    private static final int RECORDS = 8_000;
    private static final int FRAME = 1000;
    /** Record header and frame. */
    private static final int RECORD = 16 + FRAME;

    @TempDir
    Path dir;

    private Path writeCapture() throws IOException {
        CaptureBytes b = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
        for (int i = 0; i < RECORDS; i++) {
            b.record(i, 0, frame(FRAME, i), FRAME);
        }
        Path file = dir.resolve("shrinking.pcap");
        Files.write(file, b.bytes());
        return file;
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.truncate(size);
        }
    }

    /** Reads on until the reader ends or throws; returns what ended it. */
    private static Throwable readToTheEnd(CaptureFileReader reader, PacketListener listener) {
        try {
            while (reader.poll(listener, 100) != PacketSource.END) {
                // on
            }
            return null;
        } catch (CaptureFileException | RuntimeException | Error e) {
            return e;
        }
    }

    @Test
    void aFileTruncatedBetweenPollsEndsWithDamageAfterItsWholeRecords() throws IOException {
        Path file = writeCapture();
        int whole = 3_000;
        long cut = 24 + (long) whole * RECORD + 100; // inside record whole + 1
        List<Long> frames = new ArrayList<>();
        List<Integer> bad = new ArrayList<>();
        PacketListener listener = p -> {
            frames.add(p.frameNumber());
            byte[] bytes = ReadResult.bytesOf(p);
            if (!Arrays.equals(bytes, frame(FRAME, (int) p.frameNumber() - 1))) {
                bad.add((int) p.frameNumber());
            }
        };
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            assertThat(reader.poll(listener, 100)).isEqualTo(100);
            truncate(file, cut);

            Throwable end = readToTheEnd(reader, listener);

            assertThat(end).isInstanceOf(CaptureFileException.class)
                    .hasMessage("the file was truncated to " + cut + " bytes while being read, at byte "
                            + (cut - 100));
            assertThat(((CaptureFileException) end).offset()).isEqualTo(cut - 100);
            assertThat(frames).hasSize(whole);
            assertThat(bad).isEmpty();
            assertThat(reader.frameCount()).isEqualTo(whole);
            assertThat(reader.position()).isEqualTo(cut - 100);
        }
    }

    @Test
    void aFileTruncatedAtARecordBoundaryStillReportsTheTruncation() throws IOException {
        Path file = writeCapture();
        long cut = 24 + 2_000L * RECORD;
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            reader.poll(p -> { }, 10);
            truncate(file, cut);
            Throwable end = readToTheEnd(reader, p -> { });
            assertThat(end).isInstanceOf(CaptureFileException.class).hasMessageContaining("truncated to " + cut);
            assertThat(reader.frameCount()).isEqualTo(2_000);
        }
    }

    @Test
    void aFileTruncatedDuringAPollEndsWithDamageNotAnInternalError() throws IOException {
        Path file = writeCapture();
        long cut = 24 + 1_000L * RECORD + 100;
        long[] sum = new long[1];
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            PacketListener listener = p -> {
                if (p.frameNumber() == 50) {
                    try {
                        truncate(file, cut);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }
                // Touch every byte, as a consumer copying the packet would.
                sum[0] += Arrays.hashCode(ReadResult.bytesOf(p));
            };
            Throwable end;
            try {
                while (reader.poll(listener, 1_000_000) != PacketSource.END) {
                    // on
                }
                end = null;
            } catch (CaptureFileException | RuntimeException | Error e) {
                end = e;
            }

            assertThat(end).isInstanceOf(CaptureFileException.class).hasMessageContaining("truncated to " + cut);
            long offset = ((CaptureFileException) end).offset();
            assertThat(offset).isBetween(24L, (long) RECORDS * RECORD);
            assertThat(reader.frameCount()).isGreaterThanOrEqualTo(1_000);
            // The reader stays failed, with the same error.
            Throwable first = end;
            assertThat(readToTheEnd(reader, listener)).isSameAs(first);
        }
    }
}
