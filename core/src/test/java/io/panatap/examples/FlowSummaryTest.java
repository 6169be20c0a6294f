package io.panatap.examples;

import io.panatap.parse.LinkType;
import io.panatap.parse.TcpFlags;
import io.panatap.testing.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The flow example runs on a capture written here (one connection, one second between frames). */
class FlowSummaryTest {

    private static byte[] frame(boolean fromClient, int flags, long seq, long ack, int payload) {
        byte[] tcp = Frames.tcp(fromClient ? 40000 : 80, fromClient ? 80 : 40000, seq, ack, flags, 65535,
                new byte[0], payload);
        return Frames.ethernet(Frames.ETHER_TYPE_IPV4, Frames.ipv4(fromClient ? "10.0.0.1" : "10.0.0.2",
                fromClient ? "10.0.0.2" : "10.0.0.1", Frames.PROTOCOL_TCP, tcp));
    }

    @Test
    void printsOneLinePerConnection(@TempDir Path dir) throws Exception {
        int ack = TcpFlags.ACK;
        List<byte[]> frames = List.of(
                frame(true, TcpFlags.SYN, 100, 0, 0),
                frame(false, TcpFlags.SYN | ack, 500, 101, 0),
                frame(true, ack, 101, 501, 0),
                frame(true, ack | TcpFlags.PSH, 101, 501, 300),
                frame(true, ack | TcpFlags.PSH, 101, 501, 300),   // a retransmission
                frame(false, ack | TcpFlags.FIN, 501, 401, 0),
                frame(true, ack | TcpFlags.FIN, 401, 502, 0));
        Path file = dir.resolve("one.pcap");
        Files.write(file, Frames.pcapFile(LinkType.ETHERNET, ByteOrder.LITTLE_ENDIAN, frames));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            FlowSummary.main(new String[] {file.toString()});
        } finally {
            System.setOut(saved);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                "10.0.0.1:40000 > 10.0.0.2:80 CLOSED rtt 2000000us packets 5/2 retransmissions 1\n"
                        + "client bytes reassembled: 300\n");
    }
}
