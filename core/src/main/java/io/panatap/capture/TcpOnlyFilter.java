package io.panatap.capture;

import io.panatap.filter.BpfProgram;
import io.panatap.filter.FilterCompiler;
import io.panatap.filter.FilterException;
import io.panatap.parse.LinkLayer;
import io.panatap.parse.LinkType;

/**
 * The kernel socket filters a capture attaches by default, so that only TCP over IPv4 or IPv6 reaches the
 * ring: tcpdump's {@code tcp or (vlan and tcp)}, that is IPv4 protocol 6, IPv6 next header 6, or an IPv6
 * fragment header whose next header is 6. Both programs come from {@link FilterCompiler#compileForSocket}
 * with an empty expression and {@code tcpOnly}, the same test a live filter expression is narrowed by, so
 * the EtherTypes, offsets and tag handling are the compiler's (from {@link LinkLayer} and
 * {@link io.panatap.parse.EtherType}), not written out a second time here.
 *
 * <ul>
 *   <li>{@link #ethernet(int)} for {@code SOCK_RAW} on an Ethernet-like interface: the program sees the
 *       frame from the Ethernet header. The kernel has already removed the outer VLAN tag of received
 *       frames into {@code tp_vlan_tci} (so the EtherType field holds the inner EtherType); tags still in
 *       the frame (transmitted frames without VLAN offload, inner tags of 802.1ad) are skipped, up to two.</li>
 *   <li>{@link #network(int)} for {@code SOCK_DGRAM} ("all interfaces", non-Ethernet interfaces): the
 *       program sees the packet from the IP header and takes the protocol from the socket buffer with the
 *       ancillary load {@code SKF_AD_PROTOCOL}.</li>
 * </ul>
 * An accepted packet is kept up to {@code snapLength} bytes (the filter's return value).
 */
public final class TcpOnlyFilter {
    private static final int LD_H_ABS = 0x28;
    private static final int LD_B_ABS = 0x30;
    private static final int JA = 0x05;
    private static final int JEQ_K = 0x15;
    private static final int RET_K = 0x06;
    /** SKF_AD_OFF + SKF_AD_PROTOCOL (linux/filter.h): skb->protocol, host order. */
    private static final int AD_PROTOCOL = -0x1000;

    private TcpOnlyFilter() {
    }

    /**
     * The filter for frames that start with an Ethernet header.
     *
     * @param snapLength bytes kept of an accepted packet; 0 or less means
     *                   {@link io.panatap.PacketSource#DEFAULT_SNAP_LENGTH}
     * @return the program to attach to a {@code SOCK_RAW} packet socket
     */
    public static BpfProgram ethernet(int snapLength) {
        return tcpOnSocket(LinkType.ETHERNET, snapLength);
    }

    /**
     * The filter for packets that start with the IP header ({@code SOCK_DGRAM}).
     *
     * <p>A {@code SOCK_DGRAM} socket shows no link header, and the network protocol is the socket buffer's,
     * not a nibble of the packet (so a non-IP packet whose first byte happens to look like an IP version is
     * not taken for IP). The program is compiled for Linux cooked frames, whose header carries exactly that
     * protocol, and then moved to the socket's view as libpcap does for its cooked sockets: the load of the
     * cooked header's protocol field becomes the ancillary load of the socket buffer's protocol, and every
     * other load moves back by the cooked header's length.
     *
     * @param snapLength as for {@link #ethernet(int)}
     * @return the program to attach to a {@code SOCK_DGRAM} packet socket
     */
    public static BpfProgram network(int snapLength) {
        return withoutCookedHeader(tcpOnSocket(LinkType.LINUX_SLL, snapLength), LinkLayer.of(LinkType.LINUX_SLL));
    }

    private static BpfProgram tcpOnSocket(int linkType, int snapLength) {
        try {
            return FilterCompiler.compileForSocket("", linkType, snapLength, true);
        } catch (FilterException e) {
            throw new IllegalStateException("the TCP-only filter does not compile for link type " + linkType, e);
        }
    }

    /**
     * {@code cooked}, with its loads moved from a frame that starts with the {@code sll} header to the packet
     * after it. Only what the TCP-only program uses is expected (byte and halfword absolute loads, jumps,
     * returns); anything else would need its own rule, so it is refused.
     */
    private static BpfProgram withoutCookedHeader(BpfProgram cooked, LinkLayer sll) {
        int[][] rows = new int[cooked.length()][];
        for (int i = 0; i < rows.length; i++) {
            int code = cooked.code(i);
            int k = cooked.constant(i);
            if (code == LD_H_ABS && k == sll.typeOffset()) {
                k = AD_PROTOCOL;
            } else if ((code == LD_H_ABS || code == LD_B_ABS) && k >= sll.headerLength()) {
                k -= sll.headerLength();
            } else if (code != JEQ_K && code != JA && code != RET_K) {
                throw new IllegalStateException("cannot move instruction " + i + " (code 0x" + Integer.toHexString(code)
                        + ", k " + k + ") of the TCP-only filter off the cooked header");
            }
            rows[i] = new int[] {code, cooked.jumpTrue(i), cooked.jumpFalse(i), k};
        }
        return BpfProgram.of(rows);
    }
}
