package io.panatap.bench.soak;

import io.panatap.capture.CaptureGroup;
import io.panatap.capture.CaptureStats;
import io.panatap.capture.PacketCapture;

import java.util.Arrays;
import java.util.Locale;

/**
 * Offered rate against workers: for each rate, trafgen sends {@code rate * seconds} frames while a
 * {@link CaptureGroup} of 1, then 2, ... workers captures them in hash fanout; a step is lossless when the
 * kernel dropped nothing and every frame that reached the interface was delivered. All steps run in the
 * same process, one after the other, on the same veth pair. Needs root and trafgen (Debian netsniff-ng).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.panatap.bench.soak.WorkersHarness \
 *     [--rates 100000,200000,400000,0] [--seconds 10] [--workers 1,2] [--ring-mib 32] [--senders 1]
 * </pre>
 * Rate 0 lets trafgen send as fast as it can; {@code --senders} is its number of sending processes.
 */
public final class WorkersHarness {
    private WorkersHarness() {
    }

    public static void main(String[] args) throws Exception {
        long[] rates = {100_000, 200_000, 400_000, 0};
        int seconds = 10;
        int[] workerCounts = {1, 2};
        long ringMiB = 32;
        int senders = 1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rates" -> rates = Arrays.stream(args[i + 1].split(",")).mapToLong(Long::parseLong).toArray();
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--workers" -> workerCounts = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--ring-mib" -> ringMiB = Long.parseLong(args[i + 1]);
                case "--senders" -> senders = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "118-byte TCP frames from trafgen (%d sender) over veth, %d s per step, ring %d MiB per worker, %d CPUs, %s%n",
                senders, seconds, ringMiB, Runtime.getRuntime().availableProcessors(), Runtime.version());
        System.out.println("asked pps  workers      offered  achieved pps    delivered    dropped  lossless");
        try (VethLab lab = VethLab.create()) {
            // Warm-up, not reported: the first seconds of a JVM include compiling the packet path.
            step(lab, 50_000, 3, 1, ringMiB, 1, false);
            for (long rate : rates) {
                for (int workers : workerCounts) {
                    step(lab, rate, seconds, workers, ringMiB, senders, true);
                }
            }
        }
    }

    private static void step(VethLab lab, long rate, int seconds, int workers, long ringMiB, int senders, boolean report) throws Exception {
        long count = rate > 0 ? rate * seconds : 0;
        try (CaptureGroup group = CaptureGroup.builder(PacketCapture.builder().interfaceName(lab.captureInterface())
                .ringSize(ringMiB << 20)).workers(workers).open()) {
            group.start(i -> new Workload());
            Thread.sleep(200);
            long before = lab.receivedFrames();
            long t0 = System.nanoTime();
            Process trafgen = lab.offer(rate, count, senders);
            try {
                if (count == 0) {
                    Thread.sleep(seconds * 1000L);
                    VethLab.stop(trafgen);
                } else if (!trafgen.waitFor(seconds * 3L + 10, java.util.concurrent.TimeUnit.SECONDS)) {
                    VethLab.stop(trafgen);
                }
            } finally {
                VethLab.stop(trafgen);
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long offered = lab.receivedFrames() - before;
            Thread.sleep(500); // blocks time out after 10 ms; let the workers drain them
            CaptureStats s = group.stats();
            group.close();
            group.await();
            // Lossless: the kernel dropped nothing and every frame that passed the TCP-only filter was delivered.
            boolean lossless = s.dropped() == 0 && s.delivered() == s.received() && s.received() >= count;
            if (report) {
                System.out.printf(Locale.ROOT, "%9s %8d %,12d %,13.0f %,12d %,10d  %s%n",
                        rate == 0 ? "max" : String.format(Locale.ROOT, "%,d", rate),
                        workers, offered, offered / elapsed, s.delivered(), s.dropped(), lossless ? "yes" : "no");
            }
        }
    }
}
