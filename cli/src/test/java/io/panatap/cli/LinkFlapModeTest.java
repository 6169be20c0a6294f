package io.panatap.cli;

import io.panatap.testing.Netns;
import io.panatap.testing.Prerequisites;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command on an interface that goes down and comes back (it keeps capturing and says so on stderr), that
 * is deleted (status 1, a valid {@code -w} file), or that is down from the start (status 1 at once, as
 * tcpdump's "That device is not up"). The command runs inside a namespace of the test's own; the test sends
 * SYNs from its own namespace to a closed port behind the veth pair, and flaps the namespace's end.
 */
class LinkFlapModeTest {
    private static final int PORT = 7; // closed: each SYN gets a reset at once

    private Netns net;

    @TempDir
    Path dir;

    @BeforeEach
    void createNamespace() {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
    }

    @AfterEach
    void removeNamespace() {
        if (net != null) {
            net.close();
        }
    }

    private LiveModeTest.Running start(String... args) throws IOException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace()));
        cmd.addAll(CommandRunner.command(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("TZ", "UTC");
        return new LiveModeTest.Running(pb.start(), out, err);
    }

    private void syn() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(net.peerIpv4(), PORT), 300);
        } catch (IOException expected) {
            // refused (or no route for a moment after the link came back): the SYN is what counts
        }
    }

    /** Sends SYNs until stdout has more than {@code rows} lines, for up to 20 s. */
    private static void synsUntilRows(LinkFlapModeTest test, LiveModeTest.Running r, long rows) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (r.stdout().lines().count() <= rows) {
            assertThat(r.process().isAlive()).as("still running; stderr: %s", Files.readString(r.err())).isTrue();
            assertThat(System.nanoTime()).as("a row within 20 s").isLessThan(deadline);
            test.syn();
            Thread.sleep(50);
        }
    }

    private static void awaitStderr(LiveModeTest.Running r, Predicate<String> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.test(Files.readString(r.err()))) {
            assertThat(r.process().isAlive()).as("still running; stderr: %s", Files.readString(r.err())).isTrue();
            assertThat(System.nanoTime()).as(what + " within 20 s; stderr: " + Files.readString(r.err())).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private void flapAndStop(String... workers) throws Exception {
        List<String> args = new ArrayList<>(List.of("-v", "-n", "--format", "line", "-i", net.peerInterface()));
        args.addAll(List.of(workers));
        LiveModeTest.Running r = start(args.toArray(String[]::new));
        r.awaitReady();
        synsUntilRows(this, r, 0);
        long before = r.stdout().lines().count();
        String down = "panatap: " + net.peerInterface() + " went down; waiting for it to come back\n";
        String up = "panatap: " + net.peerInterface() + " is up again\n";
        net.exec("ip", "link", "set", net.peerInterface(), "down");
        awaitStderr(r, e -> e.contains(down), "the down message");
        net.exec("ip", "link", "set", net.peerInterface(), "up");
        awaitStderr(r, e -> e.contains(up), "the up message");
        synsUntilRows(this, r, before);
        Thread.sleep(300); // a late worker would print its messages by now
        Netns.run("kill", "-INT", String.valueOf(r.process().pid()));
        CommandRunner.Result result = r.finish();
        assertThat(result.status()).isZero();
        assertThat(result.rows()).allMatch(l -> l.contains(" > " + net.peerIpv4() + "." + PORT + ": Flags [S]"));
        assertThat(result.err()).as("each message once, down before up")
                .matches("(?s)panatap: capture ready on [^\n]*\n" + java.util.regex.Pattern.quote(down + up)
                        + "\\d+ packets captured\n.*");
    }

    @Test
    void aCaptureKeepsRunningWhileItsInterfaceGoesDownAndComesBackAndSaysSoOnce() throws Exception {
        flapAndStop();
    }

    @Test
    void withWorkersTheFlapIsAlsoSurvivedAndSaidOnce() throws Exception {
        flapAndStop("--workers", "2");
    }

    @Test
    void aDeletedInterfaceEndsTheCaptureWithStatus1AndAValidFile() throws Exception {
        Path file = dir.resolve("deleted.pcap");
        LiveModeTest.Running r = start("-v", "-i", net.peerInterface(), "-w", file.toString());
        r.awaitReady();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(file) || Files.size(file) <= 24) { // the header, then records, flushed per batch
            assertThat(System.nanoTime()).as("a record within 20 s").isLessThan(deadline);
            syn();
            Thread.sleep(50);
        }
        Netns.run("ip", "link", "del", net.hostInterface());
        CommandRunner.Result result = r.finish();
        assertThat(result.status()).isEqualTo(1);
        // -v adds the exception's stack after the line.
        assertThat(result.err()).containsPattern("\\d+ packets? captured\n")
                .contains("\npanatap: capture on " + net.peerInterface() + " failed: the interface disappeared\n");
        List<String> frames = ReadModeTest.frames(file);
        assertThat(frames).isNotEmpty();
        if (Prerequisites.optionalTool("tcpdump") != null) {
            Process p = new ProcessBuilder("tcpdump", "-n", "-r", file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).isZero();
            assertThat(text.lines()).hasSize(frames.size());
        }
    }

    @Test
    void anInterfaceThatIsDownFailsAtOnceAsTcpdumpDoesAndWritesNoFile() throws Exception {
        net.exec("ip", "link", "set", net.peerInterface(), "down");
        Path file = dir.resolve("down.pcap");
        CommandRunner.Result result = start("-i", net.peerInterface(), "-w", file.toString()).finish();
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("panatap: " + net.peerInterface() + ": That device is not up\n");
        assertThat(file).doesNotExist();
        CommandRunner.Result workers = start("--workers", "2", "-i", net.peerInterface()).finish();
        assertThat(workers.status()).isEqualTo(1);
        assertThat(workers.err()).isEqualTo(result.err());
        if (Prerequisites.optionalTool("tcpdump") != null) {
            Process p = new ProcessBuilder("ip", "netns", "exec", net.namespace(), "tcpdump", "-n", "-i",
                    net.peerInterface()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String tcpdump = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(result.status());
            assertThat(result.err().substring("panatap: ".length()))
                    .isEqualTo(tcpdump.lines().findFirst().orElseThrow().substring("tcpdump: ".length()) + "\n");
        }
    }
}
