package io.panatap.capture;

import io.panatap.PacketType;
import io.panatap.testing.Privileges;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On loopback every packet is sent and received by this host; the kernel shows it to packet sockets twice
 * (outgoing, then incoming). The capture delivers it once. The loopback interface is shared with the rest
 * of the machine, so only this test's connection (its server port) is looked at.
 */
class LoopbackCaptureTest {

    @ParameterizedTest(name = "{0} over {1}")
    @CsvSource({"INOUT, 127.0.0.1", "IN, 127.0.0.1", "OUT, 127.0.0.1", "INOUT, ::1", "OUT, ::1"})
    void deliversEveryLoopbackSegmentOnce(Selection direction, String address) throws Exception {
        Privileges.requireNetworkAdmin();
        try (PacketCapture capture = PacketCapture.builder().interfaceName("lo").directions(direction.directions()).open();
             ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            int port = server.getLocalPort();
            Thread serverThread = Thread.ofPlatform().start(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    in.readNBytes(700);
                    out.write(new byte[300]);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket client = new Socket(InetAddress.getByName(address), port)) {
                client.getOutputStream().write(new byte[700]);
                assertThat(client.getInputStream().readNBytes(300)).hasSize(300);
            }
            serverThread.join();

            List<Segment> segments = new ArrayList<>();
            long deadline = System.nanoTime() + 700_000_000L;
            while (System.nanoTime() < deadline) {
                capture.poll(p -> {
                    Segment s = Segment.of(p, true);
                    if (s != null && s.involves(port)) {
                        segments.add(s);
                    }
                }, 100);
            }
            PacketType expected = direction == Selection.OUT ? PacketType.OUTGOING : PacketType.HOST;
            assertThat(segments).extracting(Segment::packetType).containsOnly(expected);
            assertThat(segments.stream().filter(s -> s.flags() == Segment.SYN)).hasSize(1);
            assertThat(segments.stream().filter(s -> s.flags() == (Segment.SYN | Segment.ACK))).hasSize(1);
            assertThat(segments.stream().filter(s -> s.destinationPort() == port).mapToInt(Segment::payloadLength).sum())
                    .isEqualTo(700);
            assertThat(segments.stream().filter(s -> s.sourcePort() == port).mapToInt(Segment::payloadLength).sum())
                    .isEqualTo(300);
            assertThat(segments).doesNotHaveDuplicates();
        }
    }
}
