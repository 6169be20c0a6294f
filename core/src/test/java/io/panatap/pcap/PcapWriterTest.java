package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.pcap.PcapWriter.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.panatap.pcap.CaptureBytes.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PcapWriterTest {
    private static final long T = 1_700_000_000_123_456_789L;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Precision.class)
    void roundTripsRecordsThroughTheReader(Precision precision) throws IOException {
        Path file = dir.resolve("rt.pcap");
        try (PcapWriter w = PcapWriter.create(file, 113, 262144, precision)) {
            for (int i = 0; i < 100; i++) {
                byte[] data = frame(20 + i * 13, i);
                w.write(T + i * 1_000_001L, MemorySegment.ofArray(data), 0, data.length, data.length + i);
            }
        }
        List<Packet> packets = ReadResult.read(file).packets();
        assertThat(packets).hasSize(100);
        for (int i = 0; i < 100; i++) {
            Packet p = packets.get(i);
            long ts = T + i * 1_000_001L;
            assertThat(p.timestampNanos()).isEqualTo(precision == Precision.NANO ? ts : ts / 1000 * 1000);
            assertThat(ReadResult.bytesOf(p)).isEqualTo(frame(20 + i * 13, i));
            assertThat(p.originalLength()).isEqualTo(20 + i * 14);
            assertThat(p.linkType()).isEqualTo(113);
            assertThat(p.frameNumber()).isEqualTo(i + 1);
        }
        try (CaptureFileReader r = CaptureFileReader.open(file)) {
            assertThat(r.snapLength()).isEqualTo(262144);
            assertThat(r.linkType()).isEqualTo(113);
        }
    }

    @Test
    void writesTheClassicHeaderLittleEndian() throws IOException {
        Path file = dir.resolve("h.pcap");
        PcapWriter.create(file, 1, 96, Precision.NANO).close();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.remaining()).isEqualTo(24);
        assertThat(b.getInt(0)).isEqualTo(0xa1b23c4d);
        assertThat(b.getShort(4)).isEqualTo((short) 2);
        assertThat(b.getShort(6)).isEqualTo((short) 4);
        assertThat(b.getInt(16)).isEqualTo(96);
        assertThat(b.getInt(20)).isEqualTo(1);
    }

    @Test
    void writesTheHeaderAtOnceSoAnEmptyCaptureIsAValidFile() throws IOException {
        Path file = dir.resolve("early.pcap");
        try (PcapWriter w = PcapWriter.create(file, 1, 65535, Precision.MICRO)) {
            assertThat(w.snapLength()).isEqualTo(65535);
            assertThat(Files.size(file)).isEqualTo(24);
            ReadResult r = ReadResult.read(file);
            assertThat(r.error()).isNull();
            assertThat(r.packets()).isEmpty();
        }
    }

    @Test
    void cutsCapturedBytesBeyondTheSnapLength() throws IOException {
        Path file = dir.resolve("snap.pcap");
        try (PcapWriter w = PcapWriter.create(file, 1, 64, Precision.MICRO)) {
            w.write(T, MemorySegment.ofArray(frame(100, 0)), 0, 100, 100);
            w.write(T, MemorySegment.ofArray(frame(100, 0)), 10, 50, 1500);
        }
        List<Packet> packets = ReadResult.read(file).packets();
        assertThat(packets).extracting(Packet::captureLength).containsExactly(64, 50);
        assertThat(packets).extracting(Packet::originalLength).containsExactly(100, 1500);
        assertThat(ReadResult.bytesOf(packets.get(0))).isEqualTo(frame(64, 0));
        assertThat(ReadResult.bytesOf(packets.get(1))).isEqualTo(frame(50, 10));
    }

    @Test
    void neverWritesAnOriginalLengthBelowTheCapturedLength() throws IOException {
        Path file = dir.resolve("orig.pcap");
        try (PcapWriter w = PcapWriter.create(file, 1, 65535, Precision.MICRO)) {
            w.write(T, MemorySegment.ofArray(frame(80, 0)), 0, 80, 0);
        }
        assertThat(ReadResult.read(file).packets().get(0).originalLength()).isEqualTo(80);
    }

    @Test
    void writesPacketsFromTheirDataOffset() throws IOException {
        Path file = dir.resolve("p.pcap");
        byte[] frame = Frames.ethernetIpv4Tcp(1, 2, 0x02, 10);
        try (PcapWriter w = PcapWriter.create(file, 1, 65535, Precision.NANO)) {
            w.write(TestPacket.of(T, frame, 1));
        }
        Packet p = ReadResult.read(file).packets().get(0);
        assertThat(ReadResult.bytesOf(p)).isEqualTo(frame);
        assertThat(p.timestampNanos()).isEqualTo(T);
    }

    @Test
    void reinsertsAStrippedVlanTagAfterTheMacAddresses() throws IOException {
        Path file = dir.resolve("vlan.pcap");
        byte[] frame = Frames.ethernetIpv4Tcp(1, 2, 0x10, 6);
        try (PcapWriter w = PcapWriter.create(file, 1, 65535, Precision.MICRO)) {
            w.write(new TestPacket(T, frame, frame.length + 100, 1, true, 0x2064, 0));
            w.write(new TestPacket(T, frame, frame.length, 1, true, 0x0007, 0x88a8));
        }
        List<Packet> packets = ReadResult.read(file).packets();
        byte[] expected = new byte[frame.length + 4];
        System.arraycopy(frame, 0, expected, 0, 12);
        expected[12] = (byte) 0x81;
        expected[13] = 0x00;
        expected[14] = 0x20;
        expected[15] = 0x64;
        System.arraycopy(frame, 12, expected, 16, frame.length - 12);
        assertThat(ReadResult.bytesOf(packets.get(0))).isEqualTo(expected);
        assertThat(packets.get(0).captureLength()).isEqualTo(frame.length + 4);
        assertThat(packets.get(0).originalLength()).isEqualTo(frame.length + 104);
        byte[] second = ReadResult.bytesOf(packets.get(1));
        assertThat(Arrays.copyOfRange(second, 12, 16)).containsExactly(0x88, 0xa8, 0x00, 0x07);
    }

    @Test
    void cutsATaggedFrameToTheSnapLength() throws IOException {
        Path file = dir.resolve("vlansnap.pcap");
        byte[] frame = Frames.ethernetIpv4Tcp(1, 2, 0x10, 100);
        try (PcapWriter w = PcapWriter.create(file, 1, 14, Precision.MICRO)) {
            w.write(new TestPacket(T, frame, frame.length, 1, true, 0x0005, 0x8100));
        }
        Packet p = ReadResult.read(file).packets().get(0);
        byte[] expected = Arrays.copyOf(frame, 14);
        expected[12] = (byte) 0x81;
        expected[13] = 0;
        assertThat(ReadResult.bytesOf(p)).isEqualTo(expected);
        assertThat(p.originalLength()).isEqualTo(frame.length + 4);
    }

    @Test
    void leavesTheTagOutOnOtherLinkTypes() throws IOException {
        Path file = dir.resolve("sll.pcap");
        byte[] frame = frame(40, 0);
        try (PcapWriter w = PcapWriter.create(file, 113, 65535, Precision.MICRO)) {
            w.write(new TestPacket(T, frame, 40, 113, true, 0x0005, 0x8100));
        }
        assertThat(ReadResult.bytesOf(ReadResult.read(file).packets().get(0))).isEqualTo(frame);
    }

    @Test
    void refusesAPacketOfAnotherLinkTypeAndKeepsTheRecordsBeforeIt() throws IOException {
        Path file = dir.resolve("one-link-type.pcap");
        byte[] frame = frame(40, 0);
        try (PcapWriter w = PcapWriter.create(file, 1, 65535, Precision.MICRO)) {
            w.write(TestPacket.of(T, frame, 1));
            assertThatThrownBy(() -> w.write(TestPacket.of(T, frame(20, 9), 101)))
                    .isInstanceOfSatisfying(LinkTypeMismatchException.class, e -> {
                        assertThat(e.packetLinkType()).isEqualTo(101);
                        assertThat(e.fileLinkType()).isEqualTo(1);
                        assertThat(e.frameNumber()).isEqualTo(1);
                    })
                    .hasMessage("cannot write to " + file + ": packet 1 has link type RAW (101) but the file's link"
                            + " type is EN10MB (1); a pcap file holds one link type");
        }
        ReadResult r = ReadResult.read(file);
        assertThat(r.error()).isNull();
        assertThat(r.packets()).hasSize(1);
        assertThat(ReadResult.bytesOf(r.packets().get(0))).isEqualTo(frame);
    }

    @Test
    void flushesOnlyWholeRecordsSoTheFileIsAlwaysReadable() throws IOException {
        Path file = dir.resolve("partial.pcap");
        try (PcapWriter w = PcapWriter.create(file, 1, 65535, Precision.MICRO)) {
            long lastSize = 24;
            int flushes = 0;
            for (int i = 0; i < 300; i++) {
                byte[] data = frame(1000 + i, i);
                w.write(T, MemorySegment.ofArray(data), 0, data.length, data.length);
                long size = Files.size(file);
                if (size != lastSize) {
                    flushes++;
                    lastSize = size;
                    ReadResult r = ReadResult.read(file);
                    assertThat(r.error()).isNull();
                    assertThat(r.packets()).hasSizeLessThanOrEqualTo(i + 1).isNotEmpty();
                }
            }
            assertThat(flushes).isGreaterThan(2);
        }
        assertThat(ReadResult.read(file).packets()).hasSize(300);
    }

    @Test
    void writesARecordLargerThanTheBuffer() throws IOException {
        Path file = dir.resolve("big.pcap");
        try (PcapWriter w = PcapWriter.create(file, 1, 262144, Precision.MICRO)) {
            w.write(T, MemorySegment.ofArray(frame(100, 1)), 0, 100, 100);
            w.write(T, MemorySegment.ofArray(frame(200_000, 2)), 0, 200_000, 200_000);
            w.write(T, MemorySegment.ofArray(frame(100, 3)), 0, 100, 100);
        }
        List<Packet> packets = ReadResult.read(file).packets();
        assertThat(packets).extracting(Packet::captureLength).containsExactly(100, 200_000, 100);
        assertThat(ReadResult.bytesOf(packets.get(1))).isEqualTo(frame(200_000, 2));
    }

    @Test
    void keepsWorkingAfterTheThreadIsInterrupted() throws IOException {
        Path file = dir.resolve("interrupt.pcap");
        try (PcapWriter w = PcapWriter.create(file, 1, 65535, Precision.MICRO)) {
            w.write(T, MemorySegment.ofArray(frame(60, 0)), 0, 60, 60);
            Thread.currentThread().interrupt();
            w.flush();
            w.write(T, MemorySegment.ofArray(frame(60, 1)), 0, 60, 60);
        } finally {
            Thread.interrupted();
        }
        assertThat(ReadResult.read(file).packets()).hasSize(2);
    }

    @Test
    void writesAStreamSuchAsStandardOutput() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (PcapWriter w = PcapWriter.create(out, "standard output", 1, 65535, Precision.NANO)) {
            assertThat(out.size()).isEqualTo(24);
            w.write(T, MemorySegment.ofArray(frame(70, 1)), 0, 70, 70);
        }
        Path file = dir.resolve("stream.pcap");
        Files.write(file, out.toByteArray());
        List<Packet> packets = ReadResult.read(file).packets();
        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).timestampNanos()).isEqualTo(T);
        assertThat(ReadResult.bytesOf(packets.get(0))).isEqualTo(frame(70, 1));
    }

    @Test
    void reportsAFailingStreamWithItsName() throws IOException {
        java.io.OutputStream broken = new java.io.OutputStream() {
            private int writes;

            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (writes++ > 0) {
                    throw new IOException("Broken pipe");
                }
            }
        };
        PcapWriter w = PcapWriter.create(broken, "standard output", 1, 65535, Precision.MICRO);
        w.write(T, MemorySegment.ofArray(frame(70, 1)), 0, 70, 70);
        assertThatThrownBy(w::flush).isInstanceOf(IOException.class)
                .hasMessage("cannot write to standard output: Broken pipe");
    }

    @Test
    void rejectsANonPositiveSnapLength() {
        assertThatThrownBy(() -> PcapWriter.create(dir.resolve("s.pcap"), 1, 0, Precision.MICRO))
                .isInstanceOf(IOException.class).hasMessageContaining("snap length must be positive");
    }

    @Test
    void reportsAFileThatCannotBeCreated() {
        Path file = dir.resolve("no/such/dir/x.pcap");
        assertThatThrownBy(() -> PcapWriter.create(file, 1, 65535, Precision.MICRO))
                .isInstanceOf(IOException.class).hasMessage("cannot create " + file + ": No such file or directory");
    }

    @Test
    void rejectsATimestampOutsideThePcapRange() throws IOException {
        try (PcapWriter w = PcapWriter.create(dir.resolve("ts.pcap"), 1, 65535, Precision.MICRO)) {
            assertThatThrownBy(() -> w.write(-1, MemorySegment.ofArray(new byte[1]), 0, 1, 1))
                    .isInstanceOf(IOException.class).hasMessageContaining("outside the pcap range");
        }
    }

    @Test
    void rejectsWritesAfterClose() throws IOException {
        PcapWriter w = PcapWriter.create(dir.resolve("closed.pcap"), 1, 65535, Precision.MICRO);
        w.close();
        w.close();
        assertThatThrownBy(() -> w.write(T, MemorySegment.ofArray(new byte[1]), 0, 1, 1))
                .isInstanceOf(IOException.class).hasMessageContaining("closed");
    }
}
