package io.panatap.soak;

import io.panatap.capture.CaptureGroup;
import io.panatap.capture.CaptureStats;
import io.panatap.capture.PacketCapture;
import io.panatap.parse.PacketHeaders;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Child JVM of {@link SoakTrendTest}: captures on {@code args[0]} with {@code args[3]} workers for
 * {@code args[1]} seconds and prints a line every {@code args[2]} seconds:
 * {@code SAMPLE seconds rssKiB heapAfterGcKiB descriptors received dropped delivered}.
 */
public final class SoakMain {
    private SoakMain() {
    }

    public static void main(String[] args) throws Exception {
        String iface = args[0];
        long seconds = Long.parseLong(args[1]);
        long interval = Long.parseLong(args[2]);
        int workers = Integer.parseInt(args[3]);
        try (CaptureGroup group = CaptureGroup.builder(PacketCapture.builder().interfaceName(iface)).workers(workers).open()) {
            group.start(i -> {
                StringBuilder line = new StringBuilder(128);
                return p -> {
                    PacketHeaders h = p.headers();
                    if (h.isTcp()) {
                        line.setLength(0);
                        h.appendSource(line).append('.').append(h.sourcePort()).append(" > ");
                        h.appendDestination(line).append('.').append(h.destinationPort());
                    }
                };
            });
            long start = System.nanoTime();
            for (long t = 0; t <= seconds; t += interval) {
                long wait = start + t * 1_000_000_000L - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
                if (group.failure() != null) {
                    throw new IllegalStateException("capture failed", group.failure());
                }
                System.gc();
                Runtime r = Runtime.getRuntime();
                long heap = (r.totalMemory() - r.freeMemory()) >> 10;
                long rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                        .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).sum();
                long fds;
                try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
                    fds = s.count();
                }
                CaptureStats c = group.stats();
                System.out.printf("SAMPLE %d %d %d %d %d %d %d%n", t, rss, heap, fds, c.received(), c.dropped(), c.delivered());
            }
        }
    }
}
