/**
 * Packet filters: pcap-filter(7) expressions compiled to classic BPF without libpcap, an in-process
 * interpreter with the kernel's semantics, and {@code tcpdump -d} style listings.
 *
 * <pre>{@code
 * BpfProgram program = FilterCompiler.compile("tcp port 80 and host 10.0.0.1", LinkType.ETHERNET,
 *         PacketSource.DEFAULT_SNAP_LENGTH);
 * int keep = BpfInterpreter.run(program, segment, offset, capturedLength, wireLength); // 0 = reject
 * System.out.print(program.dump());                                                   // like tcpdump -d
 * }</pre>
 *
 * <h2>Language</h2>
 * <ul>
 *   <li>{@code [ip|ip6] [src|dst|src or dst|src and dst] host ADDR}, {@code ... net ADDR/LEN},
 *       {@code net A.B.C.D mask M}, {@code net 10} / {@code net 10.1} (implied /8, /16). Addresses are
 *       numeric IPv4 or IPv6; host names are rejected (no DNS lookups). Like tcpdump, an IPv4
 *       {@code host}/{@code net} without {@code ip} also matches ARP and RARP sender/target addresses.</li>
 *   <li>{@code [tcp|udp|sctp] [src|dst|...] port N}, {@code ... portrange N-M}. Without a protocol a port
 *       matches TCP, UDP or SCTP, exactly as tcpdump (panatap captures TCP, but keeping tcpdump's meaning
 *       keeps expressions portable). IPv4 ports are only checked on first fragments (fragment offset 0);
 *       IPv6 ports only when the transport header directly follows the fixed header.</li>
 *   <li>{@code ip}, {@code ip6}, {@code tcp}, {@code udp}, {@code sctp}. On IPv6 the transport protocols
 *       match the next header directly or after exactly one fragment header (tcpdump's rule; other
 *       extension headers are not walked).</li>
 *   <li>{@code vlan [ID]} (Ethernet only): an 802.1Q, 802.1ad or 0x9100 tag, optionally with that VLAN
 *       id. As in tcpdump each {@code vlan} shifts the offsets of every primitive written after it by four
 *       bytes, so {@code vlan and tcp} and {@code vlan 100 and port 80} mean what they say, while
 *       {@code port 80} alone does not look inside tagged frames.</li>
 *   <li>{@code less N}, {@code greater N}: the length on the wire, at most / at least N.</li>
 *   <li>{@code EXPR RELOP EXPR} with {@code = == != < <= > >=} (unsigned) over arithmetic
 *       {@code + - * / & | << >>} and unary {@code -} of numbers (decimal, {@code 0x} hex, {@code 0}
 *       octal), {@code len}, and loads {@code ip[i]}, {@code ip6[i]}, {@code tcp[i]}, {@code udp[i]},
 *       {@code sctp[i]} with an optional {@code :1}, {@code :2} or {@code :4} size; the index may itself
 *       be an expression. {@code tcp[]} and friends read IPv4 first fragments only (as in tcpdump).
 *       Names: {@code tcpflags} (13), {@code tcp-fin}, {@code tcp-syn}, {@code tcp-rst}, {@code tcp-push},
 *       {@code tcp-ack}, {@code tcp-urg}, {@code tcp-ece}, {@code tcp-cwr}. {@code %} and {@code ^} are
 *       not supported (libpcap gives them no well-defined precedence).</li>
 *   <li>{@code and}/{@code &&}, {@code or}/{@code ||}, {@code not}/{@code !}, parentheses. As in
 *       libpcap, {@code and} and {@code or} have the same precedence and group left to right
 *       ({@code tcp or udp and port 80} is {@code (tcp or udp) and port 80}); {@code not} binds
 *       tightest. A bare address or number after {@code and}/{@code or}/{@code not} repeats the previous
 *       primitive's qualifiers: {@code port 80 or 443}, {@code host a and not b}.</li>
 * </ul>
 *
 * <h2>Meaning on short packets</h2>
 * Parts are evaluated left to right with short circuits. Reading past the captured bytes, or dividing by
 * a zero read from the packet, rejects the packet outright, even under {@code not}: the program returns
 * 0 at that load, as the kernel and libpcap do. libpcap's optimizer sometimes reorders or drops such
 * reads, so on packets that end inside the fields a filter reads tcpdump can decide differently; on all
 * other packets the decisions are the same (checked against tcpdump in the tests).
 *
 * <h2>Differences from libpcap 1.10 (deliberate)</h2>
 * <ul>
 *   <li>libpcap drops the protocol check of a load on the right of an arithmetic operator
 *       ({@code ip[0] + tcp[0] = 1} reads {@code tcp[0]} of UDP packets); here every load keeps its check.</li>
 *   <li>libpcap compiles {@code -ip[0] = 1} to "accept everything"; here unary minus negates.</li>
 *   <li>libpcap rejects shifts by loads at offsets above 31 ("shift by more than 31 bits"); here they
 *       compile.</li>
 *   <li>Port numbers and addresses must be numeric: no service names, no host names.</li>
 * </ul>
 *
 * <h2>Link types</h2>
 * Those whose layout {@link io.panatap.parse.LinkLayer} describes, the one table the parser, this compiler and
 * the writers read: Ethernet (1, with VLAN tags), raw IP (101, and 12/14; the version nibble tells IPv4 from IPv6), Linux
 * cooked v1 (113) and v2 (276), IPv4 (228) and IPv6 (229). Others are rejected with a
 * {@link io.panatap.filter.FilterException}.
 *
 * <h2>Programs</h2>
 * Code is emitted in expression order with forward jumps only. A threading pass then retargets jumps past
 * tests whose outcome earlier jumps on the same path decide (after {@code ldh [12]; jeq #0x800} fails,
 * a later {@code jeq #0x800} on that value is known false), drops reloads of a value A already holds and
 * code left unreachable; it never skips a load that could fail, so decisions are unchanged. For common
 * expressions ({@code tcp}, {@code host A}, {@code vlan 100 and tcp}) the listing is the same as
 * tcpdump's. Branches farther than 255 instructions go through {@code ja} trampolines, and a program
 * longer than the kernel's 4096 instructions is a {@link io.panatap.filter.FilterException}. Every
 * compiled program passes {@link io.panatap.filter.BpfProgram#validate()}, the kernel's
 * {@code bpf_check_classic} rules.
 *
 * <h2>Live captures</h2>
 * On a live Linux socket the kernel moves the outer 802.1Q/802.1ad tag of a received frame into metadata
 * before the socket filter runs. {@link io.panatap.filter.FilterCompiler#compileForSocket} compiles for that
 * view as libpcap does on Linux: the first {@code vlan} reads the metadata ({@code [vlanp]},
 * {@code [vlan_tci]} in listings) or, without it, the tag in the frame, so {@code vlan 100 and tcp port 80}
 * selects the same frames live as in a file; primitives written before any {@code vlan} see the frame without
 * its outer tag ({@code tcp} alone also matches 802.1Q-tagged TCP, as with live tcpdump).
 * {@link io.panatap.filter.BpfInterpreter#run(BpfProgram, io.panatap.Packet)} runs such programs with the
 * packet's VLAN metadata. {@link io.panatap.filter.FilterCompiler#compile} is for frames as stored in files,
 * tags in the bytes.
 */
package io.panatap.filter;
