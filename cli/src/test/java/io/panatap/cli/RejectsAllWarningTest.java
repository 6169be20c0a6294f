package io.panatap.cli;

import io.panatap.parse.LinkType;
import io.panatap.testing.Frames;
import io.panatap.testing.Netns;
import io.panatap.testing.Prerequisites;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tcpdump's "expression rejects all packets" for a filter that can match nothing: live, once the TCP-only
 * test is added ({@code udp}), and for {@code -r} when the expression rejects everything by itself. panatap
 * warns and goes on; tcpdump 4.99.3 refuses {@code tcp and udp} with status 1 (the same words).
 */
class RejectsAllWarningTest {
    private static final String WARNING = "panatap: WARNING: expression rejects all packets";

    @TempDir
    Path dir;

    /** Runs the command in the namespace until it is ready, stops it with SIGINT; returns the result. */
    private static CommandRunner.Result liveUntilReady(Netns net, Path dir, String... args) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace()));
        List<String> all = new ArrayList<>(List.of("-v"));
        all.addAll(List.of(args));
        cmd.addAll(CommandRunner.command(all.toArray(String[]::new)));
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        LiveModeTest.Running r = new LiveModeTest.Running(p, out, err);
        r.awaitReady();
        Netns.run("kill", "-INT", String.valueOf(p.pid()));
        return r.finish();
    }

    @Test
    void aLiveFilterThatTheTcpTestLeavesNothingToWarnsAndTheCaptureGoesOn() throws Exception {
        Privileges.requireNetworkAdmin();
        try (Netns net = Netns.create()) {
            CommandRunner.Result udp = liveUntilReady(net, dir, "-i", net.peerInterface(), "udp");
            assertThat(udp.status()).isZero();
            assertThat(udp.err()).contains(WARNING + " (panatap captures TCP only)\n")
                    .contains("packets captured\n");
            CommandRunner.Result any = liveUntilReady(net, dir, "not", "tcp");
            assertThat(any.err()).contains(WARNING + " (panatap captures TCP only)\n");
            CommandRunner.Result both = liveUntilReady(net, dir, "--workers", "2", "-i", net.peerInterface(), "tcp", "and", "udp");
            assertThat(both.status()).isZero();
            assertThat(both.err().lines().filter(l -> l.startsWith(WARNING))).containsExactly(WARNING);
            CommandRunner.Result tcp = liveUntilReady(net, dir, "-i", net.peerInterface(), "tcp", "port", "80");
            assertThat(tcp.err()).doesNotContain("WARNING");
        }
    }

    @Test
    void readingAFileWarnsWhenTheExpressionRejectsEverythingByItselfInTcpdumpsWords() throws Exception {
        Path file = dir.resolve("tcp.pcap");
        Files.write(file, Frames.pcapFile(LinkType.ETHERNET, ByteOrder.LITTLE_ENDIAN,
                List.of(Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1234, 80, 0x02, 0))));
        CommandRunner.Result both = CommandRunner.run("-r", file.toString(), "tcp", "and", "udp");
        assertThat(both.status()).isZero();
        assertThat(both.err()).isEqualTo(WARNING + "\n");
        assertThat(both.out()).isEqualTo(TableFormatter.HEADER);
        CommandRunner.Result tcp = CommandRunner.run("-r", file.toString(), "tcp");
        assertThat(tcp.err()).isEmpty();
        assertThat(tcp.lines()).hasSize(4);
        if (Prerequisites.optionalTool("tcpdump") != null) {
            Process p = new ProcessBuilder("tcpdump", "-n", "-r", file.toString(), "tcp", "and", "udp")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String tcpdump = err.lines().filter(l -> l.startsWith("tcpdump: ")).findFirst().orElseThrow();
            assertThat(WARNING.replace("panatap: WARNING: ", "")).isEqualTo(tcpdump.replace("tcpdump: ", ""));
        }
    }
}
