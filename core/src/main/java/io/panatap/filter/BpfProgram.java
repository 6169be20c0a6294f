package io.panatap.filter;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * An immutable classic BPF program ({@code struct sock_filter[]}): the form the kernel accepts with
 * {@code SO_ATTACH_FILTER} and the in-process interpreter runs on files.
 */
public final class BpfProgram {
    /** The kernel's limit on instructions per socket filter ({@code BPF_MAXINSNS}). */
    public static final int MAX_INSTRUCTIONS = 4096;

    /** Size of one {@code struct sock_filter}: u16 code, u8 jt, u8 jf, u32 k. */
    public static final int SOCK_FILTER_BYTES = 8;

    private final short[] codes;
    private final byte[] jumpTrue;
    private final byte[] jumpFalse;
    private final int[] constants;

    /** Why the kernel would refuse this program, or null if it would accept it. */
    private final String invalidReason;

    private BpfProgram(short[] codes, byte[] jumpTrue, byte[] jumpFalse, int[] constants) {
        this.codes = codes;
        this.jumpTrue = jumpTrue;
        this.jumpFalse = jumpFalse;
        this.constants = constants;
        this.invalidReason = BpfChecker.check(this);
    }

    /**
     * A program from instructions given as {@code {code, jt, jf, k}} rows, the layout of
     * {@code tcpdump -dd} output.
     *
     * @throws IllegalArgumentException if the program is empty, longer than {@link #MAX_INSTRUCTIONS}, or a
     *                                  field does not fit its width
     */
    public static BpfProgram of(int[]... instructions) {
        int n = instructions.length;
        if (n == 0 || n > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("a BPF program has 1.." + MAX_INSTRUCTIONS + " instructions, not " + n);
        }
        short[] codes = new short[n];
        byte[] jt = new byte[n];
        byte[] jf = new byte[n];
        int[] k = new int[n];
        for (int i = 0; i < n; i++) {
            int[] insn = instructions[i];
            if (insn.length != 4 || (insn[0] & ~0xFFFF) != 0 || (insn[1] & ~0xFF) != 0 || (insn[2] & ~0xFF) != 0) {
                throw new IllegalArgumentException("instruction " + i + " is not {code16, jt8, jf8, k32}: "
                        + Arrays.toString(insn));
            }
            codes[i] = (short) insn[0];
            jt[i] = (byte) insn[1];
            jf[i] = (byte) insn[2];
            k[i] = insn[3];
        }
        return new BpfProgram(codes, jt, jf, k);
    }

    // Raw arrays for the interpreter's loop; never handed outside the package.
    short[] codes() {
        return codes;
    }

    byte[] jumpTrues() {
        return jumpTrue;
    }

    byte[] jumpFalses() {
        return jumpFalse;
    }

    int[] constants() {
        return constants;
    }

    public int length() {
        return codes.length;
    }

    /** Opcode of instruction {@code i} (16 bits, unsigned). */
    public int code(int i) {
        return codes[i] & 0xFFFF;
    }

    /** Jump offset when the condition holds (8 bits, unsigned). */
    public int jumpTrue(int i) {
        return jumpTrue[i] & 0xFF;
    }

    /** Jump offset when the condition fails (8 bits, unsigned). */
    public int jumpFalse(int i) {
        return jumpFalse[i] & 0xFF;
    }

    /** The constant {@code k} of instruction {@code i}. */
    public int constant(int i) {
        return constants[i];
    }

    /**
     * Whether no packet can be accepted: every path through the program ends in {@code ret #0} once the
     * values it compares are followed (a program for {@code udp} with the TCP-only test, say). tcpdump says
     * "expression rejects all packets" in that case. False when some path may accept, and also when the
     * program is too large to follow completely: a true answer is certain, a false one is not.
     */
    public boolean rejectsAllPackets() {
        return AcceptAnalysis.rejectsAll(this);
    }

    /**
     * Writes the program as the {@code struct sock_filter} array that {@code struct sock_fprog} points to
     * ({@code length() * SOCK_FILTER_BYTES} bytes, native byte order), ready for {@code SO_ATTACH_FILTER}.
     */
    public void writeSockFilters(MemorySegment target, long offset) {
        for (int i = 0; i < codes.length; i++) {
            long at = offset + (long) i * SOCK_FILTER_BYTES;
            target.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, codes[i]);
            target.set(ValueLayout.JAVA_BYTE, at + 2, jumpTrue[i]);
            target.set(ValueLayout.JAVA_BYTE, at + 3, jumpFalse[i]);
            target.set(ValueLayout.JAVA_INT_UNALIGNED, at + 4, constants[i]);
        }
    }

    /**
     * Checks the program the way the kernel does before {@code SO_ATTACH_FILTER} ({@code bpf_check_classic}):
     * known opcodes, jumps that stay inside the program, a final {@code ret}, no division by a zero
     * constant, no constant shift of 32 or more, and no scratch-memory read before a store on some path.
     *
     * @throws IllegalArgumentException naming the first offending instruction
     */
    public void validate() {
        if (invalidReason != null) {
            throw new IllegalArgumentException(invalidReason);
        }
    }

    /** True if {@link #validate()} passes. */
    public boolean isValid() {
        return invalidReason == null;
    }

    /**
     * The program in the text form of {@code tcpdump -d}, one {@code (000) ldh      [12]} line per
     * instruction, each line ending with a newline.
     */
    public String dump() {
        return BpfPrinter.print(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BpfProgram p && Arrays.equals(codes, p.codes) && Arrays.equals(jumpTrue, p.jumpTrue)
                && Arrays.equals(jumpFalse, p.jumpFalse) && Arrays.equals(constants, p.constants);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codes) * 31 + Arrays.hashCode(constants);
    }

    /** {@code tcpdump -dd} style: one {@code { 0x28, 0, 0, 0x0000000c },} line per instruction. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < codes.length; i++) {
            sb.append(String.format("{ 0x%x, %d, %d, 0x%08x },%n", code(i), jumpTrue(i), jumpFalse(i), constants[i]));
        }
        return sb.toString();
    }
}
