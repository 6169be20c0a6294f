package io.panatap.bench.flow;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link FlowTrackingBenchmark}'s two workloads timed by thread CPU time instead of wall time, for a machine
 * shared with other work (time the thread spends preempted is not counted; the cache it shares still is).
 * Alternates rounds of {@code parseOnly} and {@code trackFlows} (order swapped each round) and prints, per
 * table size, the median ns/packet of each and the median per-round difference, the table's cost.
 *
 * <p>Arguments: {@code order} ({@code shuffled}, {@code random} or {@code bursts}), then table sizes (default
 * shuffled 1000 10000 100000). Run two builds alternately in one script to compare them.
 */
public final class FlowCpuTiming {
    private static final int ROUNDS = 41;
    private static final int CALLS = 100; // of BATCH packets each, per round and workload
    private static final int WARMUP_ROUNDS = 20;

    private FlowCpuTiming() {
    }

    public static void main(String[] args) {
        String order = args.length > 0 ? args[0] : "shuffled";
        String[] sizes = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length)
                : new String[] {"1000", "10000", "100000"};
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (String size : sizes) {
            FlowTrackingBenchmark b = new FlowTrackingBenchmark();
            b.flows = Integer.parseInt(size);
            b.order = order;
            b.setUp();
            double[] parse = new double[ROUNDS];
            double[] track = new double[ROUNDS];
            double[] diff = new double[ROUNDS];
            long sink = 0;
            for (int round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
                long p = 0;
                long t = 0;
                for (int k = 0; k < 2; k++) {
                    boolean parseFirst = (round & 1) == 0;
                    long t0 = threads.getCurrentThreadCpuTime();
                    for (int c = 0; c < CALLS; c++) {
                        sink += k == 0 == parseFirst ? b.parseOnly() : b.trackFlows();
                    }
                    long elapsed = threads.getCurrentThreadCpuTime() - t0;
                    if (k == 0 == parseFirst) {
                        p = elapsed;
                    } else {
                        t = elapsed;
                    }
                }
                if (round >= 0) {
                    double packets = (double) CALLS * FlowTrackingBenchmark.BATCH;
                    parse[round] = p / packets;
                    track[round] = t / packets;
                    diff[round] = (t - p) / packets;
                }
            }
            b.tearDown();
            System.out.printf("%s flows=%s: parseOnly %.1f ns/packet, trackFlows %.1f ns/packet, table %.1f ns/packet"
                    + " (medians of %d rounds, thread CPU time; %d)%n", order, size, median(parse), median(track),
                    median(diff), ROUNDS, sink & 1);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
