package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.pcap.CaptureBytes.Option;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.panatap.pcap.CaptureBytes.frame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files beyond 2 GiB: sparse files (holes cost no disk) whose last records lie past offset 2^31, so any int
 * offset in the reader would break.
 */
class LargeFileTest {
    private static final long TWO_GIB = 1L << 31;
    private static final int HUGE = CaptureFileReader.MAX_CAPTURE_LENGTH - 4096;

    @TempDir
    Path dir;

    @Test
    void readsClassicRecordsBeyondTwoGibibytes() throws IOException {
        Path file = dir.resolve("large.pcap");
        long position;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 262144, 1).bytes());
            position = raf.getFilePointer();
            // Nine records of almost 256 MiB of zeros each: the data stays a hole in the file.
            for (int i = 0; i < 9; i++) {
                raf.seek(position);
                raf.write(recordHeader(i, HUGE));
                position += 16 + HUGE;
            }
            raf.seek(position);
            for (int i = 0; i < 3; i++) {
                raf.write(recordHeader(100 + i, 60));
                raf.write(frame(60, i));
            }
        }
        List<Packet> small = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            assertThat(reader.fileSize()).isGreaterThan(TWO_GIB);
            while (reader.poll(p -> {
                offsets.add(p.frameOffset());
                if (p.captureLength() == 60) {
                    small.add(p.copy());
                }
            }, 100) > 0) {
                // until the end
            }
            assertThat(reader.frameCount()).isEqualTo(12);
            assertThat(reader.position()).isEqualTo(reader.fileSize());
        }
        assertThat(offsets.get(9)).isEqualTo(position + 16).isGreaterThan(TWO_GIB);
        assertThat(small).extracting(Packet::frameNumber).containsExactly(10L, 11L, 12L);
        assertThat(small).extracting(Packet::timestampNanos)
                .containsExactly(100_000_000_000L, 101_000_000_000L, 102_000_000_000L);
        for (int i = 0; i < 3; i++) {
            assertThat(ReadResult.bytesOf(small.get(i))).isEqualTo(frame(60, i));
        }
    }

    @Test
    void skipsAPcapngBlockLargerThanTwoGibibytes() throws IOException {
        Path file = dir.resolve("large.pcapng");
        long blockLength = TWO_GIB + 64;
        byte[] head = CaptureBytes.pcapng(ByteOrder.BIG_ENDIAN).iface(1, 0, Option.name("big0")).bytes();
        byte[] tail = CaptureBytes.empty(ByteOrder.BIG_ENDIAN)
                .epb(0, 5_000_000, frame(70, 1), 70)
                .epb(0, 6_000_000, frame(71, 2), 71).bytes();
        long tailAt;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(head);
            long blockAt = raf.getFilePointer();
            raf.write(ByteBuffer.allocate(8).putInt(0x0000_0BAD).putInt((int) blockLength).array());
            raf.seek(blockAt + blockLength - 4);
            raf.writeInt((int) blockLength);
            tailAt = raf.getFilePointer();
            raf.write(tail);
        }
        ReadResult r = ReadResult.read(file);
        assertThat(r.error()).isNull();
        assertThat(r.packets()).hasSize(2);
        assertThat(r.packets()).extracting(Packet::interfaceName).containsOnly("big0");
        assertThat(r.packets()).extracting(Packet::timestampNanos).containsExactly(5_000_000_000L, 6_000_000_000L);
        assertThat(ReadResult.bytesOf(r.packets().get(1))).isEqualTo(frame(71, 2));
        assertThat(tailAt).isGreaterThan(TWO_GIB);
    }

    @Test
    void reportsDamageBeyondTwoGibibytesWithItsLongOffset() throws IOException {
        Path file = dir.resolve("damaged-large.pcap");
        long position;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(CaptureBytes.pcap(ByteOrder.BIG_ENDIAN, true, 262144, 1).bytes());
            position = raf.getFilePointer();
            for (int i = 0; i < 9; i++) {
                raf.seek(position);
                raf.write(recordHeaderBigEndian(HUGE));
                position += 16 + HUGE;
            }
            raf.seek(position);
            raf.write(recordHeaderBigEndian(500));
            raf.write(new byte[100]);
        }
        long[] delivered = {0};
        CaptureFileException error = null;
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            while (reader.poll(p -> delivered[0]++, 100) > 0) {
                // until the damage
            }
        } catch (CaptureFileException e) {
            error = e;
        }
        assertThat(delivered[0]).isEqualTo(9);
        assertThat(error).isNotNull();
        assertThat(error.offset()).isEqualTo(position).isGreaterThan(TWO_GIB);
        assertThat(error).hasMessage("truncated record at byte " + position
                + ": header says 500 captured bytes, 100 left in file");
    }

    private static byte[] recordHeader(int seconds, int length) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(seconds).putInt(0).putInt(length).putInt(length).array();
    }

    private static byte[] recordHeaderBigEndian(int length) {
        return ByteBuffer.allocate(16).putInt(1).putInt(0).putInt(length).putInt(length).array();
    }
}
