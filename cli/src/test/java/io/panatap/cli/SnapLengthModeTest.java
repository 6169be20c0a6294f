package io.panatap.cli;

import io.panatap.parse.LinkType;
import io.panatap.testing.Frames;
import io.panatap.testing.Netns;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code -s} smaller than the headers: the frames it cuts before the TCP ports get no table row, and the
 * command says how many after the statistics (live) or at the end ({@code -r}) instead of passing for a
 * quiet link.
 */
class SnapLengthModeTest {
    @TempDir
    Path dir;

    @Test
    void aLiveCaptureCountsTheSegmentsTheSnapLengthCutBeforeThePortsAfterItsStatistics() throws Exception {
        Privileges.requireNetworkAdmin();
        try (Netns net = Netns.create()) {
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace()));
            // 30 bytes: the Ethernet header and 16 of the 20 of IPv4.
            cmd.addAll(CommandRunner.command("-v", "-s", "30", "-c", "3", "-i", net.peerInterface()));
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            LiveModeTest.Running r = new LiveModeTest.Running(p, out, err);
            r.awaitReady();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int sent = 0;
            while (!Files.readString(err).contains("packets captured") && sent < 3) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(net.peerIpv4(), 7), 300); // closed: a reset answers
                } catch (IOException expected) {
                    sent++;
                }
            }
            Thread.sleep(500); // the last SYN reaches the ring
            Netns.run("kill", "-INT", String.valueOf(p.pid()));
            CommandRunner.Result result = r.finish();
            assertThat(result.status()).isZero();
            assertThat(result.out()).isEqualTo(TableFormatter.HEADER);
            assertThat(result.err()).containsPattern("0 packets captured\n\\d+ packets received by filter\n"
                    + "0 packets dropped by kernel\n[1-9]\\d* packets? cut by the snap length \\(-s 30\\) before the TCP"
                    + " ports, not shown\n$");
        }
    }

    @Test
    void readingAFileSaysHowManyRecordsTheSnapLengthCutBeforeThePorts() throws Exception {
        byte[] whole = Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1234, 80, 0x02, 0);
        byte[] pcap = Frames.pcapFile(LinkType.ETHERNET, ByteOrder.LITTLE_ENDIAN, List.of(whole, whole, whole));
        // Cut the first two records to 30 bytes, keeping their original length: what -s 30 writes.
        ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> parts = new ArrayList<>();
        parts.add(java.util.Arrays.copyOfRange(pcap, 0, 24));
        int at = 24;
        for (int i = 0; i < 3; i++) {
            int captured = b.getInt(at + 8);
            byte[] header = java.util.Arrays.copyOfRange(pcap, at, at + 16);
            byte[] data = java.util.Arrays.copyOfRange(pcap, at + 16, at + 16 + captured);
            if (i < 2) {
                ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 30);
                data = java.util.Arrays.copyOf(data, 30);
            }
            parts.add(header);
            parts.add(data);
            at += 16 + captured;
        }
        Path file = dir.resolve("cut.pcap");
        try (var o = Files.newOutputStream(file)) {
            for (byte[] part : parts) {
                o.write(part);
            }
        }
        CommandRunner.Result result = CommandRunner.run("-r", file.toString());
        assertThat(result.status()).isZero();
        assertThat(result.lines()).hasSize(3 + 1);
        assertThat(result.err()).isEqualTo("panatap: 2 records were cut by the snap length before the TCP ports, not shown\n");
        assertThat(CommandRunner.run("-r", file.toString(), "-w", dir.resolve("copy.pcap").toString()).err()).isEmpty();
    }
}
