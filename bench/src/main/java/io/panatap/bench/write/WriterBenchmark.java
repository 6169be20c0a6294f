package io.panatap.bench.write;

import io.panatap.Packet;
import io.panatap.PacketType;
import io.panatap.parse.LinkType;
import io.panatap.parse.PacketHeaders;
import io.panatap.pcap.CaptureFileWriter;
import io.panatap.pcap.PcapWriter;
import io.panatap.pcap.PcapngWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CPU per packet of the {@code -w} writers, pcap against pcapng in the same run: each operation writes one
 * packet (from off-heap memory, like a ring frame) into the writer's buffer, and every 256th flushes the
 * batch to a stream that discards it, as the command flushes per batch; disk time is left out on purpose.
 * {@code pcap} and {@code pcapng} write an Ethernet frame of one interface; {@code pcap-sll2} and
 * {@code pcapng-any} a frame of a capture on all interfaces, behind a cooked v2 header.
 *
 * <pre>java -jar bench/target/benchmarks.jar WriterBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WriterBenchmark {
    private static final int BATCH = 256;

    @Param({"pcap", "pcapng", "pcap-sll2", "pcapng-any"})
    public String format;

    @Param({"66", "1514"})
    public int frameLength;

    private Arena arena;
    private CaptureFileWriter writer;
    private BenchPacket packet;
    private int inBatch;

    @Setup
    public void setUp() throws IOException {
        arena = Arena.ofConfined();
        boolean any = format.endsWith("sll2") || format.endsWith("any");
        int length = any ? frameLength - 14 : frameLength;
        MemorySegment frame = arena.allocate(length);
        for (int i = 0; i < length; i++) {
            frame.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
        }
        packet = new BenchPacket(frame, length, any ? LinkType.RAW : LinkType.ETHERNET, any ? 1 : -1);
        OutputStream sink = OutputStream.nullOutputStream();
        writer = switch (format) {
            case "pcap" -> PcapWriter.create(sink, "bench", LinkType.ETHERNET, 262144, PcapWriter.Precision.MICRO);
            case "pcap-sll2" -> PcapWriter.create(sink, "bench", LinkType.LINUX_SLL2, 262144,
                    PcapWriter.Precision.MICRO);
            case "pcapng" -> PcapngWriter.create(sink, "bench", 262144, false, "bench");
            case "pcapng-any" -> PcapngWriter.create(sink, "bench", 262144, true, "bench");
            default -> throw new IllegalArgumentException(format);
        };
    }

    @TearDown
    public void tearDown() throws IOException {
        writer.close();
        arena.close();
    }

    @Benchmark
    public void writePacket() throws IOException {
        packet.next();
        writer.write(packet);
        if (++inBatch == BATCH) {
            inBatch = 0;
            writer.flush();
        }
    }

    /** A live packet's metadata over one frame, its timestamp advancing per packet; half in, half out. */
    static final class BenchPacket implements Packet {
        private final MemorySegment frame;
        private final int length;
        private final int linkType;
        private final int hardwareType;
        private final PacketHeaders headers = new PacketHeaders();
        private long number;

        BenchPacket(MemorySegment frame, int length, int linkType, int hardwareType) {
            this.frame = frame;
            this.length = length;
            this.linkType = linkType;
            this.hardwareType = hardwareType;
        }

        void next() {
            number++;
        }

        @Override public long frameNumber() { return number; }
        @Override public long timestampNanos() { return 1_700_000_000_000_000_000L + number * 1_337; }
        @Override public int captureLength() { return length; }
        @Override public int originalLength() { return length; }
        @Override public int linkType() { return linkType; }
        @Override public MemorySegment segment() { return frame; }
        @Override public long frameOffset() { return 0; }
        @Override public int interfaceIndex() { return 2; }
        @Override public String interfaceName() { return "eth0"; }
        @Override public PacketType packetType() { return (number & 1) == 0 ? PacketType.HOST : PacketType.OUTGOING; }
        @Override public int hardwareType() { return hardwareType; }
        @Override public int protocol() { return 0x0800; }
        @Override public long linkAddress() { return 0x02005e102030L << 16; }
        @Override public int linkAddressLength() { return 6; }
        @Override public PacketHeaders headers() { return headers; }
        @Override public Packet copy() { throw new UnsupportedOperationException(); }
    }
}
