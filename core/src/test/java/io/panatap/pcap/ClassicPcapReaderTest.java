package io.panatap.pcap;

import io.panatap.PacketType;
import io.panatap.Packet;
import io.panatap.PacketSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.panatap.pcap.CaptureBytes.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClassicPcapReaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} nanos={1}")
    @CsvSource({"LITTLE_ENDIAN,false", "LITTLE_ENDIAN,true", "BIG_ENDIAN,false", "BIG_ENDIAN,true"})
    void readsEveryByteOrderAndPrecision(String orderName, boolean nanos) throws IOException {
        ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        CaptureBytes b = CaptureBytes.pcap(order, nanos, 262144, 1)
                .record(1_700_000_000L, 123_456, frame(60, 1), 60)
                .record(1_700_000_001L, 999_999, frame(1514, 2), 1514)
                .record(0, 0, frame(0, 3), 9000);

        ReadResult r = ReadResult.of(dir, b.bytes());

        assertThat(r.error()).isNull();
        assertThat(r.packets()).hasSize(3);
        Packet first = r.packets().get(0);
        assertThat(first.frameNumber()).isEqualTo(1);
        assertThat(first.timestampNanos()).isEqualTo(1_700_000_000_000_000_000L + 123_456L * (nanos ? 1 : 1000));
        assertThat(first.captureLength()).isEqualTo(60);
        assertThat(first.originalLength()).isEqualTo(60);
        assertThat(first.linkType()).isEqualTo(1);
        assertThat(first.interfaceIndex()).isEqualTo(-1);
        assertThat(first.interfaceName()).isNull();
        assertThat(first.packetType()).isEqualTo(PacketType.UNKNOWN);
        assertThat(ReadResult.bytesOf(first)).isEqualTo(frame(60, 1));
        assertThat(ReadResult.bytesOf(r.packets().get(1))).isEqualTo(frame(1514, 2));
        assertThat(r.packets().get(2).frameNumber()).isEqualTo(3);
        assertThat(r.packets().get(2).captureLength()).isZero();
        assertThat(r.packets().get(2).originalLength()).isEqualTo(9000);
    }

    @ParameterizedTest
    @CsvSource({"LITTLE_ENDIAN", "BIG_ENDIAN"})
    void readsModifiedPcapWithInterfaceIndexAndPacketType(String orderName) throws IOException {
        ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        CaptureBytes b = CaptureBytes.pcapWithMagic(order, 0xa1b2cd34, 65535, 1)
                .modifiedRecord(7, 250_000, frame(60, 4), 3, 4)
                .modifiedRecord(8, 0, frame(61, 5), 2, 0);
        long cut = b.bytes().length;
        b.modifiedRecord(9, 0, frame(62, 6), 2, 0);
        ReadResult r = ReadResult.of(dir, java.util.Arrays.copyOf(b.bytes(), (int) cut + 20));
        assertThat(r.packets()).hasSize(2);
        Packet p = r.packets().get(0);
        assertThat(p.timestampNanos()).isEqualTo(7_250_000_000L);
        assertThat(p.interfaceIndex()).isEqualTo(3);
        assertThat(p.packetType()).isEqualTo(PacketType.OUTGOING);
        assertThat(ReadResult.bytesOf(p)).isEqualTo(frame(60, 4));
        assertThat(r.packets().get(1).packetType()).isEqualTo(PacketType.HOST);
        assertThat(ReadResult.bytesOf(r.packets().get(1))).isEqualTo(frame(61, 5));
        assertThat(r.error()).hasMessage("truncated record header at byte " + cut
                + ": 20 bytes left in file, a record header needs 24");
    }

    @Test
    void reportsFileHeaderFields() throws IOException {
        Path file = dir.resolve("x.pcap");
        Files.write(file, CaptureBytes.pcap(ByteOrder.BIG_ENDIAN, false, 96, 113).bytes());
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            assertThat(reader.linkType()).isEqualTo(113);
            assertThat(reader.snapLength()).isEqualTo(96);
            assertThat(reader.isPcapng()).isFalse();
            assertThat(reader.poll(p -> { }, 10)).isEqualTo(PacketSource.END);
            assertThat(reader.poll(p -> { }, 10)).isEqualTo(PacketSource.END);
        }
    }

    @Test
    void takesTheLinkTypeFromTheLow16BitsLikeLibpcap() throws IOException {
        // Bits 26..31 carry FCS information in the current format specification.
        byte[] bytes = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 0x1400_0001)
                .record(1, 0, frame(20, 0), 20).bytes();
        assertThat(ReadResult.of(dir, bytes).packets().get(0).linkType()).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource({"12", "14", "101", "228", "229", "276", "147", "0"})
    void deliversRecordsOfAnyLinkType(int linkType) throws IOException {
        byte[] bytes = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, linkType)
                .record(1, 0, frame(40, 0), 40).record(2, 0, frame(41, 0), 41).bytes();
        ReadResult r = ReadResult.of(dir, bytes);
        assertThat(r.error()).isNull();
        assertThat(r.packets()).extracting(Packet::linkType).containsExactly(linkType, linkType);
    }

    @Test
    void deliversOutOfRangeSubSecondValuesAsTheyAre() throws IOException {
        byte[] bytes = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
                .record(10, 1_500_000, frame(20, 0), 20)
                .record(0xFFFFFFFFL, 0xFFFFFFFFL, frame(20, 0), 20).bytes();
        ReadResult r = ReadResult.of(dir, bytes);
        assertThat(r.packets().get(0).timestampNanos()).isEqualTo(10 * 1_000_000_000L + 1_500_000L * 1000);
        assertThat(r.packets().get(1).timestampNanos())
                .isEqualTo(0xFFFFFFFFL * 1_000_000_000L + 0xFFFFFFFFL * 1000);
    }

    @Test
    void toleratesCapturedLengthAboveSnapLengthAndOriginalBelowCaptured() throws IOException {
        byte[] bytes = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 64, 1)
                .record(1, 0, 100, 50, frame(100, 0)).bytes();
        ReadResult r = ReadResult.of(dir, bytes);
        assertThat(r.error()).isNull();
        assertThat(r.packets().get(0).captureLength()).isEqualTo(100);
        assertThat(r.packets().get(0).originalLength()).isEqualTo(50);
    }

    @Test
    void pollDeliversAtMostTheLimitAndContinuesWhereItStopped() throws IOException {
        CaptureBytes b = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
        for (int i = 0; i < 10; i++) {
            b.record(i, 0, frame(30 + i, i), 30 + i);
        }
        Path file = dir.resolve("ten.pcap");
        Files.write(file, b.bytes());
        List<Long> frames = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            assertThat(reader.poll(p -> frames.add(p.frameNumber()), 4)).isEqualTo(4);
            assertThat(reader.poll(p -> frames.add(p.frameNumber()), 0)).isZero();
            assertThat(reader.poll(p -> frames.add(p.frameNumber()), 100)).isEqualTo(6);
            assertThat(reader.poll(p -> frames.add(p.frameNumber()), 100)).isEqualTo(PacketSource.END);
            assertThat(reader.frameCount()).isEqualTo(10);
            assertThat(reader.position()).isEqualTo(reader.fileSize());
        }
        assertThat(frames).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    }

    @Test
    void handsOutAFlyweightOverTheMappedFile() throws IOException {
        byte[] bytes = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
                .record(1, 0, frame(20, 0), 20).record(2, 0, frame(20, 0), 20).bytes();
        Path file = dir.resolve("f.pcap");
        Files.write(file, bytes);
        List<Packet> seen = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            reader.poll(p -> {
                seen.add(p);
                offsets.add(p.frameOffset());
                assertThat(p.segment().byteSize()).isEqualTo(bytes.length);
            }, 10);
        }
        assertThat(seen.get(0)).isSameAs(seen.get(1));
        assertThat(offsets).containsExactly(24L + 16, 24L + 16 + 20 + 16);
    }

    @Test
    void copyOutlivesTheReader() throws IOException {
        Path file = dir.resolve("c.pcap");
        Files.write(file, CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, true, 65535, 1)
                .record(5, 7, frame(33, 9), 40).bytes());
        List<Packet> copies = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            reader.poll(p -> copies.add(p.copy()), 1);
        }
        Packet c = copies.get(0);
        assertThat(ReadResult.bytesOf(c)).isEqualTo(frame(33, 9));
        assertThat(c.timestampNanos()).isEqualTo(5_000_000_007L);
        assertThat(c.originalLength()).isEqualTo(40);
        assertThat(c.frameNumber()).isEqualTo(1);
        assertThat(c.segment().isReadOnly()).isTrue();
    }

    @Test
    void rejectsAnEmptyFile() throws IOException {
        Path file = dir.resolve("empty");
        Files.write(file, new byte[0]);
        assertThatThrownBy(() -> CaptureFileReader.open(file))
                .isInstanceOf(CaptureFileException.class).hasMessage("empty file (0 bytes): not a pcap or pcapng capture");
    }

    @Test
    void rejectsAFileShorterThanTheHeader() throws IOException {
        byte[] header = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1).bytes();
        for (int n = 1; n < header.length; n++) {
            Path file = dir.resolve("short" + n);
            Files.write(file, java.util.Arrays.copyOf(header, n));
            assertThatThrownBy(() -> CaptureFileReader.open(file))
                    .isInstanceOf(CaptureFileException.class).hasMessageContaining("too short");
        }
    }

    @Test
    void rejectsAFileThatIsNotACapture() throws IOException {
        Path file = dir.resolve("text");
        Files.writeString(file, "hello, this is not a capture file\n");
        assertThatThrownBy(() -> CaptureFileReader.open(file))
                .isInstanceOf(CaptureFileException.class)
                .hasMessage("not a pcap or pcapng file: it starts with 0x68656c6c")
                .extracting(e -> ((CaptureFileException) e).offset()).isEqualTo(0L);
    }

    @Test
    void rejectsADirectoryAndReadsADeviceAsAStream() {
        assertThatThrownBy(() -> CaptureFileReader.open(dir)).isInstanceOf(CaptureFileException.class)
                .hasMessage("is a directory, not a capture file");
        Path devNull = Path.of("/dev/null");
        if (Files.exists(devNull)) {
            // Not mapped but read: it ends at once, like an empty file.
            assertThatThrownBy(() -> CaptureFileReader.open(devNull)).isInstanceOf(CaptureFileException.class)
                    .hasMessage("empty file (0 bytes): not a pcap or pcapng capture");
        }
    }

    @Test
    void reportsAMissingFileAsAnIoException() {
        assertThatThrownBy(() -> CaptureFileReader.open(dir.resolve("missing.pcap")))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void deliversEveryWholeRecordBeforeATruncatedLastRecord() throws IOException {
        byte[] bytes = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
                .record(1, 0, frame(60, 0), 60)
                .record(2, 0, 60, 60, frame(20, 0)).bytes();
        ReadResult r = ReadResult.of(dir, bytes);
        assertThat(r.packets()).hasSize(1);
        assertThat(r.error()).hasMessage("truncated record at byte 100: header says 60 captured bytes, 20 left in file");
        assertThat(r.error().offset()).isEqualTo(100);
    }

    @Test
    void reportsATruncatedRecordHeader() throws IOException {
        byte[] bytes = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
                .record(1, 0, frame(10, 0), 10).raw(new byte[] {1, 2, 3, 4, 5}).bytes();
        ReadResult r = ReadResult.of(dir, bytes);
        assertThat(r.packets()).hasSize(1);
        assertThat(r.error()).hasMessage(
                "truncated record header at byte 50: 5 bytes left in file, a record header needs 16");
    }

    @Test
    void treatsAnAbsurdCapturedLengthAsDamage() throws IOException {
        byte[] bytes = CaptureBytes.pcap(ByteOrder.BIG_ENDIAN, false, 65535, 1)
                .record(1, 0, frame(10, 0), 10)
                .record(1, 0, 0x7FFF_FFF0L, 10, new byte[64]).bytes();
        ReadResult r = ReadResult.of(dir, bytes);
        assertThat(r.packets()).hasSize(1);
        assertThat(r.error()).hasMessageContaining("damaged record at byte 50: header says 2147483632 captured bytes");
    }

    @Test
    void keepsReportingTheSameDamageOnLaterPolls() throws IOException {
        Path file = dir.resolve("d.pcap");
        Files.write(file, CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
                .record(1, 0, 500, 500, new byte[3]).bytes());
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            CaptureFileException first = null;
            try {
                reader.poll(p -> { }, 10);
            } catch (CaptureFileException e) {
                first = e;
            }
            assertThat(first).isNotNull();
            CaptureFileException again = first;
            assertThatThrownBy(() -> reader.poll(p -> { }, 10)).isSameAs(again);
        }
    }

    @Test
    void refusesToPollAfterClose() throws IOException {
        Path file = dir.resolve("closed.pcap");
        Files.write(file, CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1).bytes());
        CaptureFileReader reader = CaptureFileReader.open(file);
        reader.close();
        reader.close();
        assertThatThrownBy(() -> reader.poll(p -> { }, 1)).isInstanceOf(IllegalStateException.class);
    }
}
