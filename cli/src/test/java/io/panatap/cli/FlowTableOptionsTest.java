package io.panatap.cli;

import io.panatap.testing.TcpScript;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --flow-limit} and {@code --flow-timeout}: parsing, the errors, and their effect on {@code --flows}. */
class FlowTableOptionsTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void bothParseAndApplyOnlyWithFlowsOrFollow() throws UsageException {
        Options o = Options.parse("-r", "f.pcap", "--flows", "--flow-limit", "1000", "--flow-timeout=30");
        assertThat(o.flowLimit).isEqualTo(1000);
        assertThat(o.flowTimeoutSeconds).isEqualTo(30);
        Options defaults = Options.parse("-r", "f.pcap", "--flows");
        assertThat(defaults.flowLimit).isZero();
        assertThat(defaults.flowTimeoutSeconds).isZero();
        assertThat(Options.parse("--follow", "d", "--flow-limit", "5").flowLimit).isEqualTo(5);
        assertThat(Options.HELP).contains("  --flow-limit N  ").contains("  --flow-timeout SECONDS  ");

        assertThatThrownBy(() -> Options.parse("--flows", "--flow-limit", "0"))
                .hasMessage("--flow-limit takes a whole number from 1 to 16777216, not '0'");
        assertThatThrownBy(() -> Options.parse("--flows", "--flow-limit", "16777217"))
                .hasMessage("--flow-limit takes a whole number from 1 to 16777216, not '16777217'");
        assertThatThrownBy(() -> Options.parse("--flows", "--flow-timeout", "1.5"))
                .hasMessage("--flow-timeout takes a whole number from 1 to 31536000, not '1.5'");
        assertThatThrownBy(() -> Options.parse("--flows", "--flow-timeout"))
                .hasMessage("option --flow-timeout needs a value");
        assertThatThrownBy(() -> Options.parse("--flow-limit", "10"))
                .hasMessage("--flow-limit sets up the flow table: it applies with --flows or --follow");
        assertThatThrownBy(() -> Options.parse("--flow-timeout", "10"))
                .hasMessage("--flow-timeout sets up the flow table: it applies with --flows or --follow");
    }

    @Test
    void aBadValueIsOnePanatapLine() throws Exception {
        CommandRunner.Result result = CommandRunner.run("-r", "x.pcap", "--flows", "--flow-limit", "many");
        assertThat(result.status()).isNotZero();
        assertThat(result.err()).isEqualTo("panatap: --flow-limit takes a whole number from 1 to 16777216, not 'many' (see panatap -h)\n");
    }

    @Test
    void aLimitOfOneEvictsTheOlderOfTwoConnections() throws Exception {
        Path capture = TcpScript.writePcap(dir.resolve("two.pcap"), List.of(
                new TcpScript("10.0.0.1", 50000, "10.0.9.9", 80, 1, 2).handshake().close(),
                new TcpScript("10.0.0.2", 50001, "10.0.9.9", 80, 3, 4).handshake().close()));
        CommandRunner.Result all = CommandRunner.run("-r", capture.toString(), "--flows", "--format", "line");
        assertThat(all.status()).isZero();
        assertThat(all.lines()).hasSize(2).noneMatch(l -> l.contains("evicted"));

        CommandRunner.Result one = CommandRunner.run("-r", capture.toString(), "--flows", "--format", "line",
                "--flow-limit", "1");
        assertThat(one.status()).isZero();
        assertThat(one.err()).isEmpty();
        assertThat(one.lines()).as(one.out()).anyMatch(l -> l.contains(": evicted, "));
    }

    @Test
    void aTimeoutEndsAConnectionIdleThatLong() throws Exception {
        // A handshake and a data segment, 3 seconds apart: one connection with the default timeout (300 s), but
        // with a 2 s timeout every segment finds the flow before it timed out and starts one of its own.
        Path capture = new TcpScript("10.0.0.1", 50000, "10.0.9.9", 80, 1, 2).step(3 * SECOND).handshake()
                .send(true, new byte[100], 1000).writePcap(dir.resolve("idle.pcap"));
        CommandRunner.Result normal = CommandRunner.run("-r", capture.toString(), "--flows", "--format", "line");
        assertThat(normal.status()).isZero();
        assertThat(normal.lines()).hasSize(1).noneMatch(l -> l.contains("timeout"));

        CommandRunner.Result shorter = CommandRunner.run("-r", capture.toString(), "--flows", "--format", "line",
                "--flow-timeout", "2");
        assertThat(shorter.status()).isZero();
        assertThat(shorter.lines()).as(shorter.out()).hasSize(4);
        assertThat(shorter.lines().subList(0, 3)).as(shorter.out()).allMatch(l -> l.contains(": timeout, "));
    }
}
