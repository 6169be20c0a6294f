package io.panatap.filter;

import static io.panatap.filter.Bpf.*;

/** The kernel's acceptance test for classic BPF programs ({@code bpf_check_classic} in net/core/filter.c). */
final class BpfChecker {
    private BpfChecker() {
    }

    /** Why the kernel would refuse {@code p}, or null if it would attach it. */
    static String check(BpfProgram p) {
        int n = p.length();
        for (int pc = 0; pc < n; pc++) {
            int code = p.code(pc);
            int k = p.constant(pc);
            if (!isKnown(code)) {
                return at(pc, "unknown opcode 0x" + Integer.toHexString(code));
            }
            switch (cls(code)) {
                case ALU -> {
                    if (src(code) == K && (op(code) == DIV || op(code) == MOD) && k == 0) {
                        return at(pc, "division by the constant 0");
                    }
                    if (src(code) == K && (op(code) == LSH || op(code) == RSH) && Integer.compareUnsigned(k, 32) >= 0) {
                        return at(pc, "shift by " + Integer.toUnsignedString(k) + " bits");
                    }
                }
                case LD, LDX -> {
                    if (mode(code) == MEM && Integer.compareUnsigned(k, MEMWORDS) >= 0) {
                        return at(pc, "scratch memory index " + Integer.toUnsignedString(k) + " out of range");
                    }
                }
                case ST, STX -> {
                    if (Integer.compareUnsigned(k, MEMWORDS) >= 0) {
                        return at(pc, "scratch memory index " + Integer.toUnsignedString(k) + " out of range");
                    }
                }
                case JMP -> {
                    if (op(code) == JA) {
                        if (Integer.compareUnsigned(k, n - pc - 1) >= 0) {
                            return at(pc, "jump past the end");
                        }
                    } else if (pc + 1 + p.jumpTrue(pc) >= n || pc + 1 + p.jumpFalse(pc) >= n) {
                        return at(pc, "jump past the end");
                    }
                }
                default -> {
                }
            }
        }
        int last = p.code(n - 1);
        if (last != (RET | K) && last != (RET | A)) {
            return at(n - 1, "the last instruction is not a return");
        }
        return checkLoadsAfterStores(p);
    }

    // The same data flow as the kernel's check_load_and_stores, including its leniency after a return.
    private static String checkLoadsAfterStores(BpfProgram p) {
        int n = p.length();
        int[] masks = new int[n];
        java.util.Arrays.fill(masks, 0xFFFF);
        int valid = 0;
        for (int pc = 0; pc < n; pc++) {
            valid &= masks[pc];
            int code = p.code(pc);
            int k = p.constant(pc);
            if (code == ST || code == STX) {
                valid |= 1 << k;
            } else if (code == (LD | MEM) || code == (LDX | MEM)) {
                if ((valid & (1 << k)) == 0) {
                    return at(pc, "reads M[" + k + "] before any store");
                }
            } else if (code == (JMP | JA)) {
                masks[pc + 1 + k] &= valid;
                valid = 0xFFFF;
            } else if (cls(code) == JMP) {
                masks[pc + 1 + p.jumpTrue(pc)] &= valid;
                masks[pc + 1 + p.jumpFalse(pc)] &= valid;
                valid = 0xFFFF;
            }
        }
        return null;
    }

    static boolean isKnown(int code) {
        return switch (cls(code)) {
            case ALU -> {
                int op = op(code);
                if (op == NEG) {
                    yield code == (ALU | NEG);
                }
                yield (code & ~0xf8) == ALU && op <= XOR;
            }
            case LD -> code == (LD | W | ABS) || code == (LD | H | ABS) || code == (LD | B | ABS)
                    || code == (LD | W | IND) || code == (LD | H | IND) || code == (LD | B | IND)
                    || code == (LD | W | LEN) || code == (LD | W | IMM) || code == (LD | W | MEM);
            case LDX -> code == (LDX | W | IMM) || code == (LDX | W | MEM) || code == (LDX | W | LEN)
                    || code == (LDX | B | MSH);
            case ST -> code == ST;
            case STX -> code == STX;
            case RET -> code == (RET | K) || code == (RET | A);
            case MISC -> code == (MISC | TAX) || code == (MISC | TXA);
            case JMP -> code == (JMP | JA) || ((code & ~0xf8) == JMP && op(code) >= JEQ && op(code) <= JSET);
            default -> false;
        };
    }

    private static String at(int pc, String what) {
        return "instruction " + pc + ": " + what;
    }
}
