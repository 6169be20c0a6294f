package io.panatap.examples;

// README:begin capture
import io.panatap.capture.PacketCapture;
import io.panatap.parse.PacketHeaders;
import io.panatap.parse.TcpFlags;

public class SynWatch {
    public static void main(String[] args) throws Exception {
        try (PacketCapture capture = PacketCapture.builder()
                .interfaceName(args.length > 0 ? args[0] : "any")
                .filter("tcp[13] & 2 != 0")   // SYN set; compiled for this socket in open()
                .open()) {
            // Ctrl-C or SIGTERM: close() from the hook ends run(); closing twice is harmless.
            Runtime.getRuntime().addShutdownHook(new Thread(capture::close));
            StringBuilder line = new StringBuilder();
            capture.run(packet -> {                  // returns once close() is called
                PacketHeaders h = packet.headers();  // parsed in place, valid during this call only
                if (h.isTcp() && (h.flags() & TcpFlags.SYN) != 0) {
                    line.setLength(0);
                    h.appendSourceEndpoint(line).append(" -> ");   // 10.0.0.1:5000, [fd00::1]:5000
                    h.appendDestinationEndpoint(line);
                    System.out.println(line);
                }
            });
        }
    }
}
// README:end capture
