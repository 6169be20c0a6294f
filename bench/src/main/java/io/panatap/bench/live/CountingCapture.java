package io.panatap.bench.live;

import io.panatap.Direction;
import io.panatap.capture.CaptureStats;
import io.panatap.capture.PacketCapture;

/**
 * A live capture that only counts packets (or, with {@code --parse}, also decodes their headers), for
 * comparing panatap's capture cost with {@code tcpdump -w /dev/null} in {@code bench/live-bench.sh}.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.panatap.bench.live.CountingCapture \
 *      -i IFACE [-B KiB] [--parse] [--all-directions]
 * </pre>
 * Runs until SIGTERM (or SIGINT in the foreground), then prints tcpdump's three statistics lines to standard error;
 * SIGUSR1 prints them so far on one line, as tcpdump does.
 */
public final class CountingCapture {
    private CountingCapture() {
    }

    private static long packets;
    private static long tcp;

    public static void main(String[] args) throws Exception {
        String iface = null;
        long ringKiB = 8192;
        boolean parse = false;
        Direction[] directions = {Direction.IN};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-i" -> iface = args[++i];
                case "-B" -> ringKiB = Long.parseLong(args[++i]);
                case "--parse" -> parse = true;
                case "--all-directions" -> directions = new Direction[] {Direction.IN, Direction.OUT};
                default -> {
                    System.err.println("usage: CountingCapture -i IFACE [-B KiB] [--parse] [--all-directions]");
                    System.exit(2);
                }
            }
        }
        PacketCapture.warmUp(); // as the command does
        PacketCapture capture = PacketCapture.builder().interfaceName(iface).directions(directions)
                .ringSize(ringKiB * 1024).open();
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            capture.close();
            try {
                main.join(2000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            CaptureStats s = capture.stats();
            System.err.println(s.delivered() + " packets captured");
            System.err.println(s.received() + " packets received by filter");
            System.err.println(s.dropped() + " packets dropped by kernel");
            if (tcp > 0) {
                System.err.println(tcp + " TCP headers decoded");
            }
        }));
        // Like tcpdump: SIGUSR1 prints the statistics so far, so a harness can leave out a warm-up phase.
        sun.misc.Signal.handle(new sun.misc.Signal("USR1"), signal -> {
            CaptureStats s = capture.stats();
            System.err.println("panatap: " + s.delivered() + " packets captured, " + s.received()
                    + " packets received by filter, " + s.dropped() + " packets dropped by kernel");
        });
        System.err.println("listening on " + capture.interfaceName() + ", link-type " + capture.linkType()
                + ", ring " + (capture.ringSize() >> 10) + " KiB");
        if (parse) {
            capture.run(p -> {
                packets++;
                if (p.headers().isTcp()) {
                    tcp++;
                }
            });
        } else {
            capture.run(p -> packets++);
        }
    }
}
