package io.panatap.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.panatap.parse.LinkType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

class BpfProgramTest {
    @Test
    void writesTheSockFilterArrayInNativeOrder() throws FilterException {
        BpfProgram p = FilterCompiler.compile("ip", LinkType.ETHERNET, 262144);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate((long) p.length() * BpfProgram.SOCK_FILTER_BYTES + 8);
            p.writeSockFilters(seg, 8);
            // (001) jeq #0x800 jt 2 jf 3 -> {0x15, 0, 1, 0x800}
            long at = 8 + BpfProgram.SOCK_FILTER_BYTES;
            assertThat(seg.get(ValueLayout.JAVA_SHORT, at)).isEqualTo((short) 0x15);
            assertThat(seg.get(ValueLayout.JAVA_BYTE, at + 2)).isEqualTo((byte) 0);
            assertThat(seg.get(ValueLayout.JAVA_BYTE, at + 3)).isEqualTo((byte) 1);
            assertThat(seg.get(ValueLayout.JAVA_INT, at + 4)).isEqualTo(0x800);
            assertThat(seg.get(ValueLayout.JAVA_INT, 8 + 2 * 8 + 4)).isEqualTo(262144);
        }
    }

    @Test
    void toStringIsTcpdumpDashDd() throws FilterException {
        assertThat(FilterCompiler.compile("ip", LinkType.ETHERNET, 262144).toString().replace("\r\n", "\n"))
                .isEqualTo("""
                        { 0x28, 0, 0, 0x0000000c },
                        { 0x15, 0, 1, 0x00000800 },
                        { 0x6, 0, 0, 0x00040000 },
                        { 0x6, 0, 0, 0x00000000 },
                        """);
    }
}
