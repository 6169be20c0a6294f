package io.panatap.filter;

import static io.panatap.filter.Bpf.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Runs a classic BPF program over one packet in process, with the kernel's semantics
 * ({@code net/core/filter.c}): a load past the captured bytes, or a division by a zero X register, ends
 * the program with 0 (reject); jumps only go forward, so a run takes at most {@link BpfProgram#length()}
 * steps. Runs allocate nothing.
 *
 * <p>Of the ancillary loads (absolute loads at offsets from {@code SKF_AD_OFF}, negative as a signed int) the
 * interpreter knows the two VLAN ones a {@linkplain FilterCompiler#compileForSocket socket filter} uses,
 * {@code SKF_AD_VLAN_TAG_PRESENT} and {@code SKF_AD_VLAN_TAG}, answered from the metadata passed in (the
 * tag the kernel moved out of the frame, {@link io.panatap.Packet#hasVlanTag()}); any other rejects the
 * packet, like an out-of-range load.
 */
public final class BpfInterpreter {
    private static final ValueLayout.OfShort SHORT_BE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private BpfInterpreter() {
    }

    /**
     * Runs {@code program} over the packet at {@code segment[offset, offset + captureLength)}.
     *
     * @param captureLength  bytes of the packet present (clamped to what the segment holds); loads beyond
     *                       them reject
     * @param originalLength the packet's length on the wire, what {@code len} / {@code ld #pktlen} reads
     * @return the program's return value, 0 to reject; otherwise the number of bytes to keep (callers keep
     *         {@code min(result, captureLength)}); values above {@link Integer#MAX_VALUE} saturate
     * @throws IllegalArgumentException if the program is not one the kernel would accept
     *                                  ({@link BpfProgram#validate()}), whatever the packet
     */
    public static int run(BpfProgram program, MemorySegment segment, long offset, int captureLength,
                          int originalLength) {
        return run(program, segment, offset, captureLength, originalLength, false, 0);
    }

    /**
     * Runs {@code program} over a captured packet with its VLAN metadata, as the kernel runs a socket
     * filter: the packet's bytes, lengths, {@link io.panatap.Packet#hasVlanTag()} and
     * {@link io.panatap.Packet#vlanTci()}.
     *
     * @return as {@link #run(BpfProgram, MemorySegment, long, int, int)}
     */
    public static int run(BpfProgram program, io.panatap.Packet packet) {
        return run(program, packet.segment(), packet.frameOffset(), packet.captureLength(), packet.originalLength(),
                packet.hasVlanTag(), packet.vlanTci());
    }

    /**
     * Runs {@code program} over the packet at {@code segment[offset, offset + captureLength)} whose outer
     * VLAN tag, if {@code vlanTagPresent}, was moved out of the frame into metadata with TCI
     * {@code vlanTci}: what the ancillary loads {@code SKF_AD_VLAN_TAG_PRESENT} and {@code SKF_AD_VLAN_TAG}
     * read.
     *
     * @return as {@link #run(BpfProgram, MemorySegment, long, int, int)}
     */
    public static int run(BpfProgram program, MemorySegment segment, long offset, int captureLength,
                          int originalLength, boolean vlanTagPresent, int vlanTci) {
        program.validate();
        long available = segment.byteSize() - offset;
        int cap = offset < 0 || available <= 0 ? 0 : (int) Math.min(Math.max(captureLength, 0), available);
        short[] codes = program.codes();
        byte[] jts = program.jumpTrues();
        byte[] jfs = program.jumpFalses();
        int[] ks = program.constants();
        int a = 0;
        int x = 0;
        // The sixteen scratch words live in locals so that a run allocates nothing.
        int m0 = 0;
        int m1 = 0;
        int m2 = 0;
        int m3 = 0;
        int m4 = 0;
        int m5 = 0;
        int m6 = 0;
        int m7 = 0;
        int m8 = 0;
        int m9 = 0;
        int m10 = 0;
        int m11 = 0;
        int m12 = 0;
        int m13 = 0;
        int m14 = 0;
        int m15 = 0;
        int pc = 0;
        while (true) {
            int code = codes[pc] & 0xFFFF;
            int k = ks[pc];
            switch (code) {
                case LD | W | ABS -> {
                    if (k < 0) {
                        if ((a = ancillary(k, vlanTagPresent, vlanTci)) == UNKNOWN_ANCILLARY) {
                            return 0;
                        }
                        break;
                    }
                    if (k > cap - 4) {
                        return 0;
                    }
                    a = segment.get(INT_BE, offset + k);
                }
                case LD | H | ABS -> {
                    if (k < 0) {
                        if ((a = ancillary(k, vlanTagPresent, vlanTci)) == UNKNOWN_ANCILLARY) {
                            return 0;
                        }
                        break;
                    }
                    if (k > cap - 2) {
                        return 0;
                    }
                    a = segment.get(SHORT_BE, offset + k) & 0xFFFF;
                }
                case LD | B | ABS -> {
                    if (k < 0) {
                        if ((a = ancillary(k, vlanTagPresent, vlanTci)) == UNKNOWN_ANCILLARY) {
                            return 0;
                        }
                        break;
                    }
                    if (k >= cap) {
                        return 0;
                    }
                    a = segment.get(ValueLayout.JAVA_BYTE, offset + k) & 0xFF;
                }
                case LD | W | IND -> {
                    int off = x + k;
                    if (off < 0 || off > cap - 4) {
                        return 0;
                    }
                    a = segment.get(INT_BE, offset + off);
                }
                case LD | H | IND -> {
                    int off = x + k;
                    if (off < 0 || off > cap - 2) {
                        return 0;
                    }
                    a = segment.get(SHORT_BE, offset + off) & 0xFFFF;
                }
                case LD | B | IND -> {
                    int off = x + k;
                    if (off < 0 || off >= cap) {
                        return 0;
                    }
                    a = segment.get(ValueLayout.JAVA_BYTE, offset + off) & 0xFF;
                }
                case LDX | B | MSH -> {
                    if (k < 0 || k >= cap) {
                        return 0;
                    }
                    x = (segment.get(ValueLayout.JAVA_BYTE, offset + k) & 0xF) << 2;
                }
                case LD | W | LEN -> a = originalLength;
                case LDX | W | LEN -> x = originalLength;
                case LD | IMM -> a = k;
                case LDX | IMM -> x = k;
                case LD | MEM -> {
                    switch (k) {
                        case 0 -> a = m0;
                        case 1 -> a = m1;
                        case 2 -> a = m2;
                        case 3 -> a = m3;
                        case 4 -> a = m4;
                        case 5 -> a = m5;
                        case 6 -> a = m6;
                        case 7 -> a = m7;
                        case 8 -> a = m8;
                        case 9 -> a = m9;
                        case 10 -> a = m10;
                        case 11 -> a = m11;
                        case 12 -> a = m12;
                        case 13 -> a = m13;
                        case 14 -> a = m14;
                        case 15 -> a = m15;
                        default -> {
                            return 0; // unreachable: validate() bounds the index
                        }
                    }
                }
                case LDX | MEM -> {
                    switch (k) {
                        case 0 -> x = m0;
                        case 1 -> x = m1;
                        case 2 -> x = m2;
                        case 3 -> x = m3;
                        case 4 -> x = m4;
                        case 5 -> x = m5;
                        case 6 -> x = m6;
                        case 7 -> x = m7;
                        case 8 -> x = m8;
                        case 9 -> x = m9;
                        case 10 -> x = m10;
                        case 11 -> x = m11;
                        case 12 -> x = m12;
                        case 13 -> x = m13;
                        case 14 -> x = m14;
                        case 15 -> x = m15;
                        default -> {
                            return 0; // unreachable: validate() bounds the index
                        }
                    }
                }
                case ST -> {
                    switch (k) {
                        case 0 -> m0 = a;
                        case 1 -> m1 = a;
                        case 2 -> m2 = a;
                        case 3 -> m3 = a;
                        case 4 -> m4 = a;
                        case 5 -> m5 = a;
                        case 6 -> m6 = a;
                        case 7 -> m7 = a;
                        case 8 -> m8 = a;
                        case 9 -> m9 = a;
                        case 10 -> m10 = a;
                        case 11 -> m11 = a;
                        case 12 -> m12 = a;
                        case 13 -> m13 = a;
                        case 14 -> m14 = a;
                        case 15 -> m15 = a;
                        default -> {
                            return 0; // unreachable: validate() bounds the index
                        }
                    }
                }
                case STX -> {
                    switch (k) {
                        case 0 -> m0 = x;
                        case 1 -> m1 = x;
                        case 2 -> m2 = x;
                        case 3 -> m3 = x;
                        case 4 -> m4 = x;
                        case 5 -> m5 = x;
                        case 6 -> m6 = x;
                        case 7 -> m7 = x;
                        case 8 -> m8 = x;
                        case 9 -> m9 = x;
                        case 10 -> m10 = x;
                        case 11 -> m11 = x;
                        case 12 -> m12 = x;
                        case 13 -> m13 = x;
                        case 14 -> m14 = x;
                        case 15 -> m15 = x;
                        default -> {
                            return 0; // unreachable: validate() bounds the index
                        }
                    }
                }
                case MISC | TAX -> x = a;
                case MISC | TXA -> a = x;
                case ALU | ADD | K -> a += k;
                case ALU | ADD | X -> a += x;
                case ALU | SUB | K -> a -= k;
                case ALU | SUB | X -> a -= x;
                case ALU | MUL | K -> a *= k;
                case ALU | MUL | X -> a *= x;
                case ALU | DIV | K -> a = Integer.divideUnsigned(a, k);
                case ALU | DIV | X -> {
                    if (x == 0) {
                        return 0;
                    }
                    a = Integer.divideUnsigned(a, x);
                }
                case ALU | MOD | K -> a = Integer.remainderUnsigned(a, k);
                case ALU | MOD | X -> {
                    if (x == 0) {
                        return 0;
                    }
                    a = Integer.remainderUnsigned(a, x);
                }
                case ALU | AND | K -> a &= k;
                case ALU | AND | X -> a &= x;
                case ALU | OR | K -> a |= k;
                case ALU | OR | X -> a |= x;
                case ALU | XOR | K -> a ^= k;
                case ALU | XOR | X -> a ^= x;
                // Shift counts are taken modulo 32, as the kernel's 32-bit ALU does.
                case ALU | LSH | K -> a <<= k;
                case ALU | LSH | X -> a <<= x;
                case ALU | RSH | K -> a >>>= k;
                case ALU | RSH | X -> a >>>= x;
                case ALU | NEG -> a = -a;
                case JMP | JA -> pc += k;
                case JMP | JEQ | K -> pc += a == k ? jts[pc] & 0xFF : jfs[pc] & 0xFF;
                case JMP | JEQ | X -> pc += a == x ? jts[pc] & 0xFF : jfs[pc] & 0xFF;
                case JMP | JGT | K -> pc += Integer.compareUnsigned(a, k) > 0 ? jts[pc] & 0xFF : jfs[pc] & 0xFF;
                case JMP | JGT | X -> pc += Integer.compareUnsigned(a, x) > 0 ? jts[pc] & 0xFF : jfs[pc] & 0xFF;
                case JMP | JGE | K -> pc += Integer.compareUnsigned(a, k) >= 0 ? jts[pc] & 0xFF : jfs[pc] & 0xFF;
                case JMP | JGE | X -> pc += Integer.compareUnsigned(a, x) >= 0 ? jts[pc] & 0xFF : jfs[pc] & 0xFF;
                case JMP | JSET | K -> pc += (a & k) != 0 ? jts[pc] & 0xFF : jfs[pc] & 0xFF;
                case JMP | JSET | X -> pc += (a & x) != 0 ? jts[pc] & 0xFF : jfs[pc] & 0xFF;
                case RET | K -> {
                    return k < 0 ? Integer.MAX_VALUE : k;
                }
                case RET | A -> {
                    return a < 0 ? Integer.MAX_VALUE : a;
                }
                default -> {
                    return 0; // unreachable: validate() accepts only known opcodes
                }
            }
            pc++;
        }
    }

    /** What {@link #ancillary} returns for an offset it does not know; no known field holds this value. */
    private static final int UNKNOWN_ANCILLARY = Integer.MIN_VALUE;

    /**
     * The value of the ancillary load at {@code k}: {@code SKF_AD_VLAN_TAG_PRESENT} and {@code SKF_AD_VLAN_TAG}
     * from the metadata given (the kernel reads the whole field whatever the load's size), otherwise
     * {@link #UNKNOWN_ANCILLARY}.
     */
    private static int ancillary(int k, boolean vlanTagPresent, int vlanTci) {
        if (k == SKF_AD_VLAN_TAG_PRESENT) {
            return vlanTagPresent ? 1 : 0;
        }
        if (k == SKF_AD_VLAN_TAG) {
            return vlanTagPresent ? vlanTci & 0xFFFF : 0;
        }
        return UNKNOWN_ANCILLARY;
    }
}
