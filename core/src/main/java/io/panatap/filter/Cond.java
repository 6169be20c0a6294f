package io.panatap.filter;

/**
 * The compiler's intermediate form (the first stage's output, libpcap's {@code struct block} tree in
 * spirit): a boolean over packet tests, each test a run of straight-line statements and one conditional
 * jump. {@link Translator} builds it from the parsed {@link FilterExpr}; {@link Emitter} turns it into
 * short-circuit code. Evaluation order is left to right with short circuits, and that order is kept: a
 * test's loads can fail (reject the packet), so no pass may reorder or drop them.
 */
sealed interface Cond {
    Cond TRUE = new Bool(true);
    Cond FALSE = new Bool(false);

    /** Runs {@code stmts} (pairs of code, k), then branches on {@code jump} against k or X. */
    record Test(int[] stmts, int jump, int k) implements Cond {
    }

    /** {@code first} and then {@code second}. */
    record All(Cond first, Cond second) implements Cond {
    }

    /** {@code first} or else {@code second}. */
    record Any(Cond first, Cond second) implements Cond {
    }

    record Neg(Cond operand) implements Cond {
    }

    record Bool(boolean value) implements Cond {
    }

    /** {@code then} where {@code test} holds, else {@code otherwise}; the test runs once. */
    record If(Cond test, Cond then, Cond otherwise) implements Cond {
    }

    static Cond all(Cond a, Cond b) {
        if (a instanceof Bool x) {
            return x.value() ? b : FALSE;
        }
        // a && true == a even when a's loads fail; a && false is not simply false when a's loads fail,
        // but both reject, so only the left constant is folded.
        return b instanceof Bool y && y.value() ? a : new All(a, b);
    }

    static Cond any(Cond a, Cond b) {
        if (a instanceof Bool x) {
            return x.value() ? TRUE : b;
        }
        return b instanceof Bool y && !y.value() ? a : new Any(a, b);
    }

    static Cond neg(Cond a) {
        return a instanceof Bool x ? new Bool(!x.value()) : new Neg(a);
    }
}
