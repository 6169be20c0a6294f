package io.panatap.examples;

// README:begin flows
import io.panatap.flow.Flow;
import io.panatap.flow.FlowListener;
import io.panatap.flow.FlowTable;
import io.panatap.flow.Side;
import io.panatap.flow.StreamListener;
import io.panatap.pcap.CaptureFileReader;

import java.nio.file.Path;
import java.time.Duration;

/** One line per TCP connection of a capture file, and the bytes its clients sent, reassembled. */
public class FlowSummary {
    public static void main(String[] args) throws Exception {
        long[] clientBytes = {0};
        FlowListener events = new FlowListener() {
            @Override
            public void ended(Flow flow) {   // once per connection; the view is valid during the call only
                StringBuilder line = new StringBuilder();
                flow.appendClient(line).append(':').append(flow.clientPort()).append(" > ");
                flow.appendServer(line).append(':').append(flow.serverPort()).append(' ').append(flow.endReason());
                line.append(" rtt ").append(flow.handshakeRttNanos() / 1_000).append("us");   // -1: not seen
                line.append(" packets ").append(flow.packets(Side.CLIENT)).append('/').append(flow.packets(Side.SERVER));
                line.append(" retransmissions ").append(flow.retransmissions(Side.CLIENT));
                System.out.println(line);
            }
        };
        StreamListener streams = (flow, from, bytes) -> {   // in order, each byte once; copy to keep
            if (from == Side.CLIENT) {
                clientBytes[0] += bytes.byteSize();
            }
        };
        try (FlowTable flows = FlowTable.builder().maxFlows(100_000).idleTimeout(Duration.ofMinutes(2))
                     .listener(events).streams(streams).build();
             CaptureFileReader reader = CaptureFileReader.open(Path.of(args[0]))) {
            reader.run(flows);   // the table is a PacketListener
        }                        // closing it ends the flows still open (OPEN_AT_END)
        System.out.println("client bytes reassembled: " + clientBytes[0]);
    }
}
// README:end flows
