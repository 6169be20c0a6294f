package io.panatap.cli;

import io.panatap.cli.CommandRunner.Result;
import io.panatap.parse.TcpFlags;
import io.panatap.testing.Frames;
import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code -r FILE -w OUT -C/-W}: rotation on a file the test builds, so the files are deterministic and can be
 * compared byte for byte with what tcpdump writes from the same input with the same options.
 */
class RotationModeTest {
    private static final int RECORDS = 2_500;

    @TempDir
    static Path dir;
    static Path input;
    static List<String> inputFrames;

    @BeforeAll
    static void writeInput() throws IOException {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            // About 1 kB a record, lengths varying so that the boundaries fall on different records.
            frames.add(Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 40000 + i % 7, 80, TcpFlags.ACK,
                    900 + i % 200));
        }
        input = dir.resolve("in.pcap");
        Files.write(input, Frames.pcapFile(1, ByteOrder.LITTLE_ENDIAN, frames));
        inputFrames = ReadModeTest.frames(input);
    }

    private static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }

    private static Path run(String name, String... options) throws Exception {
        Path out = Files.createDirectory(dir.resolve(name));
        List<String> args = new ArrayList<>(List.of("-r", input.toString(), "-w", out.resolve("out.pcap").toString()));
        args.addAll(List.of(options));
        Result r = CommandRunner.run(args.toArray(String[]::new));
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        return out;
    }

    /** tcpdump with the same options into its own folder; -Z root so that it may create files there. */
    private static Path tcpdump(String name, String... options) throws Exception {
        Path out = Files.createDirectory(dir.resolve(name));
        List<String> cmd = new ArrayList<>(List.of(Prerequisites.requireTool("tcpdump").toString(), "-Z", "root",
                "-r", input.toString(), "-w", out.resolve("out.pcap").toString()));
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        return out;
    }

    @Test
    void sizeRotationWritesTcpdumpsFilesByteForByteAndLosesNothing() throws Exception {
        Path ours = run("size", "-C", "1");
        List<Path> files = files(ours);
        assertThat(files.stream().map(f -> f.getFileName().toString()))
                .containsExactly("out.pcap", "out.pcap1", "out.pcap2");
        List<String> merged = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            List<String> frames = ReadModeTest.frames(f); // each file is a whole capture on its own
            assertThat(frames).isNotEmpty();
            merged.addAll(frames.stream().map(s -> s.substring(s.indexOf(' ') + 1)).toList());
            if (i < files.size() - 1) {
                long size = Files.size(f);
                int lastRecord = 16 + frameLength(frames.getLast());
                assertThat(size).as("past the limit by its last packet only").isGreaterThan(1_000_000)
                        .isLessThanOrEqualTo(1_000_000 + lastRecord);
            }
        }
        assertThat(merged).as("every record once, in order")
                .isEqualTo(inputFrames.stream().map(s -> s.substring(s.indexOf(' ') + 1)).toList());
        Path theirs = tcpdump("size-tcpdump", "-C", "1");
        assertSameFiles(ours, theirs);
    }

    @Test
    void aRingOfWFilesOverwritesTheOldestWithZeroPaddedNamesAsTcpdump() throws Exception {
        Path ours = run("ring", "-C", "1", "-W", "2");
        assertThat(files(ours).stream().map(f -> f.getFileName().toString()))
                .containsExactly("out.pcap0", "out.pcap1");
        // Three files' worth: the third overwrote the first, which holds the last records.
        List<String> last = ReadModeTest.frames(ours.resolve("out.pcap0"));
        assertThat(last.getLast().substring(last.getLast().indexOf(' ') + 1))
                .isEqualTo(inputFrames.getLast().substring(inputFrames.getLast().indexOf(' ') + 1));
        assertSameFiles(ours, tcpdump("ring-tcpdump", "-C", "1", "-W", "2"));
    }

    @Test
    void kibibyteUnitsAndElevenFilesPadToTwoDigits() throws Exception {
        Path ours = run("kib", "-C", "200k", "-W", "11");
        assertThat(files(ours).stream().map(f -> f.getFileName().toString()))
                .contains("out.pcap00", "out.pcap10").doesNotContain("out.pcap", "out.pcap0");
        for (Path f : files(ours)) {
            assertThat(ReadModeTest.frames(f)).isNotEmpty();
        }
    }

    private static int frameLength(String frame) {
        return frame.substring(frame.lastIndexOf(' ') + 1).length() / 2;
    }

    private static void assertSameFiles(Path ours, Path theirs) throws IOException {
        List<Path> a = files(ours);
        List<Path> b = files(theirs);
        assertThat(a.stream().map(Path::getFileName).toList()).isEqualTo(b.stream().map(Path::getFileName).toList());
        for (int i = 0; i < a.size(); i++) {
            assertThat(Files.readAllBytes(a.get(i))).as(a.get(i).getFileName().toString())
                    .isEqualTo(Files.readAllBytes(b.get(i)));
        }
    }
}
