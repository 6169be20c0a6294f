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
 * test is added ({@code udp}): a warning, the capture goes on. An expression that rejects everything by
 * itself ({@code tcp and udp}, live or with {@code -r}) is an error with status 1, as tcpdump 4.99.3's.
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
            for (String workers : List.of("1", "2")) {
                List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace()));
                cmd.addAll(CommandRunner.command("--workers", workers, "-i", net.peerInterface(), "tcp", "and", "udp"));
                Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(err).isEqualTo(1);
                assertThat(err).isEqualTo("panatap: expression rejects all packets\n");
            }
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
        assertThat(both.status()).isEqualTo(1);
        assertThat(both.err()).isEqualTo("panatap: expression rejects all packets\n");
        assertThat(both.out()).isEmpty();
        CommandRunner.Result tcp = CommandRunner.run("-r", file.toString(), "tcp");
        assertThat(tcp.err()).isEmpty();
        assertThat(tcp.lines()).hasSize(4);
        if (Prerequisites.optionalTool("tcpdump") != null) {
            Process p = new ProcessBuilder("tcpdump", "-n", "-r", file.toString(), "tcp", "and", "udp")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String tcpdump = err.lines().filter(l -> l.startsWith("tcpdump: ")).findFirst().orElseThrow();
            assertThat(p.exitValue()).isEqualTo(both.status());
            assertThat(both.err().strip().replace("panatap: ", "")).isEqualTo(tcpdump.replace("tcpdump: ", ""));
        }
    }
}
