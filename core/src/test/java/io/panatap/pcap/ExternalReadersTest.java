package io.panatap.pcap;

import io.panatap.pcap.PcapWriter.Precision;
import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** tcpdump and tshark read the files the writer makes (skipped when they are not installed, failed then under CI=true). */
class ExternalReadersTest {
    private static final long T = 1_700_000_000_123_456_789L;

    @TempDir
    Path dir;

    private Path writeSample(Precision precision) throws IOException {
        Path file = dir.resolve("sample-" + precision + ".pcap");
        try (PcapWriter w = PcapWriter.create(file, 1, 96, precision)) {
            w.write(TestPacket.of(T, Frames.ethernetIpv4Tcp(40000, 80, 0x002, 0), 1));
            w.write(TestPacket.of(T + 1_000, Frames.ethernetIpv4Tcp(80, 40000, 0x012, 0), 1));
            w.write(new TestPacket(T + 2_000, Frames.ethernetIpv4Tcp(40000, 80, 0x018, 200), 254, 1, true, 0x0064,
                    0x8100));
        }
        return file;
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void tcpdumpReadsWrittenFiles(Precision precision) throws Exception {
        requireTool("tcpdump");
        Path file = writeSample(precision);
        List<String> lines = run("tcpdump", "-r", file.toString(), "-nn", "-tt", "-e");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("1700000000.123456 ")
                .contains("10.0.0.1.40000 > 10.0.0.2.80: Flags [S]");
        assertThat(lines.get(1)).contains("Flags [S.]");
        assertThat(lines.get(2)).contains("vlan 100").contains("Flags [P.]");
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void tsharkReadsWrittenFiles(Precision precision) throws Exception {
        requireTool("tshark");
        Path file = writeSample(precision);
        List<String> lines = run("tshark", "-r", file.toString(), "-T", "fields", "-E", "separator=,",
                "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len", "-e", "vlan.id",
                "-e", "tcp.flags");
        String ts = precision == Precision.NANO ? "1700000000.123456789" : "1700000000.123456000";
        assertThat(lines).containsExactly(
                ts + ",54,54,,0x0002",
                ts.substring(0, 15) + (precision == Precision.NANO ? "57789" : "57000") + ",54,54,,0x0012",
                ts.substring(0, 15) + (precision == Precision.NANO ? "58789" : "58000") + ",258,96,100,0x0018");
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void readsWhatEditcapAndTcpdumpWriteFromOurFiles(Precision precision) throws Exception {
        requireTool("editcap");
        requireTool("tcpdump");
        Path file = writeSample(precision);
        Path pcapng = dir.resolve("converted.pcapng");
        Path rewritten = dir.resolve("rewritten.pcap");
        run("editcap", "-F", "pcapng", file.toString(), pcapng.toString());
        // tcpdump writes microseconds unless asked to keep nanoseconds.
        run("tcpdump", "--time-stamp-precision=" + (precision == Precision.NANO ? "nano" : "micro"),
                "-r", file.toString(), "-w", rewritten.toString());
        ReadResult original = ReadResult.read(file);
        for (Path other : List.of(pcapng, rewritten)) {
            ReadResult r = ReadResult.read(other);
            assertThat(r.error()).as("%s", other).isNull();
            assertThat(r.packets()).as("%s", other).hasSize(3);
            for (int i = 0; i < 3; i++) {
                var a = original.packets().get(i);
                var b = r.packets().get(i);
                assertThat(b.timestampNanos()).isEqualTo(a.timestampNanos());
                assertThat(b.originalLength()).isEqualTo(a.originalLength());
                assertThat(b.linkType()).isEqualTo(1);
                assertThat(ReadResult.bytesOf(b)).isEqualTo(ReadResult.bytesOf(a));
            }
        }
        try (CaptureFileReader reader = CaptureFileReader.open(pcapng)) {
            assertThat(reader.isPcapng()).isTrue();
        }
    }

    private static void requireTool(String tool) {
        Prerequisites.requireTool(tool);
    }

    private static List<String> run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new ArrayList<>();
        try (var reader = p.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        assertThat(p.exitValue()).as("%s exit status", command[0]).isZero();
        return lines;
    }
}
