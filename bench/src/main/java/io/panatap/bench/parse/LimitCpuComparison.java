package io.panatap.bench.parse;

import io.panatap.parse.PacketHeaders;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link LimitBenchmark} for a shared, noisy machine: {@link PacketHeaders} and the hand-written
 * {@link SegmentParser} over the same off-heap frames in alternating rounds (the order swapped every round),
 * each round timed with the thread's CPU time, so time spent descheduled does not count. Prints the best
 * round of each in ns/packet and the median per-round ratio PacketHeaders/hand-written.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.panatap.bench.parse.LimitCpuComparison [syn54|mix] [rounds]</pre>
 *
 * <p>{@code -Dpackets=N} uses N frames instead of 1024 (the number of packets parsed per round stays
 * about the same); {@code -Donly=headers} or {@code -Donly=hand} runs one parser alone.
 */
public final class LimitCpuComparison {
    private static final int PACKETS = Integer.getInteger("packets", LimitBenchmark.PACKETS);
    private static final int REPEATS = Math.max(1, 50 * 1024 / PACKETS);
    private static final String ONLY = System.getProperty("only", "");

    private LimitCpuComparison() {
    }

    public static void main(String[] args) {
        String set = args.length > 0 ? args[0] : "syn54";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            long[] offsets = new long[PACKETS];
            int[] lengths = new int[PACKETS];
            MemorySegment ring = LimitBenchmark.load(arena, LimitFrames.generate(set, PACKETS, 42), offsets, lengths);
            PacketHeaders headers = new PacketHeaders();
            SegmentParser handWritten = new SegmentParser();
            double[] ratios = new double[rounds];
            double bestHeaders = Double.MAX_VALUE;
            double bestHand = Double.MAX_VALUE;
            long sink = 0;
            double packets = (double) REPEATS * PACKETS;
            for (int round = 0; round < rounds; round++) {
                long headersTime;
                long handTime;
                if ((round & 1) == 0) {
                    long t0 = threads.getCurrentThreadCpuTime();
                    sink += runHeaders(headers, ring, offsets, lengths);
                    long t1 = threads.getCurrentThreadCpuTime();
                    sink += runHand(handWritten, ring, offsets, lengths);
                    long t2 = threads.getCurrentThreadCpuTime();
                    headersTime = t1 - t0;
                    handTime = t2 - t1;
                } else {
                    long t0 = threads.getCurrentThreadCpuTime();
                    sink += runHand(handWritten, ring, offsets, lengths);
                    long t1 = threads.getCurrentThreadCpuTime();
                    sink += runHeaders(headers, ring, offsets, lengths);
                    long t2 = threads.getCurrentThreadCpuTime();
                    handTime = t1 - t0;
                    headersTime = t2 - t1;
                }
                bestHeaders = Math.min(bestHeaders, headersTime / packets);
                bestHand = Math.min(bestHand, handTime / packets);
                ratios[round] = (double) headersTime / Math.max(1, handTime);
            }
            // The first quarter of the rounds is warm-up (interpreter, C1, C2).
            double[] measured = Arrays.copyOfRange(ratios, rounds / 4, rounds);
            Arrays.sort(measured);
            System.out.printf("frames=%s: PacketHeaders %.1f ns/packet, hand-written %.1f ns/packet (best round,"
                            + " thread CPU time); median ratio %.2f, quartiles %.2f-%.2f (%d)%n",
                    set, bestHeaders, bestHand, measured[measured.length / 2], measured[measured.length / 4],
                    measured[3 * measured.length / 4], sink & 1);
        }
    }

    private static long runHeaders(PacketHeaders h, MemorySegment ring, long[] offsets, int[] lengths) {
        long sum = 0;
        if (ONLY.equals("hand")) {
            return 0;
        }
        for (int r = 0; r < REPEATS; r++) {
            for (int i = 0; i < PACKETS; i++) {
                sum += LimitBenchmark.packetHeaders(h, ring, offsets[i], lengths[i]);
            }
        }
        return sum;
    }

    private static long runHand(SegmentParser p, MemorySegment ring, long[] offsets, int[] lengths) {
        long sum = 0;
        if (ONLY.equals("headers")) {
            return 0;
        }
        for (int r = 0; r < REPEATS; r++) {
            for (int i = 0; i < PACKETS; i++) {
                sum += LimitBenchmark.handWritten(p, ring, offsets[i], lengths[i]);
            }
        }
        return sum;
    }
}
