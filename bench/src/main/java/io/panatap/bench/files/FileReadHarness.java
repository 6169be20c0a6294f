package io.panatap.bench.files;

import io.panatap.Packet;
import io.panatap.PacketListener;
import io.panatap.PacketSource;
import io.panatap.parse.PacketHeaders;
import io.panatap.pcap.CaptureFileReader;
import io.panatap.pcap.PcapWriter;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Reads a generated capture of realistic TCP traffic with {@link CaptureFileReader}, parsing every record,
 * and compares the wall time with {@code tcpdump -r FILE -w /dev/null} and
 * {@code tshark -r FILE -T fields -e tcp.flags} on the same file (a tool that is not installed is skipped).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.panatap.bench.files.FileReadHarness [DIR] [SIZE_MIB] [--keep]
 * </pre>
 * DIR defaults to the temporary directory, SIZE_MIB to 1024. The file is deleted at the end unless
 * {@code --keep}. The file is read from the page cache (it was just written), so this measures the
 * readers, not the disk. panatap's numbers are in-process (no JVM start-up); the tools' include their
 * process start-up, which is well under a second.
 */
public final class FileReadHarness {
    private static final int PANATAP_RUNS = 3;

    private FileReadHarness() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        long sizeMiB = 1024;
        boolean keep = false;
        List<String> positional = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--keep")) {
                keep = true;
            } else {
                positional.add(a);
            }
        }
        if (!positional.isEmpty()) {
            dir = Path.of(positional.get(0));
        }
        if (positional.size() > 1) {
            sizeMiB = Long.parseLong(positional.get(1));
        }
        Path file = dir.resolve("panatap-bench-" + ProcessHandle.current().pid() + ".pcap");
        try {
            long t0 = System.nanoTime();
            long written = TrafficGenerator.write(file, sizeMiB << 20);
            System.out.printf(Locale.ROOT, "generated %s: %,d records, %,d bytes in %.1f s%n", file, written,
                    Files.size(file), (System.nanoTime() - t0) / 1e9);
            run(file);
        } finally {
            if (!keep) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static void run(Path file) throws Exception {
        long bytes = Files.size(file);
        List<String[]> rows = new ArrayList<>();
        double[] seconds = new double[PANATAP_RUNS];
        Counter counter = null;
        for (int i = 0; i < PANATAP_RUNS; i++) {
            long t = System.nanoTime();
            counter = readWithPanatap(file);
            seconds[i] = (System.nanoTime() - t) / 1e9;
            System.out.printf(Locale.ROOT, "panatap run %d: %.3f s, %,d records, %,d TCP, flag sum %d, payload %,d%n",
                    i + 1, seconds[i], counter.records, counter.tcp, counter.flagSum, counter.payloadBytes);
        }
        long records = counter.records;
        double best = Arrays.stream(seconds).min().orElseThrow();
        double first = seconds[0];
        double readOnly = Double.MAX_VALUE;
        for (int i = 0; i < PANATAP_RUNS; i++) {
            long t = System.nanoTime();
            long sum = readWithoutParsing(file);
            readOnly = Math.min(readOnly, (System.nanoTime() - t) / 1e9);
            if (sum == 42) {
                System.out.println(); // keeps the sum alive
            }
        }
        rows.add(row("panatap (first run, cold JIT)", first, records, bytes, best));
        rows.add(row("panatap (best of " + PANATAP_RUNS + ")", best, records, bytes, best));
        rows.add(row("panatap reader only, no parsing (best)", readOnly, records, bytes, best));

        if (installed("tcpdump")) {
            double s = time(List.of("tcpdump", "-r", file.toString(), "-w", "/dev/null"));
            rows.add(row("tcpdump -r FILE -w /dev/null", s, records, bytes, best));
        } else {
            System.out.println("tcpdump not installed: skipped");
        }
        if (installed("tshark")) {
            double s = time(List.of("tshark", "-r", file.toString(), "-T", "fields", "-e", "tcp.flags"));
            rows.add(row("tshark -r FILE -T fields -e tcp.flags", s, records, bytes, best));
        } else {
            System.out.println("tshark not installed: skipped");
        }

        System.out.printf(Locale.ROOT, "%nfile: %,d bytes, %,d records (%,d TCP), JDK %s, %d CPUs%n", bytes, records,
                counter.tcp, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        String format = "| %-40s | %9s | %13s | %9s | %18s |%n";
        System.out.printf(Locale.ROOT, format, "reader", "wall s", "records/s", "MB/s", "time / panatap best");
        System.out.printf(Locale.ROOT, format, "-".repeat(40), "-".repeat(9), "-".repeat(13), "-".repeat(9),
                "-".repeat(18));
        for (String[] r : rows) {
            System.out.printf(Locale.ROOT, format, (Object[]) r);
        }
    }

    private static String[] row(String name, double seconds, long records, long bytes, double baseline) {
        return new String[] {
                name,
                String.format(Locale.ROOT, "%.3f", seconds),
                String.format(Locale.ROOT, "%,.0f", records / seconds),
                String.format(Locale.ROOT, "%,.0f", bytes / seconds / 1e6),
                String.format(Locale.ROOT, "%.1fx", seconds / baseline)};
    }

    /** Every record is parsed, and its results summed, so the JIT cannot drop the work. */
    static final class Counter implements PacketListener {
        long records;
        long tcp;
        long flagSum;
        long payloadBytes;

        @Override
        public void onPacket(Packet packet) {
            records++;
            PacketHeaders h = packet.headers();
            if (h.isTcp()) {
                tcp++;
                flagSum += h.flags();
                payloadBytes += h.payloadLength();
            }
        }
    }

    static Counter readWithPanatap(Path file) throws IOException {
        Counter counter = new Counter();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            while (reader.poll(counter, 1 << 16) != PacketSource.END) {
                // until the end of the file
            }
        }
        return counter;
    }

    /** Records and their captured lengths only: the cost of the reader without the parser. */
    static long readWithoutParsing(Path file) throws IOException {
        long[] sum = new long[1];
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            PacketListener listener = p -> sum[0] += p.captureLength() + p.timestampNanos();
            while (reader.poll(listener, 1 << 16) != PacketSource.END) {
                // until the end of the file
            }
        }
        return sum[0];
    }

    private static boolean installed(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static double time(List<String> command) throws IOException, InterruptedException {
        long t = System.nanoTime();
        Process p = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int status = p.waitFor();
        double s = (System.nanoTime() - t) / 1e9;
        if (status != 0) {
            System.out.println(String.join(" ", command) + " exited with status " + status);
        }
        return s;
    }

    /**
     * Writes TCP connections one after another (handshake, request, a random number of full-size segments
     * each acknowledged every second one, close by FIN or RST), 25 % over IPv6, 5 % VLAN-tagged, with 3 % UDP
     * (DNS-sized) datagrams in between.
     */
    static final class TrafficGenerator {
        private final byte[] frame = new byte[14 + 4 + 40 + 60 + 1448];
        private final ByteBuffer buf = ByteBuffer.wrap(frame);
        private final MemorySegment segment = MemorySegment.ofArray(frame);
        private final SplittableRandom rnd = new SplittableRandom(42);
        private final PcapWriter writer;
        private long timestamp = 1_700_000_000_000_000_000L;
        private long records;
        private long bytes;

        private TrafficGenerator(PcapWriter writer) {
            this.writer = writer;
        }

        static long write(Path file, long size) throws IOException {
            try (PcapWriter w = PcapWriter.create(file, 1, 262144, PcapWriter.Precision.MICRO)) {
                TrafficGenerator g = new TrafficGenerator(w);
                while (g.bytes < size) {
                    g.connection();
                }
                return g.records;
            }
        }

        private void connection() throws IOException {
            boolean v6 = rnd.nextInt(4) == 0;
            boolean vlan = rnd.nextInt(20) == 0;
            int client = 1024 + rnd.nextInt(60000);
            int server = rnd.nextBoolean() ? 443 : 80;
            int host = rnd.nextInt();
            long cseq = rnd.nextLong(1L << 32);
            long sseq = rnd.nextLong(1L << 32);
            emit(v6, vlan, host, client, server, cseq, 0, 0x002, 20, 0);
            emit(v6, vlan, host, server, client, sseq, cseq + 1, 0x012, 20, 0);
            emit(v6, vlan, host, client, server, cseq + 1, sseq + 1, 0x010, 12, 0);
            int request = 100 + rnd.nextInt(600);
            emit(v6, vlan, host, client, server, cseq + 1, sseq + 1, 0x018, 12, request);
            int segments = 1 + rnd.nextInt(40);
            long s = sseq + 1;
            for (int i = 0; i < segments; i++) {
                int len = i == segments - 1 ? 1 + rnd.nextInt(1448) : 1448 - (v6 ? 20 : 0);
                emit(v6, vlan, host, server, client, s, cseq + 1 + request, i == segments - 1 ? 0x018 : 0x010, 12, len);
                s += len;
                if ((i & 1) == 1 || i == segments - 1) {
                    emit(v6, vlan, host, client, server, cseq + 1 + request, s, 0x010, 12, 0);
                }
                if (rnd.nextInt(33) == 0) {
                    udp(v6, host);
                }
            }
            if (rnd.nextInt(10) == 0) {
                emit(v6, vlan, host, client, server, cseq + 1 + request, s, 0x014, 0, 0);
            } else {
                emit(v6, vlan, host, client, server, cseq + 1 + request, s, 0x011, 12, 0);
                emit(v6, vlan, host, server, client, s, cseq + 2 + request, 0x011, 12, 0);
                emit(v6, vlan, host, client, server, cseq + 2 + request, s + 1, 0x010, 12, 0);
            }
        }

        private void emit(boolean v6, boolean vlan, int host, int sport, int dport, long seq, long ack, int flags,
                          int options, int payload) throws IOException {
            int ipAt = ethernet(vlan, v6 ? 0x86DD : 0x0800);
            int tcpLength = 20 + options;
            int tcpAt = ip(v6, ipAt, host, 6, tcpLength + payload);
            buf.putShort(tcpAt, (short) sport).putShort(tcpAt + 2, (short) dport)
                    .putInt(tcpAt + 4, (int) seq).putInt(tcpAt + 8, (int) ack)
                    .putShort(tcpAt + 12, (short) (((tcpLength / 4) << 12) | flags))
                    .putShort(tcpAt + 14, (short) 64240).putInt(tcpAt + 16, 0);
            Arrays.fill(frame, tcpAt + 20, tcpAt + tcpLength, (byte) 1); // NOP options
            record(tcpAt + tcpLength + payload);
        }

        private void udp(boolean v6, int host) throws IOException {
            int ipAt = ethernet(false, v6 ? 0x86DD : 0x0800);
            int udpAt = ip(v6, ipAt, host, 17, 8 + 40);
            buf.putShort(udpAt, (short) 53).putShort(udpAt + 2, (short) 40000).putShort(udpAt + 4, (short) 48)
                    .putShort(udpAt + 6, (short) 0);
            record(udpAt + 48);
        }

        private int ethernet(boolean vlan, int etherType) {
            buf.putInt(0, 0x02000000).putShort(4, (short) 1).putInt(6, 0x02000000).putShort(10, (short) 2);
            if (vlan) {
                buf.putShort(12, (short) 0x8100).putShort(14, (short) 100).putShort(16, (short) etherType);
                return 18;
            }
            buf.putShort(12, (short) etherType);
            return 14;
        }

        private int ip(boolean v6, int at, int host, int protocol, int payload) {
            if (v6) {
                buf.putInt(at, 0x60000000).putShort(at + 4, (short) payload).put(at + 6, (byte) protocol)
                        .put(at + 7, (byte) 64)
                        .putLong(at + 8, 0xfd00_0000_0000_0001L).putLong(at + 16, host)
                        .putLong(at + 24, 0xfd00_0000_0000_0002L).putLong(at + 32, 1);
                return at + 40;
            }
            buf.put(at, (byte) 0x45).put(at + 1, (byte) 0).putShort(at + 2, (short) (20 + payload))
                    .putInt(at + 4, 0x4000).put(at + 8, (byte) 64).put(at + 9, (byte) protocol)
                    .putShort(at + 10, (short) 0).putInt(at + 12, 0x0A000000 | (host & 0xFFFF))
                    .putInt(at + 16, 0x0A010001);
            return at + 20;
        }

        private void record(int length) throws IOException {
            timestamp += 1_000 + rnd.nextInt(20_000);
            writer.write(timestamp, segment, 0, length, length);
            records++;
            bytes += 16 + length;
        }
    }
}
