package io.panatap.bench.stream;

import io.panatap.parse.LinkType;
import io.panatap.pcap.PcapStreamServer;
import io.panatap.pcap.PcapWriter;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Feeds the {@link PcapStreamServer} at a fixed packet rate, the way the capture does (a {@link PcapWriter}
 * over {@link PcapStreamServer#producer()}, flushed every batch of 256), with one client on loopback that
 * reads as fast as it can. Reports whether the client lost anything, the rate reached and the producer's
 * CPU per packet (what the capture thread pays for the stream).
 *
 * <pre>java -cp bench/target/benchmarks.jar io.panatap.bench.stream.StreamServerHarness [pps] [seconds] [frame bytes] [client buffer MiB]</pre>
 * Defaults: 300000 packets/s, 10 s, 100-byte frames, the server's default client buffer (16 MiB).
 */
public final class StreamServerHarness {
    private static final int BATCH = 256;

    private StreamServerHarness() {
    }

    public static void main(String[] args) throws Exception {
        long rate = args.length > 0 ? Long.parseLong(args[0]) : 300_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int frameLength = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int clientBuffer = args.length > 3 ? Integer.parseInt(args[3]) << 20 : PcapStreamServer.DEFAULT_CLIENT_BUFFER;
        byte[] frame = new byte[frameLength];
        frame[12] = 0x08; // an IPv4 EtherType; the bytes do not matter to the server
        MemorySegment data = MemorySegment.ofArray(frame);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();

        try (PcapStreamServer server = PcapStreamServer.open(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), clientBuffer)) {
            PcapWriter writer = PcapWriter.create(server.producer(), "bench", LinkType.ETHERNET, 262144,
                    PcapWriter.Precision.MICRO);
            AtomicLong received = new AtomicLong();
            Socket socket = new Socket(server.address().getAddress(), server.address().getPort());
            Thread reader = Thread.ofPlatform().name("reader").start(() -> {
                byte[] b = new byte[1 << 20];
                try (InputStream in = socket.getInputStream()) {
                    int n;
                    while ((n = in.read(b)) > 0) {
                        received.addAndGet(n);
                    }
                } catch (IOException e) {
                    // closed at the end
                }
            });
            while (server.clients().isEmpty()) {
                Thread.sleep(1);
            }
            long total = rate * seconds;
            long startCpu = cpu.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            long written = 0;
            long behind = 0;
            while (written < total) {
                long due = start + written * 1_000_000_000L / rate;
                long now = System.nanoTime();
                if (now < due) {
                    LockSupport.parkNanos(due - now);
                } else if (now - due > 10_000_000L) {
                    behind++; // batches started more than 10 ms late: the producer could not keep the rate
                }
                long ts = System.currentTimeMillis() * 1_000_000L;
                for (int i = 0; i < BATCH && written < total; i++, written++) {
                    writer.write(ts, data, 0, frameLength, frameLength);
                }
                writer.flush();
            }
            long elapsed = System.nanoTime() - start;
            long producerCpu = cpu.getCurrentThreadCpuTime() - startCpu;
            server.close();
            reader.join(10_000);
            socket.close();
            PcapStreamServer.ClientStats c = server.clients().getFirst();
            long expectedBytes = 24 + total * (16 + frameLength);
            System.out.printf("packets offered     %d in %.2f s = %.0f packets/s (target %d; %d batches >10 ms late)%n",
                    total, elapsed / 1e9, total * 1e9 / elapsed, rate, behind);
            System.out.printf("client              sent %d, lost %d; bytes received %d of %d%n",
                    c.sent(), c.lost(), received.get(), expectedBytes);
            System.out.printf("producer CPU        %.0f ns/packet (pcap record + copy into the client buffer)%n",
                    (double) producerCpu / total);
            System.out.println(c.lost() == 0 && received.get() == expectedBytes ? "RESULT nothing lost" : "RESULT LOSS");
        }
    }
}
