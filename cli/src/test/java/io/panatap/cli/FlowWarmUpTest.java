package io.panatap.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JIT warm-up a live {@code --flows}/{@code --follow} capture runs before its socket opens: the synthetic
 * connections go through the command's classes and leave nothing behind.
 */
class FlowWarmUpTest {
    @TempDir
    Path dir;

    @Test
    void writesNoStreamFileAndPrintsNothing() throws Exception {
        Path follow = dir.resolve("streams");
        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(printed)) {
            System.setOut(capture);
            System.setErr(capture);
            FlowRows.warmUp(Options.parse("-i", "lo", "--flows", "--follow", follow.toString(), "--format", "line"),
                    new TableFormatter(TableFormatter.Clock.WALL));
            FlowRows.warmUp(Options.parse("-i", "lo", "--follow", follow.toString()),
                    new TableFormatter(TableFormatter.Clock.WALL));
        } finally {
            System.setOut(realOut);
            System.setErr(realErr);
        }
        assertThat(Files.exists(follow)).isFalse(); // --follow would have made the directory for its files
        assertThat(printed.size()).isZero();
    }
}
