package io.panatap.parse;

import io.panatap.testing.Frames;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-packet path allocates nothing: wrapping frames and formatting their addresses into a reused
 * builder is measured with the JVM's per-thread allocation counter (bytes, not time).
 */
class AllocationTest {

    /** The counter, through reflection: the test sources are compiled inside the JDK-only core module. */
    static final class AllocationCounter {
        private final Object bean;
        private final Method currentThreadAllocatedBytes;

        AllocationCounter() throws ReflectiveOperationException {
            bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            currentThreadAllocatedBytes = Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getCurrentThreadAllocatedBytes");
        }

        long bytes() throws ReflectiveOperationException {
            return (Long) currentThreadAllocatedBytes.invoke(bean);
        }
    }

    @Test
    void wrappingAndFormattingAllocateNothingPerPacket() throws Exception {
        AllocationCounter threads;
        try {
            threads = new AllocationCounter();
        } catch (ReflectiveOperationException e) {
            Assumptions.abort("no per-thread allocation counter in this JVM");
            return;
        }
        Assumptions.assumeTrue(threads.bytes() > 0, "per-thread allocation counting is disabled");

        byte[][] frames = {
                Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1, 2, TcpFlags.SYN, 10),
                Frames.vlan(Frames.ethernetIpv6Tcp(Frames.SRC6, "::ffff:192.0.2.1", 3, 4, TcpFlags.ACK, 100), 5),
                Frames.sll(Frames.ethernetIpv6Tcp("fe80::a00:27ff:fe5e:d19e", Frames.DST6, 3, 4, TcpFlags.ACK, 0)),
        };
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] segments = new MemorySegment[frames.length];
            int[] linkTypes = {LinkType.ETHERNET, LinkType.ETHERNET, LinkType.LINUX_SLL};
            for (int i = 0; i < frames.length; i++) {
                segments[i] = Frames.nativeCopy(arena, frames[i]);
            }
            PacketHeaders headers = new PacketHeaders();
            StringBuilder out = new StringBuilder(256);
            long checksum = 0;
            int packets = 200_000;
            for (int round = 0; round < 2; round++) { // round 0 warms up (class loading, linkage, JIT)
                long before = threads.bytes();
                for (int n = 0; n < packets; n++) {
                    int i = n % frames.length;
                    headers.wrap(segments[i], 0, segments[i].byteSize(), linkTypes[i]);
                    out.setLength(0);
                    headers.appendSource(out).append(' ');
                    headers.appendDestination(out);
                    TcpFlags.appendTcpdumpLetters(out, headers.flags());
                    checksum += headers.sourcePort() + headers.flags() + out.length();
                }
                long allocated = threads.bytes() - before;
                if (round == 1) {
                    // Far below one object (16 bytes) per packet; a little slack for the counter itself.
                    assertThat(allocated).as("bytes allocated for %d packets", packets).isLessThan(packets / 10);
                }
            }
            assertThat(checksum).isPositive();
        }
    }
}
