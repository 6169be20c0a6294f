package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.PacketListener;
import io.panatap.PacketSource;
import io.panatap.internal.PacketView;
import io.panatap.parse.LinkType;
import io.panatap.pcap.PcapWriter.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.panatap.pcap.CaptureBytes.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PcapWriter#createDirect} and {@link PcapWriter#writeInPlace} (and pcapng's): records whose bytes are
 * referred to until the next flush, then written with {@code writev(2)}, give the file copying gives.
 */
class PcapWriterInPlaceTest {
    private static final long T = 1_700_000_000_123_456_789L;

    @TempDir
    Path dir;

    /** A packet over native memory the test owns, as a capture's view over its ring. */
    private static final class NativePacket extends PacketView {
        NativePacket(MemorySegment frame, int linkType, long timestampNanos, int originalLength) {
            super(frame, linkType);
            this.captureLength = (int) frame.byteSize();
            this.originalLength = originalLength;
            this.timestampNanos = timestampNanos;
            this.frameNumber = 1;
        }
    }

    private static NativePacket nativePacket(byte[] bytes, long timestampNanos) {
        MemorySegment frame = Arena.ofAuto().allocate(bytes.length);
        MemorySegment.copy(bytes, 0, frame, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return new NativePacket(frame, LinkType.ETHERNET, timestampNanos, bytes.length);
    }

    /** 1,300 Ethernet records of 14 to 9,013 bytes (more than one flush's worth of references), some cut. */
    private Path source() throws IOException {
        Path file = dir.resolve("source.pcap");
        try (PcapWriter w = PcapWriter.create(file, LinkType.ETHERNET, 262144, Precision.MICRO)) {
            for (int i = 0; i < 1300; i++) {
                byte[] data = frame(14 + (i * 997) % 9000, i);
                w.write(T + i * 1_000_001L, MemorySegment.ofArray(data), 0, data.length, data.length + i % 3);
            }
        }
        return file;
    }

    /**
     * Every packet of {@code file} to {@code each}, then {@code writer} closed while the reader still maps the
     * file (the bytes written in place must stay until the writer's flush).
     */
    private static void readAll(Path file, PacketListener each, CaptureFileWriter writer) throws IOException {
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            while (reader.poll(each, 100) != PacketSource.END) {
                // poll delivers
            }
            writer.close();
        }
    }

    /**
     * Writes {@code file}'s packets with {@code writer}, in place or copied; every 7th packet in place is a heap
     * copy instead and every 11th carries a VLAN tag the kernel stripped, which are copied.
     */
    private static void writeAll(Path file, CaptureFileWriter writer, boolean inPlace) throws IOException {
        int[] i = {0};
        IOException[] failure = {null};
        readAll(file, p -> {
            int n = i[0]++;
            try {
                Packet packet = n % 7 == 3 ? p.copy() : n % 11 == 5 ? new VlanStripped(p) : p;
                if (inPlace) {
                    writer.writeInPlace(packet);
                } else {
                    writer.write(packet);
                }
            } catch (IOException e) {
                failure[0] = e;
            }
        }, writer);
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    @Test
    void inPlaceWritesTheFileCopyingWrites() throws IOException {
        Path source = source();
        for (int snap : new int[] {262144, 1500, 60}) {
            for (Precision precision : Precision.values()) {
                Path copied = dir.resolve("copied.pcap");
                Path inPlace = dir.resolve("in-place.pcap");
                writeAll(source, PcapWriter.create(copied, LinkType.ETHERNET, snap, precision), false);
                writeAll(source, PcapWriter.createDirect(inPlace, LinkType.ETHERNET, snap, precision), true);
                assertThat(Files.size(inPlace)).as("snap %d %s", snap, precision).isEqualTo(Files.size(copied));
                assertThat(Files.readAllBytes(inPlace)).as("snap %d %s", snap, precision)
                        .isEqualTo(Files.readAllBytes(copied));
            }
            // pcapng: the data between the block's header and its padding and length
            Path copied = dir.resolve("copied.pcapng");
            Path inPlace = dir.resolve("in-place.pcapng");
            writeAll(source, PcapngWriter.create(copied, snap, false, "test"), false);
            writeAll(source, PcapngWriter.createDirect(inPlace, snap, false, "test"), true);
            assertThat(Files.readAllBytes(inPlace)).as("pcapng, snap %d", snap).isEqualTo(Files.readAllBytes(copied));
            assertThat(ReadResult.read(inPlace).packets()).hasSize(1300);
        }
        // Without the copies and tags: the source file itself, written back record by record in place.
        Path back = dir.resolve("back.pcap");
        PcapWriter w = PcapWriter.createDirect(back, LinkType.ETHERNET, 262144, Precision.MICRO);
        IOException[] failure = {null};
        readAll(source, p -> {
            try {
                w.writeInPlace(p);
            } catch (IOException e) {
                failure[0] = e;
            }
        }, w);
        assertThat(failure[0]).isNull();
        assertThat(Files.readAllBytes(back)).isEqualTo(Files.readAllBytes(source));
    }

    @Test
    void inPlaceRefersToTheBytesUntilTheFlushAndCountsThemInTheSize() throws IOException {
        Path file = dir.resolve("referred.pcap");
        NativePacket packet = nativePacket(frame(100, 1), T);
        try (PcapWriter w = PcapWriter.createDirect(file, LinkType.ETHERNET, 262144, Precision.MICRO)) {
            w.writeInPlace(packet);
            assertThat(w.size()).isEqualTo(24 + 16 + 100);
            assertThat(Files.size(file)).as("nothing but the file header before the flush").isEqualTo(24);
            packet.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 0x5A); // changed before the flush: written so
            w.flush();
            assertThat(Files.size(file)).isEqualTo(24 + 16 + 100);
            packet.segment().set(ValueLayout.JAVA_BYTE, 1, (byte) 0x5B); // after it: not
        }
        byte[] record = ReadResult.bytesOf(ReadResult.read(file).packets().getFirst());
        byte[] expected = frame(100, 1);
        expected[0] = 0x5A;
        assertThat(record).isEqualTo(expected);
    }

    @Test
    void aWriterOnAStreamCopiesWhatItIsAskedToWriteInPlace() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NativePacket packet = nativePacket(frame(100, 1), T);
        try (PcapWriter w = PcapWriter.create(out, "a stream", LinkType.ETHERNET, 262144, Precision.MICRO)) {
            w.writeInPlace(packet);
            packet.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 0x5A);
        }
        byte[] bytes = out.toByteArray();
        assertThat(bytes).hasSize(24 + 16 + 100);
        assertThat(bytes[24 + 16]).isEqualTo(frame(100, 1)[0]);
    }

    @Test
    void aFullDeviceIsAWriteErrorNamingTheFile() throws IOException {
        Path full = Path.of("/dev/full"); // a Linux device whose writes fail with ENOSPC
        assertThat(full).isWritable();
        assertThatThrownBy(() -> PcapWriter.createDirect(full, LinkType.ETHERNET, 262144, Precision.MICRO))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot write to /dev/full: No space left on device");
    }

    @Test
    void aFileThatCannotBeCreatedGetsTheMessageCreateGives() {
        Path file = dir.resolve("no-such-directory").resolve("x.pcap");
        String message = "cannot create " + file + ": No such file or directory";
        assertThatThrownBy(() -> PcapWriter.createDirect(file, LinkType.ETHERNET, 262144, Precision.MICRO))
                .isInstanceOf(IOException.class).hasMessage(message);
        assertThatThrownBy(() -> PcapWriter.create(file, LinkType.ETHERNET, 262144, Precision.MICRO))
                .isInstanceOf(IOException.class).hasMessage(message);
    }

    @Test
    void writesAfterCloseFailAndCloseStaysIdempotent() throws IOException {
        Path file = dir.resolve("closed.pcap");
        PcapWriter w = PcapWriter.createDirect(file, LinkType.ETHERNET, 262144, Precision.MICRO);
        w.writeInPlace(nativePacket(frame(60, 2), T));
        w.close();
        w.close();
        assertThatThrownBy(() -> w.writeInPlace(nativePacket(frame(60, 3), T)))
                .isInstanceOf(IOException.class).hasMessageContaining("writer is closed");
        List<Packet> packets = new ArrayList<>(ReadResult.read(file).packets());
        assertThat(packets).hasSize(1);
        assertThat(ReadResult.bytesOf(packets.getFirst())).isEqualTo(frame(60, 2));
    }

    /** A packet as the kernel hands one over whose VLAN tag it stripped: written with the tag put back. */
    private static final class VlanStripped extends PacketView {
        VlanStripped(Packet p) {
            super(p.segment(), p.linkType());
            this.frameOffset = p.frameOffset();
            this.captureLength = p.captureLength();
            this.originalLength = p.originalLength();
            this.timestampNanos = p.timestampNanos();
            this.frameNumber = p.frameNumber();
            this.hasVlanTag = true;
            this.vlanTci = 42;
            this.vlanTpid = 0x8100;
        }
    }
}
