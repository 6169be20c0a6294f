package io.panatap.cli;

import io.panatap.cli.CommandRunner.Result;
import io.panatap.cli.TestFrames.Record;
import io.panatap.cli.TestFrames.Segment;
import io.panatap.pcap.CaptureFileReader;
import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.panatap.parse.TcpFlags.ACK;
import static io.panatap.parse.TcpFlags.FIN;
import static io.panatap.parse.TcpFlags.PSH;
import static io.panatap.parse.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code panatap -r}, run as a separate process on pcap files the test writes. */
class ReadModeTest {
    /** 2025-11-25T08:52:28.000000Z in microseconds. */
    private static final long T0 = 1_764_060_748_000_000L;

    @TempDir
    static Path dir;
    static Path capture;
    static byte[] captureBytes;

    @BeforeAll
    static void writeCapture() throws IOException {
        captureBytes = fourRecords();
        capture = dir.resolve("four.pcap");
        Files.write(capture, captureBytes);
    }

    /** Four records: SYN, SYN-ACK, a UDP datagram, data; the last one 1.5 s after the first. */
    static byte[] fourRecords() {
        return TestFrames.pcap(List.of(
                new Record(T0 + 1, new Segment("10.0.0.1", "10.0.0.2", 51167, 22, SYN).numbers(100, 0, 64240).frame()),
                new Record(T0 + 250_000, new Segment("10.0.0.2", "10.0.0.1", 22, 51167, SYN | ACK)
                        .numbers(900, 101, 65160).frame()),
                new Record(T0 + 300_000, TestFrames.udpFrame()),
                new Record(T0 + 1_500_000, new Segment("fd00::1", "fd00::2", 51168, 22, PSH | ACK)
                        .numbers(101, 901, 502).payload(36).frame())));
    }

    private static final String HEADER = TableFormatter.HEADER;

    @Test
    void printsTheTableOfTcpSegmentsRepeatingTheHeaderPerSecondOfCaptureTime() throws Exception {
        Result r = CommandRunner.run("-r", capture.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo(HEADER
                + "        10.0.0.1        10.0.0.2  51167     22  0  0  0  0  1  0\n"
                + "        10.0.0.2        10.0.0.1     22  51167  0  1  0  0  1  0\n"
                + HEADER
                + "         fd00::1         fd00::2  51168     22  0  1  1  0  0  0\n");
    }

    @Test
    void printsTcpdumpStyleLines() throws Exception {
        Result r = CommandRunner.run("-r", capture.toString(), "--format", "line");
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("""
                08:52:28.000001 IP 10.0.0.1.51167 > 10.0.0.2.22: Flags [S], seq 100, win 64240, length 0
                08:52:28.250000 IP 10.0.0.2.22 > 10.0.0.1.51167: Flags [S.], seq 900, ack 101, win 65160, length 0
                08:52:29.500000 IP6 fd00::1.51168 > fd00::2.22: Flags [P.], seq 101:137, ack 901, win 502, length 36
                """);
    }

    @Test
    void linesMatchWhatTcpdumpPrintsForTheSameFile() throws Exception {
        Prerequisites.requireTool("tcpdump");
        ProcessBuilder pb = new ProcessBuilder("tcpdump", "-n", "-S", "-r", capture.toString(), "tcp");
        pb.environment().put("TZ", "UTC");
        Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String tcpdump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(CommandRunner.run("-r", capture.toString(), "--format", "line").out()).isEqualTo(tcpdump);
    }

    @Test
    void printsOneJsonObjectPerTcpFrameNumberingEveryRecord() throws Exception {
        Result r = CommandRunner.run("-r", capture.toString(), "--format=json");
        assertThat(r.status()).isZero();
        assertThat(r.lines()).containsExactly(
                "{\"frame\":1,\"time\":\"2025-11-25T08:52:28.000001000Z\",\"iface\":null,\"direction\":null,"
                        + "\"ipVersion\":4,\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"srcPort\":51167,\"dstPort\":22,"
                        + "\"flags\":2,\"flagNames\":[\"SYN\"],\"seq\":100,\"ack\":0,\"window\":64240,\"length\":0,\"options\":[]}",
                "{\"frame\":2,\"time\":\"2025-11-25T08:52:28.250000000Z\",\"iface\":null,\"direction\":null,"
                        + "\"ipVersion\":4,\"src\":\"10.0.0.2\",\"dst\":\"10.0.0.1\",\"srcPort\":22,\"dstPort\":51167,"
                        + "\"flags\":18,\"flagNames\":[\"SYN\",\"ACK\"],\"seq\":900,\"ack\":101,\"window\":65160,"
                        + "\"length\":0,\"options\":[]}",
                "{\"frame\":4,\"time\":\"2025-11-25T08:52:29.500000000Z\",\"iface\":null,\"direction\":null,"
                        + "\"ipVersion\":6,\"src\":\"fd00::1\",\"dst\":\"fd00::2\",\"srcPort\":51168,\"dstPort\":22,"
                        + "\"flags\":24,\"flagNames\":[\"PSH\",\"ACK\"],\"seq\":101,\"ack\":901,\"window\":502,"
                        + "\"length\":36,\"options\":[]}");
    }

    @Test
    void aTcpHeaderWithABogusDataOffsetIsListedWithItsPortsAndNoFlagsAsTsharkDoes() throws Exception {
        byte[] frame = new Segment("10.0.0.1", "10.0.0.2", 1234, 80, SYN | ACK).numbers(1, 2, 100).frame();
        frame[14 + 20 + 12] = 0x32; // data offset 3 words (< 5), flags byte unchanged
        Path file = dir.resolve("bogus-offset.pcap");
        Files.write(file, TestFrames.pcap(List.of(new Record(T0, frame))));
        Result r = CommandRunner.run("-r", file.toString(), "--format", "json");
        assertThat(r.status()).isZero();
        assertThat(r.lines()).singleElement().asString()
                .contains("\"srcPort\":1234,\"dstPort\":80,\"flags\":null,");
        assertThat(CommandRunner.run("-r", file.toString()).out())
                .endsWith("        10.0.0.1        10.0.0.2   1234     80  -  -  -  -  -  -\n");
    }

    @Test
    void countStopsAfterThatManyTcpSegments() throws Exception {
        Result r = CommandRunner.run("-c", "2", "-r", capture.toString(), "--format", "json");
        assertThat(r.status()).isZero();
        assertThat(r.lines()).hasSize(2);
        assertThat(r.lines().get(1)).startsWith("{\"frame\":2,");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void copiesEveryRecordToAWriteFileAndPrintsNoRows() throws Exception {
        Path copy = dir.resolve("copy.pcap");
        Result r = CommandRunner.run("-r", capture.toString(), "-w", copy.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(frames(copy)).containsExactlyElementsOf(frames(capture));
        assertThat(frames(copy)).hasSize(4);
        assertThat(Files.readAllBytes(copy)).as("same pcap header and records").isEqualTo(captureBytes);
    }

    @Test
    void countLimitsTheRecordsWrittenAndTcpdumpReadsTheCopy() throws Exception {
        Path copy = dir.resolve("two.pcap");
        Result r = CommandRunner.run("-r", capture.toString(), "-w", copy.toString(), "-c", "2");
        assertThat(r.status()).isZero();
        assertThat(frames(copy)).hasSize(2);
        if (Prerequisites.optionalTool("tcpdump") != null) {
            Process p = new ProcessBuilder("tcpdump", "-n", "-r", copy.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).isZero();
            assertThat(text.lines()).hasSize(2);
            assertThat(text).contains("10.0.0.1.51167 > 10.0.0.2.22: Flags [S]");
        }
    }

    @Test
    void writesThePcapToStandardOutputWithDash() throws Exception {
        Result r = CommandRunner.run("-r", capture.toString(), "-w", "-");
        assertThat(r.status()).isZero();
        assertThat(r.outBytes()).isEqualTo(captureBytes);
    }

    @Test
    void aDamagedFilePrintsEveryRecordBeforeTheDamageThenOneErrorLine() throws Exception {
        Path damaged = dir.resolve("damaged.pcap");
        byte[] cut = Arrays.copyOf(captureBytes, captureBytes.length - 10); // last record cut short
        Files.write(damaged, cut);
        Result r = CommandRunner.run("-r", damaged.toString(), "--format", "json");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.lines()).hasSize(2);
        assertThat(r.err()).startsWith("panatap: " + damaged + ": ").endsWith("\n");
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).doesNotContain("Exception");
    }

    @Test
    void aFileThatIsNotACaptureIsAnErrorOnOneLine() throws Exception {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "these are not packets, just some words in a file\n");
        Result r = CommandRunner.run("-r", text.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("panatap: " + text + ": ").doesNotContain("Exception");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void missingAndUnreadableInputsAreErrorsThatSayWhatToDo() throws Exception {
        Result missing = CommandRunner.run("-r", dir.resolve("nope.pcap").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("panatap: " + dir.resolve("nope.pcap") + ": no such file; check the path given to -r\n");

        Result directory = CommandRunner.run("-r", dir.toString());
        assertThat(directory.status()).isEqualTo(1);
        assertThat(directory.err()).isEqualTo("panatap: " + dir + ": is a directory; give -r a capture file\n");

        Result badWrite = CommandRunner.run("-r", capture.toString(), "-w", dir.resolve("no/such/dir.pcap").toString());
        assertThat(badWrite.status()).isEqualTo(1);
        assertThat(badWrite.err()).startsWith("panatap: ").doesNotContain("Exception").contains("-w");
        assertThat(badWrite.err().lines()).hasSize(1);
    }

    @Test
    void usageErrorsExitWith2OnOneLine() throws Exception {
        Result r = CommandRunner.run("-r", capture.toString(), "--format", "xml");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("panatap: --format takes table, line or json, not 'xml' (see panatap -h)\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aClosedPipeEndsQuietlyWithStatus0() throws Exception {
        List<Record> many = new ArrayList<>();
        byte[] frame = new Segment("10.0.0.1", "10.0.0.2", 1, 2, ACK | FIN).frame();
        for (int i = 0; i < 50_000; i++) {
            many.add(new Record(T0 + i, frame));
        }
        Path big = dir.resolve("big.pcap");
        Files.write(big, TestFrames.pcap(many));
        Process p = CommandRunner.builder(java.util.Map.of(), "-r", big.toString())
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        try (BufferedReader head = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (int i = 0; i < 3; i++) {
                assertThat(head.readLine()).isNotNull();
            }
        } // like `| head -3`: the reader goes away
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void aFilterExpressionSelectsTheSegmentsPrinted() throws Exception {
        Result r = CommandRunner.run("-r", capture.toString(), "--format", "json", "src", "host", "10.0.0.2", "or", "ip6");
        assertThat(r.status()).isZero();
        assertThat(r.lines()).hasSize(2);
        assertThat(r.lines().get(0)).startsWith("{\"frame\":2,");
        assertThat(r.lines().get(1)).startsWith("{\"frame\":4,");
    }

    @Test
    void aFilterFileWorksLikeTheExpression() throws Exception {
        Path filter = dir.resolve("filter.txt");
        Files.writeString(filter, "tcp[13] & 2 != 0\n");
        Result r = CommandRunner.run("-r", capture.toString(), "-F", filter.toString(), "--format", "json");
        assertThat(r.status()).isZero();
        assertThat(r.lines()).hasSize(2).allMatch(l -> l.contains("\"SYN\""));
        Result missing = CommandRunner.run("-r", capture.toString(), "-F", dir.resolve("none.txt").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).startsWith("panatap: cannot read the filter file ").endsWith("; check the path given to -F\n");
    }

    @Test
    void withAFilterTheWriteFileGetsTheMatchingRecordsTcpOrNot() throws Exception {
        Path copy = dir.resolve("udp.pcap");
        Result r = CommandRunner.run("-r", capture.toString(), "-w", copy.toString(), "udp");
        assertThat(r.status()).isZero();
        assertThat(frames(copy)).hasSize(1).allMatch(f -> f.startsWith("1 "));
    }

    @Test
    void dashDPrintsTheCompiledProgramLikeTcpdump() throws Exception {
        Result r = CommandRunner.run("-d", "-r", capture.toString(), "tcp", "port", "22");
        assertThat(r.status()).isZero();
        assertThat(r.lines()).isNotEmpty();
        assertThat(r.lines().get(0)).isEqualTo("(000) ldh      [12]");
        assertThat(r.lines().get(r.lines().size() - 1)).matches("\\(\\d{3}\\) ret      #0");
        // The same text form as tcpdump -d (the instructions differ: libpcap's optimiser is not reproduced).
        assertThat(r.lines()).allMatch(l -> l.matches("\\(\\d{3}\\) \\S+ *\\S.*"));
    }

    /** {@code -dd} and {@code -ddd}: the same program as {@code -d}, in tcpdump's C-array and decimal forms. */
    @Test
    void dashDdAndDashDddPrintTheSameProgramInTcpdumpsOtherForms() throws Exception {
        List<String> listing = CommandRunner.run("-d", "-r", capture.toString(), "tcp", "port", "22").lines();
        List<String> array = CommandRunner.run("-dd", "-r", capture.toString(), "tcp", "port", "22").lines();
        List<String> decimal = CommandRunner.run("-ddd", "-r", capture.toString(), "tcp", "port", "22").lines();
        assertThat(array).hasSize(listing.size()).allMatch(l -> l.matches("\\{ 0x[0-9a-f]+, \\d+, \\d+, 0x[0-9a-f]{8} },"));
        assertThat(array.get(0)).isEqualTo("{ 0x28, 0, 0, 0x0000000c },"); // ldh [12]
        assertThat(decimal.get(0)).isEqualTo(String.valueOf(listing.size()));
        assertThat(decimal).hasSize(listing.size() + 1);
        for (int i = 0; i < array.size(); i++) {
            String[] hex = array.get(i).replaceAll("[{},]", " ").trim().split("\\s+");
            String[] dec = decimal.get(i + 1).split(" ");
            assertThat(Long.parseLong(dec[0])).isEqualTo(Long.parseLong(hex[0].substring(2), 16));
            assertThat(dec[1]).isEqualTo(hex[1]);
            assertThat(dec[2]).isEqualTo(hex[2]);
            assertThat(Long.parseLong(dec[3])).isEqualTo(Long.parseLong(hex[3].substring(2), 16));
        }
        if (Prerequisites.optionalTool("tcpdump") != null) {
            // tcpdump prints the same forms (its program differs: libpcap's optimiser is not reproduced).
            Process p = new ProcessBuilder("tcpdump", "-ddd", "-r", capture.toString(), "tcp").start();
            String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().skip(1)
                    .findFirst().orElseThrow();
            assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(first).isEqualTo(decimal.get(1));
        }
    }

    @Test
    void aBadFilterIsAUsageErrorPointingAtTheToken() throws Exception {
        Result r = CommandRunner.run("-r", capture.toString(), "tcp", "prot", "22");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("panatap: filter 'tcp prot 22': syntax error").contains("column 5")
                .endsWith(" (see panatap -h)\n");
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.out()).isEmpty();
    }

    /** The records of a capture file, as (frame, timestamp, bytes) strings, read by the project's reader. */
    static List<String> frames(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            while (reader.poll(p -> {
                byte[] b = new byte[p.captureLength()];
                java.lang.foreign.MemorySegment.copy(p.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE,
                        p.frameOffset(), b, 0, b.length);
                out.add(p.frameNumber() + " " + p.timestampNanos() + " " + java.util.HexFormat.of().formatHex(b));
            }, 100) > 0) {
                // keep reading
            }
        }
        return out;
    }
}
