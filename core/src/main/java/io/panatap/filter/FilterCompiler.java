package io.panatap.filter;

import static io.panatap.filter.Bpf.*;

import io.panatap.filter.FilterExpr.And;
import io.panatap.filter.FilterExpr.Arith;
import io.panatap.filter.FilterExpr.ArithOp;
import io.panatap.filter.FilterExpr.Binary;
import io.panatap.filter.FilterExpr.Const;
import io.panatap.filter.FilterExpr.Dir;
import io.panatap.filter.FilterExpr.Host;
import io.panatap.filter.FilterExpr.Len;
import io.panatap.filter.FilterExpr.Length;
import io.panatap.filter.FilterExpr.Load;
import io.panatap.filter.FilterExpr.Negate;
import io.panatap.filter.FilterExpr.Not;
import io.panatap.filter.FilterExpr.Or;
import io.panatap.filter.FilterExpr.Port;
import io.panatap.filter.FilterExpr.Proto;
import io.panatap.filter.FilterExpr.Protocol;
import io.panatap.filter.FilterExpr.RelOp;
import io.panatap.filter.FilterExpr.Relation;
import io.panatap.filter.FilterExpr.Vlan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Compiles pcap-filter(7) expressions to classic BPF, without libpcap. The subset and its meaning follow
 * tcpdump: {@code host}/{@code net} (IPv4 also matches ARP and RARP sender/target addresses on links that
 * carry them), {@code port}/{@code portrange} (TCP, UDP and SCTP; IPv4 only on first fragments, IPv6 only
 * when the transport header follows the fixed header directly), {@code ip}, {@code ip6}, {@code tcp},
 * {@code udp}, {@code sctp} (on IPv6 also after one fragment header), {@code vlan [id]}, {@code less},
 * {@code greater}, and comparisons of {@code ip[]}, {@code ip6[]}, {@code tcp[]}, {@code udp[]},
 * {@code sctp[]} and {@code len} arithmetic. See {@code FilterExpr} for the tree the parser builds.
 *
 * <p>Code is emitted in expression order with short-circuit jumps; conditional branches farther than 255
 * instructions go through {@code ja} trampolines, so every program is one the kernel accepts.
 */
public final class FilterCompiler {
    /** What tcpdump returns for accepted packets when no snap length is given ({@code -s 0}). */
    public static final int DEFAULT_SNAP_LENGTH = 262144;

    private FilterCompiler() {
    }

    /**
     * Compiles {@code expression} for frames of {@code linkType} (a {@code LINKTYPE_*} number, see
     * {@link io.panatap.parse.LinkType}). A blank expression accepts every packet.
     *
     * @param snapLength the value returned for accepted packets (bytes to keep); 0 or less means
     *                   {@link #DEFAULT_SNAP_LENGTH}
     * @throws FilterSyntaxException if the expression does not parse; {@link FilterSyntaxException#column()}
     *                               points at the offending token
     * @throws FilterException       if it asks for something unsupported (host names, unknown link types,
     *                               VLANs on links without tags) or compiles to more than
     *                               {@link BpfProgram#MAX_INSTRUCTIONS} instructions
     */
    public static BpfProgram compile(String expression, int linkType, int snapLength) throws FilterException {
        LinkLayer link = LinkLayer.of(linkType);
        FilterExpr tree = FilterParser.parse(expression);
        return compile(tree, link, snapLength);
    }

    static BpfProgram compile(FilterExpr tree, LinkLayer link, int snapLength) throws FilterException {
        int snap = snapLength <= 0 ? DEFAULT_SNAP_LENGTH : snapLength;
        Cond root = tree == null ? Cond.TRUE : new Translator(link).cond(tree);
        return new Emitter().program(root, snap);
    }

    // ---- intermediate form: conditions over straight-line loads ----

    /** A boolean over packet tests; evaluation order is left to right with short circuits. */
    sealed interface Cond {
        Cond TRUE = new Bool(true);
        Cond FALSE = new Bool(false);
    }

    /** Runs {@code stmts} (pairs of code, k), then branches on {@code jump} against k or X. */
    record Test(int[] stmts, int jump, int k) implements Cond {
    }

    record All(Cond first, Cond second) implements Cond {
    }

    record Any(Cond first, Cond second) implements Cond {
    }

    record Neg(Cond operand) implements Cond {
    }

    record Bool(boolean value) implements Cond {
    }

    static Cond all(Cond a, Cond b) {
        if (a instanceof Bool x) {
            return x.value ? b : Cond.FALSE;
        }
        // a && true == a even when a's loads fail; a && false is not simply false when a's loads fail,
        // but both reject, so only the left constant is folded.
        return b instanceof Bool y && y.value ? a : new All(a, b);
    }

    static Cond any(Cond a, Cond b) {
        if (a instanceof Bool x) {
            return x.value ? Cond.TRUE : b;
        }
        return b instanceof Bool y && !y.value ? a : new Any(a, b);
    }

    static Cond neg(Cond a) {
        return a instanceof Bool x ? new Bool(!x.value) : new Neg(a);
    }

    // ---- expression tree to conditions ----

    private static final class Translator {
        private final LinkLayer link;

        Translator(LinkLayer link) {
            this.link = link;
        }

        Cond cond(FilterExpr e) throws FilterException {
            return switch (e) {
                case And a -> all(cond(a.left()), cond(a.right()));
                case Or o -> any(cond(o.left()), cond(o.right()));
                case Not n -> neg(cond(n.operand()));
                case Protocol p -> protocol(p.proto(), p.vlans());
                case Host h -> host(h);
                case Port p -> port(p);
                case Vlan v -> vlan(v);
                case Length l -> l.less() ? neg(test(JGT, l.bound(), LD | W | LEN, 0))
                        : test(JGE, l.bound(), LD | W | LEN, 0);
                case Relation r -> relation(r);
            };
        }

        Cond ipv4(int vlans) {
            return ipVersion(vlans, LinkLayer.ETHERTYPE_IPV4, 0x40, LinkLayer.Kind.IPV4_ONLY);
        }

        Cond ipv6(int vlans) {
            return ipVersion(vlans, LinkLayer.ETHERTYPE_IPV6, 0x60, LinkLayer.Kind.IPV6_ONLY);
        }

        private Cond ipVersion(int vlans, int etherType, int nibble, LinkLayer.Kind only) {
            return switch (link.kind()) {
                case ETHERTYPE -> test(JEQ, etherType, LD | H | ABS, link.typeOffset(vlans));
                case IP_VERSION -> test(JEQ, nibble, LD | B | ABS, 0, ALU | AND | K, 0xf0);
                default -> link.kind() == only ? Cond.TRUE : Cond.FALSE;
            };
        }

        /** ARP or RARP; only links with an EtherType carry them. */
        Cond arpOrRarp(int vlans) {
            if (link.kind() != LinkLayer.Kind.ETHERTYPE) {
                return Cond.FALSE;
            }
            // The second test reuses the EtherType still in A.
            return any(test(JEQ, LinkLayer.ETHERTYPE_ARP, LD | H | ABS, link.typeOffset(vlans)),
                    test(JEQ, LinkLayer.ETHERTYPE_RARP));
        }

        Cond protocol(Proto p, int vlans) {
            int nl = link.networkOffset(vlans);
            return switch (p) {
                case IP -> ipv4(vlans);
                case IP6 -> ipv6(vlans);
                default -> any(all(ipv4(vlans), byteIs(nl + 9, p.number)),
                        all(ipv6(vlans), any(byteIs(nl + 6, p.number),
                                all(byteIs(nl + 6, 44), byteIs(nl + 40, p.number)))));
            };
        }

        /** IPv4 first fragment or unfragmented: fragment offset zero. */
        Cond firstFragment(int vlans) {
            return neg(test(JSET, 0x1fff, LD | H | ABS, link.networkOffset(vlans) + 6));
        }

        Cond host(Host h) {
            int nl = link.networkOffset(h.vlans());
            if (h.ipv6()) {
                return all(ipv6(h.vlans()), direction(h.dir(), words(h, nl + 8), words(h, nl + 24)));
            }
            Cond ip = all(ipv4(h.vlans()), direction(h.dir(), words(h, nl + 12), words(h, nl + 16)));
            if (h.proto() != null) {
                return ip;
            }
            // ARP and RARP: sender protocol address at 14, target at 24.
            return any(ip, all(arpOrRarp(h.vlans()), direction(h.dir(), words(h, nl + 14), words(h, nl + 24))));
        }

        /** Masked address words at {@code offset}; words with an all-zero mask are not loaded at all. */
        private static Cond words(Host h, int offset) {
            Cond c = Cond.TRUE;
            for (int w = 0; w < h.address().length; w++) {
                int mask = h.mask()[w];
                if (mask == 0) {
                    continue;
                }
                Cond t = mask == -1 ? test(JEQ, h.address()[w], LD | W | ABS, offset + 4 * w)
                        : test(JEQ, h.address()[w], LD | W | ABS, offset + 4 * w, ALU | AND | K, mask);
                c = all(c, t);
            }
            return c;
        }

        private static Cond direction(Dir dir, Cond src, Cond dst) {
            return switch (dir) {
                case SRC -> src;
                case DST -> dst;
                case EITHER -> any(src, dst);
                case BOTH -> all(src, dst);
            };
        }

        Cond port(Port p) {
            int d = p.vlans();
            int nl = link.networkOffset(d);
            Cond v4 = all(ipv4(d), all(transport(nl + 9, p.proto()), all(firstFragment(d),
                    direction(p.dir(), portIs(p, new int[] {LDX | B | MSH, nl, LD | H | IND, nl}),
                            portIs(p, new int[] {LDX | B | MSH, nl, LD | H | IND, nl + 2})))));
            Cond v6 = all(ipv6(d), all(transport(nl + 6, p.proto()),
                    direction(p.dir(), portIs(p, new int[] {LD | H | ABS, nl + 40}),
                            portIs(p, new int[] {LD | H | ABS, nl + 42}))));
            return any(v4, v6);
        }

        /** The protocol byte names TCP, UDP or SCTP, or {@code proto} when given. */
        private static Cond transport(int offset, Proto proto) {
            if (proto != null) {
                return byteIs(offset, proto.number);
            }
            return any(byteIs(offset, Proto.TCP.number),
                    any(test(JEQ, Proto.UDP.number), test(JEQ, Proto.SCTP.number)));
        }

        private static Cond portIs(Port p, int[] load) {
            if (p.low() == p.high()) {
                return new Test(load, JMP | JEQ | K, p.low());
            }
            // low <= port && !(port > high); the second test reuses the port still in A.
            return all(new Test(load, JMP | JGE | K, p.low()), neg(test(JGT, p.high())));
        }

        Cond vlan(Vlan v) throws FilterException {
            if (!link.vlanTags()) {
                throw new FilterException("no VLAN support for link type "
                        + io.panatap.parse.LinkType.name(link.linkType()));
            }
            int t = link.typeOffset(v.vlans());
            Cond tagged = any(test(JEQ, LinkLayer.VLAN_TPIDS[0], LD | H | ABS, t),
                    any(test(JEQ, LinkLayer.VLAN_TPIDS[1]), test(JEQ, LinkLayer.VLAN_TPIDS[2])));
            if (v.id() < 0) {
                return tagged;
            }
            return all(tagged, test(JEQ, v.id(), LD | H | ABS, t + 2, ALU | AND | K, 0xfff));
        }

        // ---- relations ----

        Cond relation(Relation r) throws FilterException {
            int d = r.vlans();
            Set<Proto> protos = new LinkedHashSet<>();
            collectProtos(r.left(), protos);
            collectProtos(r.right(), protos);
            Cond guard = Cond.TRUE;
            for (Proto p : protos) {
                guard = all(guard, loadGuard(p, d));
            }
            return all(guard, compare(r, d));
        }

        /** What must hold before {@code proto[...]} can be read: tcpdump's {@code tcp[]} is IPv4 only. */
        Cond loadGuard(Proto p, int vlans) {
            return switch (p) {
                case IP -> ipv4(vlans);
                case IP6 -> ipv6(vlans);
                default -> all(ipv4(vlans), all(byteIs(link.networkOffset(vlans) + 9, p.number),
                        firstFragment(vlans)));
            };
        }

        private Cond compare(Relation r, int vlans) throws FilterException {
            RelOp op = r.op();
            Arith left = r.left();
            Arith right = r.right();
            if (left instanceof Const && !(right instanceof Const)) {
                Arith t = left;
                left = right;
                right = t;
                op = op.mirrored();
            }
            Code code = new Code(link, vlans);
            if (right instanceof Const c) {
                if (left instanceof Const l) {
                    return new Bool(op.test(l.value(), c.value()));
                }
                if (c.value() == 0 && (op == RelOp.EQ || op == RelOp.NE)
                        && left instanceof Binary b && b.op() == ArithOp.AND && b.right() instanceof Const m) {
                    code.arith(b.left(), 0);
                    Cond set = new Test(code.toArray(), JMP | JSET | K, m.value());
                    return op == RelOp.NE ? set : neg(set);
                }
                code.arith(left, 0);
                return jump(op, code.toArray(), K, c.value());
            }
            code.arith(right, 0);
            code.add(ST, 0);
            code.arith(left, 1);
            code.add(LDX | MEM, 0);
            return jump(op, code.toArray(), X, 0);
        }

        private static Cond jump(RelOp op, int[] stmts, int src, int k) {
            return switch (op) {
                case EQ -> new Test(stmts, JMP | JEQ | src, k);
                case NE -> neg(new Test(stmts, JMP | JEQ | src, k));
                case GT -> new Test(stmts, JMP | JGT | src, k);
                case GE -> new Test(stmts, JMP | JGE | src, k);
                case LT -> neg(new Test(stmts, JMP | JGE | src, k));
                case LE -> neg(new Test(stmts, JMP | JGT | src, k));
            };
        }

        private static void collectProtos(Arith a, Set<Proto> out) {
            switch (a) {
                case Load l -> {
                    out.add(l.proto());
                    collectProtos(l.index(), out);
                }
                case Binary b -> {
                    collectProtos(b.left(), out);
                    collectProtos(b.right(), out);
                }
                case Negate n -> collectProtos(n.operand(), out);
                default -> {
                }
            }
        }

        private static Cond byteIs(int offset, int value) {
            return test(JEQ, value, LD | B | ABS, offset);
        }

        /** A test of A against {@code k} after the given (code, k) statement pairs. */
        private static Cond test(int jump, int k, int... stmts) {
            return new Test(stmts, JMP | jump | K, k);
        }
    }

    /** Straight-line code that leaves an arithmetic value in A, using scratch memory for temporaries. */
    private static final class Code {
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
                buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            }
            buf[n++] = code;
            buf[n++] = k;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(buf, n);
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

    // ---- emission and branch layout ----

    private static final class Label {
        int index = -1;
        boolean used;
    }

    private record Insn(int code, int k, Label jt, Label jf) {
    }

    /** Emits conditions as short-circuit code, then lays it out with trampolines for long branches. */
    private static final class Emitter {
        /** Far more than any program the kernel takes; stops runaway expressions early. */
        private static final int EMIT_LIMIT = 1 << 20;

        private final List<Insn> insns = new ArrayList<>();

        BpfProgram program(Cond root, int snap) throws FilterException {
            Label accept = new Label();
            Label reject = new Label();
            emit(root, accept, reject);
            place(accept);
            insns.add(new Insn(RET | K, snap, null, null));
            if (reject.used) {
                place(reject);
                insns.add(new Insn(RET | K, 0, null, null));
            }
            return layout();
        }

        private void emit(Cond c, Label t, Label f) throws FilterException {
            if (insns.size() > EMIT_LIMIT) {
                throw tooLarge(insns.size());
            }
            switch (c) {
                case Test test -> {
                    for (int i = 0; i < test.stmts().length; i += 2) {
                        insns.add(new Insn(test.stmts()[i], test.stmts()[i + 1], null, null));
                    }
                    t.used = true;
                    f.used = true;
                    insns.add(new Insn(test.jump(), test.k(), t, f));
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
                case Bool b -> {
                    Label target = b.value() ? t : f;
                    target.used = true;
                    insns.add(new Insn(JMP | JA, 0, target, null));
                }
            }
        }

        /**
         * Binds {@code label} to the next instruction, dropping a jump to it that would land right here.
         * Labels already bound to the dropped jump then bind to the same next instruction, which is where
         * the jump led.
         */
        private void place(Label label) {
            while (!insns.isEmpty() && insns.getLast().code() == (JMP | JA) && insns.getLast().jt() == label) {
                insns.removeLast();
            }
            label.index = insns.size();
        }

        private BpfProgram layout() throws FilterException {
            int n = insns.size();
            boolean[] farTrue = new boolean[n];
            boolean[] farFalse = new boolean[n];
            int[] pos = new int[n + 1];
            boolean changed = true;
            while (changed) {
                changed = false;
                positions(pos, farTrue, farFalse);
                for (int i = 0; i < n; i++) {
                    Insn in = insns.get(i);
                    if (cls(in.code()) != JMP || op(in.code()) == JA) {
                        continue;
                    }
                    if (!farTrue[i] && pos[in.jt().index] - (pos[i] + 1) > 255) {
                        farTrue[i] = true;
                        changed = true;
                    }
                    if (!farFalse[i] && pos[in.jf().index] - (pos[i] + 1) > 255) {
                        farFalse[i] = true;
                        changed = true;
                    }
                }
            }
            int total = pos[n];
            if (total > BpfProgram.MAX_INSTRUCTIONS) {
                throw tooLarge(total);
            }
            int[][] out = new int[total][];
            for (int i = 0; i < n; i++) {
                Insn in = insns.get(i);
                int at = pos[i];
                if (in.code() == (JMP | JA)) {
                    out[at] = new int[] {in.code(), 0, 0, pos[in.jt().index] - (at + 1)};
                } else if (cls(in.code()) == JMP) {
                    int slot = at + 1;
                    int jt;
                    int jf;
                    if (farTrue[i]) {
                        out[slot] = new int[] {JMP | JA, 0, 0, pos[in.jt().index] - (slot + 1)};
                        jt = slot - (at + 1);
                        slot++;
                    } else {
                        jt = pos[in.jt().index] - (at + 1);
                    }
                    if (farFalse[i]) {
                        out[slot] = new int[] {JMP | JA, 0, 0, pos[in.jf().index] - (slot + 1)};
                        jf = slot - (at + 1);
                    } else {
                        jf = pos[in.jf().index] - (at + 1);
                    }
                    out[at] = new int[] {in.code(), jt, jf, in.k()};
                } else {
                    out[at] = new int[] {in.code(), 0, 0, in.k()};
                }
            }
            return BpfProgram.of(out);
        }

        private void positions(int[] pos, boolean[] farTrue, boolean[] farFalse) {
            int p = 0;
            for (int i = 0; i < insns.size(); i++) {
                pos[i] = p;
                p += 1 + (farTrue[i] ? 1 : 0) + (farFalse[i] ? 1 : 0);
            }
            pos[insns.size()] = p;
        }

        private static FilterException tooLarge(int count) {
            return new FilterException("filter too large: it compiles to " + count
                    + " BPF instructions; the kernel accepts at most " + BpfProgram.MAX_INSTRUCTIONS);
        }
    }
}
