package io.panatap.bench.filter;

import io.panatap.filter.BpfInterpreter;
import io.panatap.filter.BpfProgram;
import io.panatap.filter.FilterCompiler;
import io.panatap.filter.FilterException;
import io.panatap.parse.LinkType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
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
 * Interpreter cost per packet: a selective filter over a mix of eight frames (IPv4/IPv6 TCP and UDP, ARP)
 * held off-heap like ring frames. {@code acceptAll} (a one-instruction program) is the baseline.
 *
 * <pre>java -jar bench/target/benchmarks.jar FilterBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FilterBenchmark {
    private static final int FRAMES = 8;
    private static final int SLOT = 128;

    @Param({"tcp dst port 80 and tcp[tcpflags] & tcp-syn != 0", "host 10.0.0.9 or net fd00::/16"})
    public String expression;

    private Arena arena;
    private MemorySegment frames;
    private final int[] lengths = new int[FRAMES];
    private BpfProgram program;
    private BpfProgram acceptAll;
    private int next;

    @Setup
    public void setUp() throws FilterException {
        program = FilterCompiler.compile(expression, LinkType.ETHERNET, 262144);
        acceptAll = FilterCompiler.compile("", LinkType.ETHERNET, 262144);
        arena = Arena.ofConfined();
        frames = arena.allocate((long) FRAMES * SLOT);
        for (int i = 0; i < FRAMES; i++) {
            byte[] f = frame(i);
            lengths[i] = f.length;
            MemorySegment.copy(MemorySegment.ofArray(f), 0, frames, (long) i * SLOT, f.length);
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public int selectiveFilter() {
        int i = next++ & (FRAMES - 1);
        return BpfInterpreter.run(program, frames, (long) i * SLOT, lengths[i], lengths[i]);
    }

    @Benchmark
    public int acceptAll() {
        int i = next++ & (FRAMES - 1);
        return BpfInterpreter.run(acceptAll, frames, (long) i * SLOT, lengths[i], lengths[i]);
    }

    private static byte[] frame(int i) {
        ByteBuffer b = ByteBuffer.allocate(SLOT);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        switch (i % 4) {
            case 0, 1 -> { // IPv4 TCP, SYN to port 80 or an ACK to 443
                b.putShort((short) 0x0800).put((byte) 0x45).put((byte) 0).putShort((short) 40).putInt(0)
                        .put((byte) 64).put((byte) 6).putShort((short) 0).putInt(0x0a000001).putInt(0x0a000009);
                b.putShort((short) 40000).putShort((short) (i % 4 == 0 ? 80 : 443)).putInt(1).putInt(0)
                        .put((byte) 0x50).put((byte) (i % 4 == 0 ? 0x02 : 0x10)).putShort((short) 65535).putInt(0);
            }
            case 2 -> { // IPv6 UDP
                b.putShort((short) 0x86dd).putInt(0x60000000).putShort((short) 8).put((byte) 17).put((byte) 64);
                b.putLong(0xfd00_0000_0000_0000L).putLong(1).putLong(0xfe80_0000_0000_0000L).putLong(2);
                b.putShort((short) 53).putShort((short) 53).putShort((short) 8).putShort((short) 0);
            }
            default -> { // ARP
                b.putShort((short) 0x0806).putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4)
                        .putShort((short) 1).put(new byte[6]).putInt(0x0a000002).put(new byte[6]).putInt(0x0a000003);
            }
        }
        byte[] out = new byte[Math.max(b.position(), 60)];
        System.arraycopy(b.array(), 0, out, 0, b.position());
        return out;
    }
}
