package io.panatap.filter;

import static io.panatap.filter.Bpf.*;

import io.panatap.filter.FilterExpr.Arith;
import io.panatap.filter.FilterExpr.ArithOp;
import io.panatap.filter.FilterExpr.Binary;
import io.panatap.filter.FilterExpr.Const;
import io.panatap.filter.FilterExpr.Len;
import io.panatap.filter.FilterExpr.Load;
import io.panatap.filter.FilterExpr.Negate;
import io.panatap.filter.FilterExpr.Proto;
import io.panatap.parse.LinkLayer;

import java.util.Arrays;

/**
 * Straight-line code that leaves an arithmetic value in A, using scratch memory for temporaries: the
 * statements of one {@link Cond.Test} for a comparison. Loads {@code proto[i]} relative to the network
 * header after {@code vlans} tags, as the {@link LinkLayer} row places it; transport loads add the IPv4
 * header length ({@code ldx 4*([nl]&0xf)}).
 */
final class Code {
    private final LinkLayer link;
    private final int vlans;
    private int[] buf = new int[16];
    private int n;

    Code(LinkLayer link, int vlans) {
        this.link = link;
        this.vlans = vlans;
    }

    void add(int code, int k) {
        if (n + 2 > buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[n++] = code;
        buf[n++] = k;
    }

    int[] toArray() {
        return Arrays.copyOf(buf, n);
    }

    /** Code for {@code a}; scratch words from {@code slot} up are free. */
    void arith(Arith a, int slot) throws FilterException {
        switch (a) {
            case Const c -> add(LD | IMM, c.value());
            case Len l -> add(LD | W | LEN, 0);
            case Negate g -> {
                arith(g.operand(), slot);
                add(ALU | NEG, 0);
            }
            case Binary b -> {
                int op = aluOp(b.op());
                if (b.right() instanceof Const c) {
                    arith(b.left(), slot);
                    add(ALU | op | K, c.value());
                } else {
                    checkSlot(slot);
                    arith(b.right(), slot);
                    add(ST, slot);
                    arith(b.left(), slot + 1);
                    add(LDX | MEM, slot);
                    add(ALU | op | X, 0);
                }
            }
            case Load l -> load(l, slot);
        }
    }

    private void load(Load l, int slot) throws FilterException {
        int size = l.size() == 4 ? W : l.size() == 2 ? H : B;
        int nl = link.networkOffset(vlans);
        boolean transport = l.proto() != Proto.IP && l.proto() != Proto.IP6;
        if (l.index() instanceof Const c) {
            long k = nl + Integer.toUnsignedLong(c.value());
            if (k > Integer.MAX_VALUE) {
                throw new FilterException("offset " + Integer.toUnsignedString(c.value()) + " in "
                        + l.proto().keyword() + "[] is too large");
            }
            if (transport) {
                add(LDX | B | MSH, nl);
                add(LD | size | IND, (int) k);
            } else {
                add(LD | size | ABS, (int) k);
            }
            return;
        }
        arith(l.index(), slot);
        if (transport) {
            add(LDX | B | MSH, nl);
            add(ALU | ADD | X, 0);
        }
        add(MISC | TAX, 0);
        add(LD | size | IND, nl);
    }

    private static void checkSlot(int slot) throws FilterException {
        if (slot >= MEMWORDS) {
            throw new FilterException("arithmetic expression too deeply nested: BPF has " + MEMWORDS
                    + " scratch words");
        }
    }

    private static int aluOp(ArithOp op) {
        return switch (op) {
            case ADD -> Bpf.ADD;
            case SUB -> Bpf.SUB;
            case MUL -> Bpf.MUL;
            case DIV -> Bpf.DIV;
            case AND -> Bpf.AND;
            case OR -> Bpf.OR;
            case LSH -> Bpf.LSH;
            case RSH -> Bpf.RSH;
        };
    }
}
