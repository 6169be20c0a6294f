package io.panatap.capture;

import io.panatap.filter.BpfProgram;
import io.panatap.filter.FilterCompiler;
import io.panatap.filter.FilterException;
import io.panatap.parse.LinkType;

/**
 * The kernel socket filters a capture attaches by default, so that only TCP over IPv4 or IPv6 reaches the
 * ring: tcpdump's {@code tcp or (vlan and tcp)}, that is IPv4 protocol 6, IPv6 next header 6, or an IPv6
 * fragment header whose next header is 6. Both programs come from {@link FilterCompiler#compileForSocket}
 * with an empty expression and {@code tcpOnly}, the same test a live filter expression is narrowed by, so
 * the EtherTypes, offsets and tag handling are the compiler's (from {@link io.panatap.parse.LinkLayer} and
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
 *   <li>{@link #networkRelative(int)} for {@code SOCK_RAW} on all interfaces with link-layer headers
 *       ({@link PacketCapture.Builder#linkHeaders(boolean)}): {@link #network(int)} with every packet load
 *       relative to the network header, as the link-layer header's length differs per device
 *       ({@link FilterCompiler#compileForNetworkHeader}).</li>
 * </ul>
 * An accepted packet is kept up to {@code snapLength} bytes (the filter's return value).
 */
public final class TcpOnlyFilter {
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
     * <p>A {@code SOCK_DGRAM} socket shows no link header, and the network protocol is the socket buffer's
     * ({@code SKF_AD_PROTOCOL}), not a nibble of the packet (so a non-IP packet whose first byte happens to
     * look like an IP version is not taken for IP): the compiler reads it there for {@link LinkType#RAW}
     * on a socket, for this program and for filter expressions alike.
     *
     * @param snapLength as for {@link #ethernet(int)}
     * @return the program to attach to a {@code SOCK_DGRAM} packet socket
     */
    public static BpfProgram network(int snapLength) {
        return tcpOnSocket(LinkType.RAW, snapLength);
    }

    /**
     * The filter for frames that start at each device's link-layer header, on all interfaces: the test of
     * {@link #network(int)}, read relative to the network header ({@code SKF_NET_OFF}); it keeps
     * {@code snapLength} bytes from the network header behind up to {@value #LINK_HEADER_ROOM} bytes of
     * link-layer header.
     *
     * @param snapLength as for {@link #ethernet(int)}, counted from the network header
     * @return the program to attach to a {@code SOCK_RAW} packet socket bound to all interfaces
     */
    public static BpfProgram networkRelative(int snapLength) {
        try {
            return FilterCompiler.compileForNetworkHeader("", snapLength, true, LINK_HEADER_ROOM);
        } catch (FilterException e) {
            throw new IllegalStateException("the TCP-only filter does not compile network-relative", e);
        }
    }

    /**
     * Room kept for a link-layer header in front of the snap length on a socket that shows every device's
     * own link-layer header: libpcap's {@code MAX_LINKHEADER_SIZE}.
     */
    public static final int LINK_HEADER_ROOM = 256;

    private static BpfProgram tcpOnSocket(int linkType, int snapLength) {
        try {
            return FilterCompiler.compileForSocket("", linkType, snapLength, true);
        } catch (FilterException e) {
            throw new IllegalStateException("the TCP-only filter does not compile for link type " + linkType, e);
        }
    }
}
