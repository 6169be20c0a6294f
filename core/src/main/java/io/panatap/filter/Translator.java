package io.panatap.filter;

import static io.panatap.filter.Bpf.*;
import static io.panatap.filter.Cond.all;
import static io.panatap.filter.Cond.any;
import static io.panatap.filter.Cond.neg;

import io.panatap.filter.Cond.Bool;
import io.panatap.filter.Cond.Test;
import io.panatap.filter.FilterExpr.And;
import io.panatap.filter.FilterExpr.Arith;
import io.panatap.filter.FilterExpr.ArithOp;
import io.panatap.filter.FilterExpr.Binary;
import io.panatap.filter.FilterExpr.Const;
import io.panatap.filter.FilterExpr.Dir;
import io.panatap.filter.FilterExpr.Host;
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
import io.panatap.parse.EtherType;
import io.panatap.parse.LinkLayer;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The first stage of the compiler (libpcap's gencode): translates a parsed {@link FilterExpr} into
 * {@link Cond} tests for one link layer. Every link-layer fact (where the EtherType or the network header
 * is, whether VLAN tags can follow the link header, how IPv4 is told from IPv6) comes from the
 * {@link LinkLayer} row; EtherType values from {@link EtherType}.
 *
 * <p>Each {@code vlan} in the expression shifts the offsets of the primitives written after it by one tag,
 * as in tcpdump. On a live socket ({@code outerTagInMetadata}) the first {@code vlan} reads the tag the
 * kernel moved into metadata instead, and shifts nothing. Arithmetic is turned into straight-line statements
 * by {@link Code}.
 */
final class Translator {
    /**
     * Tags {@code tcpBehindTags} skips: those left in the frame after the kernel moved the outer one to
     * metadata (the inner tag of 802.1ad) or, without VLAN offload, an outgoing frame's two.
     */
    private static final int MAX_TAGS_IN_FRAME = 2;

    private final LinkLayer link;
    /** The outer tag is in socket metadata: the first {@code vlan} reads it there and shifts nothing. */
    private final boolean outerTagInMetadata;

    /** A {@code NULL} address family is compared as a big-endian host writes it (a big-endian file). */
    private final boolean bigEndianFamily;

    /**
     * On a {@code SOCK_DGRAM} socket, which shows the packet from the IP header, the network protocol is the
     * socket buffer's ({@code SKF_AD_PROTOCOL}) rather than the IP version nibble, as libpcap reads it on
     * its cooked sockets: a packet of another protocol whose first byte looks like an IP version is not IP.
     */
    private final boolean protocolFromSocket;

    Translator(LinkLayer link, boolean outerTagInMetadata) {
        this(link, outerTagInMetadata, false, false);
    }

    Translator(LinkLayer link, boolean outerTagInMetadata, boolean bigEndianFamily) {
        this(link, outerTagInMetadata, bigEndianFamily, false);
    }

    Translator(LinkLayer link, boolean outerTagInMetadata, boolean bigEndianFamily, boolean protocolFromSocket) {
        this.link = link;
        this.outerTagInMetadata = outerTagInMetadata;
        this.bigEndianFamily = bigEndianFamily;
        this.protocolFromSocket = protocolFromSocket;
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
        return ipVersion(vlans, EtherType.IPV4, 0x40, LinkLayer.PPP_IPV4, LinkLayer.addressFamilies(4),
                LinkLayer.Protocol.IPV4_ONLY);
    }

    Cond ipv6(int vlans) {
        return ipVersion(vlans, EtherType.IPV6, 0x60, LinkLayer.PPP_IPV6, LinkLayer.addressFamilies(6),
                LinkLayer.Protocol.IPV6_ONLY);
    }

    /**
     * The link says the network layer is this IP version. As libpcap does for a capture file: PPP links
     * compare the 2-byte protocol where it follows 0xff 0x03 (frames without those bytes do not match), and
     * BSD loopback compares the whole address-family word with each of {@code families}, for {@code NULL}
     * in the byte order of a little-endian host unless the file is big-endian (tcpdump compares in the
     * file's order; see {@link FilterCompiler#compile(String, int, int, java.nio.ByteOrder)}).
     */
    private Cond ipVersion(int vlans, int etherType, int nibble, int pppProtocol, int[] families,
                           LinkLayer.Protocol only) {
        return switch (link.protocol()) {
            case ETHERTYPE -> test(JEQ, etherType, LD | H | ABS, link.typeOffset(vlans));
            case IP_VERSION -> protocolFromSocket ? test(JEQ, etherType, LD | H | ABS, SKF_AD_PROTOCOL)
                    : test(JEQ, nibble, LD | B | ABS, 0, ALU | AND | K, 0xf0);
            case PPP, PPP_HDLC, PPPOE_SESSION -> test(JEQ, pppProtocol, LD | H | ABS, link.typeOffset());
            case ADDRESS_FAMILY_HOST_ORDER, ADDRESS_FAMILY_NETWORK_ORDER -> addressFamily(families);
            default -> link.protocol() == only ? Cond.TRUE : Cond.FALSE;
        };
    }

    /** The address-family word is one of {@code families}; the tests after the first reuse the word in A. */
    private Cond addressFamily(int[] families) {
        boolean swap = link.protocol() == LinkLayer.Protocol.ADDRESS_FAMILY_HOST_ORDER && !bigEndianFamily;
        Cond c = null;
        for (int i = families.length - 1; i >= 0; i--) {
            int k = swap ? Integer.reverseBytes(families[i]) : families[i];
            Cond t = i == 0 ? test(JEQ, k, LD | W | ABS, link.typeOffset()) : test(JEQ, k);
            c = c == null ? t : any(t, c);
        }
        return c;
    }

    /**
     * ARP or RARP: links with an EtherType carry them; on PPP links libpcap compares the PPP protocol field
     * with the ARP and RARP EtherTypes, and so does this (no PPP frame has those protocol numbers).
     */
    Cond arpOrRarp(int vlans) {
        LinkLayer.Protocol kind = link.protocol();
        if (kind == LinkLayer.Protocol.PPP || kind == LinkLayer.Protocol.PPP_HDLC
                || kind == LinkLayer.Protocol.PPPOE_SESSION) {
            return any(test(JEQ, EtherType.ARP, LD | H | ABS, link.typeOffset()), test(JEQ, EtherType.RARP));
        }
        if (kind != LinkLayer.Protocol.ETHERTYPE) {
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
