package io.panatap.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JIT warm-up a live capture runs before its socket opens: for {@code -w}, {@code --flows} and
 * {@code --follow} synthetic connections go through the command's own classes, and leave nothing behind.
 */
class LiveWarmUpTest {
    @TempDir
    Path dir;

    @Test
    void writesNoFileAndPrintsNothing() throws Exception {
        Path follow = dir.resolve("streams");
        Path pcap = dir.resolve("out.pcap");
        Path pcapng = dir.resolve("out.pcapng");
        String[][] runs = {
                {"-i", "lo", "--flows", "--follow", follow.toString(), "--format", "line"},
                {"-i", "lo", "--follow", follow.toString()},
                {"-i", "lo", "-w", pcap.toString()},
                {"-i", "lo", "-w", pcapng.toString()},
                {"-i", "lo", "-w", dir.resolve("ring.pcap").toString(), "-C", "1", "-W", "2"},
                {"-i", "lo"},
        };
        for (String[] args : runs) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            new LiveCommand(Options.parse(args), out, new PrintStream(err), new Session()).warmUp();
            assertThat(out.size()).as(String.join(" ", args)).isZero();
            assertThat(err.size()).as(String.join(" ", args)).isZero();
        }
        // --follow would have made the directory for its files, -w its file (-C the first one, ring.pcap0).
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
