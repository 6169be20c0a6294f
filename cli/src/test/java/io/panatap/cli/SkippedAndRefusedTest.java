package io.panatap.cli;

import io.panatap.cli.CommandRunner.Result;
import io.panatap.cli.TestFrames.Record;
import io.panatap.cli.TestFrames.Segment;
import io.panatap.pcap.CaptureFileReader;
import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.panatap.parse.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code panatap -r} says what it did not decode (one stderr line per link type, exit 0) and refuses headers
 * that are not a capture it can read (one line, exit 1), from a file and from standard input.
 */
class SkippedAndRefusedTest {
    private static final long T0 = 1_764_060_748_000_000L;
    /** ARCNET_LINUX: a link type panatap does not decode. */
    private static final int ARCNET_LINUX = 129;
    private static final byte[] SYN_22 = new Segment("10.0.0.1", "10.0.0.2", 51167, 22, SYN)
            .numbers(100, 0, 64240).frame();

    @TempDir
    Path dir;

    /** A classic pcap of {@code records} records (the same TCP frame bytes, whatever the link type). */
    private static byte[] pcap(int major, int minor, int linkTypeField, int records) {
        List<Record> list = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            list.add(new Record(T0 + i, SYN_22));
        }
        byte[] bytes = TestFrames.pcap(list);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) major).putShort(6, (short) minor)
                .putInt(20, linkTypeField);
        return bytes;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private Result runWithStdin(byte[] input, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = CommandRunner.builder(Map.of(), args).redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(input);
        }
        return CommandRunner.finish(p, out, err);
    }

    // ------------------------------------------------------------------------------------- skipped records

    @ParameterizedTest
    @ValueSource(strings = {"table", "line", "json"})
    void namesTheLinkTypeAndCountOfRecordsItDidNotDecode(String format) throws Exception {
        Path file = write("arcnet.pcap", pcap(2, 4, ARCNET_LINUX, 57));
        Result r = CommandRunner.run("-r", file.toString(), "--format", format);
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEqualTo("panatap: 57 records of link type ARCNET_LINUX (129) were not decoded\n");
        assertThat(r.out()).doesNotContain("10.0.0.1");
    }

    @Test
    void oneRecordIsSingularAndAnUnnamedLinkTypeHasItsNumber() throws Exception {
        Path file = write("user0.pcap", pcap(2, 4, 147, 1));
        Result r = CommandRunner.run("-r", file.toString(), "--format", "json");
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("panatap: 1 record of link type LINKTYPE_147 (147) was not decoded\n");
    }

    @Test
    void saysItFromStandardInputToo() throws Exception {
        Result r = runWithStdin(pcap(2, 4, ARCNET_LINUX, 3), "-r", "-", "--format", "json");
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEqualTo("panatap: 3 records of link type ARCNET_LINUX (129) were not decoded\n");
    }

    @Test
    void aDecodedFileSaysNothing() throws Exception {
        Path file = write("ethernet.pcap", pcap(2, 4, 1, 2));
        Result r = CommandRunner.run("-r", file.toString(), "--format", "json");
        assertThat(r.status()).isZero();
        assertThat(r.lines()).hasSize(2);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void namesEachUndecodedLinkTypeOfAPcapngFileAfterTheRowsOfTheOthers() throws Exception {
        byte[] bytes = new TestFrames.Pcapng().section().iface(5000, 65535).iface(1, 65535).iface(ARCNET_LINUX, 0)
                .epb(0, T0, SYN_22).epb(1, T0 + 1, SYN_22).epb(2, T0 + 2, SYN_22).epb(2, T0 + 3, SYN_22)
                .bytes();
        Path file = write("mixed.pcapng", bytes);
        Result r = CommandRunner.run("-r", file.toString(), "--format", "json");
        assertThat(r.status()).isZero();
        assertThat(r.lines()).hasSize(1);
        assertThat(r.lines().get(0)).contains("\"frame\":2");
        assertThat(r.err()).isEqualTo("panatap: 2 records of link type ARCNET_LINUX (129) were not decoded\n"
                + "panatap: 1 record of link type LINKTYPE_5000 (5000) was not decoded\n");
    }

    @Test
    void withWriteEveryRecordIsCopiedAndNothingIsSaidSinceNothingWasLeftOut() throws Exception {
        Path file = write("arcnet.pcap", pcap(2, 4, ARCNET_LINUX, 5));
        Path out = dir.resolve("copy.pcap");
        Result r = CommandRunner.run("-r", file.toString(), "-w", out.toString());
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEmpty();
        try (CaptureFileReader copy = CaptureFileReader.open(out)) {
            assertThat(copy.linkType()).isEqualTo(ARCNET_LINUX);
            copy.run(p -> { });
            assertThat(copy.frameCount()).isEqualTo(5);
        }
    }

    @Test
    void aCountThatEndsTheOutputEndsTheReportToo() throws Exception {
        byte[] bytes = new TestFrames.Pcapng().section().iface(ARCNET_LINUX, 0).iface(1, 65535)
                .epb(0, T0, SYN_22).epb(1, T0 + 1, SYN_22).epb(0, T0 + 2, SYN_22).epb(1, T0 + 3, SYN_22)
                .bytes();
        Path file = write("counted.pcapng", bytes);
        Result limited = CommandRunner.run("-r", file.toString(), "--format", "json", "-c", "1");
        assertThat(limited.status()).isZero();
        assertThat(limited.lines()).hasSize(1);
        assertThat(limited.err()).as("-c reached: records after the last row were not looked at").isEmpty();
        Result notReached = CommandRunner.run("-r", file.toString(), "--format", "json", "-c", "5");
        assertThat(notReached.lines()).hasSize(2);
        assertThat(notReached.err()).isEqualTo("panatap: 2 records of link type ARCNET_LINUX (129) were not decoded\n");
    }

    @Test
    void aDamagedFileSaysWhatItSkippedBeforeTheDamage() throws Exception {
        byte[] whole = pcap(2, 4, ARCNET_LINUX, 4);
        Path file = write("cut.pcap", Arrays.copyOf(whole, whole.length - 10));
        Result r = CommandRunner.run("-r", file.toString(), "--format", "json");
        assertThat(r.status()).isEqualTo(1);
        List<String> err = r.err().lines().toList();
        assertThat(err).hasSize(2);
        assertThat(err.get(0)).isEqualTo("panatap: 3 records of link type ARCNET_LINUX (129) were not decoded");
        assertThat(err.get(1)).startsWith("panatap: " + file + ": truncated record");
    }

    @Test
    void aFilterOnAFileOfAnUndecodedLinkTypeStaysAUsageError() throws Exception {
        Path file = write("arcnet.pcap", pcap(2, 4, ARCNET_LINUX, 2));
        Result r = CommandRunner.run("-r", file.toString(), "tcp");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("panatap: filter 'tcp': filters are not supported on link type ")
                .contains("(129)").doesNotContain("were not decoded");
    }

    // ----------------------------------------------------------------------------------- refused headers

    @Test
    void refusesClassicVersionsOtherThan2Point0To2Point4() throws Exception {
        assertRefused(pcap(1, 4, 1, 1), "unsupported pcap version 1.4 in the file header at byte 4: not a pcap file"
                + " panatap can read (versions 2.0 to 2.4 are)");
        assertRefused(pcap(2, 5, 1, 1), "unsupported pcap version 2.5 in the file header at byte 4: not a pcap file"
                + " panatap can read (versions 2.0 to 2.4 are)");
    }

    @Test
    void refusesALinkTypeFieldWithReservedBitsSetButReadsOneWithFcsBits() throws Exception {
        assertRefused(pcap(2, 4, 0x00010001, 1), "damaged pcap file header at byte 20: the link-type field"
                + " 0x00010001 has reserved bits set (0x00010000), which must be zero");
        Path fcs = write("fcs.pcap", pcap(2, 4, 0x30000001, 1));
        Result r = CommandRunner.run("-r", fcs.toString(), "--format", "json");
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.lines()).hasSize(1);
    }

    @Test
    void refusesPcapngSectionsOtherThan1Point0() throws Exception {
        byte[] bytes = new TestFrames.Pcapng().section().iface(1, 65535).epb(0, T0, SYN_22).bytes();
        bytes[14] = 1; // minor version 1 (little-endian section: byte-order magic at 8, major at 12, minor at 14)
        assertRefused(bytes, "unsupported pcapng version 1.1 in the section header at byte 0: not a pcapng section"
                + " panatap can read (version 1.0 is)");
    }

    /** Exit 1 and the one line, from a file and from standard input; tcpdump refuses the same bytes. */
    private void assertRefused(byte[] bytes, String message) throws Exception {
        Path file = write("refused.cap", bytes);
        Result r = CommandRunner.run("-r", file.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("panatap: " + file + ": " + message + "\n");
        Result stdin = runWithStdin(bytes, "-r", "-");
        assertThat(stdin.status()).isEqualTo(1);
        assertThat(stdin.out()).isEmpty();
        assertThat(stdin.err()).isEqualTo("panatap: standard input: " + message + "\n");
        Path tcpdump = Prerequisites.optionalTool("tcpdump");
        if (tcpdump != null) {
            Process p = new ProcessBuilder(tcpdump.toString(), "-nr", file.toString()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("tcpdump refuses it too: " + output).isNotZero();
        }
    }
}
