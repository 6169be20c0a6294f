package io.panatap.bench.flow;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * The machine's memory latency as the flow table meets it: a pointer chase through one cache line per element
 * of a heap array in a random cyclic order, so that every load waits for the one before, for working sets
 * from 32 KiB to 256 MiB. Prints ns per dependent load (thread CPU time). A flow table lookup of a flow that is
 * not in the cache costs at least one such load over the table's size; the difference between these figures
 * and {@link FlowTrackingBenchmark}'s is the work that is not waiting for memory.
 *
 * <p>Arguments: working-set sizes in KiB (default 32 256 1024 4096 8192 16384 65536 262144).
 */
public final class MemoryLatency {
    private static final int LINE_INTS = 16;

    private MemoryLatency() {
    }

    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {32, 256, 1024, 4096, 8192, 16384, 65536, 262144}
                : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int kib : sizes) {
            int lines = kib * 1024 / 64;
            int[] next = new int[lines * LINE_INTS];
            int[] order = new int[lines];
            for (int i = 0; i < lines; i++) {
                order[i] = i;
            }
            Random random = new Random(15);
            for (int i = lines - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int i = 0; i < lines; i++) {
                next[order[i] * LINE_INTS] = order[(i + 1) % lines] * LINE_INTS;
            }
            int p = 0;
            for (int i = 0; i < 2_000_000; i++) {
                p = next[p];
            }
            long steps = 20_000_000;
            long t0 = threads.getCurrentThreadCpuTime();
            for (long i = 0; i < steps; i++) {
                p = next[p];
            }
            long t1 = threads.getCurrentThreadCpuTime();
            System.out.printf("%,d KiB: %.1f ns per dependent load (%d)%n", kib, (t1 - t0) / (double) steps, p & 1);
        }
    }
}
