package io.panatap.filter;

import static io.panatap.filter.Bpf.*;

import io.panatap.filter.Cond.All;
import io.panatap.filter.Cond.Any;
import io.panatap.filter.Cond.Bool;
import io.panatap.filter.Cond.If;
import io.panatap.filter.Cond.Neg;
import io.panatap.filter.Cond.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The code generator: emits a {@link Cond} as short-circuit classic BPF in expression order, with jumps to
 * symbolic {@link Label}s, then hands the instructions to {@link JumpThreader}, which threads the jumps and
 * lays out the program with trampolines for long branches. While emitting it tracks which statements left
 * the value now in A, so a test whose statements A already holds is emitted without them.
 */
final class Emitter {
    /** Far more than any program the kernel takes; stops runaway expressions early. */
    private static final int EMIT_LIMIT = 1 << 20;

    /** A value no statement sequence equals. */
    static final int[] UNKNOWN = new int[] {-1};

    private final List<Insn> insns = new ArrayList<>();
    /**
     * The statements that computed A at the current point, on every path reaching it. Each test's
     * statements are self-contained (they set X and scratch words before reading them), so when they
     * equal this, A already holds their result and they are skipped: the same loads already ran on
     * every path, so no packet is accepted or rejected differently.
     */
    private int[] accumulator = UNKNOWN;
    private boolean fallsThrough = true;

    BpfProgram program(Cond root, int snap) throws FilterException {
        Label accept = new Label();
        Label reject = new Label();
        emit(root, accept, reject);
        place(accept);
        insns.add(new Insn(RET | K, snap));
        fallsThrough = false;
        if (reject.used) {
            place(reject);
            insns.add(new Insn(RET | K, 0));
        }
        return new JumpThreader(insns).run().layout();
    }

    private void emit(Cond c, Label t, Label f) throws FilterException {
        if (insns.size() > EMIT_LIMIT) {
            throw tooLarge(insns.size());
        }
        switch (c) {
            case Test test -> {
                int[] stmts = test.stmts();
                int start = insns.size();
                if (stmts.length > 0 && !Arrays.equals(stmts, accumulator)) {
                    for (int i = 0; i < stmts.length; i += 2) {
                        insns.add(new Insn(stmts[i], stmts[i + 1]));
                    }
                    accumulator = stmts;
                }
                t.used = true;
                f.used = true;
                t.reachedWith(accumulator);
                f.reachedWith(accumulator);
                insns.add(new Insn(test.jump(), test.k(), t, f, accumulator, start));
                fallsThrough = false;
            }
            case All a -> {
                Label mid = new Label();
                emit(a.first(), mid, f);
                place(mid);
                emit(a.second(), t, f);
            }
            case Any a -> {
                Label mid = new Label();
                emit(a.first(), t, mid);
                place(mid);
                emit(a.second(), t, f);
            }
            case Neg n -> emit(n.operand(), f, t);
            case If i -> {
                Label then = new Label();
                Label otherwise = new Label();
                emit(i.test(), then, otherwise);
                place(then);
                emit(i.then(), t, f);
                place(otherwise);
                emit(i.otherwise(), t, f);
            }
            case Bool b -> {
                Label target = b.value() ? t : f;
                target.used = true;
                target.reachedWith(accumulator);
                insns.add(new Insn(JMP | JA, 0, target, null, accumulator, insns.size()));
                fallsThrough = false;
            }
        }
    }

    /**
     * Binds {@code label} to the next instruction, dropping a jump to it that would land right here.
     * Labels already bound to the dropped jump then bind to the same next instruction, which is where
     * the jump led.
     */
    private void place(Label label) {
        // Only one: a label bound between two such jumps would be left pointing past the end.
        if (!insns.isEmpty() && insns.getLast().code() == (JMP | JA) && insns.getLast().jt() == label) {
            insns.removeLast();
        }
        label.index = insns.size();
        // The dropped jump already recorded its accumulator in the label.
        if (fallsThrough) {
            label.reachedWith(accumulator);
        }
        accumulator = label.reached ? label.accumulator : UNKNOWN;
        fallsThrough = true;
    }

    static FilterException tooLarge(int count) {
        return new FilterException("filter too large: it compiles to " + count
                + " BPF instructions; the kernel accepts at most " + BpfProgram.MAX_INSTRUCTIONS);
    }

    /** A jump target, bound to an instruction index by {@link #place}. */
    static final class Label {
        int index = -1;
        boolean used;
        /** What A holds on every jump to this label so far ({@link Emitter#UNKNOWN} if they differ). */
        int[] accumulator;
        boolean reached;

        void reachedWith(int[] a) {
            accumulator = !reached || Arrays.equals(accumulator, a) ? a : Emitter.UNKNOWN;
            reached = true;
        }
    }

    /**
     * One instruction; jumps also record what A holds when they run ({@code aDef}, the statements that
     * computed it) and where their test's statements start.
     */
    record Insn(int code, int k, Label jt, Label jf, int[] aDef, int start) {
        Insn(int code, int k) {
            this(code, k, null, null, null, -1);
        }
    }
}
