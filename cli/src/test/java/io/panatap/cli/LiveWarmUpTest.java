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
        long devNull = openDevNull();
        for (String[] args : runs) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            new LiveCommand(Options.parse(args), out, new PrintStream(err), new Session()).warmUp();
            assertThat(out.size()).as(String.join(" ", args)).isZero();
            assertThat(err.size()).as(String.join(" ", args)).isZero();
            // -w warms up with a file of its kind on /dev/null, closed again
            assertThat(openDevNull()).as(String.join(" ", args)).isEqualTo(devNull);
        }
        // --follow would have made the directory for its files, -w its file (-C the first one, ring.pcap0).
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    /** This JVM's descriptors open on /dev/null, but for 0-2. */
    private static long openDevNull() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> Integer.parseInt(fd.getFileName().toString()) > 2).filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals("/dev/null");
                } catch (Exception e) {
                    return false; // closed meanwhile (the listing's own descriptor)
                }
            }).count();
        }
    }
}
