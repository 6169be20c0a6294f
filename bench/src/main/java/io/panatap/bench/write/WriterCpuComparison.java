package io.panatap.bench.write;

import io.panatap.parse.LinkType;
import io.panatap.pcap.CaptureFileWriter;
import io.panatap.pcap.PcapWriter;
import io.panatap.pcap.PcapngWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;

/**
 * pcap against pcapng writing, interleaved in one process: rounds of one million packets per writer, the
 * writers taking turns, each round timed in this thread's CPU time (so other processes on a loaded machine
 * count less than in wall time); prints the median and quartiles of ns per packet per writer and the
 * pcapng/pcap ratio of the medians. The writers and packets are {@link WriterBenchmark}'s; output is
 * discarded, flushed every 256 packets.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.panatap.bench.write.WriterCpuComparison [frameLength] [rounds]</pre>
 */
public final class WriterCpuComparison {
    private static final int PACKETS_PER_ROUND = 1_000_000;

    private WriterCpuComparison() {
    }

    public static void main(String[] args) throws IOException {
        int frameLength = args.length > 0 ? Integer.parseInt(args[0]) : 66;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        List<String> formats = List.of("pcap", "pcapng", "pcap-sll2", "pcapng-any");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            CaptureFileWriter[] writers = new CaptureFileWriter[formats.size()];
            WriterBenchmark.BenchPacket[] packets = new WriterBenchmark.BenchPacket[formats.size()];
            for (int f = 0; f < formats.size(); f++) {
                String format = formats.get(f);
                boolean any = format.endsWith("sll2") || format.endsWith("any");
                int length = any ? frameLength - 14 : frameLength;
                MemorySegment frame = arena.allocate(length);
                for (int i = 0; i < length; i++) {
                    frame.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
                }
                packets[f] = new WriterBenchmark.BenchPacket(frame, length, any ? LinkType.RAW : LinkType.ETHERNET,
                        any ? 1 : -1);
                OutputStream sink = OutputStream.nullOutputStream();
                writers[f] = switch (format) {
                    case "pcap" -> PcapWriter.create(sink, "bench", LinkType.ETHERNET, 262144, PcapWriter.Precision.MICRO);
                    case "pcap-sll2" -> PcapWriter.create(sink, "bench", LinkType.LINUX_SLL2, 262144,
                            PcapWriter.Precision.MICRO);
                    case "pcapng" -> PcapngWriter.create(sink, "bench", 262144, false, "bench");
                    default -> PcapngWriter.create(sink, "bench", 262144, true, "bench");
                };
            }
            for (int warm = 0; warm < 5; warm++) {
                for (int f = 0; f < formats.size(); f++) {
                    round(writers[f], packets[f]);
                }
            }
            double[][] nsPerPacket = new double[formats.size()][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int f = 0; f < formats.size(); f++) {
                    long start = mx.getCurrentThreadCpuTime();
                    round(writers[f], packets[f]);
                    nsPerPacket[f][r] = (mx.getCurrentThreadCpuTime() - start) / (double) PACKETS_PER_ROUND;
                }
            }
            System.out.printf("frame length %d, %d rounds of %d packets, thread CPU ns/packet%n", frameLength,
                    rounds, PACKETS_PER_ROUND);
            double[] medians = new double[formats.size()];
            for (int f = 0; f < formats.size(); f++) {
                double[] s = nsPerPacket[f].clone();
                Arrays.sort(s);
                medians[f] = s[rounds / 2];
                System.out.printf("%-11s median %6.1f  (q1 %6.1f, q3 %6.1f)%n", formats.get(f), medians[f],
                        s[rounds / 4], s[rounds * 3 / 4]);
            }
            System.out.printf("pcapng/pcap %.3f, pcapng-any/pcap-sll2 %.3f%n", medians[1] / medians[0],
                    medians[3] / medians[2]);
            for (CaptureFileWriter w : writers) {
                w.close();
            }
        }
    }

    private static void round(CaptureFileWriter writer, WriterBenchmark.BenchPacket packet) throws IOException {
        for (int i = 0; i < PACKETS_PER_ROUND; i++) {
            packet.next();
            writer.write(packet);
            if ((i & 255) == 255) {
                writer.flush();
            }
        }
    }
}
