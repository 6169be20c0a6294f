package io.panatap.filter;

import static io.panatap.filter.Bpf.*;

import io.panatap.filter.FilterExpr.And;
import io.panatap.filter.FilterExpr.Arith;
import io.panatap.filter.FilterExpr.Binary;
import io.panatap.filter.FilterExpr.Const;
import io.panatap.filter.FilterExpr.Len;
import io.panatap.filter.FilterExpr.Length;
import io.panatap.filter.FilterExpr.Load;
import io.panatap.filter.FilterExpr.Negate;
import io.panatap.filter.FilterExpr.Not;
import io.panatap.filter.FilterExpr.Or;
import io.panatap.filter.FilterExpr.Relation;

/**
 * Turns a program for a socket whose packets start at the network header ({@code SOCK_DGRAM}) into the
 * same program for a {@code SOCK_RAW} socket on all interfaces, whose packets start at each device's own
 * link-layer header, of a length the program cannot know: every packet load ({@code ld}/{@code ldx} absolute,
 * indirect and {@code msh}) is moved by {@code SKF_NET_OFF}, so the kernel reads it relative to the
 * network header; ancillary loads ({@code SKF_AD_*}) stay as they are.
 *
 * <p>The kernel reads such a load only from the linear part of the socket buffer
 * ({@code bpf_internal_load_pointer_neg_helper} checks against {@code skb_tail_pointer}), where a positive
 * offset also reaches the paged fragments. The headers are linear (the receive path pulls them, the stack
 * builds them there); the payload of a large segment often is not. So an expression qualifies only if every
 * byte it reads lies in a fixed header ({@code ip[0..19]}, {@code ip6[0..39]}, {@code tcp[0..19]},
 * {@code udp[0..7]}, {@code sctp[0..11]}, and what the compiler's own primitives read there) and it does not
 * use the length ({@code len}, {@code less}, {@code greater}: the socket buffer's length then counts the
 * link-layer header). Otherwise the caller keeps the cooked socket, whose meaning is the same.
 */
final class NetworkOffsets {
    /** {@code SKF_NET_OFF} in {@code linux/filter.h}. */
    static final int SKF_NET_OFF = -0x100000;

    private NetworkOffsets() {
    }

    /** Whether {@code e} reads only fixed-header bytes and not the length; null (blank) qualifies. */
    static boolean qualifies(FilterExpr e) {
        return switch (e) {
            case null -> true;
            case And a -> qualifies(a.left()) && qualifies(a.right());
            case Or o -> qualifies(o.left()) && qualifies(o.right());
            case Not n -> qualifies(n.operand());
            case Length l -> false;
            case Relation r -> qualifies(r.left()) && qualifies(r.right());
            default -> true;
        };
    }

    private static boolean qualifies(Arith a) {
        return switch (a) {
            case Const c -> true;
            case Len l -> false;
            case Negate n -> qualifies(n.operand());
            case Binary b -> qualifies(b.left()) && qualifies(b.right());
            case Load l -> l.index() instanceof Const c && Integer.compareUnsigned(c.value(), 0xFFFF) <= 0
                    && c.value() + l.size() <= fixedHeader(l.proto());
        };
    }

    private static int fixedHeader(FilterExpr.Proto proto) {
        return switch (proto) {
            case IP -> 20;
            case IP6 -> 40;
            case TCP -> 20;
            case UDP -> 8;
            case SCTP -> 12;
        };
    }

    /** {@code p} with every packet load relative to the network header. */
    static BpfProgram rewrite(BpfProgram p) {
        int n = p.length();
        int[][] insns = new int[n][];
        for (int i = 0; i < n; i++) {
            int code = p.code(i);
            int k = p.constant(i);
            int c = cls(code);
            int m = mode(code);
            boolean packetLoad = (c == LD && (m == ABS || m == IND)) || (c == LDX && m == MSH);
            if (packetLoad && k >= 0) { // a negative k is ancillary (SKF_AD_OFF) or already relative
                if (k >= -SKF_NET_OFF) {
                    throw new IllegalArgumentException("offset " + k + " at instruction " + i
                            + " does not fit below SKF_NET_OFF");
                }
                k += SKF_NET_OFF;
            }
            insns[i] = new int[] {code, p.jumpTrue(i), p.jumpFalse(i), k};
        }
        return BpfProgram.of(insns);
    }
}
