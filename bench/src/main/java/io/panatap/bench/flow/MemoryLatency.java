package io.panatap.bench.flow;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * The machine's memory latency as the flow table meets it: a pointer chase through one cache line per element
 * of a heap array in a random cyclic order, so that every load waits for the one before, for working sets
 * from 32 KiB to 256 MiB. Prints ns per dependent load (thread CPU time). A flow table lookup of a flow that is
 * not in the cache costs at least one such load over the table's size; the difference between these figures
 * and {@link FlowTrackingBenchmark}'s is the work that is not waiting for memory. The second figure runs eight
 * such chases at once, so that their misses can overlap: the best a lookup that handles several packets
 * together could do per miss.
 *
 * <p>Arguments: working-set sizes in KiB (default 32 256 1024 4096 8192 16384 65536 262144).
 */
public final class MemoryLatency {
    private static final int LINE_INTS = 16;
    private static final int CHAINS = 8;

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
            // Eight chases at once, spread over the cycle: each load still waits for the one before in its
            // chain, but the eight chains' misses can overlap, as a batched lookup's would.
            int[] q = new int[CHAINS];
            for (int c = 0; c < CHAINS; c++) {
                q[c] = order[(int) ((long) lines * c / CHAINS)] * LINE_INTS;
            }
            int q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3], q4 = q[4], q5 = q[5], q6 = q[6], q7 = q[7];
            long rounds = steps / CHAINS;
            long t2 = threads.getCurrentThreadCpuTime();
            for (long i = 0; i < rounds; i++) {
                q0 = next[q0];
                q1 = next[q1];
                q2 = next[q2];
                q3 = next[q3];
                q4 = next[q4];
                q5 = next[q5];
                q6 = next[q6];
                q7 = next[q7];
            }
            long t3 = threads.getCurrentThreadCpuTime();
            System.out.printf("%,d KiB: %.1f ns per dependent load, %.1f ns per load with %d chains at once (%d)%n",
                    kib, (t1 - t0) / (double) steps, (t3 - t2) / (double) (rounds * CHAINS), CHAINS,
                    (p ^ q0 ^ q1 ^ q2 ^ q3 ^ q4 ^ q5 ^ q6 ^ q7) & 1);
        }
    }
}
