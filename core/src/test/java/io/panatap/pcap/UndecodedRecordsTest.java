package io.panatap.pcap;

import io.panatap.parse.LinkType;
import io.panatap.parse.LinkLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reader counts, per link type, the records it delivered of link types the parser does not decode,
 * and still delivers them (so a copy keeps every record); the names messages give those link types.
 */
class UndecodedRecordsTest {
    /** ARCNET_LINUX: a link type panatap will not decode. */
    private static final int ARCNET_LINUX = 129;
    /** A link type above the counter's indexed range, also never decoded. */
    private static final int LARGE = 5000;

    @TempDir
    Path dir;

    @Test
    void theTestLinkTypesAreNotDecoded() {
        assertThat(LinkLayer.isDecoded(ARCNET_LINUX)).isFalse();
        assertThat(LinkLayer.isDecoded(LARGE)).isFalse();
        assertThat(LinkLayer.isDecoded(1)).isTrue();
    }

    @Test
    void countsEveryRecordOfAClassicFileOfAnUndecodedLinkTypeAndDeliversThem() throws IOException {
        CaptureBytes b = CaptureBytes.pcap(LITTLE_ENDIAN, false, 65535, ARCNET_LINUX);
        for (int i = 0; i < 57; i++) {
            b.record(i, 0, new byte[20 + i], 20 + i);
        }
        Path file = write("arcnet.pcap", b.bytes());
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            assertThat(reader.undecodedLinkTypes()).isEmpty();
            assertThat(reader.poll(p -> { }, 10)).isEqualTo(10);
            assertThat(reader.undecodedCount(ARCNET_LINUX)).as("only what was delivered so far").isEqualTo(10);
            List<Integer> delivered = new ArrayList<>();
            reader.run(p -> delivered.add(p.linkType()));
            assertThat(delivered).hasSize(47).containsOnly(ARCNET_LINUX);
            assertThat(reader.undecodedCount(ARCNET_LINUX)).isEqualTo(57);
            assertThat(reader.undecodedLinkTypes()).containsExactly(ARCNET_LINUX);
            assertThat(reader.undecodedCount(1)).isZero();
        }
    }

    @Test
    void countsNothingForADecodedLinkType() throws IOException {
        CaptureBytes b = CaptureBytes.pcap(BIG_ENDIAN, true, 65535, 1);
        b.record(1, 0, Frames.ethernetIpv4Tcp(1, 2, 0x02, 0), 54);
        b.record(2, 0, new byte[3], 3); // not TCP, but of a decoded link type: not counted
        Path file = write("ethernet.pcap", b.bytes());
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            reader.run(p -> { });
            assertThat(reader.frameCount()).isEqualTo(2);
            assertThat(reader.undecodedLinkTypes()).isEmpty();
            assertThat(reader.undecodedCount(1)).isZero();
        }
    }

    @Test
    void countsPerInterfaceLinkTypeInPcapngAcrossSectionsFromAFileAndAStream() throws IOException {
        byte[] frame = Frames.ethernetIpv4Tcp(1, 2, 0x02, 0);
        CaptureBytes b = CaptureBytes.pcapng(LITTLE_ENDIAN).iface(1, 0).iface(ARCNET_LINUX, 0).iface(LARGE, 0);
        b.epb(0, 1, frame, frame.length).epb(1, 2, frame, frame.length).epb(2, 3, frame, frame.length)
                .opb(1, 4, frame, frame.length);
        b.section(BIG_ENDIAN).iface(LARGE, 64).spb(frame.length, frame).epb(0, 5, frame, frame.length);
        byte[] bytes = b.bytes();
        Path file = write("mixed.pcapng", bytes);
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            reader.run(p -> { });
            assertCounts(reader);
        }
        try (CaptureFileReader reader = CaptureFileReader.open(new ReadResult.ChunkedChannel(bytes, () -> 7))) {
            reader.run(p -> { });
            assertCounts(reader);
        }
    }

    private static void assertCounts(CaptureFileReader reader) {
        assertThat(reader.frameCount()).isEqualTo(6);
        assertThat(reader.undecodedLinkTypes()).containsExactly(ARCNET_LINUX, LARGE);
        assertThat(reader.undecodedCount(ARCNET_LINUX)).isEqualTo(2);
        assertThat(reader.undecodedCount(LARGE)).isEqualTo(3);
        assertThat(reader.undecodedCount(1)).isZero();
        assertThat(reader.undecodedCount(LARGE + 1)).isZero();
    }

    @Test
    void namesLinkTypesAsTcpdumpDoes() {
        assertThat(LinkType.describe(ARCNET_LINUX)).isEqualTo("ARCNET_LINUX (129)");
        assertThat(LinkType.describe(127)).isEqualTo("IEEE802_11_RADIO (127)");
        assertThat(LinkType.describe(189)).isEqualTo("USB_LINUX (189)");
        assertThat(LinkType.describe(1)).isEqualTo("EN10MB (1)");
        assertThat(LinkType.describe(147)).isEqualTo("LINKTYPE_147 (147)");
        assertThat(LinkType.describe(LARGE)).isEqualTo("LINKTYPE_5000 (5000)");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }
}
