package io.panatap.filter;

import static io.panatap.filter.Bpf.*;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntUnaryOperator;

/**
 * The last stage of the compiler (libpcap's optimize, much reduced): jump threading over the code
 * {@link Emitter} produced, then branch layout into a {@link BpfProgram}. Along each edge it knows facts of the form "the statements S
 * give k" or "do not give k" (from the jumps taken so far on every path to the edge); when the test at
 * the edge's target recomputes S and compares it with a constant, the outcome is known and the edge is
 * retargeted past it. Skipping that test is exact: its statements are pure and already ran on this
 * path (no load is skipped that could have failed), and the new target either expects the same A or
 * recomputes A itself. Code left without predecessors is removed. Then branches are laid out, with
 * {@code ja} trampolines where a conditional jump would exceed 255.
 */
final class JumpThreader {
    private final int n;
    private final int[] code;
    private final int[] k;
    private final int[] jt;
    private final int[] jf;
    private final int[][] aDef;
    /** For an index where a test's statements start, the index of that test's jump; else -1. */
    private final int[] testAt;
    private final int[] start;

    JumpThreader(List<Emitter.Insn> insns) {
        n = insns.size();
        code = new int[n];
        k = new int[n];
        jt = new int[n];
        jf = new int[n];
        aDef = new int[n][];
        testAt = new int[n];
        start = new int[n];
        Arrays.fill(testAt, -1);
        for (int i = 0; i < n; i++) {
            Emitter.Insn in = insns.get(i);
            code[i] = in.code();
            k[i] = in.k();
            jt[i] = in.jt() == null ? -1 : in.jt().index;
            jf[i] = in.jf() == null ? -1 : in.jf().index;
            aDef[i] = in.aDef();
            start[i] = in.start();
            if (cls(code[i]) == JMP && in.start() >= 0) {
                testAt[in.start()] = i;
            }
        }
    }

    /** Facts about pure statement sequences, keyed by their text. */
    private record Facts(Map<String, Fact> map) {
        static final Facts NONE = new Facts(Map.of());

        Facts with(int[] stmts, int value, boolean equal) {
            if (stmts == null || stmts == Emitter.UNKNOWN) {
                return this;
            }
            Map<String, Fact> m = new HashMap<>(map);
            String key = Arrays.toString(stmts);
            Fact old = m.getOrDefault(key, Fact.NONE);
            m.put(key, equal ? new Fact(value, Set.of()) : old.without(value));
            return new Facts(m);
        }

        /** True/false if the facts decide {@code stmts == value}, else null. */
        Boolean decides(int[] stmts, int value) {
            Fact f = stmts == null ? null : map.get(Arrays.toString(stmts));
            if (f == null) {
                return null;
            }
            if (f.equal() != null) {
                return f.equal() == value;
            }
            return f.notEqual().contains(value) ? Boolean.FALSE : null;
        }

        Facts merge(Facts o) {
            Map<String, Fact> m = new HashMap<>();
            for (var e : map.entrySet()) {
                Fact other = o.map.get(e.getKey());
                if (other != null) {
                    Fact merged = e.getValue().merge(other);
                    if (merged.equal() != null || !merged.notEqual().isEmpty()) {
                        m.put(e.getKey(), merged);
                    }
                }
            }
            return new Facts(m);
        }
    }

    private record Fact(Integer equal, Set<Integer> notEqual) {
        static final Fact NONE = new Fact(null, Set.of());

        Fact without(int value) {
            if (equal != null) {
                return this; // already known exactly
            }
            Set<Integer> s = new HashSet<>(notEqual);
            s.add(value);
            return new Fact(null, s);
        }

        boolean excludes(int value) {
            return equal != null ? equal != value : notEqual.contains(value);
        }

        Fact merge(Fact o) {
            if (equal != null && equal.equals(o.equal)) {
                return this;
            }
            Set<Integer> s = new HashSet<>();
            for (Set<Integer> candidates : List.of(notEqual, o.notEqual)) {
                for (int v : candidates) {
                    if (excludes(v) && o.excludes(v)) {
                        s.add(v);
                    }
                }
            }
            for (Integer v : new Integer[] {equal, o.equal}) {
                if (v != null && excludes(v) && o.excludes(v)) {
                    s.add(v);
                }
            }
            return new Fact(null, s);
        }
    }

    private Facts[] in;
    private int[][] inA;
    /** Statements whose result A already holds on every edge into their test. */
    private boolean[] redundant;

    JumpThreader run() {
        in = new Facts[n];
        inA = new int[n][];
        redundant = new boolean[n];
        in[0] = Facts.NONE;
        inA[0] = Emitter.UNKNOWN;
        Facts cur = null;
        for (int i = 0; i < n; i++) {
            if (in[i] != null) {
                cur = cur == null ? in[i] : cur.merge(in[i]);
                int test = testAt[i];
                // Entered only by jumps (a test's start never follows straight-line code).
                if (test >= 0 && start[test] < test && Arrays.equals(inA[i], aDef[test])) {
                    for (int j = i; j < test; j++) {
                        redundant[j] = true;
                    }
                }
            }
            if (cur == null) {
                continue; // unreachable so far
            }
            int c = code[i];
            if (cls(c) == RET) {
                cur = null;
            } else if (c == (JMP | JA)) {
                jt[i] = thread(jt[i], cur, aDef[i]);
                cur = null;
            } else if (cls(c) == JMP) {
                boolean eq = c == (JMP | JEQ | K);
                Facts onTrue = eq ? cur.with(aDef[i], k[i], true) : cur;
                Facts onFalse = eq ? cur.with(aDef[i], k[i], false) : cur;
                jt[i] = thread(jt[i], onTrue, aDef[i]);
                jf[i] = thread(jf[i], onFalse, aDef[i]);
                cur = null;
            }
        }
        return this;
    }

    /**
     * Follows {@code target} past tests the facts decide and returns the farthest point where the
     * real A ({@code a}) is as good as what the original path would hold there; records the facts and
     * A at that point.
     */
    private int thread(int target, Facts facts, int[] a) {
        int best = target;
        Facts bestFacts = facts;
        int t = target;
        int[] virtualA = a;
        Facts f = facts;
        for (int steps = 0; steps < 256; steps++) {
            if (code[t] == (JMP | JA)) {
                t = jt[t];
                if (!readsIncomingA(t) || Arrays.equals(a, virtualA)) {
                    best = t;
                    bestFacts = f;
                }
                continue;
            }
            int test = testAt[t];
            if (test < 0 || code[test] != (JMP | JEQ | K)) {
                break;
            }
            Boolean outcome = f.decides(aDef[test], k[test]);
            if (outcome == null) {
                break;
            }
            f = f.with(aDef[test], k[test], outcome);
            virtualA = aDef[test];
            t = outcome ? jt[test] : jf[test];
            if (!readsIncomingA(t) || Arrays.equals(a, virtualA)) {
                best = t;
                bestFacts = f;
            }
        }
        in[best] = in[best] == null ? bestFacts : in[best].merge(bestFacts);
        inA[best] = inA[best] == null || Arrays.equals(inA[best], a) ? a : Emitter.UNKNOWN;
        return best;
    }

    /** Whether the code at {@code i} uses A before setting it (a test that reuses the accumulator). */
    private boolean readsIncomingA(int i) {
        while (code[i] == (JMP | JA)) {
            i = jt[i];
        }
        if (cls(code[i]) == RET) {
            return code[i] == (RET | A);
        }
        int test = testAt[i];
        return test < 0 || start[test] == test;
    }

    /** Drops unreachable code, then places instructions with trampolines for far branches. */
    BpfProgram layout() throws FilterException {
        boolean[] live = new boolean[n];
        live[0] = true;
        for (int i = 0; i < n; i++) {
            if (!live[i]) {
                continue;
            }
            int c = code[i];
            if (c == (JMP | JA)) {
                live[jt[i]] = true;
            } else if (cls(c) == JMP) {
                live[jt[i]] = true;
                live[jf[i]] = true;
            } else if (cls(c) != RET) {
                live[i + 1] = true;
            }
        }
        // Unconditional jumps to the next live instruction vanish as well, and so do statements whose
        // result A already holds.
        boolean[] keep = live.clone();
        for (int i = 0; i < n; i++) {
            keep[i] &= !redundant[i];
        }
        for (int i = 0; i < n; i++) {
            if (keep[i] && code[i] == (JMP | JA) && nextLive(keep, i) == jt[i]) {
                keep[i] = false;
            }
        }
        int[] index = new int[n + 1];
        int m = 0;
        for (int i = 0; i < n; i++) {
            index[i] = m;
            m += keep[i] ? 1 : 0;
        }
        index[n] = m;
        int[] kept = new int[m];
        for (int i = 0, j = 0; i < n; i++) {
            if (keep[i]) {
                kept[j++] = i;
            }
        }
        // A target that was dropped (a vanished ja) resolves to the next kept instruction.
        IntUnaryOperator target = t -> {
            while (!keep[t]) {
                t = code[t] == (JMP | JA) && live[t] ? jt[t] : t + 1;
            }
            return index[t];
        };
        boolean[] farTrue = new boolean[m];
        boolean[] farFalse = new boolean[m];
        int[] pos = new int[m + 1];
        boolean changed = true;
        while (changed) {
            changed = false;
            int p = 0;
            for (int j = 0; j < m; j++) {
                pos[j] = p;
                p += 1 + (farTrue[j] ? 1 : 0) + (farFalse[j] ? 1 : 0);
            }
            pos[m] = p;
            for (int j = 0; j < m; j++) {
                int i = kept[j];
                if (cls(code[i]) != JMP || code[i] == (JMP | JA)) {
                    continue;
                }
                if (!farTrue[j] && pos[target.applyAsInt(jt[i])] - (pos[j] + 1) > 255) {
                    farTrue[j] = true;
                    changed = true;
                }
                if (!farFalse[j] && pos[target.applyAsInt(jf[i])] - (pos[j] + 1) > 255) {
                    farFalse[j] = true;
                    changed = true;
                }
            }
        }
        int total = pos[m];
        if (total > BpfProgram.MAX_INSTRUCTIONS) {
            throw Emitter.tooLarge(total);
        }
        int[][] out = new int[total][];
        for (int j = 0; j < m; j++) {
            int i = kept[j];
            int at = pos[j];
            if (code[i] == (JMP | JA)) {
                out[at] = new int[] {code[i], 0, 0, pos[target.applyAsInt(jt[i])] - (at + 1)};
            } else if (cls(code[i]) == JMP) {
                int slot = at + 1;
                int t;
                int f;
                if (farTrue[j]) {
                    out[slot] = new int[] {JMP | JA, 0, 0, pos[target.applyAsInt(jt[i])] - (slot + 1)};
                    t = slot - (at + 1);
                    slot++;
                } else {
                    t = pos[target.applyAsInt(jt[i])] - (at + 1);
                }
                if (farFalse[j]) {
                    out[slot] = new int[] {JMP | JA, 0, 0, pos[target.applyAsInt(jf[i])] - (slot + 1)};
                    f = slot - (at + 1);
                } else {
                    f = pos[target.applyAsInt(jf[i])] - (at + 1);
                }
                out[at] = new int[] {code[i], t, f, k[i]};
            } else {
                out[at] = new int[] {code[i], 0, 0, k[i]};
            }
        }
        return BpfProgram.of(out);
    }

    private int nextLive(boolean[] keep, int i) {
        int j = i + 1;
        while (j < n && !keep[j]) {
            j++;
        }
        return j;
    }
}
