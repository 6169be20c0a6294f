package io.panatap.filter;

import static io.panatap.filter.Bpf.*;

/** Prints programs the way {@code tcpdump -d} does (libpcap's {@code bpf_image}). */
final class BpfPrinter {
    private BpfPrinter() {
    }

    static String print(BpfProgram p) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            sb.append(line(p, i)).append('\n');
        }
        return sb.toString();
    }

    /** One instruction, e.g. {@code (001) jeq      #0x800           jt 2	jf 3}. */
    static String line(BpfProgram p, int n) {
        int code = p.code(n);
        String k = Integer.toUnsignedString(p.constant(n));
        String hex = "#0x" + Integer.toHexString(p.constant(n));
        String op;
        String operand;
        switch (cls(code)) {
            case LD -> {
                op = switch (size(code)) {
                    case H -> "ldh";
                    case B -> "ldb";
                    default -> "ld";
                };
                operand = switch (mode(code)) {
                    case ABS -> "[" + ancillaryName(p.constant(n), k) + "]";
                    case IND -> "[x + " + k + "]";
                    case LEN -> "#pktlen";
                    case MEM -> "M[" + k + "]";
                    default -> hex;
                };
            }
            case LDX -> {
                op = mode(code) == MSH ? "ldxb" : "ldx";
                operand = switch (mode(code)) {
                    case MSH -> "4*([" + k + "]&0xf)";
                    case LEN -> "#pktlen";
                    case MEM -> "M[" + k + "]";
                    default -> hex;
                };
            }
            case ST -> {
                op = "st";
                operand = "M[" + k + "]";
            }
            case STX -> {
                op = "stx";
                operand = "M[" + k + "]";
            }
            case RET -> {
                op = "ret";
                operand = (code & 0x18) == A ? "" : "#" + k;
            }
            case MISC -> {
                op = (code & 0xf8) == TXA ? "txa" : "tax";
                operand = "";
            }
            case ALU -> {
                op = switch (op(code)) {
                    case ADD -> "add";
                    case SUB -> "sub";
                    case MUL -> "mul";
                    case DIV -> "div";
                    case MOD -> "mod";
                    case AND -> "and";
                    case OR -> "or";
                    case XOR -> "xor";
                    case LSH -> "lsh";
                    case RSH -> "rsh";
                    case NEG -> "neg";
                    default -> "unimp";
                };
                int o = op(code);
                operand = o == NEG ? "" : src(code) == X ? "x" : (o == AND || o == OR || o == XOR) ? hex : "#" + k;
            }
            default -> { // JMP
                if (op(code) == JA) {
                    return String.format("(%03d) %-8s %d", n, "ja", n + 1 + (long) Integer.toUnsignedLong(p.constant(n)));
                }
                op = switch (op(code)) {
                    case JEQ -> "jeq";
                    case JGT -> "jgt";
                    case JGE -> "jge";
                    case JSET -> "jset";
                    default -> "unimp";
                };
                operand = src(code) == X ? "x" : hex;
                return String.format("(%03d) %-8s %-16s jt %d\tjf %d", n, op, operand,
                        n + 1 + p.jumpTrue(n), n + 1 + p.jumpFalse(n));
            }
        }
        return String.format("(%03d) %-8s %s", n, op, operand);
    }

    /** The names {@code tcpdump -d} prints for ancillary loads it knows; other offsets as numbers. */
    private static String ancillaryName(int offset, String number) {
        return switch (offset) {
            case SKF_AD_PROTOCOL -> "proto";
            case SKF_AD_VLAN_TAG -> "vlan_tci";
            case SKF_AD_VLAN_TAG_PRESENT -> "vlanp";
            default -> number;
        };
    }
}
