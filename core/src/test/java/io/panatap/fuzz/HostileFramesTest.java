package io.panatap.fuzz;

import io.panatap.Packet;
import io.panatap.parse.LinkType;
import io.panatap.parse.PacketHeaders;
import io.panatap.pcap.CaptureFileReader;
import io.panatap.pcap.LinkTypeMismatchException;
import io.panatap.pcap.PcapWriter;
import io.panatap.testing.FuzzFrames;
import io.panatap.testing.FuzzPacket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Captured packets are attacker-controlled: seeded generated and mutated frames ({@link FuzzFrames}) go
 * through the core path a capture takes (parser, every header getter, address text, copy, pcap writer,
 * and the reader on the written files) with no exception and consistent offsets. 10^5 frames by default;
 * {@code -Dpanatap.fuzz.frames=10000000} for the long run, {@code -Dpanatap.fuzz.seed} to replay.
 * The command's formatters get the same treatment in the cli module's FullPathFuzzTest.
 */
class HostileFramesTest {
    private static final long FRAMES = Long.getLong("panatap.fuzz.frames", 100_000);
    private static final long SEED = Long.getLong("panatap.fuzz.seed", 0x70616e6174617000L);
    private static final int FILE_FRAMES = 50_000;

    @TempDir
    Path dir;

    @Test
    void generatedAndMutatedFramesPassTheParserCopyWriterAndReaderWithoutException() throws Exception {
        FuzzFrames frames = new FuzzFrames(SEED);
        FuzzPacket p = new FuzzPacket();
        StringBuilder text = new StringBuilder(256);
        long tcp = 0;
        long files = 0;
        Path file = dir.resolve("fuzz.pcap");
        PcapWriter writer = null;
        long inFile = 0;
        long offered = 0;
        for (long i = 0; i < FRAMES; i++) {
            frames.next(p);
            try {
                if (writer == null) {
                    int linkType = files % 2 == 0 ? LinkType.ETHERNET : LinkType.RAW;
                    writer = PcapWriter.create(file, linkType, files % 3 == 0 ? 65535 : 96,
                            files % 2 == 0 ? PcapWriter.Precision.NANO : PcapWriter.Precision.MICRO);
                    inFile = 0;
                    offered = 0;
                }
                if (inspect(p, text)) {
                    tcp++;
                }
                if (i % 97 == 0) {
                    Packet copy = p.copy();
                    assertThat(copy.headers().status()).isEqualTo(p.headers().status());
                    assertThat(copy.headers().flags()).isEqualTo(p.headers().flags());
                }
                if (p.linkType() == writer.linkType()) {
                    writer.write(p);
                    inFile++;
                } else {
                    // A pcap file holds one link type: the writer refuses the frame and writes nothing.
                    PcapWriter w = writer;
                    assertThatThrownBy(() -> w.write(p)).isInstanceOf(LinkTypeMismatchException.class);
                }
                if (++offered == FILE_FRAMES || i == FRAMES - 1) {
                    writer.close();
                    writer = null;
                    assertThat(readBack(file)).as("records read back from file %d", files).isEqualTo(inFile);
                    files++;
                }
            } catch (Throwable t) {
                throw new AssertionError("seed " + SEED + ", " + p + ": " + t, t);
            }
        }
        System.out.printf("hostile frames: %,d (seed %d), %,d parsed as TCP, %d pcap files written and read back%n",
                FRAMES, SEED, tcp, files);
        // The generator's share of valid TCP frames: a run that parses nothing would test nothing.
        assertThat(tcp).isGreaterThan(FRAMES / 5).isLessThan(FRAMES * 9 / 10);
    }

    /** Reads every header field and checks the offsets stay inside the frame; true for TCP. */
    static boolean inspect(Packet p, StringBuilder text) {
        PacketHeaders h = p.headers();
        text.setLength(0);
        h.appendSource(text);
        h.appendDestination(text);
        int length = p.captureLength();
        long sum = h.ipVersion() + h.ipv4Source() + h.ipv4Destination() + h.ipv6SourceHigh() + h.ipv6SourceLow()
                + h.ipv6DestinationHigh() + h.ipv6DestinationLow() + h.sourcePort() + h.destinationPort() + h.flags()
                + h.sequenceNumber() + h.acknowledgementNumber() + h.dataOffset() + h.window() + h.urgentPointer()
                + h.vlanCount() + h.outerVlanId() + h.problemLayer().ordinal() + (h.hasPorts() ? 1 : 0) + (h.hasFlags() ? 1 : 0);
        if (sum == Long.MIN_VALUE) {
            throw new AssertionError(); // keeps the reads
        }
        if (!h.isTcp()) {
            return false;
        }
        assertThat(text.length()).isGreaterThanOrEqualTo(4);
        assertThat(h.ipOffset()).isBetween(0, length);
        // A frame cut inside the TCP header after the ports is still TCP (tshark lists it), so only the
        // ports must be inside the capture.
        assertThat(h.tcpOffset()).isGreaterThan(h.ipOffset()).isLessThanOrEqualTo(length - 4);
        assertThat(h.payloadOffset()).isBetween(h.tcpOffset(), length);
        assertThat(h.optionsLength()).isBetween(0, 40);
        if (h.optionsLength() > 0) {
            assertThat(h.optionsOffset() + h.optionsLength()).isLessThanOrEqualTo(length);
        }
        assertThat(h.capturedPayloadLength()).isBetween(0, length - h.payloadOffset());
        assertThat(h.payloadLength()).isGreaterThanOrEqualTo(0);
        return true;
    }

    private static long readBack(Path file) throws Exception {
        AtomicLong records = new AtomicLong();
        StringBuilder text = new StringBuilder();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            while (reader.poll(p -> {
                records.incrementAndGet();
                inspect(p, text);
            }, 10_000) > 0) {
                // until the end of the file
            }
        }
        return records.get();
    }
}
