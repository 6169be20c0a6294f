package io.panatap.cli;

import io.panatap.testing.Netns;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --flows} capturing live inside a network namespace both ways ({@code -Q inout}), with one worker and
 * with {@code --workers 2}: each connection the test makes is one row, with both directions counted in it
 * (hash fanout keeps a connection on one worker, whose table sees both directions), ended by its FINs.
 * The command is stopped with SIGTERM and prints what it still holds; with {@code -c} it stops by itself once
 * its connections have that many packets.
 */
class FlowsLiveTest {
    private static final int PORT = 5556;
    private static final int CONNECTIONS = 6;
    static Netns net;
    static Process server;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startServer() {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
        server = net.startTcpSink(PORT);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.destroyForcibly();
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    void oneWorkerPrintsOneRowPerConnectionWithBothDirections() throws Exception {
        checkRows(run(stdout -> lines(stdout) >= CONNECTIONS));
    }

    @Test
    void twoWorkersKeepEachConnectionOnOneWorker() throws Exception {
        checkRows(run(stdout -> lines(stdout) >= CONNECTIONS, "--workers", "2"));
    }

    @Test
    void aCountEndsTheCaptureAfterThatManyPacketsInTheConnections() throws Exception {
        checkCount(run(stdout -> false, "-c", "12"));
    }

    @Test
    void aCountAcrossTwoWorkersEndsTheCaptureAfterThatManyPacketsInTheConnections() throws Exception {
        checkCount(run(stdout -> false, "-c", "12", "--workers", "2"));
    }

    /** {@code -c 12}: the command stops by itself, and its rows count 12 packets in all. */
    private static void checkCount(CommandRunner.Result result) {
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.err()).contains("12 packets captured");
        long packets = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("To(?:Server|Client)\":\\{\"packets\":(\\d+)")
                .matcher(result.out());
        while (m.find()) {
            packets += Long.parseLong(m.group(1));
        }
        assertThat(packets).as(result.out()).isEqualTo(12);
        assertThat(result.lines()).as("a connection of about 10 packets and a part of the next").hasSizeBetween(2, 3);
    }

    @Test
    void followWritesWhatTheClientsSent() throws Exception {
        Path out = dir.resolve("live-follow");
        CommandRunner.Result result = run(stdout -> sentFiles(out).size() >= CONNECTIONS, "--follow", out.toString());
        assertThat(result.status()).isZero();
        assertThat(sentFiles(out)).hasSize(CONNECTIONS).allSatisfy(p -> assertThat(p).hasContent("hello"));
    }

    /** The --follow files of what the clients sent (to the server's port). */
    private static List<Path> sentFiles(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        try (var files = Files.list(out)) {
            return files.filter(p -> p.getFileName().toString().endsWith("." + String.format("%05d", PORT))).toList();
        }
    }

    private static long lines(String text) {
        return text.chars().filter(c -> c == '\n').count();
    }

    /** What the test waits for before it stops the command (a machine under load may be slow to get there). */
    @FunctionalInterface
    private interface Done {
        boolean test(String stdout) throws IOException;
    }

    private static void checkRows(CommandRunner.Result result) {
        assertThat(result.status()).as(result.err()).isZero();
        List<String> rows = result.lines();
        assertThat(rows).as(result.out()).hasSize(CONNECTIONS);
        assertThat(rows).allSatisfy(row -> {
            assertThat(row).contains("\"client\":\"" + net.hostIpv4() + "\"", "\"serverPort\":" + PORT,
                    "\"end\":\"closed\"", "\"midStream\":false");
            // client: SYN, ACK, "hello", FIN, last ACK; the server: at least SYN/ACK and FIN.
            assertThat(row).containsPattern("\"clientToServer\":\\{\"packets\":5,\"bytes\":\\d+,\"payloadBytes\":5,");
            assertThat(row).containsPattern("\"serverToClient\":\\{\"packets\":[2-9],");
            assertThat(row).containsPattern("\"handshakeRttNanos\":\\d+,");
        });
    }

    private static CommandRunner.Result run(Done done, String... extra) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        List<String> args = new ArrayList<>(List.of("-v", "-i", net.peerInterface(), "-Q", "inout", "--flows",
                "--format", "json"));
        args.addAll(List.of(extra));
        if (args.contains("--follow")) {
            args.remove("--flows");
            args.remove("--format");
            args.remove("json");
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace()));
        cmd.addAll(CommandRunner.command(args.toArray(String[]::new)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("TZ", "UTC");
        Process process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(err).contains("capture ready")) {
            assertThat(process.isAlive()).as("still running; stderr: %s", Files.readString(err)).isTrue();
            assertThat(System.nanoTime()).as("ready within 30 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        for (int i = 0; i < CONNECTIONS; i++) {
            connection(net.peerIpv4());
        }
        // Closed connections are printed a second (of capture time) after their last FIN, at the end of a batch;
        // --follow writes as the bytes come. Then SIGTERM: the command prints what it still holds and stops.
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.test(Files.readString(out)) && System.nanoTime() < deadline && process.isAlive()) {
            Thread.sleep(50);
        }
        Thread.sleep(200);
        process.destroy();
        return CommandRunner.finish(process, out, err);
    }

    /** Connects, sends "hello", half-closes, waits for the server to close. */
    private static void connection(String address) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, PORT), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }
}
