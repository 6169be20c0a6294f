package io.panatap.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;

import org.junit.jupiter.api.Test;

/** The interpreter follows the kernel's classic BPF semantics (net/core/filter.c). */
class BpfInterpreterTest {
    private static final byte[] PACKET = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88};

    private static int run(BpfProgram p, byte[] packet) {
        return BpfInterpreter.run(p, MemorySegment.ofArray(packet), 0, packet.length, packet.length);
    }

    private static int[] insn(int code, int k) {
        return new int[] {code, 0, 0, k};
    }

    private static final int RET_A = 0x16;

    @Test
    void loadsAreBigEndianAndUnsigned() {
        assertThat(run(BpfProgram.of(insn(0x20, 4), insn(RET_A, 0)), PACKET)).isEqualTo(0x55667788);
        assertThat(run(BpfProgram.of(insn(0x28, 6), insn(RET_A, 0)), PACKET)).isEqualTo(0x7788);
        assertThat(run(BpfProgram.of(insn(0x30, 7), insn(RET_A, 0)), PACKET)).isEqualTo(0x88);
        assertThat(run(BpfProgram.of(insn(0x01, 3), insn(0x50, 4), insn(RET_A, 0)), PACKET)).isEqualTo(0x88);
        assertThat(run(BpfProgram.of(insn(0xb1, 0), insn(0x87, 0), insn(RET_A, 0)), PACKET)).isEqualTo(4);
    }

    @Test
    void aLoadPastTheCapturedBytesRejectsThePacket() {
        assertThat(run(BpfProgram.of(insn(0x20, 5), insn(0x06, 1)), PACKET)).isZero();
        assertThat(run(BpfProgram.of(insn(0x28, 7), insn(0x06, 1)), PACKET)).isZero();
        assertThat(run(BpfProgram.of(insn(0x30, 8), insn(0x06, 1)), PACKET)).isZero();
        assertThat(run(BpfProgram.of(insn(0xb1, 8), insn(0x06, 1)), PACKET)).isZero();
        assertThat(run(BpfProgram.of(insn(0x01, 6), insn(0x48, 1), insn(0x06, 1)), PACKET)).isZero();
        // X + k wrapping to a negative offset, and ancillary offsets, reject too.
        assertThat(run(BpfProgram.of(insn(0x01, -8), insn(0x50, 4), insn(0x06, 1)), PACKET)).isZero();
        assertThat(run(BpfProgram.of(insn(0x20, 0xfffff000), insn(0x06, 1)), PACKET)).isZero();
        // The captured length, not the segment, bounds loads.
        BpfProgram p = BpfProgram.of(insn(0x30, 4), insn(0x06, 1));
        assertThat(BpfInterpreter.run(p, MemorySegment.ofArray(PACKET), 0, 4, 100)).isZero();
        assertThat(BpfInterpreter.run(p, MemorySegment.ofArray(PACKET), 0, 5, 100)).isEqualTo(1);
    }

    @Test
    void neverReadsOutsideTheSegmentWhateverTheClaimedLengths() {
        BpfProgram p = BpfProgram.of(insn(0x30, 9), insn(0x06, 1));
        MemorySegment seg = MemorySegment.ofArray(PACKET);
        assertThat(BpfInterpreter.run(p, seg, 0, 1000, 1000)).isZero();
        assertThat(BpfInterpreter.run(p, seg, 6, 1000, 1000)).isZero();
        assertThat(BpfInterpreter.run(p, seg, 100, 10, 10)).isZero();
        assertThat(BpfInterpreter.run(p, seg, -1, 10, 10)).isZero();
        assertThat(BpfInterpreter.run(p, seg, 0, -5, 10)).isZero();
        BpfProgram first = BpfProgram.of(insn(0x30, 0), insn(RET_A, 0));
        assertThat(BpfInterpreter.run(first, seg, 6, 2, 2)).isEqualTo(0x77);
    }

    @Test
    void vlanAncillaryLoadsReadTheMetadataPassedInWhateverTheLoadSize() {
        int present = -0x1000 + 48;
        int tci = -0x1000 + 44;
        MemorySegment packet = MemorySegment.ofArray(PACKET);
        for (int load : new int[] {0x20, 0x28, 0x30}) {
            BpfProgram readPresent = BpfProgram.of(insn(load, present), insn(RET_A, 0));
            BpfProgram readTci = BpfProgram.of(insn(load, tci), insn(RET_A, 0));
            assertThat(BpfInterpreter.run(readPresent, packet, 0, 8, 8, true, 0xE064)).isEqualTo(1);
            assertThat(BpfInterpreter.run(readTci, packet, 0, 8, 8, true, 0xE064)).isEqualTo(0xE064);
            // No tag: both read 0 (the packet is not rejected), as the kernel's do.
            assertThat(BpfInterpreter.run(BpfProgram.of(insn(load, present), insn(0x04, 7), insn(RET_A, 0)),
                    packet, 0, 8, 8, false, 0xE064)).isEqualTo(7);
            assertThat(BpfInterpreter.run(BpfProgram.of(insn(load, tci), insn(0x04, 7), insn(RET_A, 0)),
                    packet, 0, 8, 8, false, 0xE064)).isEqualTo(7);
            // Without metadata (the plain run) there is no tag either.
            assertThat(run(BpfProgram.of(insn(load, present), insn(0x04, 7), insn(RET_A, 0)), PACKET)).isEqualTo(7);
        }
    }

    @Test
    void otherAncillaryLoadsRejectThePacket() {
        // SKF_AD_PROTOCOL and SKF_AD_IFINDEX need socket-buffer fields the interpreter does not have.
        for (int k : new int[] {-0x1000, -0x1000 + 8, -1, Integer.MIN_VALUE}) {
            assertThat(BpfInterpreter.run(BpfProgram.of(insn(0x28, k), insn(0x06, 1)), MemorySegment.ofArray(PACKET),
                    0, 8, 8, true, 1)).as("load at %d", k).isZero();
        }
    }

    @Test
    void divisionOrModuloByAZeroXRejectsThePacket() {
        assertThat(run(BpfProgram.of(insn(0x00, 7), insn(0x01, 0), insn(0x3c, 0), insn(0x06, 1)), PACKET)).isZero();
        assertThat(run(BpfProgram.of(insn(0x00, 7), insn(0x01, 0), insn(0x9c, 0), insn(0x06, 1)), PACKET)).isZero();
        assertThat(run(BpfProgram.of(insn(0x00, 7), insn(0x01, 2), insn(0x3c, 0), insn(RET_A, 0)), PACKET)).isEqualTo(3);
        assertThat(run(BpfProgram.of(insn(0x00, 7), insn(0x01, 2), insn(0x9c, 0), insn(RET_A, 0)), PACKET)).isEqualTo(1);
    }

    @Test
    void arithmeticIsUnsigned32Bit() {
        // 0xFFFFFFFE / 2 unsigned, and a jgt that treats 0x80000000 as larger than 1.
        assertThat(run(BpfProgram.of(insn(0x00, -2), insn(0x34, 2), insn(RET_A, 0)), PACKET)).isEqualTo(0x7FFFFFFF);
        assertThat(run(BpfProgram.of(insn(0x00, 0x80000000), new int[] {0x25, 0, 1, 1}, insn(0x06, 7), insn(0x06, 0)),
                PACKET)).isEqualTo(7);
        // >> is logical; shifts by X take the count modulo 32 like the kernel's 32-bit ALU.
        assertThat(run(BpfProgram.of(insn(0x00, 0x80000000), insn(0x74, 31), insn(RET_A, 0)), PACKET)).isEqualTo(1);
        assertThat(run(BpfProgram.of(insn(0x00, 1), insn(0x01, 33), insn(0x6c, 0), insn(RET_A, 0)), PACKET)).isEqualTo(2);
        assertThat(run(BpfProgram.of(insn(0x00, 5), insn(0x84, 0), insn(0x04, 10), insn(RET_A, 0)), PACKET)).isEqualTo(5);
    }

    @Test
    void scratchMemoryHoldsSixteenWords() {
        int[][] prog = new int[16 * 2 + 1 + 16 * 2 + 1][];
        int n = 0;
        for (int i = 0; i < 16; i++) {
            prog[n++] = insn(0x00, i + 1);
            prog[n++] = insn(0x02, i); // st M[i]
        }
        prog[n++] = insn(0x00, 0);
        for (int i = 0; i < 15; i++) {
            prog[n++] = insn(0x61, i); // ldx M[i]
            prog[n++] = insn(0x0c, 0); // add x
        }
        prog[n++] = insn(0x61, 15);
        prog[n++] = insn(0x0c, 0);
        prog[n] = insn(RET_A, 0);
        assertThat(run(BpfProgram.of(prog), PACKET)).isEqualTo(136);
    }

    @Test
    void lengthLoadsReadTheOriginalLength() {
        BpfProgram p = BpfProgram.of(insn(0x80, 0), insn(RET_A, 0));
        assertThat(BpfInterpreter.run(p, MemorySegment.ofArray(PACKET), 0, 8, 1500)).isEqualTo(1500);
    }

    @Test
    void returnValuesAboveIntMaxSaturate() {
        assertThat(run(BpfProgram.of(insn(0x06, -1)), PACKET)).isEqualTo(Integer.MAX_VALUE);
        assertThat(run(BpfProgram.of(insn(0x06, 0)), PACKET)).isZero();
    }

    @Test
    void programsTheKernelWouldRefuseAreRejectedBeforeRunning() {
        assertInvalid("instruction 0: jump past the end", new int[] {0x15, 5, 0, 0}, insn(0x06, 0));
        assertInvalid("instruction 0: jump past the end", insn(0x05, 1), insn(0x06, 0));
        assertInvalid("instruction 0: unknown opcode 0xff", insn(0xff, 0), insn(0x06, 0));
        assertInvalid("instruction 0: the last instruction is not a return", insn(0x00, 0));
        assertInvalid("instruction 0: division by the constant 0", insn(0x34, 0), insn(0x06, 0));
        assertInvalid("instruction 0: shift by 32 bits", insn(0x64, 32), insn(0x06, 0));
        assertInvalid("instruction 0: scratch memory index 16 out of range", insn(0x02, 16), insn(0x06, 0));
        assertInvalid("instruction 0: reads M[2] before any store", insn(0x60, 2), insn(0x06, 0));
        // A store on only one branch does not make the read valid.
        assertInvalid("instruction 3: reads M[0] before any store",
                new int[] {0x15, 0, 1, 0}, insn(0x02, 0), insn(0x00, 0), insn(0x60, 0), insn(0x06, 0));
    }

    private static void assertInvalid(String reason, int[]... insns) {
        BpfProgram p = BpfProgram.of(insns);
        assertThat(p.isValid()).isFalse();
        assertThatThrownBy(p::validate).isInstanceOf(IllegalArgumentException.class).hasMessage(reason);
        assertThatThrownBy(() -> run(p, PACKET)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void runningAllocatesNothing() throws Exception {
        BpfProgram p = FilterCompiler.compile("tcp dst port 80 and tcp[tcpflags] & tcp-syn != 0 and len - 14 > ip[2:2] / 2",
                io.panatap.parse.LinkType.ETHERNET, 65535);
        byte[] frame = new TestFrames().ethernet(0x0800).ipv4(6, 0x0a000001, 0x0a000002, 0, 1, 44)
                .tcp(5555, 80, 0x02, 0).build();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(frame.length);
            MemorySegment.copy(MemorySegment.ofArray(frame), 0, seg, 0, frame.length);
            long sum = 0;
            for (int i = 0; i < 200_000; i++) {
                sum += BpfInterpreter.run(p, seg, 0, frame.length, frame.length);
            }
            // Through reflection: the test code is compiled inside the module, which reads java.base only.
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            Method allocatedBytes = Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getCurrentThreadAllocatedBytes");
            long before = (long) allocatedBytes.invoke(bean);
            for (int i = 0; i < 100_000; i++) {
                sum += BpfInterpreter.run(p, seg, 0, frame.length, frame.length);
            }
            long allocated = (long) allocatedBytes.invoke(bean) - before;
            assertThat(sum).isEqualTo(300_000L * 65535);
            // 100,000 runs: well under one byte per run (allows for a stray JIT or profiling allocation).
            assertThat(allocated).isLessThan(16 * 1024);
        }
    }
}
