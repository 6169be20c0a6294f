package io.panatap.bench.flow;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link FlowTrackingBenchmark}'s workloads timed by thread CPU time instead of wall time, for a machine shared
 * with other work (time the thread spends preempted is not counted; the cache it shares still is). Alternates
 * rounds of {@code parseOnly}, {@code trackFlows} and {@code trackFlowsInBatches} (the order rotated each round,
 * all on one table) and prints, per table size, the median ns/packet of each and the medians of the per-round
 * differences to {@code parseOnly}: the table's cost, packet by packet and in batches.
 *
 * <p>Arguments: {@code order} ({@code shuffled}, {@code random} or {@code bursts}), then table sizes (default
 * shuffled 1000 10000 100000). Run two builds alternately in one script to compare them.
 */
public final class FlowCpuTiming {
    private static final int ROUNDS = 41;
    private static final int CALLS = 100; // of BATCH packets each, per round and workload
    private static final int WARMUP_ROUNDS = 20;
    private static final String[] NAMES = {"parseOnly", "trackFlows", "trackFlowsInBatches"};

    private FlowCpuTiming() {
    }

    public static void main(String[] args) {
        String order = args.length > 0 ? args[0] : "shuffled";
        String[] sizes = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length)
                : new String[] {"1000", "10000", "100000"};
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int workloads = NAMES.length;
        for (String size : sizes) {
            FlowTrackingBenchmark b = new FlowTrackingBenchmark();
            b.flows = Integer.parseInt(size);
            b.order = order;
            b.setUp();
            double[][] perPacket = new double[workloads][ROUNDS];
            double[][] table = new double[workloads][ROUNDS];
            long sink = 0;
            for (int round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
                long[] elapsed = new long[workloads];
                for (int k = 0; k < workloads; k++) {
                    int w = Math.floorMod(round + k, workloads);
                    long t0 = threads.getCurrentThreadCpuTime();
                    for (int c = 0; c < CALLS; c++) {
                        sink += switch (w) {
                            case 0 -> b.parseOnly();
                            case 1 -> b.trackFlows();
                            default -> b.trackFlowsInBatches();
                        };
                    }
                    elapsed[w] = threads.getCurrentThreadCpuTime() - t0;
                }
                if (round >= 0) {
                    double packets = (double) CALLS * FlowTrackingBenchmark.BATCH;
                    for (int w = 0; w < workloads; w++) {
                        perPacket[w][round] = elapsed[w] / packets;
                        table[w][round] = (elapsed[w] - elapsed[0]) / packets;
                    }
                }
            }
            b.tearDown();
            System.out.printf("%s flows=%s: %s %.1f, %s %.1f, %s %.1f ns/packet; table %.1f packet by packet, %.1f in"
                    + " batches (medians of %d rounds, thread CPU time; %d)%n", order, size,
                    NAMES[0], median(perPacket[0]), NAMES[1], median(perPacket[1]), NAMES[2], median(perPacket[2]),
                    median(table[1]), median(table[2]), ROUNDS, sink & 1);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
