package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.parse.PacketHeaders;
import io.panatap.parse.ParseStatus;
import io.panatap.parse.TcpFlags;
import io.panatap.pcap.PcapWriter.Precision;
import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** File records parse their headers on demand, and the corpus captures read completely. */
class ReaderWithParserTest {
    @TempDir
    Path dir;

    @Test
    void parsesEachRecordOnceOnDemandWithOneReusedHeadersView() throws IOException {
        Path file = dir.resolve("tcp.pcap");
        try (PcapWriter w = PcapWriter.create(file, 1, 65535, Precision.MICRO)) {
            for (int flags : new int[] {TcpFlags.SYN, TcpFlags.SYN | TcpFlags.ACK, TcpFlags.ACK}) {
                byte[] f = Frames.ethernetIpv4Tcp(1234, 80, flags, 0);
                w.write(1_000_000_000L, MemorySegment.ofArray(f), 0, f.length, f.length);
            }
        }
        List<Integer> flags = new ArrayList<>();
        List<PacketHeaders> views = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            reader.poll(p -> {
                PacketHeaders h = p.headers();
                assertThat(p.headers()).isSameAs(h);
                assertThat(h.isTcp()).isTrue();
                assertThat(h.sourcePort()).isEqualTo(1234);
                flags.add(h.flags());
                views.add(h);
            }, 10);
        }
        assertThat(flags).containsExactly(TcpFlags.SYN, TcpFlags.SYN | TcpFlags.ACK, TcpFlags.ACK);
        assertThat(views).allMatch(v -> v == views.get(0));
    }

    @Test
    void deliversRecordsOfUnknownLinkTypesAsNotTcp() throws IOException {
        byte[] f = Frames.ethernetIpv4Tcp(1, 2, TcpFlags.SYN, 0);
        byte[] bytes = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN).iface(147, 0).iface(1, 0)
                .epb(0, 1, f, f.length).epb(1, 1, f, f.length).bytes();
        List<ParseStatus> statuses = new ArrayList<>();
        Path file = dir.resolve("mixed.pcapng");
        Files.write(file, bytes);
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            reader.poll(p -> statuses.add(p.headers().status()), 10);
        }
        assertThat(statuses).containsExactly(ParseStatus.NOT_TCP, ParseStatus.OK);
    }

    @Test
    void aCopyHasItsOwnHeaders() throws IOException {
        Path file = dir.resolve("copy.pcap");
        try (PcapWriter w = PcapWriter.create(file, 1, 65535, Precision.NANO)) {
            byte[] a = Frames.ethernetIpv4Tcp(1, 2, TcpFlags.SYN, 0);
            byte[] b = Frames.ethernetIpv4Tcp(3, 4, TcpFlags.FIN, 0);
            w.write(1, MemorySegment.ofArray(a), 0, a.length, a.length);
            w.write(2, MemorySegment.ofArray(b), 0, b.length, b.length);
        }
        List<Packet> copies = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            reader.poll(p -> {
                p.headers();
                copies.add(p.copy());
            }, 10);
        }
        assertThat(copies.get(0).headers().sourcePort()).isEqualTo(1);
        assertThat(copies.get(1).headers().sourcePort()).isEqualTo(3);
        assertThat(copies.get(0).headers()).isNotSameAs(copies.get(1).headers());
    }

    /**
     * Every corpus capture reads to its end with tshark's frame count and TCP frame count. Needs the corpus
     * beside the checkout: skipped without it, failed under CI=true.
     */
    @TestFactory
    Stream<DynamicTest> readsEveryCorpusCaptureCompletely() throws IOException {
        Path corpus = Prerequisites.corpus();
        if (corpus == null) {
            return Prerequisites.missingCorpusTest();
        }
        List<String> manifest = Files.readAllLines(corpus.resolve("MANIFEST.txt"), StandardCharsets.UTF_8);
        List<String> header = List.of(manifest.get(0).split("\t"));
        int captureColumn = header.indexOf("capture");
        int framesColumn = header.indexOf("tshark_total_frames");
        int truthColumn = header.indexOf("ground_truth");
        Map<String, String[]> rows = new HashMap<>();
        for (String line : manifest.subList(1, manifest.size())) {
            String[] f = line.split("\t");
            rows.put(f[captureColumn], f);
        }
        return rows.keySet().stream().sorted().map(name -> DynamicTest.dynamicTest(name, () -> {
            String[] row = rows.get(name);
            long expectedTcp = Files.readAllLines(corpus.resolve(row[truthColumn])).stream()
                    .filter(l -> !l.isEmpty()).count();
            long[] counts = new long[2];
            try (CaptureFileReader reader = CaptureFileReader.open(corpus.resolve(name))) {
                while (reader.poll(p -> {
                    counts[0]++;
                    if (p.headers().hasPorts()) {
                        counts[1]++;
                    }
                }, 1000) > 0) {
                    // to the end; damage would throw
                }
            }
            assertThat(counts[0]).as("frames").isEqualTo(Long.parseLong(row[framesColumn]));
            assertThat(counts[1]).as("TCP frames").isEqualTo(expectedTcp);
        }));
    }
}
