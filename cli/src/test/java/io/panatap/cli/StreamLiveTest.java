package io.panatap.cli;

import io.panatap.testing.Netns;
import io.panatap.testing.Prerequisites;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --listen}: a live capture in the test's namespace served at once to panatap ({@code -r tcp://}),
 * tshark ({@code -i TCP@HOST:PORT}) and a client that never reads, while it also writes {@code -w}.
 */
class StreamLiveTest {
    private static final int PORT = 5555;
    static Netns net;
    static Process sink;

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
        sink = net.startTcpSink(PORT);
        LiveRotationTest.net = net;
    }

    @AfterAll
    static void tearDown() {
        if (sink != null) {
            sink.destroyForcibly();
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    void panatapTsharkAndAStalledClientAreServedWhileTheFileIsWrittenAndNothingIsLost() throws Exception {
        LiveRotationTest.dir = dir;
        Path tshark = Prerequisites.requireTool("tshark");
        Path file = dir.resolve("written.pcap");
        LiveRotationTest.Running server = LiveRotationTest.panatap("-v", "-i", net.peerInterface(), "-Q", "inout",
                "--listen", net.peerIpv4() + ":0", "-w", file.toString(), "tcp", "port", String.valueOf(PORT));
        server.awaitErr("capture ready");
        Matcher m = Pattern.compile("serving a pcap stream on ([0-9.]+):(\\d+)").matcher(Files.readString(server.err()));
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo(net.peerIpv4());
        int port = Integer.parseInt(m.group(2));

        Path readerOut = dir.resolve("reader.json");
        Path readerErr = dir.resolve("reader.err");
        Process reader = CommandRunner.builder(Map.of(), "-r", "tcp://" + net.peerIpv4() + ":" + port, "--format", "json")
                .redirectOutput(readerOut.toFile()).redirectError(readerErr.toFile()).start();
        Path tsharkOut = dir.resolve("tshark.txt");
        Path tsharkErr = dir.resolve("tshark.err");
        Process ts = new ProcessBuilder(tshark.toString(), "-n", "-i", "TCP@" + net.peerIpv4() + ":" + port,
                "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.dstport")
                .redirectOutput(tsharkOut.toFile()).redirectError(tsharkErr.toFile()).start();
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new java.net.InetSocketAddress(net.peerIpv4(), port), 5000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // -v: the server names each client it serves.
            while (Files.readString(server.err()).split("stream client .* connected", -1).length - 1 < 3) {
                assertThat(System.nanoTime()).as("three clients connected").isLessThan(deadline);
                Thread.sleep(50);
            }
            for (int i = 0; i < 10; i++) {
                LiveRotationTest.send(2000);
            }
            Thread.sleep(500);
            CommandRunner.Result result = server.stop();
            assertThat(result.status()).as(result.err()).isZero();
            long captured = LiveRotationTest.captured(result);
            assertThat(captured).isGreaterThanOrEqualTo(10 * 6);
            assertThat(ReadModeTest.frames(file)).hasSize((int) captured);


            assertThat(reader.waitFor(30, TimeUnit.SECONDS)).as("panatap -r tcp:// ends with the stream").isTrue();
            assertThat(reader.exitValue()).as(Files.readString(readerErr)).isZero();
            assertThat(Files.readAllLines(readerOut)).hasSize((int) captured)
                    .allMatch(l -> l.contains("\"srcPort\":" + PORT) || l.contains("\"dstPort\":" + PORT));
            assertThat(ts.waitFor(30, TimeUnit.SECONDS)).as("tshark ends with the stream").isTrue();
            assertThat(Files.readAllLines(tsharkOut)).hasSize((int) captured)
                    .allMatch(l -> l.matches("\\d+\t\\d+") && l.contains(String.valueOf(PORT)));
            List<String> clientLines = result.err().lines().filter(l -> l.contains(" sent to stream client ")).toList();
            assertThat(clientLines).hasSize(3).allMatch(l -> l.startsWith(captured + " packets sent to stream client ")
                    && l.endsWith(", 0 lost (client too slow)"));
        } finally {
            reader.destroyForcibly();
            ts.destroyForcibly();
        }
    }
}
