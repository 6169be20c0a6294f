package io.panatap.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.panatap.capture.PacketCapture;
import io.panatap.parse.LinkType;
import io.panatap.testing.Netns;
import io.panatap.testing.Privileges;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernel, running a compiled program attached to a live socket, delivers exactly the frames that the
 * in-process interpreter and the expression's meaning ({@link ReferenceEvaluator}) accept. Generated
 * Ethernet frames (IPv4 with options and fragments, IPv6 with extension headers, ARP, VLAN tags; see
 * {@link RandomFilters#packet}) are sent from a raw socket in a peer namespace across a veth and captured
 * on the near end.
 *
 * <p>What the kernel filter sees differs from the frame on the wire in one way: on receive the kernel
 * moves the outermost 802.1Q/802.1ad tag into metadata before any packet socket (and its filter) sees
 * the frame, whatever the device's offload settings: the receive path untags in software when the
 * device did not (this test switches veth's rx-vlan-offload and rx-vlan-stag-hw-parse off, and the
 * verdicts stay those of the untagged frame). So the expected verdicts are computed on that view:
 * the frame without its outer 0x8100/0x88A8 tag (an outer 0x9100 tag stays). A {@code vlan} primitive
 * on a live socket therefore matches only tags that remain in the frame, i.e. the inner tag of stacked
 * tags; {@link #theKernelFilterSeesTaggedFramesWithoutTheirOuterTag} pins that down.
 *
 * <p>Frames go to a locally administered destination MAC that is not the receiving interface's, so the
 * host's stack drops them as addressed to another host while the packet socket still receives them.
 */
class KernelFilterAgreementTest {
    static final String[] EXPRESSIONS = {
        "tcp", "ip6", "not tcp", "tcp or udp", "ip and not tcp",
        "host 10.0.0.1", "src host 10.0.0.1 and dst host 10.0.0.2", "net 10.0.0.0/24", "host fd00::1",
        "net fd00::/16", "port 80", "tcp dst port 443", "portrange 1000-1010", "not port 22",
        "port 80 and (443 or 22)", "less 100", "greater 100", "tcp[tcpflags] & (tcp-syn|tcp-ack) != 0",
        "ip[6:2] & 0x1fff != 0", "ip[2:2] - ((ip[0] & 0xf) << 2) > 20", "tcp[(tcp[12] >> 4) * 4] = 3",
        "vlan", "vlan 200 and ip",
        "(tcp or udp) and (port 80 or port 53) or (host 10.0.0.1 and less 200)",
    };

    static String[] expressions() {
        return EXPRESSIONS;
    }

    private static final int FRAMES = 400;

    /** argv: interface, file of hex frames (one a line). */
    private static final String SENDER = """
            import socket, sys
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((sys.argv[1], 0))
            for line in open(sys.argv[2]):
                s.send(bytes.fromhex(line.strip()))
            """;

    private static final HexFormat HEX = HexFormat.of();

    private static Netns net;
    private static Path frameFile;
    /** The generated frames as sent, and as the kernel's filter sees them. */
    private static List<byte[]> sent;
    private static List<byte[]> seen;

    @BeforeAll
    static void createNamespaceAndFrames(@TempDir Path dir) throws Exception {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
        // Even with the receive VLAN offloads off the kernel untags in software (see the class comment).
        Netns.run("ethtool", "-K", net.hostInterface(), "rxvlan", "off", "rx-vlan-stag-hw-parse", "off");
        sent = new ArrayList<>();
        seen = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (RandomFilters.Packet p : FilterDifferentialTest.packets(LinkType.ETHERNET, FRAMES, 0x4B45524EL)) {
            // The whole frame goes on the wire; the generator's truncations apply to files only.
            sent.add(p.bytes());
            seen.add(kernelView(p.bytes()));
            lines.append(HEX.formatHex(p.bytes())).append('\n');
        }
        frameFile = dir.resolve("frames.hex");
        Files.writeString(frameFile, lines);
    }

    @AfterAll
    static void removeNamespace() {
        if (net != null) {
            net.close();
        }
    }

    /** The frame without its outermost 802.1Q/802.1ad tag, which the kernel strips on receive. */
    static byte[] kernelView(byte[] frame) {
        int type = frame.length >= 18 ? ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF) : 0;
        if (type != 0x8100 && type != 0x88A8) {
            return frame;
        }
        byte[] out = new byte[frame.length - 4];
        System.arraycopy(frame, 0, out, 0, 12);
        System.arraycopy(frame, 16, out, 12, frame.length - 16);
        return out;
    }

    /** Sends every generated frame once and returns the generated frames delivered (as hex, sorted). */
    private static List<String> deliveredThrough(BpfProgram program) throws Exception {
        Set<String> ours = new HashSet<>();
        for (byte[] f : seen) {
            ours.add(HEX.formatHex(f));
        }
        List<String> delivered = new ArrayList<>();
        try (PacketCapture capture = PacketCapture.builder().interfaceName(net.hostInterface())
                .direction(PacketCapture.DirectionFilter.IN).tcpOnly(false).filter(program)
                .blockTimeout(Duration.ofMillis(5)).pollTimeout(Duration.ofMillis(50)).open()) {
            net.python(SENDER, net.peerInterface(), frameFile.toString());
            long quietSince = System.nanoTime();
            long giveUp = quietSince + 5_000_000_000L;
            // Until 300 ms pass without a frame (the sender has returned, so all frames are queued by then).
            while (System.nanoTime() - quietSince < 300_000_000L && System.nanoTime() < giveUp) {
                int n = capture.poll(p -> {
                    byte[] b = p.segment().asSlice(p.dataOffset(), p.captureLength()).toArray(ValueLayout.JAVA_BYTE);
                    String h = HEX.formatHex(b);
                    // Neighbour discovery and the like from the peer namespace are not ours.
                    if (ours.contains(h)) {
                        delivered.add(h);
                    }
                }, 1000);
                if (n > 0) {
                    quietSince = System.nanoTime();
                }
            }
            assertThat(capture.stats().dropped()).as("ring drops").isZero();
        }
        delivered.sort(null);
        return delivered;
    }

    @ParameterizedTest
    @MethodSource("expressions")
    void theKernelDeliversExactlyTheFramesTheInterpreterAndTheMeaningAccept(String expression) throws Exception {
        BpfProgram program = FilterCompiler.compile(expression, LinkType.ETHERNET, 262144);
        FilterExpr tree = FilterParser.parse(expression);
        LinkLayer link = LinkLayer.of(LinkType.ETHERNET);
        List<String> expected = new ArrayList<>();
        for (byte[] f : seen) {
            boolean interpreted = BpfInterpreter.run(program, MemorySegment.ofArray(f), 0, f.length, f.length) != 0;
            boolean meant = ReferenceEvaluator.accepts(tree, link, f, f.length, f.length);
            assertThat(interpreted).as("interpreter vs meaning of '%s' on %s", expression, HEX.formatHex(f))
                    .isEqualTo(meant);
            if (interpreted) {
                expected.add(HEX.formatHex(f));
            }
        }
        expected.sort(null);
        // The table is useful only if each filter both accepts and rejects some frames.
        assertThat(expected.size()).as("frames '%s' accepts", expression).isBetween(1, FRAMES - 1);

        List<String> delivered = deliveredThrough(program);

        List<String> missing = new ArrayList<>(expected);
        delivered.forEach(missing::remove);
        List<String> extra = new ArrayList<>(delivered);
        expected.forEach(extra::remove);
        assertThat(missing).as("accepted in process but not delivered by the kernel for '%s'", expression).isEmpty();
        assertThat(extra).as("delivered by the kernel but rejected in process for '%s'", expression).isEmpty();
    }

    @Test
    void theTableCoversEveryKindOfPrimitive() {
        String all = String.join(" ", EXPRESSIONS);
        for (String word : List.of("host", "net", "port", "portrange", "tcp", "ip6", "vlan", "tcpflags", "less",
                "greater", "<<", "and", "or", "not")) {
            assertThat(all).contains(word);
        }
    }

    @Test
    void theKernelFilterSeesTaggedFramesWithoutTheirOuterTag() throws Exception {
        int outerOnly = 0;
        int stacked = 0;
        for (byte[] f : sent) {
            int type = ((f[12] & 0xFF) << 8) | (f[13] & 0xFF);
            if (type == 0x8100 || type == 0x88A8) {
                int inner = ((f[16] & 0xFF) << 8) | (f[17] & 0xFF);
                boolean innerTag = inner == 0x8100 || inner == 0x88A8 || inner == 0x9100;
                outerOnly += innerTag ? 0 : 1;
                stacked += innerTag ? 1 : 0;
            }
        }
        // The generated frames include both kinds, so the "vlan" rows above exercise the stripping.
        assertThat(outerOnly).isPositive();
        assertThat(stacked).isPositive();
        // A frame with a single 802.1Q tag: "vlan" judges it in process, but the kernel sees it untagged.
        byte[] tagged = new TestFrames().ethernet(0x0800, 0x8100, 100)
                .bytes(new TestFrames().ipv4(6, TestFrames.ipv4("10.0.0.1"), TestFrames.ipv4("10.0.0.2"), 0, 0, 100)
                        .tcp(80, 443, 2, 0).build()).build();
        BpfProgram vlan = FilterCompiler.compile("vlan", LinkType.ETHERNET, 262144);
        assertThat(BpfInterpreter.run(vlan, MemorySegment.ofArray(tagged), 0, tagged.length, tagged.length)).isNotZero();
        byte[] view = kernelView(tagged);
        assertThat(view).hasSize(tagged.length - 4);
        assertThat(BpfInterpreter.run(vlan, MemorySegment.ofArray(view), 0, view.length, view.length)).isZero();
        assertThat(Arrays.copyOfRange(view, 12, 14)).containsExactly(0x08, 0x00);
    }
}
