package io.panatap.filter;

/**
 * Classic BPF opcode fields ({@code linux/filter.h}, {@code pcap/bpf.h}). An opcode is
 * {@code class | size | mode} for loads and stores, {@code class | op | source} for ALU and jumps.
 */
final class Bpf {
    // Instruction classes (low 3 bits).
    static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06,
            MISC = 0x07;
    // Load sizes.
    static final int W = 0x00, H = 0x08, B = 0x10;
    // Load modes.
    static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;
    // ALU operations.
    static final int ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60,
            RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0;
    // Jump conditions.
    static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
    // Operand source: the constant k or the X register; RET A returns the accumulator.
    static final int K = 0x00, X = 0x08, A = 0x10;
    // MISC operations.
    static final int TAX = 0x00, TXA = 0x80;

    /**
     * Ancillary loads ({@code linux/filter.h}): an absolute load at {@code SKF_AD_OFF + n} reads socket-buffer
     * metadata instead of packet bytes. {@code SKF_AD_VLAN_TAG} is the TCI of the tag the receive path moved
     * out of the frame, {@code SKF_AD_VLAN_TAG_PRESENT} 1 when there is one, else 0.
     */
    static final int SKF_AD_OFF = -0x1000;
    static final int SKF_AD_PROTOCOL = SKF_AD_OFF;
    static final int SKF_AD_VLAN_TAG = SKF_AD_OFF + 44;
    static final int SKF_AD_VLAN_TAG_PRESENT = SKF_AD_OFF + 48;

    /** Scratch memory words {@code M[0..15]} ({@code BPF_MEMWORDS}). */
    static final int MEMWORDS = 16;

    private Bpf() {
    }

    static int cls(int code) {
        return code & 0x07;
    }

    static int size(int code) {
        return code & 0x18;
    }

    static int mode(int code) {
        return code & 0xe0;
    }

    static int op(int code) {
        return code & 0xf0;
    }

    static int src(int code) {
        return code & 0x08;
    }

    /** Bytes read by a load of this size field. */
    static int bytes(int size) {
        return size == W ? 4 : size == H ? 2 : 1;
    }
}
