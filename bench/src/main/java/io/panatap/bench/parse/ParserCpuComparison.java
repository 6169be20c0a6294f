package io.panatap.bench.parse;

import io.panatap.parse.PacketHeaders;
import io.panatap.parse.ParseStatus;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * A companion to {@link ParserBenchmark} for shared, noisy machines: runs {@link PacketHeaders} (native
 * segment) and the {@link ByteBufferParser} baseline in alternating rounds over the same frames, timing
 * each round with the thread's CPU time (so time spent descheduled does not count), and prints the
 * best ns/packet of each and the median per-round ratio.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.panatap.bench.parse.ParserCpuComparison [mixed|ipv4] [rounds]</pre>
 */
public final class ParserCpuComparison {
    private static final int PACKETS = ParserBenchmark.PACKETS;
    private static final int REPEATS = 50;

    private ParserCpuComparison() {
    }

    public static void main(String[] args) {
        boolean ipv4Only = args.length > 0 && args[0].equals("ipv4");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        byte[][] frames = PacketMix.generate(PACKETS, 42, ipv4Only);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            long total = Arrays.stream(frames).mapToLong(f -> f.length).sum();
            MemorySegment ring = arena.allocate(total, 16);
            long[] offsets = new long[PACKETS];
            int[] lengths = new int[PACKETS];
            long position = 0;
            for (int i = 0; i < PACKETS; i++) {
                offsets[i] = position;
                lengths[i] = frames[i].length;
                MemorySegment.copy(frames[i], 0, ring, ValueLayout.JAVA_BYTE, position, lengths[i]);
                position += lengths[i];
            }
            PacketHeaders headers = new PacketHeaders();
            ByteBufferParser baseline = new ByteBufferParser();
            double[] ratios = new double[rounds];
            double bestPanatap = Double.MAX_VALUE;
            double bestBaseline = Double.MAX_VALUE;
            long sink = 0;
            for (int round = 0; round < rounds; round++) {
                long t0 = threads.getCurrentThreadCpuTime();
                for (int r = 0; r < REPEATS; r++) {
                    for (int i = 0; i < PACKETS; i++) {
                        if (headers.wrap(ring, offsets[i], lengths[i], PacketMix.ETHERNET) == ParseStatus.OK) {
                            sink += fields(headers);
                        }
                    }
                }
                long t1 = threads.getCurrentThreadCpuTime();
                for (int r = 0; r < REPEATS; r++) {
                    for (int i = 0; i < PACKETS; i++) {
                        if (baseline.parse(frames[i])) {
                            sink += fields(baseline);
                        }
                    }
                }
                long t2 = threads.getCurrentThreadCpuTime();
                double packets = (double) REPEATS * PACKETS;
                bestPanatap = Math.min(bestPanatap, (t1 - t0) / packets);
                bestBaseline = Math.min(bestBaseline, (t2 - t1) / packets);
                ratios[round] = (double) (t1 - t0) / Math.max(1, t2 - t1);
            }
            // The first quarter of the rounds is warm-up (interpreter, C1, C2).
            double[] measured = Arrays.copyOfRange(ratios, rounds / 4, rounds);
            Arrays.sort(measured);
            System.out.printf("traffic=%s: PacketHeaders %.1f ns/packet, ByteBuffer baseline %.1f ns/packet"
                            + " (best round, thread CPU time); median ratio PacketHeaders/baseline %.2f (%d)%n",
                    ipv4Only ? "ipv4" : "mixed", bestPanatap, bestBaseline, measured[measured.length / 2],
                    sink & 1);
        }
    }

    private static long fields(PacketHeaders h) {
        long addresses = h.ipVersion() == 4
                ? (long) h.ipv4Source() * 31 + h.ipv4Destination()
                : h.ipv6SourceHigh() ^ h.ipv6SourceLow() ^ h.ipv6DestinationHigh() * 31 ^ h.ipv6DestinationLow();
        return addresses + h.sourcePort() * 65537L + h.destinationPort() + h.sequenceNumber() * 7
                + h.acknowledgementNumber() * 11 + h.flags() * 13L + h.window() + h.payloadOffset() * 17L
                + h.vlanCount();
    }

    private static long fields(ByteBufferParser b) {
        long addresses = b.ipVersion == 4
                ? (long) b.ipv4Source * 31 + b.ipv4Destination
                : b.ipv6SourceHigh ^ b.ipv6SourceLow ^ b.ipv6DestinationHigh * 31 ^ b.ipv6DestinationLow;
        return addresses + b.sourcePort * 65537L + b.destinationPort + b.sequence * 7
                + b.acknowledgement * 11 + b.flags * 13L + b.window + b.payloadOffset * 17L + b.vlanCount;
    }
}
