package io.panatap.filter;

import static io.panatap.filter.Bpf.*;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Whether a program can accept any packet at all: the test behind tcpdump's "expression rejects all
 * packets". libpcap finds it when its optimizer reduces a program to {@code ret #0}; our compiler does less
 * data-flow work, so a program such as {@code udp} behind the TCP-only test keeps its branches, and it
 * takes a walk over them to see that none accepts.
 *
 * <p>The walk follows every path from the first instruction and tracks the registers and scratch words
 * symbolically: a value is a constant, a packet load ({@code ldh [12]}, {@code ldb [x + 14]} with the
 * symbol of x, {@code len}, an ancillary load), or arithmetic on those. Each jump on a value compared with a
 * constant adds a fact on the branch taken (equal to c, or different from c; for {@code jset}, the masked
 * value equal to 0 or not), and a later jump whose outcome
 * the facts decide takes only that branch. Two loads of the same bytes give the same value in one run, which
 * is all the walk relies on, so a path it drops cannot be taken by any packet. A path that reaches
 * {@code ret} with a value other than 0 means some packet may be accepted. The answer errs on "may accept":
 * {@code jgt} and {@code jge} add no facts, and past a step budget the walk gives up.
 */
final class AcceptAnalysis {
    /** Instructions visited over all paths before giving up (the answer is then "may accept"). */
    private static final int BUDGET = 200_000;

    private final BpfProgram program;
    private int steps;
    private int fresh;

    private AcceptAnalysis(BpfProgram program) {
        this.program = program;
    }

    /** True only when no packet can reach a return of a non-zero value. */
    static boolean rejectsAll(BpfProgram program) {
        AcceptAnalysis a = new AcceptAnalysis(program);
        try {
            return !a.mayAccept(0, new State());
        } catch (GiveUp e) {
            return false;
        }
    }

    private static final class GiveUp extends RuntimeException {
        GiveUp() {
            super(null, null, false, false);
        }
    }

    /** Registers, scratch words and the facts of one path; copied where the path branches. */
    private static final class State {
        String a = "0";
        String x = "0";
        String[] memory = new String[MEMWORDS];
        /** Symbol to the value it is known to have. */
        Map<String, Long> equal = new HashMap<>();
        /** Symbol to values it is known not to have. */
        Map<String, Set<Long>> different = new HashMap<>();

        State() {
            Arrays.fill(memory, "0");
        }

        State copy() {
            State s = new State();
            s.a = a;
            s.x = x;
            s.memory = memory.clone();
            s.equal = new HashMap<>(equal);
            s.different = new HashMap<>();
            different.forEach((k, v) -> s.different.put(k, new HashSet<>(v)));
            return s;
        }

        /** TRUE or FALSE if the facts decide {@code symbol == value}, else null. */
        Boolean test(String symbol, long value) {
            Long known = constant(symbol);
            if (known == null) {
                known = equal.get(symbol);
            }
            if (known != null) {
                return known == value;
            }
            Set<Long> not = different.get(symbol);
            return not != null && not.contains(value) ? Boolean.FALSE : null;
        }
    }

    /** The value of a constant symbol (digits only), or null. */
    private static Long constant(String symbol) {
        if (symbol.isEmpty() || !Character.isDigit(symbol.charAt(0))) {
            return null;
        }
        return Long.parseLong(symbol);
    }

    private static String constant(long value) {
        return Long.toString(value & 0xFFFFFFFFL);
    }

    private String freshSymbol() {
        return "?" + fresh++;
    }

    private boolean mayAccept(int pc, State s) {
        while (true) {
            if (++steps > BUDGET || pc < 0 || pc >= program.length()) {
                throw new GiveUp(); // out of budget, or a program the checker would refuse
            }
            int code = program.code(pc);
            int k = program.constant(pc);
            switch (cls(code)) {
                case LD -> s.a = load(code, k, s);
                case LDX -> s.x = switch (mode(code)) {
                    case IMM -> constant(k);
                    case MEM -> s.memory[k & (MEMWORDS - 1)];
                    case LEN -> "len";
                    case MSH -> "msh[" + k + "]";
                    default -> freshSymbol();
                };
                case ST -> s.memory[k & (MEMWORDS - 1)] = s.a;
                case STX -> s.memory[k & (MEMWORDS - 1)] = s.x;
                case ALU -> s.a = alu(code, k, s);
                case MISC -> {
                    if ((code & 0xf8) == TXA) {
                        s.a = s.x;
                    } else {
                        s.x = s.a;
                    }
                }
                case RET -> {
                    if ((code & 0x18) == A) {
                        Long value = constant(s.a);
                        return value == null ? s.test(s.a, 0) != Boolean.TRUE : value != 0;
                    }
                    return k != 0;
                }
                case JMP -> {
                    if (op(code) == JA) {
                        pc += 1 + k;
                        continue;
                    }
                    int whenTrue = pc + 1 + program.jumpTrue(pc);
                    int whenFalse = pc + 1 + program.jumpFalse(pc);
                    String operand = src(code) == X ? s.x : constant(k);
                    Boolean decided = decide(op(code), s, operand);
                    if (decided != null) {
                        pc = decided ? whenTrue : whenFalse;
                        continue;
                    }
                    if (whenTrue == whenFalse) {
                        pc = whenTrue;
                        continue;
                    }
                    Long c = constant(operand);
                    State taken = s.copy();
                    if (op(code) == JEQ && c != null) {
                        taken.equal.put(s.a, c);
                        s.different.computeIfAbsent(s.a, key -> new HashSet<>()).add(c);
                    } else if (op(code) == JSET && c != null) {
                        String masked = masked(s.a, operand);
                        taken.different.computeIfAbsent(masked, key -> new HashSet<>()).add(0L);
                        s.equal.put(masked, 0L);
                    }
                    if (mayAccept(whenTrue, taken)) {
                        return true;
                    }
                    pc = whenFalse;
                    continue;
                }
                default -> throw new GiveUp();
            }
            pc++;
        }
    }

    private String load(int code, int k, State s) {
        return switch (mode(code)) {
            case IMM -> constant(k);
            case ABS -> "p" + bytes(size(code)) + "[" + k + "]";
            case IND -> "p" + bytes(size(code)) + "[" + s.x + "+" + k + "]";
            case MEM -> s.memory[k & (MEMWORDS - 1)];
            case LEN -> "len";
            default -> freshSymbol();
        };
    }

    private String alu(int code, int k, State s) {
        if (op(code) == NEG) {
            Long a = constant(s.a);
            return a != null ? constant(-a) : "(-" + s.a + ")";
        }
        String operand = src(code) == X ? s.x : constant(k);
        Long a = constant(s.a);
        Long b = constant(operand);
        if (a != null && b != null) {
            Long folded = fold(op(code), a, b);
            if (folded != null) {
                return constant(folded);
            }
        }
        return "(" + s.a + " " + op(code) + " " + operand + ")";
    }

    /** The 32-bit result of {@code a op b}, or null where it is not defined (division by 0). */
    private static Long fold(int op, long a, long b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> b == 0 ? null : a / b;
            case MOD -> b == 0 ? null : a % b;
            case OR -> a | b;
            case AND -> a & b;
            case XOR -> a ^ b;
            case LSH -> b >= 32 ? null : a << b;
            case RSH -> b >= 32 ? null : a >>> b;
            default -> null;
        };
    }

    /** The symbol of {@code a & mask}, as {@link #alu} names it: a {@code jset} tests it against 0. */
    private static String masked(String a, String mask) {
        return "(" + a + " " + AND + " " + mask + ")";
    }

    /** The outcome of the jump if the facts decide it, else null. */
    private static Boolean decide(int op, State s, String operand) {
        Long a = constant(s.a);
        Long b = constant(operand);
        if (op == JEQ && b != null) {
            return s.test(s.a, b);
        }
        if (op == JSET && b != null && a == null) {
            Boolean zero = s.test(masked(s.a, operand), 0);
            return zero == null ? null : !zero;
        }
        if (a == null || b == null) {
            return null;
        }
        return switch (op) {
            case JGT -> a > b;
            case JGE -> a >= b;
            case JSET -> (a & b) != 0;
            default -> null;
        };
    }
}
