package io.panatap.filter;

import io.panatap.parse.LinkType;
import io.panatap.testing.Frames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.panatap.filter.Bpf.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BpfProgram#rejectsAllPackets()}: what tcpdump calls "expression rejects all packets", found by
 * following the values a program compares rather than by an optimizer that reduces it to {@code ret #0}.
 */
class RejectsAllPacketsTest {
    private static boolean live(String expression, int linkType) throws FilterException {
        return FilterCompiler.compileForSocket(expression, linkType, 0, true).rejectsAllPackets();
    }

    private static boolean file(String expression, int linkType) throws FilterException {
        return FilterCompiler.compile(expression, linkType, 0).rejectsAllPackets();
    }

    @Test
    void aLiveFilterForAnotherProtocolRejectsEverythingOnceTheTcpTestIsAdded() throws Exception {
        for (int linkType : new int[] {LinkType.ETHERNET, LinkType.RAW}) {
            assertThat(live("udp", linkType)).as("udp on %d", linkType).isTrue();
            assertThat(live("udp port 53", linkType)).isTrue();
            assertThat(live("sctp", linkType)).isTrue();
            assertThat(live("udp or sctp", linkType)).isTrue();
            assertThat(live("tcp and udp", linkType)).isTrue();
            assertThat(live("", linkType)).isFalse();
            assertThat(live("tcp", linkType)).isFalse();
            assertThat(live("port 80", linkType)).isFalse();
            assertThat(live("udp or tcp port 80", linkType)).isFalse();
            assertThat(live("ip6 and net 2001:db8::/32", linkType)).isFalse();
        }
        // On all interfaces nothing but TCP remains for "not tcp"; on Ethernet, TCP behind a tag left in the
        // frame still matches it (tcp, before any vlan, reads the outer EtherType), as it would in tcpdump.
        assertThat(live("not tcp", LinkType.RAW)).isTrue();
        assertThat(live("not tcp", LinkType.ETHERNET)).isFalse();
    }

    @Test
    void anExpressionThatContradictsItselfRejectsEverythingWithoutTheTcpTestToo() throws Exception {
        for (int linkType : new int[] {LinkType.ETHERNET, LinkType.RAW, LinkType.LINUX_SLL, LinkType.NULL}) {
            assertThat(file("tcp and udp", linkType)).as("tcp and udp on %d", linkType).isTrue();
            assertThat(file("ip and ip6", linkType)).isTrue();
            assertThat(file("port 80 and not port 80", linkType)).isTrue();
            assertThat(file("udp", linkType)).isFalse();
            assertThat(file("tcp or udp", linkType)).isFalse();
            assertThat(file("", linkType)).isFalse();
        }
        assertThat(file("vlan 100 and vlan 100 and not vlan", LinkType.ETHERNET)).isFalse(); // two tags, then none
        assertThat(file("less 60 and greater 100", LinkType.ETHERNET)).isFalse(); // ranges are not followed: "may accept"
    }

    @Test
    void retAIsFollowedThroughConstantsAndOtherwiseMayAccept() {
        assertThat(BpfProgram.of(new int[] {LD | IMM, 0, 0, 0}, new int[] {RET | A, 0, 0, 0}).rejectsAllPackets()).isTrue();
        assertThat(BpfProgram.of(new int[] {LD | IMM, 0, 0, 5}, new int[] {ALU | SUB | K, 0, 0, 5},
                new int[] {RET | A, 0, 0, 0}).rejectsAllPackets()).isTrue();
        assertThat(BpfProgram.of(new int[] {LD | IMM, 0, 0, 5}, new int[] {RET | A, 0, 0, 0}).rejectsAllPackets()).isFalse();
        assertThat(BpfProgram.of(new int[] {LD | W | LEN, 0, 0, 0}, new int[] {RET | A, 0, 0, 0}).rejectsAllPackets()).isFalse();
        assertThat(BpfProgram.of(new int[] {RET | K, 0, 0, 0}).rejectsAllPackets()).isTrue();
        // ldh [12]; jeq #0x800 jt 2 jf 3; ldh [12]; jeq #0x86dd jt 4 jf 5 ... the same load cannot be both
        assertThat(BpfProgram.of(
                new int[] {LD | H | ABS, 0, 0, 12},
                new int[] {JMP | JEQ | K, 0, 3, 0x800},
                new int[] {LD | H | ABS, 0, 0, 12},
                new int[] {JMP | JEQ | K, 0, 1, 0x86dd},
                new int[] {RET | K, 0, 0, 0xFFFF},
                new int[] {RET | K, 0, 0, 0}).rejectsAllPackets()).isTrue();
        // the same through the scratch memory and X
        assertThat(BpfProgram.of(
                new int[] {LD | H | ABS, 0, 0, 12},
                new int[] {ST, 0, 0, 3},
                new int[] {JMP | JEQ | K, 0, 3, 0x800},
                new int[] {LDX | MEM, 0, 0, 3},
                new int[] {MISC | TXA, 0, 0, 0},
                new int[] {JMP | JEQ | K, 1, 0, 0x800},
                new int[] {RET | K, 0, 0, 0xFFFF},
                new int[] {RET | K, 0, 0, 0}).rejectsAllPackets()).isFalse();
    }

    /** Soundness: a program said to reject everything rejects every frame the interpreter is given. */
    @Test
    void whatIsSaidToRejectEverythingRejectsEveryFrame() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        byte[] tcp4 = Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1234, 80, 0x02, 10);
        byte[] tcp6 = Frames.ethernetIpv6Tcp(Frames.SRC6, Frames.DST6, 1234, 80, 0x02, 10);
        byte[] udp4 = Frames.ethernet(Frames.ETHER_TYPE_IPV4, Frames.ipv4(Frames.SRC4, Frames.DST4, Frames.PROTOCOL_UDP,
                new byte[] {0, 53, 0, 53, 0, 8, 0, 0}));
        for (byte[] f : List.of(tcp4, tcp6, udp4)) {
            frames.add(f);
            frames.add(Frames.vlan(f, 100));
            frames.add(Frames.vlans(f, Frames.TPID_8021AD, 100, 200));
        }
        List<String> rejecting = List.of("udp", "sctp", "not tcp", "tcp and udp", "udp port 53", "port 80 and not port 80");
        List<String> accepting = List.of("", "tcp", "port 80", "vlan 100", "vlan and tcp");
        for (String e : rejecting) {
            BpfProgram socket = FilterCompiler.compileForSocket(e, LinkType.ETHERNET, 0, true);
            BpfProgram file = FilterCompiler.compile(e + " and tcp", LinkType.ETHERNET, 0);
            for (BpfProgram p : List.of(socket, file)) {
                if (p.rejectsAllPackets()) {
                    for (byte[] f : frames) {
                        assertThat(BpfInterpreter.run(p, MemorySegment.ofArray(f), 0, f.length, f.length))
                                .as("%s on %s", e, java.util.HexFormat.of().formatHex(f)).isZero();
                    }
                }
            }
        }
        for (String e : accepting) {
            BpfProgram p = FilterCompiler.compileForSocket(e, LinkType.ETHERNET, 0, true);
            assertThat(p.rejectsAllPackets()).as(e).isFalse();
            assertThat(frames).as(e).anyMatch(f -> BpfInterpreter.run(p, MemorySegment.ofArray(f), 0, f.length, f.length) != 0);
        }
    }
}
