package io.panatap.filter;

import io.panatap.parse.LinkLayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.panatap.parse.LinkType;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compiled programs, run by the interpreter, accept exactly the packets the expression's meaning
 * ({@link ReferenceEvaluator}) accepts: for a table of hand-written expressions and for seeded random
 * expression trees, on generated packets (IPv4 with options and fragments, IPv6 with extension headers,
 * ARP, VLAN tags, truncated captures). Programs compiled for a live socket
 * ({@link FilterCompiler#compileForSocket}) are run as the kernel runs them, over the frame without its outer
 * tag and with that tag as metadata, and agree with the expression's live meaning
 * ({@link ReferenceEvaluator#acceptsOnSocket}).
 */
class FilterDifferentialTest {
    static final String[] TABLE = {
        "", "ip", "ip6", "tcp", "udp", "sctp", "not tcp", "tcp or udp", "ip and not tcp",
        "host 10.0.0.1", "src host 10.0.0.1", "dst host 10.0.0.2", "host 10.0.0.1 and not 10.0.0.2",
        "ip host 10.0.0.1", "src or dst host 10.0.0.1", "src and dst host 10.0.0.1",
        "net 10.0.0.0/8", "src net 10.0.0.0/24", "dst net 192.168.0.0 mask 255.255.0.0", "net 10", "net 10.1",
        "host fd00::1", "net fd00::/16", "ip6 src net fe80::/64", "dst host fd00::2",
        "port 80", "port 80 or 443", "src port 80", "dst port 443", "tcp port 80", "udp port 53",
        "sctp dst port 22", "portrange 1000-1010", "src portrange 1000-1010", "tcp dst portrange 1005-1005",
        "not port 22", "tcp and not port 22 and not port 53", "port 80 and (443 or 22)",
        "less 100", "greater 100", "less 60 or greater 200",
        "tcp[tcpflags] & (tcp-syn|tcp-ack) != 0", "tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0",
        "tcp[tcpflags] == tcp-syn", "tcp[13] & 0x12 = 0x12", "tcp[0:2] = 80", "tcp[2:2] > 1000",
        "ip[0] & 0xf > 5", "ip[6:2] & 0x1fff != 0", "ip[9] = 6 and ip[2:2] >= 40", "ip[12:4] = 0x0a000001",
        "ip6[6] = 44", "ip6[40] = 6", "udp[0:2] = 53", "tcp[12] >> 4 > 5", "ip[2:2] - ((ip[0] & 0xf) << 2) > 20",
        "tcp[(tcp[12] >> 4) * 4] = 3", "ip[0] / (ip[9] & 3) = 69", "len > 100", "len - 14 <= ip[2:2]",
        "5 < ip[0] & 0xf", "tcp[100:4] = 0", "not tcp[100:4] = 0", "ip[1] * 3 + 2 = 2 | 0", "-ip[0] >= 0xffffffbb",
        "vlan", "vlan 100", "vlan and tcp", "vlan 100 and port 80", "vlan and vlan 200 and ip",
        "vlan or tcp", "not vlan or host 10.0.0.1", "vlan 300 and (tcp port 80 or udp port 53)",
        "(tcp or udp) and (port 80 or port 53) or (host 10.0.0.1 and less 200)",
        "tcp or udp and port 80", "not (ip6 and tcp) && !(ip && udp) || sctp",
    };

    static final int[] LINK_TYPES = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.RAW};

    @ParameterizedTest
    @ValueSource(ints = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.RAW, LinkType.LINUX_SLL2, LinkType.IPV4,
            LinkType.IPV6, LinkType.NULL, LinkType.LOOP, LinkType.PPP, LinkType.PPP_HDLC, LinkType.PPP_ETHER})
    void tableExpressionsAgreeWithTheirMeaningOnGeneratedPackets(int linkType) throws Exception {
        List<RandomFilters.Packet> packets = packets(linkType, 4000, 11);
        LinkLayer link = LinkLayer.of(linkType);
        int compared = 0;
        for (String expression : TABLE) {
            if (linkType != LinkType.ETHERNET && expression.contains("vlan")) {
                continue;
            }
            FilterExpr tree = FilterParser.parse(expression);
            BpfProgram program = FilterCompiler.compile(expression, linkType, 65535);
            int accepted = 0;
            for (RandomFilters.Packet p : packets) {
                boolean expected = ReferenceEvaluator.accepts(tree, link, p.bytes(), p.captured(), p.wireLength());
                boolean actual = run(program, p) != 0;
                if (expected != actual) {
                    fail("'%s' on link %d: expected %s, program says %s for packet %s (captured %d of %d)%n%s",
                            expression, linkType, expected, actual, hex(p.bytes()), p.captured(), p.wireLength(),
                            program.dump());
                }
                accepted += actual ? 1 : 0;
            }
            compared++;
            boolean singleVersionLink = linkType == LinkType.IPV4 || linkType == LinkType.IPV6;
            if (!expression.isEmpty() && !expression.contains("100:4") && !singleVersionLink) {
                // Every filter in the table both accepts and rejects some packets: the packets exercise it.
                assertThat(accepted).as("packets accepted by '%s' on link %d", expression, linkType)
                        .isBetween(1, packets.size() - 1);
            }
        }
        assertThat(compared).isGreaterThan(60);
    }

    @ParameterizedTest
    @ValueSource(ints = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.RAW, LinkType.LINUX_SLL2, LinkType.IPV4,
            LinkType.IPV6, LinkType.NULL, LinkType.LOOP, LinkType.PPP, LinkType.PPP_HDLC, LinkType.PPP_ETHER})
    void randomExpressionTreesCompileToProgramsThatAgreeWithTheirMeaning(int linkType) throws Exception {
        RandomFilters gen = new RandomFilters(0x5EED + linkType, linkType == LinkType.ETHERNET, false);
        List<RandomFilters.Packet> packets = packets(linkType, 400, 23 + linkType);
        LinkLayer link = LinkLayer.of(linkType);
        long runs = 0;
        long accepts = 0;
        // -Dpanatap.filter.randomExpressions=N runs a longer search.
        int count = Integer.getInteger("panatap.filter.randomExpressions", 600);
        for (int i = 0; i < count; i++) {
            RandomFilters.Generated g = gen.expression(1 + i % 5);
            // The text parses back to the same tree (records compare arrays by identity, so compare meaning).
            BpfProgram program = FilterCompiler.compile(g.text(), linkType, 65535);
            FilterExpr reparsed = FilterParser.parse(g.text());
            for (RandomFilters.Packet p : packets) {
                boolean expected = ReferenceEvaluator.accepts(g.tree(), link, p.bytes(), p.captured(), p.wireLength());
                boolean again = ReferenceEvaluator.accepts(reparsed, link, p.bytes(), p.captured(), p.wireLength());
                boolean actual = run(program, p) != 0;
                if (expected != actual || expected != again) {
                    fail("'%s' on link %d: meaning %s, reparsed %s, program %s for packet %s (captured %d of %d)%n%s",
                            g.text(), linkType, expected, again, actual, hex(p.bytes()), p.captured(),
                            p.wireLength(), program.dump());
                }
                runs++;
                accepts += actual ? 1 : 0;
            }
            assertThat(program.isValid()).isTrue();
        }
        // The generator is useful only if filters both accept and reject a fair share.
        assertThat(accepts).isBetween(runs / 50, runs - runs / 20);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void onASocketTableExpressionsAgreeWithTheirLiveMeaning(boolean tcpOnly) throws Exception {
        List<byte[]> frames = wholeFrames(4000, 11);
        LinkLayer link = LinkLayer.of(LinkType.ETHERNET);
        int selective = 0;
        for (String expression : TABLE) {
            FilterExpr tree = FilterParser.parse(expression);
            BpfProgram program = FilterCompiler.compileForSocket(expression, LinkType.ETHERNET, 65535, tcpOnly);
            int accepted = 0;
            for (byte[] f : frames) {
                boolean expected = ReferenceEvaluator.acceptsOnSocket(tree, link, f, tcpOnly);
                boolean actual = runOnSocket(program, f) != 0;
                if (expected != actual) {
                    fail("'%s' (tcpOnly %s) on a socket: expected %s, program says %s for frame %s%n%s", expression,
                            tcpOnly, expected, actual, hex(f), program.dump());
                }
                accepted += actual ? 1 : 0;
            }
            // With tcpOnly, UDP-only expressions accept nothing, rightly.
            if (!expression.isEmpty() && !expression.contains("100:4") && !tcpOnly) {
                assertThat(accepted).as("frames accepted by '%s' on a socket", expression)
                        .isBetween(1, frames.size() - 1);
            }
            selective += accepted > 0 && accepted < frames.size() ? 1 : 0;
        }
        assertThat(selective).as("expressions that accept some frames and reject others").isGreaterThan(60);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void onASocketRandomExpressionTreesAgreeWithTheirLiveMeaning(boolean tcpOnly) throws Exception {
        RandomFilters gen = new RandomFilters(0x50C7 + (tcpOnly ? 1 : 0), true, false);
        List<byte[]> frames = wholeFrames(400, 29);
        LinkLayer link = LinkLayer.of(LinkType.ETHERNET);
        long runs = 0;
        long accepts = 0;
        int count = Integer.getInteger("panatap.filter.randomExpressions", 600);
        for (int i = 0; i < count; i++) {
            RandomFilters.Generated g = gen.expression(1 + i % 5);
            BpfProgram program = FilterCompiler.compileForSocket(g.text(), LinkType.ETHERNET, 65535, tcpOnly);
            for (byte[] f : frames) {
                boolean expected = ReferenceEvaluator.acceptsOnSocket(g.tree(), link, f, tcpOnly);
                boolean actual = runOnSocket(program, f) != 0;
                if (expected != actual) {
                    fail("'%s' (tcpOnly %s) on a socket: meaning %s, program %s for frame %s%n%s", g.text(), tcpOnly,
                            expected, actual, hex(f), program.dump());
                }
                runs++;
                accepts += actual ? 1 : 0;
            }
            assertThat(program.isValid()).isTrue();
        }
        assertThat(accepts).isBetween(runs / (tcpOnly ? 200 : 50), runs - runs / 20);
    }

    /**
     * Where every primitive is written after a {@code vlan}, the expression selects the same frames live as
     * in a file, although the socket sees single-tagged frames untagged: tcpdump's meaning, both ways.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vlan", "vlan 100", "vlan and tcp", "vlan 100 and port 80", "vlan and vlan 200 and ip",
            "vlan 300 and (tcp port 80 or udp port 53)", "vlan and not vlan", "vlan and (host 10.0.0.1 or ip6)",
            "not vlan", "vlan or vlan", "not vlan 100 and tcp"})
    void anExpressionLedByVlanMeansTheSameLiveAsInAFile(String expression) throws Exception {
        List<byte[]> frames = wholeFrames(4000, 31);
        LinkLayer link = LinkLayer.of(LinkType.ETHERNET);
        FilterExpr tree = FilterParser.parse(expression);
        BpfProgram live = FilterCompiler.compileForSocket(expression, LinkType.ETHERNET, 65535, false);
        BpfProgram file = FilterCompiler.compile(expression, LinkType.ETHERNET, 65535);
        int taggedAccepted = 0;
        for (byte[] f : frames) {
            boolean inFile = BpfInterpreter.run(file, MemorySegment.ofArray(f), 0, f.length, f.length) != 0;
            assertThat(runOnSocket(live, f) != 0).as("'%s' live vs file on %s", expression, hex(f)).isEqualTo(inFile);
            assertThat(ReferenceEvaluator.acceptsOnSocket(tree, link, f, false)).isEqualTo(inFile);
            taggedAccepted += inFile && ReferenceEvaluator.hasStrippedTag(f) ? 1 : 0;
        }
        if (!expression.startsWith("not vlan")) {
            assertThat(taggedAccepted).as("frames with a stripped tag '%s' accepts", expression).isPositive();
        }
    }

    @org.junit.jupiter.api.Test
    void beforeAnyVlanASocketFilterSeesTheFrameWithoutItsOuterTag() throws Exception {
        byte[] tagged = new TestFrames().ethernet(0x0800, 0x8100, 100)
                .bytes(new TestFrames().ipv4(6, TestFrames.ipv4("10.0.0.1"), TestFrames.ipv4("10.0.0.2"), 0, 0, 100)
                        .tcp(80, 443, 2, 0).build()).build();
        BpfProgram tcpThenVlan = FilterCompiler.compileForSocket("tcp and vlan 100", LinkType.ETHERNET, 0, false);
        BpfProgram inFile = FilterCompiler.compile("tcp and vlan 100", LinkType.ETHERNET, 0);
        // As in tcpdump: live, "tcp" is tested on the untagged view, then "vlan 100" on the tag in metadata.
        assertThat(runOnSocket(tcpThenVlan, tagged)).isNotZero();
        assertThat(BpfInterpreter.run(inFile, MemorySegment.ofArray(tagged), 0, tagged.length, tagged.length)).isZero();
        // The same program rejects the frame when its tag carries another id, or when there is no tag.
        byte[] other = tagged.clone();
        other[15] = 101;
        assertThat(runOnSocket(tcpThenVlan, other)).isZero();
        byte[] untagged = ReferenceEvaluator.socketView(tagged);
        assertThat(BpfInterpreter.run(tcpThenVlan, MemorySegment.ofArray(untagged), 0, untagged.length,
                untagged.length)).isZero();
    }

    /** Generated Ethernet frames, each cut to what the generator captured, as whole frames on a wire. */
    static List<byte[]> wholeFrames(int count, long seed) {
        List<byte[]> out = new ArrayList<>();
        for (RandomFilters.Packet p : packets(LinkType.ETHERNET, count, seed)) {
            out.add(java.util.Arrays.copyOf(p.bytes(), Math.min(p.captured(), p.bytes().length)));
        }
        return out;
    }

    /** Runs a socket program as the kernel does: over the frame without its outer tag, the tag as metadata. */
    static int runOnSocket(BpfProgram program, byte[] frame) {
        byte[] view = ReferenceEvaluator.socketView(frame);
        boolean tagged = ReferenceEvaluator.hasStrippedTag(frame);
        return BpfInterpreter.run(program, MemorySegment.ofArray(view), 0, view.length, view.length, tagged,
                tagged ? ReferenceEvaluator.strippedTci(frame) : 0);
    }

    static List<RandomFilters.Packet> packets(int linkType, int count, long seed) {
        RandomFilters gen = new RandomFilters(seed, true, false);
        List<RandomFilters.Packet> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(gen.packet(linkType));
        }
        return out;
    }

    static int run(BpfProgram program, RandomFilters.Packet p) {
        return BpfInterpreter.run(program, MemorySegment.ofArray(p.bytes()), 0, p.captured(), p.wireLength());
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
