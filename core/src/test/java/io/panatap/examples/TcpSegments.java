package io.panatap.examples;

// README:begin read
import io.panatap.PacketListener;
import io.panatap.parse.PacketHeaders;
import io.panatap.parse.TcpFlags;
import io.panatap.pcap.CaptureFileReader;

import java.nio.file.Path;

public class TcpSegments {
    public static void main(String[] args) throws Exception {
        StringBuilder line = new StringBuilder();
        PacketListener listener = packet -> {
            PacketHeaders h = packet.headers();
            if (h.isTcp()) {
                line.setLength(0);
                h.appendSourceEndpoint(line).append(" > ");
                h.appendDestinationEndpoint(line).append(" [");
                TcpFlags.appendTcpdumpLetters(line, h.flags()).append("] length ").append(h.payloadLength());
                System.out.println(line);
            }
        };
        try (CaptureFileReader reader = CaptureFileReader.open(Path.of(args[0]))) {   // pcap or pcapng
            reader.run(listener);   // to the end of the file; a damaged record throws CaptureFileException
        }                           // after every whole record before it was delivered
    }
}
// README:end read
