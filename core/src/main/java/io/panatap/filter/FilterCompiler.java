package io.panatap.filter;

import static io.panatap.filter.Bpf.*;

import io.panatap.parse.EtherType;
import io.panatap.parse.LinkLayer;
import io.panatap.parse.LinkType;

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
 * <p>{@link #compile(String, int, int)} is for frames as stored in capture files (tags in the bytes);
 * {@link #compileForSocket} is for a live Linux packet socket, where the outer VLAN tag is metadata.
 *
 * <p>Code is emitted in expression order with short-circuit jumps, then jump-threaded (see
 * {@code Threader}); conditional branches farther than 255 instructions go through {@code ja} trampolines,
 * so every program is one the kernel accepts.
 */
public final class FilterCompiler {
    /** What tcpdump returns for accepted packets when no snap length is given ({@code -s 0}). */
    public static final int DEFAULT_SNAP_LENGTH = io.panatap.PacketSource.DEFAULT_SNAP_LENGTH;

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
        LinkLayer link = linkLayer(linkType);
        FilterExpr tree = FilterParser.parse(expression);
        return compile(tree, link, snapLength);
    }

    /** The link-layer row of {@code linkType}; filters exist for every link type the parser decodes. */
    static LinkLayer linkLayer(int linkType) throws FilterException {
        LinkLayer link = LinkLayer.of(linkType);
        if (link == null) {
            throw new FilterException("filters are not supported on link type " + LinkType.name(linkType)
                    + " (" + linkType + "); supported: " + LinkLayer.decodedNames());
        }
        return link;
    }

    static BpfProgram compile(FilterExpr tree, LinkLayer link, int snapLength) throws FilterException {
        int snap = snapLength <= 0 ? DEFAULT_SNAP_LENGTH : snapLength;
        Cond root = tree == null ? Cond.TRUE : new Translator(link, false).cond(tree);
        return new Emitter().program(root, snap);
    }

    /**
     * Compiles {@code expression} as the filter of a live Linux packet socket receiving frames of
     * {@code linkType} (for {@link io.panatap.capture.PacketCapture.Builder#filter}). It differs from
     * {@link #compile(String, int, int)} where the kernel's view of a frame differs from the frame on the
     * wire: the receive path moves the outermost 802.1Q/802.1ad tag out of the frame into metadata before
     * socket filters run. As libpcap does on Linux, the first {@code vlan} of the expression then reads that
     * metadata ({@code SKF_AD_VLAN_TAG_PRESENT}, {@code SKF_AD_VLAN_TAG}) and, when the tag was moved, does
     * not shift the offsets of what follows it; a tag still in the frame (a transmitted frame, say) is
     * tested and skipped as in a file. So {@code vlan 100 and tcp port 80} selects the same frames live
     * as it does in a capture file, while a primitive before any {@code vlan} sees the frame as the socket
     * does, without its outer tag ({@code tcp} alone also matches 802.1Q-tagged TCP), as in tcpdump.
     *
     * @param tcpOnly also require TCP over IPv4 or IPv6 behind at most two tags left in the frame, as
     *                {@link io.panatap.capture.TcpOnlyFilter} does; the expression's own {@code vlan}
     *                offsets are unaffected
     * @throws FilterException as {@link #compile(String, int, int)}
     */
    public static BpfProgram compileForSocket(String expression, int linkType, int snapLength, boolean tcpOnly)
            throws FilterException {
        LinkLayer link = linkLayer(linkType);
        FilterExpr tree = FilterParser.parse(expression);
        int snap = snapLength <= 0 ? DEFAULT_SNAP_LENGTH : snapLength;
        Cond root = tree == null ? Cond.TRUE : new Translator(link, false).cond(tree);
        if (tree != null && containsVlan(tree)) {
            // If the socket buffer holds the outer tag, the expression runs over the frame without it.
            Cond metadata = new Test(new int[] {LD | B | ABS, SKF_AD_VLAN_TAG_PRESENT}, JMP | JEQ | K, 1);
            root = new If(metadata, new Translator(link, true).cond(tree), root);
        }
        if (tcpOnly) {
            root = all(new Translator(link, false).tcpBehindTags(), root);
        }
        return new Emitter().program(root, snap);
    }

    private static boolean containsVlan(FilterExpr e) {
        return switch (e) {
            case And a -> containsVlan(a.left()) || containsVlan(a.right());
            case Or o -> containsVlan(o.left()) || containsVlan(o.right());
            case Not n -> containsVlan(n.operand());
            case Vlan v -> true;
            default -> false;
        };
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

    /** {@code then} where {@code test} holds, else {@code otherwise}; the test runs once. */
    record If(Cond test, Cond then, Cond otherwise) implements Cond {
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
        /** Tags {@code tcpBehindTags} skips, as {@code TcpOnlyFilter} does. */
        private static final int MAX_TAGS_IN_FRAME = 2;

        private final LinkLayer link;
        /** The outer tag is in socket metadata: the first {@code vlan} reads it there and shifts nothing. */
        private final boolean outerTagInMetadata;

        Translator(LinkLayer link, boolean outerTagInMetadata) {
            this.link = link;
            this.outerTagInMetadata = outerTagInMetadata;
        }

        /** Tags in the frame before a primitive written after {@code vlans} {@code vlan}s. */
        private int depth(int vlans) {
            return outerTagInMetadata && vlans > 0 ? vlans - 1 : vlans;
        }

        /** TCP over IPv4 or IPv6, directly or behind up to two tags in the frame. */
        Cond tcpBehindTags() {
            int tags = link.vlanTagsInFrame() ? MAX_TAGS_IN_FRAME : 0;
            Cond c = protocol(Proto.TCP, tags);
            for (int d = tags - 1; d >= 0; d--) {
                c = any(protocol(Proto.TCP, d), all(tagAt(d), c));
            }
            return c;
        }

        Cond cond(FilterExpr e) throws FilterException {
            return switch (e) {
                case And a -> all(cond(a.left()), cond(a.right()));
                case Or o -> any(cond(o.left()), cond(o.right()));
                case Not n -> neg(cond(n.operand()));
                case Protocol p -> protocol(p.proto(), depth(p.vlans()));
                case Host h -> host(h);
                case Port p -> port(p);
                case Vlan v -> vlan(v);
                case Length l -> l.less() ? neg(test(JGT, l.bound(), LD | W | LEN, 0))
                        : test(JGE, l.bound(), LD | W | LEN, 0);
                case Relation r -> relation(r);
            };
        }

        Cond ipv4(int vlans) {
            return ipVersion(vlans, EtherType.IPV4, 0x40, LinkLayer.Protocol.IPV4_ONLY);
        }

        Cond ipv6(int vlans) {
            return ipVersion(vlans, EtherType.IPV6, 0x60, LinkLayer.Protocol.IPV6_ONLY);
        }

        private Cond ipVersion(int vlans, int etherType, int nibble, LinkLayer.Protocol only) {
            return switch (link.protocol()) {
                case ETHERTYPE -> test(JEQ, etherType, LD | H | ABS, link.typeOffset(vlans));
                case IP_VERSION -> test(JEQ, nibble, LD | B | ABS, 0, ALU | AND | K, 0xf0);
                default -> link.protocol() == only ? Cond.TRUE : Cond.FALSE;
            };
        }

        /** ARP or RARP; only links with an EtherType carry them. */
        Cond arpOrRarp(int vlans) {
            if (link.protocol() != LinkLayer.Protocol.ETHERTYPE) {
                return Cond.FALSE;
            }
            // The second test reuses the EtherType still in A.
            return any(test(JEQ, EtherType.ARP, LD | H | ABS, link.typeOffset(vlans)),
                    test(JEQ, EtherType.RARP));
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
            int d = depth(h.vlans());
            int nl = link.networkOffset(d);
            if (h.ipv6()) {
                return all(ipv6(d), direction(h.dir(), words(h, nl + 8), words(h, nl + 24)));
            }
            Cond ip = all(ipv4(d), direction(h.dir(), words(h, nl + 12), words(h, nl + 16)));
            if (h.proto() != null) {
                return ip;
            }
            // ARP and RARP: sender protocol address at 14, target at 24.
            return any(ip, all(arpOrRarp(d), direction(h.dir(), words(h, nl + 14), words(h, nl + 24))));
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
            int d = depth(p.vlans());
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
            if (!link.vlanTagsInFrame()) {
                throw new FilterException("no VLAN support for link type "
                        + link.name());
            }
            if (outerTagInMetadata && v.vlans() == 0) {
                // The kernel moves only 802.1Q and 802.1ad tags, both of which "vlan" accepts.
                return v.id() < 0 ? Cond.TRUE
                        : test(JEQ, v.id(), LD | H | ABS, SKF_AD_VLAN_TAG, ALU | AND | K, 0xfff);
            }
            int d = depth(v.vlans());
            Cond tagged = tagAt(d);
            if (v.id() < 0) {
                return tagged;
            }
            return all(tagged, test(JEQ, v.id(), LD | H | ABS, link.typeOffset(d) + 2, ALU | AND | K, 0xfff));
        }

        /** A tag in the frame after {@code depth} others: its TPID is one of those {@code vlan} accepts. */
        private Cond tagAt(int depth) {
            return any(test(JEQ, EtherType.VLAN_8021Q, LD | H | ABS, link.typeOffset(depth)),
                    any(test(JEQ, EtherType.VLAN_8021AD), test(JEQ, EtherType.VLAN_QINQ_9100)));
        }

        // ---- relations ----

        Cond relation(Relation r) throws FilterException {
            int d = depth(r.vlans());
            Set<Proto> protos = new LinkedHashSet<>();
            collectProtos(r.left(), protos);
            collectProtos(r.right(), protos);
            if (protos.contains(Proto.TCP) || protos.contains(Proto.UDP) || protos.contains(Proto.SCTP)) {
                protos.remove(Proto.IP); // implied by the transport guard, which tests IPv4 first
            }
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
        /** What A holds on every jump to this label so far ({@link Emitter#UNKNOWN} if they differ). */
        int[] accumulator;
        boolean reached;

        void reachedWith(int[] a) {
            accumulator = !reached || java.util.Arrays.equals(accumulator, a) ? a : Emitter.UNKNOWN;
            reached = true;
        }
    }

    /**
     * One instruction; jumps also record what A holds when they run ({@code aDef}, the statements that
     * computed it) and where their test's statements start.
     */
    private record Insn(int code, int k, Label jt, Label jf, int[] aDef, int start) {
        Insn(int code, int k) {
            this(code, k, null, null, null, -1);
        }
    }

    /** Emits conditions as short-circuit code, then lays it out with trampolines for long branches. */
    private static final class Emitter {
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
            return new Threader(insns).run().layout();
        }

        private void emit(Cond c, Label t, Label f) throws FilterException {
            if (insns.size() > EMIT_LIMIT) {
                throw tooLarge(insns.size());
            }
            switch (c) {
                case Test test -> {
                    int[] stmts = test.stmts();
                    int start = insns.size();
                    if (stmts.length > 0 && !java.util.Arrays.equals(stmts, accumulator)) {
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
    }

    /**
     * Jump threading over the emitted code. Along each edge it knows facts of the form "the statements S
     * give k" or "do not give k" (from the jumps taken so far on every path to the edge); when the test at
     * the edge's target recomputes S and compares it with a constant, the outcome is known and the edge is
     * retargeted past it. Skipping that test is exact: its statements are pure and already ran on this
     * path (no load is skipped that could have failed), and the new target either expects the same A or
     * recomputes A itself. Code left without predecessors is removed. Then branches are laid out, with
     * {@code ja} trampolines where a conditional jump would exceed 255.
     */
    private static final class Threader {
        private final int n;
        private final int[] code;
        private final int[] k;
        private final int[] jt;
        private final int[] jf;
        private final int[][] aDef;
        /** For an index where a test's statements start, the index of that test's jump; else -1. */
        private final int[] testAt;
        private final int[] start;

        Threader(List<Insn> insns) {
            n = insns.size();
            code = new int[n];
            k = new int[n];
            jt = new int[n];
            jf = new int[n];
            aDef = new int[n][];
            testAt = new int[n];
            start = new int[n];
            java.util.Arrays.fill(testAt, -1);
            for (int i = 0; i < n; i++) {
                Insn in = insns.get(i);
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
        private record Facts(java.util.Map<String, Fact> map) {
            static final Facts NONE = new Facts(java.util.Map.of());

            Facts with(int[] stmts, int value, boolean equal) {
                if (stmts == null || stmts == Emitter.UNKNOWN) {
                    return this;
                }
                java.util.Map<String, Fact> m = new java.util.HashMap<>(map);
                String key = java.util.Arrays.toString(stmts);
                Fact old = m.getOrDefault(key, Fact.NONE);
                m.put(key, equal ? new Fact(value, java.util.Set.of()) : old.without(value));
                return new Facts(m);
            }

            /** True/false if the facts decide {@code stmts == value}, else null. */
            Boolean decides(int[] stmts, int value) {
                Fact f = stmts == null ? null : map.get(java.util.Arrays.toString(stmts));
                if (f == null) {
                    return null;
                }
                if (f.equal() != null) {
                    return f.equal() == value;
                }
                return f.notEqual().contains(value) ? Boolean.FALSE : null;
            }

            Facts merge(Facts o) {
                java.util.Map<String, Fact> m = new java.util.HashMap<>();
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

        private record Fact(Integer equal, java.util.Set<Integer> notEqual) {
            static final Fact NONE = new Fact(null, java.util.Set.of());

            Fact without(int value) {
                if (equal != null) {
                    return this; // already known exactly
                }
                java.util.Set<Integer> s = new java.util.HashSet<>(notEqual);
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
                java.util.Set<Integer> s = new java.util.HashSet<>();
                for (java.util.Set<Integer> candidates : java.util.List.of(notEqual, o.notEqual)) {
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

        Threader run() {
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
                    if (test >= 0 && start[test] < test && java.util.Arrays.equals(inA[i], aDef[test])) {
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
                    if (!readsIncomingA(t) || java.util.Arrays.equals(a, virtualA)) {
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
                if (!readsIncomingA(t) || java.util.Arrays.equals(a, virtualA)) {
                    best = t;
                    bestFacts = f;
                }
            }
            in[best] = in[best] == null ? bestFacts : in[best].merge(bestFacts);
            inA[best] = inA[best] == null || java.util.Arrays.equals(inA[best], a) ? a : Emitter.UNKNOWN;
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
            java.util.function.IntUnaryOperator target = t -> {
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
}
