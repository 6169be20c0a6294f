package io.panatap.filter;

import io.panatap.parse.LinkLayer;

import io.panatap.filter.FilterExpr.And;
import io.panatap.filter.FilterExpr.Arith;
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
import io.panatap.filter.FilterExpr.Relation;
import io.panatap.filter.FilterExpr.Vlan;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The meaning of a filter expression, written directly over packet bytes and independent of the code
 * generator, so that tests can check compiled programs against it.
 *
 * <p>Semantics shared with tcpdump's generated code and the kernel: parts are evaluated left to right with
 * short circuits; reading a byte beyond the captured length, or dividing by zero, rejects the packet
 * outright (even under {@code not}), exactly as a BPF program returns 0 at that point.
 *
 * <p>On a live Linux packet socket ({@link #acceptsOnSocket}) the socket sees a received frame without its
 * outer 802.1Q/802.1ad tag, which the kernel keeps as metadata. libpcap's meaning there, stated over two
 * views of the frame: the first {@code vlan} of the expression, and every primitive written after it, see
 * the frame as it was on the wire (tag included); primitives written before any {@code vlan}, and the
 * length, see it as the socket does.
 */
final class ReferenceEvaluator {
    /** Thrown at an out-of-range read or a division by zero: the whole packet is rejected. */
    private static final class Abort extends RuntimeException {
        Abort() {
            super(null, null, false, false);
        }
    }

    private static final Abort ABORT = new Abort();

    private final LinkLayer link;
    private final byte[] onWire;
    private final byte[] onSocket;
    private final int wireLength;
    /** The view the primitive being evaluated reads. */
    private byte[] packet;
    private int captured;

    private ReferenceEvaluator(LinkLayer link, byte[] packet, int captured, int wireLength) {
        this.link = link;
        this.onWire = java.util.Arrays.copyOf(packet, Math.min(Math.max(captured, 0), packet.length));
        this.onSocket = onWire;
        this.wireLength = wireLength;
        look(onWire);
    }

    private ReferenceEvaluator(LinkLayer link, byte[] onWire, byte[] onSocket) {
        this.link = link;
        this.onWire = onWire;
        this.onSocket = onSocket;
        this.wireLength = onSocket.length;
        look(onSocket);
    }

    private void look(byte[] view) {
        packet = view;
        captured = view.length;
    }

    /**
     * Whether {@code tree} accepts the whole Ethernet frame {@code frame} (as sent) on a live socket, where
     * the socket sees {@link #socketView} of it; with {@code tcpOnly}, only if it also carries TCP over IPv4
     * or IPv6 behind at most two tags left in the socket's view.
     */
    static boolean acceptsOnSocket(FilterExpr tree, LinkLayer link, byte[] frame, boolean tcpOnly) {
        ReferenceEvaluator r = new ReferenceEvaluator(link, frame, socketView(frame));
        try {
            if (tcpOnly && !r.tcpBehindTags()) {
                return false;
            }
            return tree == null || r.eval(tree);
        } catch (Abort a) {
            return false;
        }
    }

    /** The frame without its outer 802.1Q/802.1ad tag, which the kernel moves into metadata on receive. */
    static byte[] socketView(byte[] frame) {
        if (!hasStrippedTag(frame)) {
            return frame;
        }
        byte[] out = new byte[frame.length - 4];
        System.arraycopy(frame, 0, out, 0, 12);
        System.arraycopy(frame, 16, out, 12, frame.length - 16);
        return out;
    }

    /** Whether the kernel moves this frame's outer tag into metadata (an 802.1Q or 802.1ad tag). */
    static boolean hasStrippedTag(byte[] frame) {
        int type = frame.length >= 18 ? ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF) : 0;
        return type == 0x8100 || type == 0x88A8;
    }

    /** The TCI of the tag {@link #socketView} removes. */
    static int strippedTci(byte[] frame) {
        return ((frame[14] & 0xFF) << 8) | (frame[15] & 0xFF);
    }

    private boolean tcpBehindTags() {
        int tags = link.vlanTagsInFrame() ? 2 : 0;
        for (int d = 0; d <= tags; d++) {
            if (protocol(Proto.TCP, d)) {
                return true;
            }
            if (d == tags) {
                return false;
            }
            int tpid = u16(link.typeOffset(d));
            if (tpid != 0x8100 && tpid != 0x88A8 && tpid != 0x9100) {
                return false;
            }
        }
        return false;
    }

    /** Whether {@code tree} (null: the empty expression) accepts the packet. */
    static boolean accepts(FilterExpr tree, LinkLayer link, byte[] packet, int captured, int wireLength) {
        if (tree == null) {
            return true;
        }
        try {
            return new ReferenceEvaluator(link, packet, captured, wireLength).eval(tree);
        } catch (Abort a) {
            return false;
        }
    }

    /** Whether evaluating {@code tree} reads beyond the captured bytes (or divides by zero). */
    static boolean aborts(FilterExpr tree, LinkLayer link, byte[] packet, int captured, int wireLength) {
        try {
            if (tree != null) {
                new ReferenceEvaluator(link, packet, captured, wireLength).eval(tree);
            }
            return false;
        } catch (Abort a) {
            return true;
        }
    }

    private int u8(long off) {
        if (off < 0 || off + 1 > captured) {
            throw ABORT;
        }
        return packet[(int) off] & 0xFF;
    }

    private int u16(long off) {
        if (off < 0 || off + 2 > captured) {
            throw ABORT;
        }
        return ((packet[(int) off] & 0xFF) << 8) | (packet[(int) off + 1] & 0xFF);
    }

    private int u32(long off) {
        if (off < 0 || off + 4 > captured) {
            throw ABORT;
        }
        return (u16(off) << 16) | u16(off + 2);
    }

    private boolean eval(FilterExpr e) {
        switch (e) {
            case Vlan v -> look(v.vlans() == 0 ? onWire : viewAfter(v.vlans()));
            case Protocol p -> look(viewAfter(p.vlans()));
            case Host h -> look(viewAfter(h.vlans()));
            case Port p -> look(viewAfter(p.vlans()));
            case Relation r -> look(viewAfter(r.vlans()));
            default -> {
            }
        }
        return switch (e) {
            case And a -> eval(a.left()) && eval(a.right());
            case Or o -> eval(o.left()) || eval(o.right());
            case Not n -> !eval(n.operand());
            case Protocol p -> protocol(p.proto(), p.vlans());
            case Host h -> host(h);
            case Port p -> port(p);
            case Vlan v -> vlan(v);
            case Length l -> l.less() ? Integer.compareUnsigned(wireLength, l.bound()) <= 0
                    : Integer.compareUnsigned(wireLength, l.bound()) >= 0;
            case Relation r -> relation(r);
        };
    }

    /** The view of a primitive written after {@code vlans} {@code vlan}s. */
    private byte[] viewAfter(int vlans) {
        return vlans == 0 ? onSocket : onWire;
    }

    private boolean isIpv4(int vlans) {
        return switch (link.protocol()) {
            case ETHERTYPE -> u16(link.typeOffset(vlans)) == 0x0800;
            case IP_VERSION -> (u8(0) & 0xF0) == 0x40;
            case IPV4_ONLY -> true;
            case IPV6_ONLY -> false;
            // libpcap: the PPP protocol after ff 03 (or the PPPoE header); the address family 2 as a
            // little-endian host writes it (NULL) or in network order (LOOP).
            case PPP, PPP_HDLC, PPPOE_SESSION -> u16(link.typeOffset()) == 0x0021;
            case ADDRESS_FAMILY_HOST_ORDER -> u32(0) == 0x02000000;
            case ADDRESS_FAMILY_NETWORK_ORDER -> u32(0) == 2;
        };
    }

    private boolean isIpv6(int vlans) {
        return switch (link.protocol()) {
            case ETHERTYPE -> u16(link.typeOffset(vlans)) == 0x86DD;
            case IP_VERSION -> (u8(0) & 0xF0) == 0x60;
            case IPV4_ONLY -> false;
            case IPV6_ONLY -> true;
            // libpcap on a file: the BSD values 24, 28 and 30 (not Linux's 10).
            case PPP, PPP_HDLC, PPPOE_SESSION -> u16(link.typeOffset()) == 0x0057;
            case ADDRESS_FAMILY_HOST_ORDER -> u32(0) == 0x18000000 || u32(0) == 0x1c000000 || u32(0) == 0x1e000000;
            case ADDRESS_FAMILY_NETWORK_ORDER -> u32(0) == 24 || u32(0) == 28 || u32(0) == 30;
        };
    }

    private boolean protocol(Proto p, int vlans) {
        int nl = link.networkOffset(vlans);
        return switch (p) {
            case IP -> isIpv4(vlans);
            case IP6 -> isIpv6(vlans);
            // IPv6: the next header directly, or after exactly one fragment header (tcpdump's rule).
            default -> (isIpv4(vlans) && u8(nl + 9) == p.number)
                    || (isIpv6(vlans) && (u8(nl + 6) == p.number || (u8(nl + 6) == 44 && u8(nl + 40) == p.number)));
        };
    }

    private boolean host(Host h) {
        int nl = link.networkOffset(h.vlans());
        if (h.ipv6()) {
            return isIpv6(h.vlans()) && dir(h.dir(), () -> words(h, nl + 8), () -> words(h, nl + 24));
        }
        if (isIpv4(h.vlans()) && dir(h.dir(), () -> words(h, nl + 12), () -> words(h, nl + 16))) {
            return true;
        }
        boolean ppp = switch (link.protocol()) {
            case PPP, PPP_HDLC, PPPOE_SESSION -> true;
            default -> false;
        };
        if (h.proto() != null || (link.protocol() != LinkLayer.Protocol.ETHERTYPE && !ppp)) {
            return false;
        }
        int type = u16(link.typeOffset(h.vlans()));
        return (type == 0x0806 || type == 0x8035) && dir(h.dir(), () -> words(h, nl + 14), () -> words(h, nl + 24));
    }

    private boolean words(Host h, int offset) {
        for (int w = 0; w < h.address().length; w++) {
            if (h.mask()[w] != 0 && (u32(offset + 4L * w) & h.mask()[w]) != h.address()[w]) {
                return false;
            }
        }
        return true;
    }

    private static boolean dir(Dir dir, BooleanSupplier src, BooleanSupplier dst) {
        return switch (dir) {
            case SRC -> src.getAsBoolean();
            case DST -> dst.getAsBoolean();
            case EITHER -> src.getAsBoolean() || dst.getAsBoolean();
            case BOTH -> src.getAsBoolean() && dst.getAsBoolean();
        };
    }

    private boolean port(Port p) {
        int d = p.vlans();
        int nl = link.networkOffset(d);
        if (isIpv4(d)) {
            if (!transportMatches(u8(nl + 9), p.proto()) || (u16(nl + 6) & 0x1FFF) != 0) {
                return false;
            }
            return dir(p.dir(), () -> inRange(p, u16(nl + ihl(nl))), () -> inRange(p, u16(nl + ihl(nl) + 2)));
        }
        if (isIpv6(d)) {
            // Ports only when TCP/UDP/SCTP follows the fixed header directly, as in tcpdump.
            return transportMatches(u8(nl + 6), p.proto())
                    && dir(p.dir(), () -> inRange(p, u16(nl + 40)), () -> inRange(p, u16(nl + 42)));
        }
        return false;
    }

    private int ihl(int nl) {
        return (u8(nl) & 0xF) * 4;
    }

    private static boolean transportMatches(int protocol, Proto proto) {
        return proto == null ? protocol == 6 || protocol == 17 || protocol == 132 : protocol == proto.number;
    }

    private static boolean inRange(Port p, int port) {
        return port >= p.low() && port <= p.high();
    }

    private boolean vlan(Vlan v) {
        int t = link.typeOffset(v.vlans());
        int tpid = u16(t);
        if (tpid != 0x8100 && tpid != 0x88A8 && tpid != 0x9100) {
            return false;
        }
        return v.id() < 0 || (u16(t + 2) & 0xFFF) == v.id();
    }

    private boolean relation(Relation r) {
        List<Proto> protos = new ArrayList<>();
        protos(r.left(), protos);
        protos(r.right(), protos);
        int d = r.vlans();
        int nl = link.networkOffset(d);
        for (Proto p : protos) {
            boolean ok = switch (p) {
                case IP -> isIpv4(d);
                case IP6 -> isIpv6(d);
                default -> isIpv4(d) && u8(nl + 9) == p.number && (u16(nl + 6) & 0x1FFF) == 0;
            };
            if (!ok) {
                return false;
            }
        }
        int left = value(r.left(), nl);
        int right = value(r.right(), nl);
        return r.op().test(left, right);
    }

    /** Protocols of loads in reading order, outer before inner, each once: the order of their guards. */
    private static void protos(Arith a, List<Proto> out) {
        switch (a) {
            case Load l -> {
                if (!out.contains(l.proto())) {
                    out.add(l.proto());
                }
                protos(l.index(), out);
            }
            case Binary b -> {
                protos(b.left(), out);
                protos(b.right(), out);
            }
            case Negate n -> protos(n.operand(), out);
            default -> {
            }
        }
    }

    private int value(Arith a, int nl) {
        return switch (a) {
            case Const c -> c.value();
            case Len l -> wireLength;
            case Negate n -> -value(n.operand(), nl);
            case Binary b -> {
                int l = value(b.left(), nl);
                int r = value(b.right(), nl);
                if (b.op() == FilterExpr.ArithOp.DIV && r == 0) {
                    throw ABORT;
                }
                yield b.op().apply(l, r);
            }
            case Load l -> {
                int index = value(l.index(), nl);
                boolean transport = l.proto() != Proto.IP && l.proto() != Proto.IP6;
                // 32-bit wrap-around like the BPF X register; a negative offset is out of range.
                int off = (transport ? ihl(nl) : 0) + index + nl;
                if (l.index() instanceof Const && !transport) {
                    long abs = nl + Integer.toUnsignedLong(index);
                    off = abs > Integer.MAX_VALUE ? -1 : (int) abs;
                }
                yield switch (l.size()) {
                    case 1 -> u8(off);
                    case 2 -> u16(off);
                    default -> u32(off);
                };
            }
        };
    }
}
