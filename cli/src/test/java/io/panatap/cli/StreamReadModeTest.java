package io.panatap.cli;

import io.panatap.cli.CommandRunner.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code panatap -r -} and {@code -r FIFO}: a capture read from a pipe, row by row as its records arrive. */
class StreamReadModeTest {
    @TempDir
    static Path dir;
    static Path capture;
    static byte[] captureBytes;
    /** Bytes of the pcap header and the first two records (SYN, SYN-ACK) of the capture. */
    static int firstTwoRecords;

    @BeforeAll
    static void writeCapture() throws IOException {
        captureBytes = ReadModeTest.fourRecords();
        ByteBuffer b = ByteBuffer.wrap(captureBytes).order(ByteOrder.LITTLE_ENDIAN);
        int end = 24;
        for (int i = 0; i < 2; i++) {
            end += 16 + b.getInt(end + 8); // record header and captured bytes
        }
        firstTwoRecords = end;
        capture = dir.resolve("four.pcap");
        Files.write(capture, captureBytes);
    }

    /** Runs the command with {@code input} on a pipe as its standard input. */
    private static Result runWithStdin(byte[] input, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = CommandRunner.builder(Map.of(), args).redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (OutputStream stdin = p.getOutputStream()) {
            for (int i = 0; i < input.length; i += 100) { // several writes, so records straddle reads
                stdin.write(input, i, Math.min(100, input.length - i));
                stdin.flush();
            }
        }
        return CommandRunner.finish(p, out, err);
    }

    @ParameterizedTest
    @ValueSource(strings = {"table", "line", "json"})
    void standardInputPrintsWhatTheFilePrints(String format) throws Exception {
        Result file = CommandRunner.run("-r", capture.toString(), "--format", format);
        Result stdin = runWithStdin(captureBytes, "-r", "-", "--format", format);
        assertThat(stdin.err()).isEmpty();
        assertThat(stdin.status()).isZero();
        assertThat(file.out()).isNotEmpty();
        assertThat(stdin.out()).isEqualTo(file.out());
    }

    @Test
    void rowsAppearAsRecordsArriveBeforeTheWriterClosesThePipe() throws Exception {
        Process p = CommandRunner.builder(Map.of(), "-r", "-", "--format", "json")
                .redirectInput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream stdin = p.getOutputStream();
             BufferedReader rows = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            stdin.write(captureBytes, 0, firstTwoRecords + 7); // two whole records and a bit of the third
            stdin.flush();
            assertThat(nextRow(rows)).startsWith("{\"frame\":1,");
            assertThat(nextRow(rows)).startsWith("{\"frame\":2,");
            assertThat(p.isAlive()).as("still waiting for the rest of the capture").isTrue();

            stdin.write(captureBytes, firstTwoRecords + 7, captureBytes.length - firstTwoRecords - 7);
            stdin.close();
            assertThat(nextRow(rows)).startsWith("{\"frame\":4,");
            assertThat(rows.readLine()).isNull();
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    /** The next line of output, waiting at most 30 s for it. */
    private static String nextRow(BufferedReader rows) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return rows.readLine();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aStopWhileWaitingForInputEndsQuietlyWithStatus0() throws Exception {
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = CommandRunner.builder(Map.of(), "-r", "-", "--format", "json")
                .redirectInput(ProcessBuilder.Redirect.PIPE).redirectError(err.toFile()).start();
        try (OutputStream stdin = p.getOutputStream();
             BufferedReader rows = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            stdin.write(captureBytes, 0, firstTwoRecords);
            stdin.flush();
            assertThat(nextRow(rows)).startsWith("{\"frame\":1,");
            p.destroy(); // SIGTERM while the reader waits for the next record
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).as("stopped by the main loop, not the shutdown timeout").isZero();
        assertThat(Files.readString(err)).isEmpty();
    }

    @Test
    void aCutStreamPrintsTheRowsBeforeTheDamageThenTheFilesErrorOnOneLine() throws Exception {
        byte[] cut = Arrays.copyOf(captureBytes, captureBytes.length - 10);
        Path damaged = dir.resolve("cut.pcap");
        Files.write(damaged, cut);
        Result file = CommandRunner.run("-r", damaged.toString(), "--format", "json");
        Result stdin = runWithStdin(cut, "-r", "-", "--format", "json");
        assertThat(stdin.status()).isEqualTo(1).isEqualTo(file.status());
        assertThat(stdin.out()).isEqualTo(file.out());
        assertThat(stdin.lines()).hasSize(2);
        assertThat(stdin.err()).startsWith("panatap: standard input: truncated record at byte ")
                .isEqualTo(file.err().replace(damaged.toString(), "standard input"));
    }

    @Test
    void emptyOrNonCaptureInputIsAnErrorOnOneLine() throws Exception {
        Result empty = runWithStdin(new byte[0], "-r", "-");
        assertThat(empty.status()).isEqualTo(1);
        assertThat(empty.err()).isEqualTo("panatap: standard input: empty file (0 bytes): not a pcap or pcapng capture\n");
        Result text = runWithStdin("not a capture at all\n".getBytes(StandardCharsets.UTF_8), "-r", "-");
        assertThat(text.status()).isEqualTo(1);
        assertThat(text.err()).startsWith("panatap: standard input: not a pcap or pcapng file").doesNotContain("Exception");
        assertThat(text.err().lines()).hasSize(1);
    }

    @Test
    void standardInputCopiedToStandardOutputIsTheSamePcap() throws Exception {
        Result r = runWithStdin(captureBytes, "-r", "-", "-w", "-");
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.outBytes()).isEqualTo(captureBytes);
    }

    @Test
    void aNamedPipeIsReadAsItsRecordsArrive() throws Exception {
        Path fifo = dir.resolve("capture.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = CommandRunner.builder(Map.of(), "-r", fifo.toString(), "--format", "json")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (OutputStream writer = Files.newOutputStream(fifo)) { // waits for the command to open it
            writer.write(captureBytes, 0, firstTwoRecords);
            writer.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Files.readAllLines(out).size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.readAllLines(out)).as("rows before the writer is done").hasSize(2);
            writer.write(captureBytes, firstTwoRecords, captureBytes.length - firstTwoRecords);
        }
        Result r = CommandRunner.finish(p, out, err);
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo(CommandRunner.run("-r", capture.toString(), "--format", "json").out());
    }

    @Test
    void dashIsStandardInputForReadAndWrite() throws Exception {
        Options o = Options.parse("-r", "-", "-w", "-");
        assertThat(o.readFile).isEqualTo("-");
        assertThat(o.writeFile).isEqualTo("-");
        assertThat(Options.HELP).contains("-r FILE                 read packets from a pcap or pcapng FILE "
                + "(\"-\" = standard input)");
    }
}
