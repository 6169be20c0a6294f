package io.panatap.bench.soak;

import io.panatap.capture.CaptureGroup;
import io.panatap.capture.CaptureStats;
import io.panatap.capture.PacketCapture;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Endurance run: captures trafgen's frames at a high offered rate for a configurable time and records,
 * every interval, resident memory, heap after a full GC, open descriptors, threads, and the capture
 * counters. Ends with the trend (least-squares slope per minute, after the first sample as warm-up).
 * Needs root (namespaces, CAP_NET_RAW) and trafgen (Debian netsniff-ng). Not part of the test run.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -Xms256m -Xmx256m -cp bench/target/benchmarks.jar \
 *     io.panatap.bench.soak.SoakHarness [--minutes 30] [--interval 60] [--rate 200000] [--workers 2]
 * </pre>
 */
public final class SoakHarness {
    private SoakHarness() {
    }

    public static void main(String[] args) throws Exception {
        double minutes = 30;
        int interval = 60;
        long rate = 200_000;
        int workers = 2;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--minutes" -> minutes = Double.parseDouble(args[i + 1]);
                case "--interval" -> interval = Integer.parseInt(args[i + 1]);
                case "--rate" -> rate = Long.parseLong(args[i + 1]);
                case "--workers" -> workers = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "soak: %.1f min, sample every %d s, offered %,d pps of 118-byte TCP frames, %d workers, %s%n",
                minutes, interval, rate, workers, Runtime.version());
        try (VethLab lab = VethLab.create();
             CaptureGroup group = CaptureGroup.builder(PacketCapture.builder().interfaceName(lab.captureInterface()))
                     .workers(workers).open()) {
            List<Workload> loads = new ArrayList<>();
            group.start(i -> {
                Workload w = new Workload();
                synchronized (loads) {
                    loads.add(w);
                }
                return w;
            });
            long offered0 = lab.receivedFrames();
            Process trafgen = lab.offer(rate, 0);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    VethLab.stop(trafgen);
                } catch (InterruptedException ignored) {
                    // exiting anyway
                }
            }));
            long start = System.nanoTime();
            long end = start + (long) (minutes * 60e9);
            List<double[]> rows = new ArrayList<>();
            out.println(" minute    rss MiB  heap-after-GC KiB    fds threads        offered       received   dropped      delivered");
            CaptureStats last = null;
            for (long next = start; ; next += Duration.ofSeconds(interval).toNanos()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                if (!trafgen.isAlive()) {
                    throw new IllegalStateException("trafgen stopped with exit code " + trafgen.exitValue());
                }
                if (group.failure() != null) {
                    throw new IllegalStateException("capture failed", group.failure());
                }
                ProcessSample s = ProcessSample.take();
                CaptureStats c = group.stats();
                last = c;
                double minute = (System.nanoTime() - start) / 60e9;
                rows.add(new double[]{minute, s.residentKiB(), s.heapAfterGcKiB(), s.descriptors(), s.threads()});
                out.printf(Locale.ROOT, "%7.2f %10.1f %18d %6d %7d %,14d %,14d %,9d %,14d%n", minute, s.residentKiB() / 1024.0,
                        s.heapAfterGcKiB(), s.descriptors(), s.threads(), lab.receivedFrames() - offered0,
                        c.received(), c.dropped(), c.delivered());
                if (System.nanoTime() >= end) {
                    break;
                }
            }
            VethLab.stop(trafgen);
            summarize(out, rows, last);
        }
    }

    private static void summarize(PrintStream out, List<double[]> rows, CaptureStats last) {
        List<double[]> steady = rows.size() > 2 ? rows.subList(1, rows.size()) : rows;
        double[] t = steady.stream().mapToDouble(r -> r[0]).toArray();
        double rss = ProcessSample.slope(t, steady.stream().mapToDouble(r -> r[1]).toArray());
        double heap = ProcessSample.slope(t, steady.stream().mapToDouble(r -> r[2]).toArray());
        double fdMin = steady.stream().mapToDouble(r -> r[3]).min().orElse(0);
        double fdMax = steady.stream().mapToDouble(r -> r[3]).max().orElse(0);
        out.printf(Locale.ROOT, "trend after the first sample: rss %+.1f KiB/min, heap after GC %+.1f KiB/min, descriptors %d..%d; "
                        + "%,d delivered, %,d dropped (%.4f%%)%n", rss, heap, (long) fdMin, (long) fdMax, last.delivered(),
                last.dropped(), last.received() == 0 ? 0 : 100.0 * last.dropped() / last.received());
    }
}
