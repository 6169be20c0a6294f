package io.panatap.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panatap.parse.LinkType;

import java.lang.foreign.MemorySegment;
import java.util.StringJoiner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilterCompilerTest {
    private static final int SNAP = 262144;

    private static String dump(String expression, int linkType) throws FilterException {
        return FilterCompiler.compile(expression, linkType, SNAP).dump();
    }

    // Expected texts are the output of tcpdump 4.99.3 / libpcap 1.10.3 `tcpdump -d -r FILE EXPR` for a
    // capture file of the given link type.

    @Test
    void dumpsLikeTcpdumpForAnEtherTypeTest() throws FilterException {
        assertThat(dump("ip", LinkType.ETHERNET)).isEqualTo("""
                (000) ldh      [12]
                (001) jeq      #0x800           jt 2\tjf 3
                (002) ret      #262144
                (003) ret      #0
                """);
    }

    @Test
    void onASocketTheFirstVlanReadsTheTagTheKernelMovedIntoMetadataLikeLiveTcpdump() throws FilterException {
        // tcpdump -i lo -d 'vlan 10' prints the same tests (libpcap loads vlan_tci with ldb; the kernel
        // reads the whole TCI for any load size).
        assertThat(FilterCompiler.compileForSocket("vlan 10", LinkType.ETHERNET, SNAP, false).dump()).isEqualTo("""
                (000) ldb      [vlanp]
                (001) jeq      #0x1             jt 2	jf 5
                (002) ldh      [vlan_tci]
                (003) and      #0xfff
                (004) jeq      #0xa             jt 12	jf 13
                (005) ldh      [12]
                (006) jeq      #0x8100          jt 9	jf 7
                (007) jeq      #0x88a8          jt 9	jf 8
                (008) jeq      #0x9100          jt 9	jf 13
                (009) ldh      [14]
                (010) and      #0xfff
                (011) jeq      #0xa             jt 12	jf 13
                (012) ret      #262144
                (013) ret      #0
                """);
        // When the tag is in metadata, what follows "vlan" reads the frame without a shift.
        assertThat(FilterCompiler.compileForSocket("vlan and ip", LinkType.ETHERNET, SNAP, false).dump()).isEqualTo("""
                (000) ldb      [vlanp]
                (001) jeq      #0x1             jt 2\tjf 4
                (002) ldh      [12]
                (003) jeq      #0x800           jt 10\tjf 11
                (004) ldh      [12]
                (005) jeq      #0x8100          jt 8\tjf 6
                (006) jeq      #0x88a8          jt 8\tjf 7
                (007) jeq      #0x9100          jt 8\tjf 11
                (008) ldh      [16]
                (009) jeq      #0x800           jt 10\tjf 11
                (010) ret      #262144
                (011) ret      #0
                """);
        // Without "vlan" a socket program is the file program.
        assertThat(FilterCompiler.compileForSocket("tcp port 80", LinkType.ETHERNET, SNAP, false))
                .isEqualTo(FilterCompiler.compile("tcp port 80", LinkType.ETHERNET, SNAP));
    }

    @Test
    void aTcpOnlySocketProgramAcceptsTcpBehindUpToTwoTagsAndErrorsPointAtTheUsersColumns() throws Exception {
        BpfProgram program = FilterCompiler.compileForSocket("port 80", LinkType.ETHERNET, SNAP, true);
        byte[] tcp = new TestFrames().ethernet(0x0800).ipv4(6, TestFrames.ipv4("10.0.0.1"),
                TestFrames.ipv4("10.0.0.2"), 0, 0, 40).tcp(80, 443, 2, 0).build();
        byte[] udp = new TestFrames().ethernet(0x0800).ipv4(17, TestFrames.ipv4("10.0.0.1"),
                TestFrames.ipv4("10.0.0.2"), 0, 0, 28).udp(80, 53, 8).build();
        byte[] stackedTcp = new TestFrames().ethernet(0x0800, 0x8100, 7, 0x8100, 8)
                .bytes(java.util.Arrays.copyOfRange(tcp, 14, tcp.length)).build();
        assertThat(BpfInterpreter.run(program, MemorySegment.ofArray(tcp), 0, tcp.length, tcp.length)).isNotZero();
        assertThat(BpfInterpreter.run(program, MemorySegment.ofArray(udp), 0, udp.length, udp.length)).isZero();
        // TCP behind two tags passes the TCP test, but "port 80" (no vlan) looks at offset 12 only.
        assertThat(BpfInterpreter.run(FilterCompiler.compileForSocket("vlan and vlan", LinkType.ETHERNET, SNAP, true),
                MemorySegment.ofArray(stackedTcp), 0, stackedTcp.length, stackedTcp.length)).isNotZero();
        assertThat(BpfInterpreter.run(program, MemorySegment.ofArray(stackedTcp), 0, stackedTcp.length,
                stackedTcp.length)).isZero();
        assertThatThrownBy(() -> FilterCompiler.compileForSocket("port 80 and prot 1", LinkType.ETHERNET, SNAP, true))
                .isInstanceOf(FilterException.class).hasMessageContaining("'prot'").hasMessageEndingWith("(column 13)");
        assertThatThrownBy(() -> FilterCompiler.compileForSocket("vlan", LinkType.RAW, SNAP, true))
                .isInstanceOf(FilterException.class).hasMessageContaining("no VLAN support");
    }

    @Test
    void threadsJumpsWhoseOutcomeIsKnownLikeLibpcapsOptimizer() throws FilterException {
        // After "ip and ip[9] != 6" the EtherType is known to be IPv4: straight to the reject.
        assertThat(dump("tcp", LinkType.ETHERNET)).isEqualTo("""
                (000) ldh      [12]
                (001) jeq      #0x800           jt 2	jf 4
                (002) ldb      [23]
                (003) jeq      #0x6             jt 10	jf 11
                (004) jeq      #0x86dd          jt 5	jf 11
                (005) ldb      [20]
                (006) jeq      #0x6             jt 10	jf 7
                (007) jeq      #0x2c            jt 8	jf 11
                (008) ldb      [54]
                (009) jeq      #0x6             jt 10	jf 11
                (010) ret      #262144
                (011) ret      #0
                """);
        assertThat(dump("vlan 100 and tcp", LinkType.ETHERNET)).startsWith("""
                (000) ldh      [12]
                (001) jeq      #0x8100          jt 4	jf 2
                (002) jeq      #0x88a8          jt 4	jf 3
                (003) jeq      #0x9100          jt 4	jf 18
                (004) ldh      [14]
                (005) and      #0xfff
                (006) jeq      #0x64            jt 7	jf 18
                """);
    }

    @Test
    void dumpsLikeTcpdumpForTcpFlags() throws FilterException {
        assertThat(dump("tcp[tcpflags] & (tcp-syn|tcp-ack) != 0", LinkType.ETHERNET)).isEqualTo("""
                (000) ldh      [12]
                (001) jeq      #0x800           jt 2\tjf 10
                (002) ldb      [23]
                (003) jeq      #0x6             jt 4\tjf 10
                (004) ldh      [20]
                (005) jset     #0x1fff          jt 10\tjf 6
                (006) ldxb     4*([14]&0xf)
                (007) ldb      [x + 27]
                (008) jset     #0x12            jt 9\tjf 10
                (009) ret      #262144
                (010) ret      #0
                """);
    }

    @Test
    void dumpsLikeTcpdumpForAnIpv6Network() throws FilterException {
        assertThat(dump("net fd00::/8", LinkType.ETHERNET)).isEqualTo("""
                (000) ldh      [12]
                (001) jeq      #0x86dd          jt 2\tjf 9
                (002) ld       [22]
                (003) and      #0xff000000
                (004) jeq      #0xfd000000      jt 8\tjf 5
                (005) ld       [38]
                (006) and      #0xff000000
                (007) jeq      #0xfd000000      jt 8\tjf 9
                (008) ret      #262144
                (009) ret      #0
                """);
    }

    @Test
    void dumpsLikeTcpdumpForRawIpWithTheVersionNibble() throws FilterException {
        assertThat(dump("host 10.0.0.1", LinkType.RAW)).isEqualTo("""
                (000) ldb      [0]
                (001) and      #0xf0
                (002) jeq      #0x40            jt 3\tjf 8
                (003) ld       [12]
                (004) jeq      #0xa000001       jt 7\tjf 5
                (005) ld       [16]
                (006) jeq      #0xa000001       jt 7\tjf 8
                (007) ret      #262144
                (008) ret      #0
                """);
    }

    @Test
    void dumpsLikeTcpdumpForLengthAndArithmetic() throws FilterException {
        assertThat(dump("greater 100", LinkType.LINUX_SLL)).isEqualTo("""
                (000) ld       #pktlen
                (001) jge      #0x64            jt 2\tjf 3
                (002) ret      #262144
                (003) ret      #0
                """);
        assertThat(dump("ip[0] << 2 >> 1 = 2", LinkType.ETHERNET)).isEqualTo("""
                (000) ldh      [12]
                (001) jeq      #0x800           jt 2\tjf 7
                (002) ldb      [14]
                (003) lsh      #2
                (004) rsh      #1
                (005) jeq      #0x2             jt 6\tjf 7
                (006) ret      #262144
                (007) ret      #0
                """);
        assertThat(dump("ip6[6]=6", LinkType.LINUX_SLL)).isEqualTo("""
                (000) ldh      [14]
                (001) jeq      #0x86dd          jt 2\tjf 5
                (002) ldb      [22]
                (003) jeq      #0x6             jt 4\tjf 5
                (004) ret      #262144
                (005) ret      #0
                """);
    }

    @Test
    void printsEveryInstructionKindInBpfImageStyle() {
        BpfProgram p = BpfProgram.of(
                new int[] {0x00, 0, 0, 7}, new int[] {0x01, 0, 0, 8}, new int[] {0x80, 0, 0, 0},
                new int[] {0x81, 0, 0, 0}, new int[] {0x02, 0, 0, 3}, new int[] {0x03, 0, 0, 4},
                new int[] {0x60, 0, 0, 3}, new int[] {0x61, 0, 0, 4}, new int[] {0x07, 0, 0, 0},
                new int[] {0x87, 0, 0, 0}, new int[] {0x04, 0, 0, 20}, new int[] {0x1c, 0, 0, 0},
                new int[] {0x54, 0, 0, 0xff}, new int[] {0x94, 0, 0, 3}, new int[] {0xa4, 0, 0, 1},
                new int[] {0x84, 0, 0, 0}, new int[] {0x48, 0, 0, 2}, new int[] {0x50, 0, 0, 1},
                new int[] {0xb1, 0, 0, 14}, new int[] {0x05, 0, 0, 1}, new int[] {0x3d, 1, 0, 0},
                new int[] {0x16, 0, 0, 0}, new int[] {0x06, 0, 0, 96});
        assertThat(p.dump()).isEqualTo("""
                (000) ld       #0x7
                (001) ldx      #0x8
                (002) ld       #pktlen
                (003) ldx      #pktlen
                (004) st       M[3]
                (005) stx      M[4]
                (006) ld       M[3]
                (007) ldx      M[4]
                (008) tax     \s
                (009) txa     \s
                (010) add      #20
                (011) sub      x
                (012) and      #0xff
                (013) mod      #3
                (014) xor      #0x1
                (015) neg     \s
                (016) ldh      [x + 2]
                (017) ldb      [x + 1]
                (018) ldxb     4*([14]&0xf)
                (019) ja       21
                (020) jge      x                jt 22\tjf 21
                (021) ret     \s
                (022) ret      #96
                """);
        assertThat(p.isValid()).isTrue();
    }

    @Test
    void blankExpressionAcceptsEverythingWithTheSnapLength() throws FilterException {
        assertThat(FilterCompiler.compile("  ", LinkType.ETHERNET, 96).dump()).isEqualTo("(000) ret      #96\n");
        assertThat(FilterCompiler.compile("", LinkType.RAW, 0).dump()).isEqualTo("(000) ret      #262144\n");
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '"', value = {
        "port 80 or 443                        => port 80 or port 443",
        "tcp port 80 or 443                    => tcp port 80 or tcp port 443",
        "host 10.0.0.1 and not 10.0.0.2        => host 10.0.0.1 and not host 10.0.0.2",
        "src host 10.0.0.1 or 10.0.0.2         => src host 10.0.0.1 or src host 10.0.0.2",
        "port 80 and (443 or 22)               => port 80 and (port 443 or port 22)",
        "(host 10.0.0.1) or tcp and host 10.0.0.3 or 10.0.0.2 => ((host 10.0.0.1 or tcp) and host 10.0.0.3) or host 10.0.0.2",
        "tcp or udp and port 80                => (tcp or udp) and port 80",
        "not tcp and udp                       => (not tcp) and udp",
        "ip && !tcp || udp                     => (ip and not tcp) or udp",
        "tcp[13] = 2                           => tcp[13] == 2",
        "5 < ip[0]                             => ip[0] > 5",
        "src or dst port 80                    => port 80",
        "net 10                                => net 10.0.0.0/8",
        "net 10.1.0.0 mask 255.255.0.0         => net 10.1.0.0/16",
        "portrange 20-10                       => portrange 10-20",
        "host fd00:0:0:0:0:0:0:1               => ip6 host fd00::1",
        "tcp[0x0d] = 02                        => tcp[13] = 2",
        "tcp[tcpflags] & tcp-push != 0         => tcp[13] & 8 != 0",
    })
    void shorthandsCompileToTheSameProgramAsTheLongForm(String shorthand, String longForm) throws FilterException {
        assertThat(dump(shorthand, LinkType.ETHERNET)).isEqualTo(dump(longForm, LinkType.ETHERNET));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "prot 80                 | syntax error at 'prot' (column 1)                 | 1",
        "10.0.0.1                | syntax error at '10.0.0.1' (column 1)             | 1",
        "tcp and                 | syntax error at end of expression (column 8)      | 8",
        "port 80 or              | syntax error at end of expression (column 11)     | 11",
        "tcp and 80              | syntax error at '80' (column 9)                   | 9",
        "(tcp or udp             | syntax error at end of expression (column 12)     | 12",
        "tcp or udp)             | syntax error at ')' (column 11)                   | 11",
        "tcp[13] & 2             | syntax error at end of expression (column 12)     | 12",
        "ip[0] $ 3 = 1           | syntax error at '$' (column 7)                    | 7",
        "host                    | syntax error at end of expression (column 5)      | 5",
        "port and tcp            | syntax error at 'and' (column 6)                  | 6",
        "tcp[13] = = 2           | syntax error at '=' (column 11)                   | 11",
        "not                     | syntax error at end of expression (column 4)      | 4",
    })
    void syntaxErrorsNameTheOffendingTokenAndItsColumn(String expression, String message, int column) {
        assertThatThrownBy(() -> FilterCompiler.compile(expression, LinkType.ETHERNET, SNAP))
                .isInstanceOfSatisfying(FilterSyntaxException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo(message);
                    assertThat(e.column()).isEqualTo(column);
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "icmp                    | 'icmp' (column 1): pcap-filter's 'icmp' is not",
        "tcp or ether host 1     | 'ether' (column 8): pcap-filter's 'ether' is not",
        "ip proto 6              | 'proto' (column 4): pcap-filter's 'proto' is not",
        "tcp[0] % 2 = 0          | '%' (column 8): pcap-filter's '%' is not",
    })
    void wordsOfPcapFilterOutsideTheSubsetSaySoAndListWhatIsSupported(String expression, String message) {
        assertThatThrownBy(() -> FilterCompiler.compile(expression, LinkType.ETHERNET, SNAP))
                .isInstanceOfSatisfying(FilterSyntaxException.class, e -> assertThat(e.getMessage())
                        .startsWith("syntax error at " + message).endsWith("with + - * / & | << >>"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "host example.com         | host names are not supported (no DNS lookups): 'example.com' (column 6)",
        "port 70000               | illegal port number 70000 > 65535",
        "port http                | 'http' is not a port number (service names are not supported)",
        "tcp[0:3] = 1             | data size must be 1, 2, or 4",
        "ip[0] / 0 = 1            | division by zero",
        "ip[0] << 32 = 1          | shift by more than 31 bits",
        "net 10.0.0.1/8           | non-network bits set in '10.0.0.1'",
        "vlan 5000                | VLAN id 5000 is greater than 4095",
        "tcp host 10.0.0.1        | 'tcp' modifier applied to host",
        "ip port 80               | illegal qualifier 'ip' of 'port'",
        "ip6 host 10.0.0.1        | 'ip6' modifier applied to IPv4 address '10.0.0.1'",
        "host 10.0.0              | '10.0.0' is not an IPv4 address",
        "host 10.0.0.0/8          | a host is a single address",
        "net fd00::/129           | prefix length 129 is out of range 0..128",
        "ip[0xfffffff0] = 1       | offset 4294967280 in ip[] is too large",
    })
    void semanticErrorsAreClearFilterExceptions(String expression, String message) {
        assertThatThrownBy(() -> FilterCompiler.compile(expression, LinkType.ETHERNET, SNAP))
                .isExactlyInstanceOf(FilterException.class)
                .hasMessageContaining(message);
    }

    @Test
    void vlanIsRejectedOnLinksWithoutTags() {
        assertThatThrownBy(() -> FilterCompiler.compile("vlan and tcp", LinkType.RAW, SNAP))
                .isExactlyInstanceOf(FilterException.class).hasMessage("no VLAN support for link type RAW");
        assertThatThrownBy(() -> FilterCompiler.compile("vlan", LinkType.LINUX_SLL, SNAP))
                .hasMessage("no VLAN support for link type LINUX_SLL");
    }

    @Test
    void unsupportedLinkTypesAreRejectedByName() {
        assertThatThrownBy(() -> FilterCompiler.compile("tcp", 105, SNAP))
                .isExactlyInstanceOf(FilterException.class)
                .hasMessageStartingWith("filters are not supported on link type IEEE802_11 (105)");
    }

    @Test
    void compilesForEveryRawAndCookedLinkType() throws FilterException {
        for (int linkType : new int[] {LinkType.RAW_BSD_12, LinkType.RAW_BSD_14, LinkType.IPV4, LinkType.IPV6,
                LinkType.LINUX_SLL2}) {
            assertThat(FilterCompiler.compile("tcp port 80", linkType, SNAP).isValid()).isTrue();
        }
        // On an IPv4-only link "ip" needs no test at all, as in libpcap.
        assertThat(dump("ip", LinkType.IPV4)).isEqualTo("(000) ret      #262144\n");
        assertThat(dump("ip6", LinkType.IPV4)).isEqualTo("(000) ret      #0\n");
    }

    @Test
    void constantBranchesNextToEachOtherKeepTheirTargets() throws FilterException {
        // On an IPv6-only link "ip" is false and "ip6" true: two jumps to "accept" end up adjacent.
        String e = "((len > 2) and (dst net fe80::/16 or ip6)) or (not (ip and greater 100))";
        BpfProgram p = FilterCompiler.compile(e, LinkType.IPV6, SNAP);
        assertThat(p.isValid()).isTrue();
        byte[] packet = new TestFrames().ipv6(6, TestFrames.ipv6("fd00::1"), TestFrames.ipv6("fe80::1"), 0).build();
        assertThat(BpfInterpreter.run(p, MemorySegment.ofArray(packet), 0, packet.length, packet.length)).isEqualTo(SNAP);
        assertThat(BpfInterpreter.run(p, MemorySegment.ofArray(packet), 0, 10, 100)).as("dst not captured").isZero();
        assertThat(BpfInterpreter.run(p, MemorySegment.ofArray(packet), 0, 10, 2)).as("len <= 2: no load").isEqualTo(SNAP);
    }

    @Test
    void farBranchesGoThroughJaTrampolinesAndStayCorrect() throws FilterException {
        // 60 port tests: the early "accept" branches are hundreds of instructions away.
        StringJoiner or = new StringJoiner(" or ");
        for (int p = 1; p <= 60; p++) {
            or.add("port " + p);
        }
        BpfProgram program = FilterCompiler.compile(or.toString(), LinkType.ETHERNET, SNAP);
        assertThat(program.length()).isGreaterThan(600).isLessThanOrEqualTo(BpfProgram.MAX_INSTRUCTIONS);
        assertThat(program.isValid()).isTrue();
        int trampolines = 0;
        for (int i = 0; i < program.length(); i++) {
            trampolines += program.code(i) == 0x05 ? 1 : 0;
        }
        assertThat(trampolines).isPositive();
        for (int port : new int[] {1, 30, 60, 61, 80}) {
            byte[] frame = new TestFrames().ethernet(0x0800).ipv4(6, 0x0a000001, 0x0a000002, 0, 0, 40)
                    .tcp(5555, port, 0x02, 0).build();
            int result = BpfInterpreter.run(program, MemorySegment.ofArray(frame), 0, frame.length, frame.length);
            assertThat(result).as("port %d", port).isEqualTo(port <= 60 ? SNAP : 0);
        }
    }

    @Test
    void expressionsBeyondTheKernelLimitAreRejected() {
        StringJoiner or = new StringJoiner(" or ");
        for (int p = 1; p <= 400; p++) {
            or.add("port " + p);
        }
        assertThatThrownBy(() -> FilterCompiler.compile(or.toString(), LinkType.ETHERNET, SNAP))
                .isExactlyInstanceOf(FilterException.class)
                .hasMessageMatching("filter too large: it compiles to \\d+ BPF instructions; the kernel accepts at most 4096");
    }

    @Test
    void deeplyNestedArithmeticRunsOutOfScratchMemoryCleanly() {
        // Right operands are computed first, so only left nesting holds scratch words.
        String e = "(".repeat(20) + "ip[0]" + " + ip[1])".repeat(20) + " = 1";
        assertThatThrownBy(() -> FilterCompiler.compile(e, LinkType.ETHERNET, SNAP))
                .isExactlyInstanceOf(FilterException.class).hasMessageContaining("scratch words");
    }
}
