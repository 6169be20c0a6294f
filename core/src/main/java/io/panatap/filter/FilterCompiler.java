package io.panatap.filter;

import static io.panatap.filter.Bpf.*;

import io.panatap.PacketSource;
import io.panatap.filter.Cond.If;
import io.panatap.filter.Cond.Test;
import io.panatap.filter.FilterExpr.And;
import io.panatap.filter.FilterExpr.Not;
import io.panatap.filter.FilterExpr.Or;
import io.panatap.filter.FilterExpr.Vlan;
import io.panatap.parse.LinkLayer;
import io.panatap.parse.LinkType;

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
 * <p>This class is the entry point of a pipeline with one class per stage, as libpcap has gencode,
 * optimize and bpf_image: {@code FilterParser} builds the {@code FilterExpr} tree; {@code Translator} turns
 * it into {@code Cond} tests for the link layer (from {@link LinkLayer}), with {@code Code} for arithmetic;
 * {@code Emitter} emits them in expression order as short-circuit code; {@code JumpThreader} threads the
 * jumps and lays the program out, with {@code ja} trampolines for conditional branches farther than 255
 * instructions, so every program is one the kernel accepts. {@code BpfPrinter} lists the result.
 */
public final class FilterCompiler {
    private FilterCompiler() {
    }

    /**
     * Compiles {@code expression} for frames of {@code linkType} (a {@code LINKTYPE_*} number, see
     * {@link io.panatap.parse.LinkType}). A blank expression accepts every packet.
     *
     * @param expression a pcap-filter(7) expression; a blank one accepts every packet
     * @param linkType   the {@code LINKTYPE_*} of the frames the program will see
     * @param snapLength the value returned for accepted packets (bytes to keep); 0 or less means
     *                   {@link PacketSource#DEFAULT_SNAP_LENGTH}
     * @throws FilterSyntaxException if the expression does not parse; {@link FilterSyntaxException#column()}
     *                               points at the offending token
     * @throws FilterException       if it asks for something unsupported (host names, unknown link types,
     *                               VLANs on links without tags) or compiles to more than
     *                               {@link BpfProgram#MAX_INSTRUCTIONS} instructions
     * @return the program, which the kernel would accept ({@link BpfProgram#isValid()})
     */
    public static BpfProgram compile(String expression, int linkType, int snapLength) throws FilterException {
        return compile(expression, linkType, snapLength, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * As {@link #compile(String, int, int)}, for the records of a capture file written in {@code fileOrder}.
     * Only BSD loopback ({@code NULL}) differs: its address family is in the byte order of the host that
     * captured, and libpcap, reading a file, compares it in the file's byte order (so tcpdump on a big-endian
     * file compares {@code 0x00000002} where {@link #compile(String, int, int)}, like tcpdump on a
     * little-endian file, compares {@code 0x02000000}).
     */
    public static BpfProgram compile(String expression, int linkType, int snapLength, java.nio.ByteOrder fileOrder)
            throws FilterException {
        LinkLayer link = linkLayer(linkType);
        FilterExpr tree = FilterParser.parse(expression);
        Cond root = tree == null ? Cond.TRUE
                : new Translator(link, false, fileOrder == java.nio.ByteOrder.BIG_ENDIAN).cond(tree);
        return new Emitter().program(root, acceptValue(snapLength));
    }

    /** The link-layer row of {@code linkType}; filters exist for every link type the parser decodes. */
    static LinkLayer linkLayer(int linkType) throws FilterException {
        LinkLayer link = LinkLayer.of(linkType);
        if (link == null) {
            throw new FilterException("filters are not supported on link type " + LinkType.describe(linkType)
                    + "; supported: " + LinkLayer.decodedNames());
        }
        return link;
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
     * does, without its outer tag ({@code tcp} alone also matches 802.1Q-tagged TCP), as in tcpdump. On a
     * socket whose frames start at the IP header ({@link io.panatap.parse.LinkType#RAW}, {@code SOCK_DGRAM})
     * IPv4 and IPv6 are told by the socket buffer's protocol ({@code SKF_AD_PROTOCOL}) instead of the version
     * nibble, as libpcap does on its cooked sockets.
     *
     * @param expression as for {@link #compile(String, int, int)}
     * @param linkType   the link type of the socket: {@link io.panatap.parse.LinkType#ETHERNET} for
     *                   {@code SOCK_RAW} on an Ethernet-like interface
     * @param snapLength as for {@link #compile(String, int, int)}
     * @param tcpOnly also require TCP over IPv4 or IPv6 behind at most two tags left in the frame (with a
     *                blank expression, the program {@link io.panatap.capture.TcpOnlyFilter} attaches by
     *                default); the expression's own {@code vlan} offsets are unaffected
     * @return the program to attach to the socket
     * @throws FilterException as {@link #compile(String, int, int)}
     */
    public static BpfProgram compileForSocket(String expression, int linkType, int snapLength, boolean tcpOnly)
            throws FilterException {
        LinkLayer link = linkLayer(linkType);
        FilterExpr tree = FilterParser.parse(expression);
        // A socket that shows packets from the IP header (SOCK_DGRAM) tells IPv4 from IPv6 by the socket
        // buffer's protocol.
        boolean fromSocket = link.protocol() == LinkLayer.Protocol.IP_VERSION;
        Cond root = tree == null ? Cond.TRUE : new Translator(link, false, false, fromSocket).cond(tree);
        if (tree != null && containsVlan(tree)) {
            // If the socket buffer holds the outer tag, the expression runs over the frame without it.
            Cond metadata = new Test(new int[] {LD | B | ABS, SKF_AD_VLAN_TAG_PRESENT}, JMP | JEQ | K, 1);
            root = new If(metadata, new Translator(link, true, false, fromSocket).cond(tree), root);
        }
        if (tcpOnly) {
            root = Cond.all(new Translator(link, false, false, fromSocket).tcpBehindTags(), root);
        }
        return new Emitter().program(root, acceptValue(snapLength));
    }

    /**
     * Compiles {@code expression} for a Linux packet socket on all interfaces that receives each frame from
     * its device's own link-layer header ({@code SOCK_RAW} bound to interface 0), with the meaning it has on
     * the socket whose frames start at the network header
     * ({@code compileForSocket(expression, LinkType.RAW, snapLength, tcpOnly)}): the same program with every
     * packet load made relative to the network header ({@code SKF_NET_OFF}), since the link-layer header's
     * length differs from device to device. Accepted packets return {@code snapLength + linkHeaderRoom}
     * (at most {@link PacketSource#DEFAULT_SNAP_LENGTH}), as the kernel counts the bytes kept from the
     * link-layer header: room for it in front of {@code snapLength} bytes from the network header.
     *
     * <p>The kernel reads network-relative loads only from the linear part of the socket buffer, which
     * holds the headers but often not the payload of a large segment; the program would then reject what
     * the other socket's accepts. So this returns null for an expression that reads bytes beyond the fixed
     * headers ({@code ip[0..19]}, {@code ip6[0..39]}, {@code tcp[0..19]}, {@code udp[0..7]},
     * {@code sctp[0..11]}, with constant offsets) or the length ({@code len}, {@code less},
     * {@code greater}, which would count the link-layer header): the caller then uses the socket whose frames
     * start at the network header.
     *
     * @param expression     as for {@link #compile(String, int, int)}; blank for the TCP-only test alone
     * @param snapLength     bytes to keep from the network header; 0 or less means the default
     * @param tcpOnly        as for {@link #compileForSocket}
     * @param linkHeaderRoom bytes allowed for the link-layer header in the return value (0 or more)
     * @return the program, or null if the expression reads beyond the fixed headers or the length
     * @throws FilterException as {@link #compileForSocket}
     */
    public static BpfProgram compileForNetworkHeader(String expression, int snapLength, boolean tcpOnly,
                                                     int linkHeaderRoom) throws FilterException {
        if (linkHeaderRoom < 0) {
            throw new IllegalArgumentException("link header room must not be negative: " + linkHeaderRoom);
        }
        if (!NetworkOffsets.qualifies(FilterParser.parse(expression))) {
            return null;
        }
        int keep = (int) Math.min(PacketSource.DEFAULT_SNAP_LENGTH, (long) acceptValue(snapLength) + linkHeaderRoom);
        return NetworkOffsets.rewrite(compileForSocket(expression, LinkType.RAW, keep, tcpOnly));
    }

    /** What accepted packets return: the snap length, or the default for 0 and less (tcpdump's {@code -s 0}). */
    private static int acceptValue(int snapLength) {
        return snapLength <= 0 ? PacketSource.DEFAULT_SNAP_LENGTH : snapLength;
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
}
