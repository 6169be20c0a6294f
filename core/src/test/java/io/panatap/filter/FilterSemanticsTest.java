package io.panatap.filter;

import io.panatap.parse.LinkLayer;

import static org.assertj.core.api.Assertions.assertThat;

import io.panatap.parse.LinkType;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

/** What filters mean on specific packets, spelled out; each case is what tcpdump decides too. */
class FilterSemanticsTest {
    private static final int A = TestFrames.ipv4("10.0.0.1");
    private static final int B = TestFrames.ipv4("10.0.0.2");
    private static final int[] A6 = TestFrames.ipv6("fd00::1");
    private static final int[] B6 = TestFrames.ipv6("fd00::2");

    private static boolean accepts(String expression, int linkType, byte[] frame) throws FilterException {
        return accepts(expression, linkType, frame, frame.length, frame.length);
    }

    private static boolean accepts(String expression, int linkType, byte[] frame, int captured, int wire)
            throws FilterException {
        BpfProgram p = FilterCompiler.compile(expression, linkType, 65535);
        boolean result = BpfInterpreter.run(p, MemorySegment.ofArray(frame), 0, captured, wire) != 0;
        // The reference meaning agrees, so these cases also pin down the evaluator used by the random tests.
        assertThat(ReferenceEvaluator.accepts(FilterParser.parse(expression), LinkLayer.of(linkType), frame, captured,
                wire)).as("reference meaning of '%s'", expression).isEqualTo(result);
        return result;
    }

    private static byte[] tcp4(int flagsAndFragment, int optionWords, int srcPort, int dstPort) {
        return new TestFrames().ethernet(0x0800).ipv4(6, A, B, flagsAndFragment, optionWords, 40 + 4 * optionWords)
                .tcp(srcPort, dstPort, 0x12, 0).build();
    }

    @Test
    void portMatchesTcpUdpAndSctpOnEitherSide() throws FilterException {
        assertThat(accepts("port 80", LinkType.ETHERNET, tcp4(0, 0, 5555, 80))).isTrue();
        assertThat(accepts("port 80", LinkType.ETHERNET, tcp4(0, 0, 80, 5555))).isTrue();
        assertThat(accepts("port 80", LinkType.ETHERNET, tcp4(0, 0, 5555, 81))).isFalse();
        byte[] udp = new TestFrames().ethernet(0x0800).ipv4(17, A, B, 0, 0, 28).udp(53, 80, 8).build();
        assertThat(accepts("port 80", LinkType.ETHERNET, udp)).isTrue();
        assertThat(accepts("tcp port 80", LinkType.ETHERNET, udp)).isFalse();
        assertThat(accepts("udp src port 53", LinkType.ETHERNET, udp)).isTrue();
        byte[] icmp = new TestFrames().ethernet(0x0800).ipv4(1, A, B, 0, 0, 28).u16(80).u16(80).u32(0).build();
        assertThat(accepts("port 80", LinkType.ETHERNET, icmp)).isFalse();
    }

    @Test
    void portsAreReadAfterIpv4OptionsAndOnlyOnFirstFragments() throws FilterException {
        assertThat(accepts("dst port 80", LinkType.ETHERNET, tcp4(0, 3, 5555, 80))).isTrue();
        assertThat(accepts("dst port 80", LinkType.ETHERNET, tcp4(0x2000, 0, 5555, 80))).as("first fragment").isTrue();
        assertThat(accepts("dst port 80", LinkType.ETHERNET, tcp4(0x0010, 0, 5555, 80))).as("later fragment").isFalse();
        assertThat(accepts("tcp[tcpflags] & tcp-syn != 0", LinkType.ETHERNET, tcp4(0x0010, 0, 1, 2))).isFalse();
        assertThat(accepts("tcp[tcpflags] & tcp-syn != 0", LinkType.ETHERNET, tcp4(0, 2, 1, 2))).isTrue();
        assertThat(accepts("tcp[tcpflags] == tcp-syn|tcp-ack", LinkType.ETHERNET, tcp4(0, 0, 1, 2))).isTrue();
    }

    @Test
    void ipv6TransportIsSeenDirectlyOrAfterOneFragmentHeader() throws FilterException {
        byte[] direct = new TestFrames().ethernet(0x86DD).ipv6(6, A6, B6, 20).tcp(5555, 80, 2, 0).build();
        byte[] fragment = new TestFrames().ethernet(0x86DD).ipv6(44, A6, B6, 28).ipv6Extension(6, 0)
                .tcp(5555, 80, 2, 0).build();
        byte[] hopByHop = new TestFrames().ethernet(0x86DD).ipv6(0, A6, B6, 28).ipv6Extension(6, 0)
                .tcp(5555, 80, 2, 0).build();
        assertThat(accepts("tcp", LinkType.ETHERNET, direct)).isTrue();
        assertThat(accepts("tcp", LinkType.ETHERNET, fragment)).isTrue();
        assertThat(accepts("tcp", LinkType.ETHERNET, hopByHop)).isFalse();
        // Ports only directly after the fixed header, as tcpdump does.
        assertThat(accepts("port 80", LinkType.ETHERNET, direct)).isTrue();
        assertThat(accepts("port 80", LinkType.ETHERNET, fragment)).isFalse();
        assertThat(accepts("host fd00::1 and dst host fd00::2", LinkType.ETHERNET, hopByHop)).isTrue();
        assertThat(accepts("net fd00::/16 and not net fe80::/10", LinkType.ETHERNET, direct)).isTrue();
        assertThat(accepts("host 10.0.0.1", LinkType.ETHERNET, direct)).isFalse();
    }

    @Test
    void ipv4HostAlsoMatchesArpAddressesLikeTcpdump() throws FilterException {
        byte[] arp = new TestFrames().ethernet(0x0806).arp(A, B).build();
        assertThat(accepts("host 10.0.0.1", LinkType.ETHERNET, arp)).isTrue();
        assertThat(accepts("dst host 10.0.0.2", LinkType.ETHERNET, arp)).isTrue();
        assertThat(accepts("ip host 10.0.0.1", LinkType.ETHERNET, arp)).isFalse();
        assertThat(accepts("net 10.0.0.0/24", LinkType.LINUX_SLL, new TestFrames().sll(0x0806).arp(A, B).build())).isTrue();
    }

    @Test
    void vlanShiftsTheOffsetsOfEverythingAfterIt() throws FilterException {
        byte[] tagged = new TestFrames().ethernet(0x0800, 0x8100, 0x2064).ipv4(6, A, B, 0, 0, 40)
                .tcp(5555, 80, 2, 0).build();
        byte[] untagged = tcp4(0, 0, 5555, 80);
        assertThat(accepts("vlan 100 and port 80", LinkType.ETHERNET, tagged)).isTrue();
        assertThat(accepts("vlan 200 and port 80", LinkType.ETHERNET, tagged)).isFalse();
        assertThat(accepts("vlan and tcp", LinkType.ETHERNET, tagged)).isTrue();
        assertThat(accepts("port 80", LinkType.ETHERNET, tagged)).as("no vlan keyword: offsets unshifted").isFalse();
        assertThat(accepts("vlan and tcp", LinkType.ETHERNET, untagged)).isFalse();
        byte[] qinq = new TestFrames().ethernet(0x0800, 0x88A8, 0x012c, 0x8100, 0x0064).ipv4(6, A, B, 0, 0, 40)
                .tcp(5555, 80, 2, 0).build();
        assertThat(accepts("vlan 300 and vlan 100 and host 10.0.0.1", LinkType.ETHERNET, qinq)).isTrue();
    }

    @Test
    void rawAndCookedLinksFindTheNetworkLayer() throws FilterException {
        byte[] raw4 = new TestFrames().ipv4(6, A, B, 0, 0, 40).tcp(5555, 443, 2, 0).build();
        byte[] raw6 = new TestFrames().ipv6(17, A6, B6, 8).udp(53, 53, 8).build();
        assertThat(accepts("ip and tcp dst port 443 and src host 10.0.0.1", LinkType.RAW, raw4)).isTrue();
        assertThat(accepts("ip6", LinkType.RAW, raw4)).isFalse();
        assertThat(accepts("ip6 and udp port 53", LinkType.RAW, raw6)).isTrue();
        byte[] sll = new TestFrames().sll(0x0800).ipv4(6, A, B, 0, 0, 40).tcp(5555, 443, 2, 0).build();
        assertThat(accepts("tcp dst port 443 and tcp[13] = 2", LinkType.LINUX_SLL, sll)).isTrue();
    }

    @Test
    void readingPastTheCapturedBytesRejectsEvenUnderNot() throws FilterException {
        byte[] frame = tcp4(0, 0, 5555, 80);
        assertThat(accepts("tcp[13] = 0x12", LinkType.ETHERNET, frame)).isTrue();
        assertThat(accepts("tcp[13] = 0x12", LinkType.ETHERNET, frame, 47, frame.length)).isFalse();
        // As in the kernel and libpcap: the program stops at the load, whatever the negation.
        assertThat(accepts("not tcp[13] = 0x12", LinkType.ETHERNET, frame, 47, frame.length)).isFalse();
        assertThat(accepts("not tcp[100] = 0", LinkType.ETHERNET, frame)).isFalse();
        // A short-circuit that decides first never reaches the missing bytes.
        assertThat(accepts("ip or tcp[100] = 0", LinkType.ETHERNET, frame, 20, frame.length)).isTrue();
    }

    @Test
    void lessAndGreaterCompareTheWireLengthNotTheCapturedLength() throws FilterException {
        byte[] frame = tcp4(0, 0, 1, 2);
        assertThat(accepts("greater 1000", LinkType.ETHERNET, frame, frame.length, 1500)).isTrue();
        assertThat(accepts("less 100", LinkType.ETHERNET, frame, frame.length, 1500)).isFalse();
        assertThat(accepts("less 54", LinkType.ETHERNET, frame)).isTrue();
        assertThat(accepts("less 53", LinkType.ETHERNET, frame)).isFalse();
        assertThat(accepts("len = 54", LinkType.ETHERNET, frame)).isTrue();
    }

    @Test
    void divisionByZeroInThePacketRejects() throws FilterException {
        byte[] frame = tcp4(0, 0, 1, 2);
        // ip[1] (TOS) is 0 here.
        assertThat(accepts("ip[0] / ip[1] = 0 or tcp", LinkType.ETHERNET, frame)).isFalse();
        assertThat(accepts("tcp or ip[0] / ip[1] = 0", LinkType.ETHERNET, frame)).isTrue();
    }
}
