package io.panatap.cli;

import io.panatap.pcap.CaptureFileReader;
import io.panatap.testing.Netns;
import io.panatap.testing.Prerequisites;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --workers N} and {@code -Z USER}, live in a network namespace: the command runs inside it, the test
 * connects to a server there. With the default {@code -Q in} the namespace receives five segments per
 * connection: SYN, ACK, PSH+ACK (5 bytes), FIN+ACK, ACK.
 */
class WorkersModeTest {
    private static final int PORT = 5556;
    private static final int CONNECTIONS = 24;
    static Netns net;
    static Process server;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startServer() throws IOException {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
        server = net.startTcpSink(PORT);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
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

    /** Starts the command in the namespace with -v, waits until it is capturing. */
    private static Process start(Path out, Path err, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace()));
        cmd.addAll(CommandRunner.command(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("TZ", "UTC");
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(err).contains("capture ready")) {
            assertThat(p.isAlive()).as("still running; stderr: %s", Files.readString(err)).isTrue();
            assertThat(System.nanoTime()).as("ready within 30 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        return p;
    }

    private static CommandRunner.Result run(Runnable traffic, String... args) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = start(out, err, args);
        traffic.run();
        return CommandRunner.finish(p, out, err);
    }

    /** {@code n} connections from the test's namespace; returns their local ports. */
    private static List<Integer> connections(int n) {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(net.peerIpv4(), PORT), 5000);
                s.setSoTimeout(5000);
                s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertThat(s.getInputStream().read()).isEqualTo(-1);
                ports.add(s.getLocalPort());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return ports;
    }

    @Test
    void rowsOfTwoWorkersAreWholeLinesAndEachConnectionKeepsItsOrder() throws Exception {
        List<Integer> ports = new ArrayList<>();
        CommandRunner.Result result = run(() -> ports.addAll(connections(CONNECTIONS)), "-v", "--workers", "2",
                "--format", "line", "-i", net.peerInterface(), "-c", String.valueOf(5 * CONNECTIONS));

        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.err()).contains("capture ready on " + net.peerInterface() + " with 2 workers")
                .contains(5 * CONNECTIONS + " packets captured\n");
        // -v rows are tcpdump's two lines (IP header, then TCP); rows() joins them.
        Pattern line = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{6} IP \\(tos .*?, length \\d+\\) " + Pattern.quote(net.hostIpv4()) + "\\.(\\d+) > "
                + Pattern.quote(net.peerIpv4()) + "\\." + PORT + ": Flags \\[([SPF.]+)\\], .*length \\d+");
        Map<Integer, List<String>> flagsOfConnection = new HashMap<>();
        assertThat(result.rows()).hasSize(5 * CONNECTIONS);
        for (String l : result.rows()) {
            Matcher m = line.matcher(l);
            assertThat(m.matches()).as("a whole row: %s", l).isTrue();
            flagsOfConnection.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>()).add(m.group(2));
        }
        assertThat(flagsOfConnection.keySet()).containsExactlyInAnyOrderElementsOf(ports);
        assertThat(flagsOfConnection.values()).allSatisfy(flags -> assertThat(flags).containsExactly("S", ".", "P.", "F.", "."));
    }

    @Test
    void withWEachWorkerWritesItsOwnValidPcapInTimestampOrder() throws Exception {
        Path file = dir.resolve("workers.pcap");
        CommandRunner.Result result = run(() -> connections(CONNECTIONS), "-v", "--workers", "2", "-i",
                net.peerInterface(), "-Q", "in", "-c", String.valueOf(5 * CONNECTIONS), "-w", file.toString());

        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).isEmpty();
        assertThat(file).doesNotExist();
        Map<Integer, Integer> fileOfConnection = new HashMap<>();
        int total = 0;
        for (int worker = 0; worker < 2; worker++) {
            Path part = dir.resolve("workers-" + worker + ".pcap");
            List<long[]> records = new ArrayList<>();
            try (CaptureFileReader reader = CaptureFileReader.open(part)) {
                while (reader.poll(p -> records.add(new long[] {p.timestampNanos(), p.headers().sourcePort()}), 1000) > 0) {
                    // to the end
                }
            }
            for (int i = 1; i < records.size(); i++) {
                assertThat(records.get(i)[0]).isGreaterThanOrEqualTo(records.get(i - 1)[0]);
            }
            for (long[] r : records) {
                Integer before = fileOfConnection.put((int) r[1], worker);
                assertThat(before == null || before == worker).as("connection %d in one file", r[1]).isTrue();
            }
            assertThat(records).as("worker %d's share of %d connections", worker, CONNECTIONS).isNotEmpty();
            total += records.size();
            if (Prerequisites.optionalTool("tcpdump") != null) {
                Process p = new ProcessBuilder("tcpdump", "-n", "-r", part.toString())
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor()).isZero();
                assertThat(text.lines()).hasSize(records.size());
            }
        }
        assertThat(total).isEqualTo(5 * CONNECTIONS);
    }

    @Test
    void withWEachWorkerWritesItsOwnPcapngWithBothDirectionsAndItsOwnStatistics() throws Exception {
        Prerequisites.requireTool("tshark");
        Path file = dir.resolve("workers.pcapng");
        CommandRunner.Result result = run(() -> connections(CONNECTIONS), "-v", "--workers", "2", "-i",
                net.peerInterface(), "-c", String.valueOf(6 * CONNECTIONS), "-w", file.toString());
        assertThat(result.status()).as(result.err()).isZero();
        int total = 0;
        for (int worker = 0; worker < 2; worker++) {
            Path part = dir.resolve("workers-" + worker + ".pcapng");
            List<String> fields = PcapngTools.run("tshark", "-r", part.toString(), "-T", "fields", "-E",
                    "separator=,", "-e", "frame.interface_name", "-e", "frame.packet_flags_direction");
            assertThat(fields).as("worker %d", worker).isNotEmpty()
                    .allMatch(l -> l.startsWith(net.peerInterface() + ",0x0000000"));
            List<Map<Integer, Long>> stats = io.panatap.testing.PcapngStatistics.of(Files.readAllBytes(part));
            assertThat(stats).hasSize(1);
            assertThat(stats.getFirst().get(7)).as("isb_usrdeliv").isEqualTo(fields.size());
            assertThat(stats.getFirst().get(4)).as("isb_ifrecv, the worker's own socket").isNotNull();
            total += fields.size();
        }
        assertThat(total).isEqualTo(6 * CONNECTIONS);
    }

    @Test
    void dashZSwitchesToTheUserAfterOpeningAndTheFilesBelongToIt() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("as-nobody"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path file = shared.resolve("z.pcap");
        CommandRunner.Result result = run(() -> connections(4), "-v", "-Z", "nobody", "--workers", "2", "-i",
                net.peerInterface(), "-c", "20", "-w", file.toString());

        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.err()).contains("running as user nobody (uid 65534, gid 65534)").contains("20 packets captured\n");
        for (int worker = 0; worker < 2; worker++) {
            assertThat(Files.getAttribute(shared.resolve("z-" + worker + ".pcap"), "unix:uid")).isEqualTo(65534);
        }
        Path single = shared.resolve("single.pcap");
        CommandRunner.Result one = run(() -> connections(1), "-v", "-Z", "nobody", "-i", net.peerInterface(), "-c", "5",
                "-w", single.toString());
        assertThat(one.status()).as(one.err()).isZero();
        assertThat(Files.getAttribute(single, "unix:uid")).isEqualTo(65534);
        assertThat(ReadModeTest.frames(single)).hasSize(5);
    }

    @Test
    void anUnknownUserStopsTheCommandWithAMessage() throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace()));
        cmd.addAll(CommandRunner.command("-Z", "panatap-no-such-user", "-i", net.peerInterface()));
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        CommandRunner.Result result = CommandRunner.finish(p, out, err);

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).contains("no such user 'panatap-no-such-user'").doesNotContain("Exception");
        assertThat(result.out()).isEmpty();
    }

    /**
     * A Ctrl-C or SIGTERM that arrives after the sockets are open but before the workers start closes the
     * group first; the command then stops normally (it used to report an internal error).
     */
    @Test
    void aStopBeforeTheWorkersStartIsANormalStop() {
        Session session = new Session();
        session.requestStop();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status = Main.run(new String[] {"-i", "lo", "--workers", "2", "port", "1"}, out,
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8), session);
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(stderr).doesNotContain("internal error").contains("0 packets captured\n");
        assertThat(status).as(stderr).isZero();
    }

    @Test
    void perWorkerFileNamesGoBeforeTheExtension() {
        assertThat(WorkerCapture.fileOfWorker("out.pcap", 0)).isEqualTo("out-0.pcap");
        assertThat(WorkerCapture.fileOfWorker("/tmp/a.b/cap.pcap", 3)).isEqualTo("/tmp/a.b/cap-3.pcap");
        assertThat(WorkerCapture.fileOfWorker("/tmp/a.b/capture", 1)).isEqualTo("/tmp/a.b/capture-1");
        assertThat(WorkerCapture.fileOfWorker(".pcap", 2)).isEqualTo(".pcap-2");
    }
}
