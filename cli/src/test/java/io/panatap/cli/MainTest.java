package io.panatap.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The command run in-process, for the paths that need neither a capture nor a file. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, out, new PrintStream(err, true, StandardCharsets.UTF_8), new Session());
    }

    @Test
    void aUsageErrorIsOneLinePointingAtTheHelpAndExitsWith2() {
        assertThat(run("-Q", "sideways")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("panatap: -Q takes in, out or inout, not 'sideways' (see panatap -h)\n");
        assertThat(out.size()).isZero();
    }

    @Test
    void anUnknownOptionIsOneLine() {
        assertThat(run("-Y")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("panatap: unknown option '-Y' (see panatap -h)\n");
    }

    @Test
    void aTcpdumpOptionPanatapLacksIsOneLineNamingTheClosestOption() {
        assertThat(run("-b", "-E", "spec", "tcp")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("panatap: -b (BGP AS numbers in ASDOT) is not"
                + " supported yet; panatap captures and prints TCP segments only (see panatap -h)\n");
    }

    @Test
    void helpGoesToStandardOutputWithStatus0() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: panatap [options] [expression]\n")
                .contains("--format FORMAT").contains("Exit status");
        assertThat(err.size()).isZero();
    }

    @Test
    void versionPrintsTheName() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).matches("panatap \\S+\n");
    }

    @Test
    void aMissingFileIsACaptureErrorOnOneLine() {
        assertThat(run("-r", "/nonexistent/x.pcap")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("panatap: /nonexistent/x.pcap: no such file; check the path given to -r\n");
    }
}
