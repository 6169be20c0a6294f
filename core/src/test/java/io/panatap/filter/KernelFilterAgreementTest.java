package io.panatap.filter;

import io.panatap.parse.LinkLayer;

import static org.assertj.core.api.Assertions.assertThat;

import io.panatap.capture.PacketCapture;
import io.panatap.parse.LinkType;
import io.panatap.testing.Netns;
import io.panatap.testing.Prerequisites;
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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernel, running a program compiled for a socket ({@link FilterCompiler#compileForSocket}) attached to a
 * live socket, delivers exactly the frames that the in-process interpreter and the expression's live meaning
 * ({@link ReferenceEvaluator#acceptsOnSocket}) accept, and the frames live tcpdump captures with the same
 * expression. Generated Ethernet frames (IPv4 with options and fragments, IPv6 with extension headers, ARP,
 * VLAN tags; see {@link RandomFilters#packet}) are sent from a raw socket in a peer namespace across a veth
 * and captured on the near end.
 *
 * <p>What the kernel filter sees differs from the frame on the wire in one way: on receive the kernel
 * moves the outermost 802.1Q/802.1ad tag into metadata before any packet socket (and its filter) sees
 * the frame, whatever the device's offload settings: the receive path untags in software when the
 * device did not (this test switches veth's rx-vlan-offload and rx-vlan-stag-hw-parse off). So the
 * interpreter runs each program over that view, the frame without its outer 0x8100/0x88A8 tag (an outer
 * 0x9100 tag stays), with the tag as metadata, as {@link FilterDifferentialTest#runOnSocket} does.
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
        "vlan", "vlan 200 and ip", "vlan 100", "not vlan", "vlan and tcp", "tcp and vlan", "vlan and vlan",
        "vlan and vlan 200 and tcp", "vlan or port 80",
        "(tcp or udp) and (port 80 or port 53) or (host 10.0.0.1 and less 200)",
    };

    /** Each expression alone, and a few with the TCP-only test the command adds. */
    static List<Arguments> expressions() {
        List<Arguments> out = new ArrayList<>();
        for (String e : EXPRESSIONS) {
            out.add(Arguments.of(e, false));
        }
        for (String e : new String[] {"port 80", "vlan", "vlan and vlan", "not vlan 200"}) {
            out.add(Arguments.of(e, true));
        }
        return out;
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
            seen.add(ReferenceEvaluator.socketView(p.bytes()));
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

    /**
     * Sends every generated frame once and returns the generated frames delivered (as hex, sorted), each
     * with its outer tag put back from the packet's metadata, i.e. as sent.
     */
    private static List<String> deliveredThrough(BpfProgram program) throws Exception {
        Set<String> ours = new HashSet<>();
        for (byte[] f : seen) {
            ours.add(HEX.formatHex(f));
        }
        List<String> delivered = new ArrayList<>();
        try (PacketCapture capture = PacketCapture.builder().interfaceName(net.hostInterface())
                .directions(io.panatap.Direction.IN).tcpOnly(false).filter(program)
                .blockTimeout(Duration.ofMillis(5)).pollTimeout(Duration.ofMillis(50)).open()) {
            net.python(SENDER, net.peerInterface(), frameFile.toString());
            long quietSince = System.nanoTime();
            long giveUp = quietSince + 5_000_000_000L;
            // Until 300 ms pass without a frame (the sender has returned, so all frames are queued by then).
            while (System.nanoTime() - quietSince < 300_000_000L && System.nanoTime() < giveUp) {
                int n = capture.poll(p -> {
                    byte[] b = p.segment().asSlice(p.frameOffset(), p.captureLength()).toArray(ValueLayout.JAVA_BYTE);
                    // Neighbour discovery and the like from the peer namespace are not ours.
                    if (ours.contains(HEX.formatHex(b))) {
                        delivered.add(HEX.formatHex(p.hasVlanTag() ? withTag(b, p.vlanTpid(), p.vlanTci()) : b));
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

    /** The frame with a tag inserted after the MAC addresses. */
    static byte[] withTag(byte[] frame, int tpid, int tci) {
        byte[] out = new byte[frame.length + 4];
        System.arraycopy(frame, 0, out, 0, 12);
        out[12] = (byte) (tpid >> 8);
        out[13] = (byte) tpid;
        out[14] = (byte) (tci >> 8);
        out[15] = (byte) tci;
        System.arraycopy(frame, 12, out, 16, frame.length - 12);
        return out;
    }

    @ParameterizedTest
    @MethodSource("expressions")
    void theKernelDeliversExactlyTheFramesTheInterpreterTheMeaningAndTcpdumpAccept(String expression, boolean tcpOnly)
            throws Exception {
        BpfProgram program = FilterCompiler.compileForSocket(expression, LinkType.ETHERNET, 262144, tcpOnly);
        FilterExpr tree = FilterParser.parse(expression);
        LinkLayer link = LinkLayer.of(LinkType.ETHERNET);
        List<String> expected = new ArrayList<>();
        int taggedAccepted = 0;
        for (byte[] f : sent) {
            boolean interpreted = FilterDifferentialTest.runOnSocket(program, f) != 0;
            boolean meant = ReferenceEvaluator.acceptsOnSocket(tree, link, f, tcpOnly);
            assertThat(interpreted).as("interpreter vs meaning of '%s' on %s", expression, HEX.formatHex(f))
                    .isEqualTo(meant);
            if (interpreted) {
                expected.add(HEX.formatHex(f));
                taggedAccepted += ReferenceEvaluator.hasStrippedTag(f) ? 1 : 0;
            }
        }
        expected.sort(null);
        // The table is useful only if each filter both accepts and rejects some frames.
        assertThat(expected.size()).as("frames '%s' accepts", expression).isBetween(1, FRAMES - 1);
        if (expression.startsWith("vlan")) {
            assertThat(taggedAccepted).as("frames with a tag in metadata '%s' accepts", expression).isPositive();
        }

        Tcpdump tcpdump = Tcpdump.start(net.hostInterface(), expression);
        List<String> delivered = deliveredThrough(program);
        List<String> tcpdumps = tcpdump == null ? null : tcpdump.stop();
        if (tcpdumps != null && tcpOnly) {
            // libpcap numbers every "vlan" in one expression, so tcpdump cannot be given the TCP-only test in
            // front of the expression: apply it to what tcpdump captured with the expression alone.
            tcpdumps.removeIf(h -> !ReferenceEvaluator.acceptsOnSocket(null, link, HEX.parseHex(h), true));
        }

        assertThat(difference(expected, delivered))
                .as("accepted in process but not delivered by the kernel for '%s'", expression).isEmpty();
        assertThat(difference(delivered, expected))
                .as("delivered by the kernel but rejected in process for '%s'", expression).isEmpty();
        if (tcpdumps != null) {
            assertThat(difference(expected, tcpdumps)).as("accepted here but not captured by tcpdump '%s'", expression)
                    .isEmpty();
            assertThat(difference(tcpdumps, expected)).as("captured by tcpdump '%s' but rejected here", expression)
                    .isEmpty();
        }
    }

    private static List<String> difference(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        b.forEach(out::remove);
        return out;
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
    void theGeneratedFramesHaveSingleAndStackedTagsForTheKernelToStrip() {
        int outerOnly = 0;
        int stacked = 0;
        for (byte[] f : sent) {
            if (ReferenceEvaluator.hasStrippedTag(f)) {
                int inner = ((f[16] & 0xFF) << 8) | (f[17] & 0xFF);
                boolean innerTag = inner == 0x8100 || inner == 0x88A8 || inner == 0x9100;
                outerOnly += innerTag ? 0 : 1;
                stacked += innerTag ? 1 : 0;
            }
        }
        // Both kinds, so the "vlan" rows above exercise the metadata test and the tag left in the frame.
        assertThat(outerOnly).isPositive();
        assertThat(stacked).isPositive();
    }

    /**
     * Live tcpdump on the same interface, capturing what the test sends; its frames come back with the outer
     * tag re-inserted by libpcap, i.e. as sent. Not started (null) when tcpdump is not installed, except
     * under CI=true, where {@code .ci/run} installs it.
     */
    private record Tcpdump(Process process, Path file) {
        static Tcpdump start(String iface, String expression) throws Exception {
            Path tcpdump = Prerequisites.optionalTool("tcpdump");
            if (tcpdump == null) {
                return null;
            }
            Path file = Files.createTempFile("panatap-live", ".pcap");
            // A snap length of 2048 (every generated frame is shorter) keeps immediate mode's ring slots small,
            // so the ring holds every frame sent.
            Process p = new ProcessBuilder(tcpdump.toString(), "-i", iface, "-Q", "in", "-n", "-U",
                    "--immediate-mode", "-s", "2048", "-B", "16384", "-w", file.toString(), expression).redirectErrorStream(true).start();
            // tcpdump says "listening on" once its filter is attached.
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            StringBuilder said = new StringBuilder();
            String line;
            while ((line = r.readLine()) != null && !line.contains("listening on")) {
                said.append(line).append('\n');
            }
            assertThat(line).as("tcpdump for '%s' said: %s", expression, said).isNotNull();
            return new Tcpdump(p, file);
        }

        /** Stops tcpdump and returns the generated frames it captured (as hex, sorted). */
        List<String> stop() throws Exception {
            Set<String> ours = new HashSet<>();
            for (byte[] f : sent) {
                ours.add(HEX.formatHex(f));
            }
            try {
                // tcpdump writes each packet as it takes it from its ring (-U); SIGTERM ends its loop after the
                // current batch, so wait until the file has stopped growing for 300 ms (5 s at most).
                long size = -1;
                long stableSince = System.nanoTime();
                long giveUp = stableSince + 5_000_000_000L;
                while (System.nanoTime() - stableSince < 300_000_000L && System.nanoTime() < giveUp) {
                    long now = Files.size(file);
                    if (now != size) {
                        size = now;
                        stableSince = System.nanoTime();
                    }
                    Thread.sleep(20);
                }
                process.destroy(); // SIGTERM: tcpdump flushes and closes the file
                assertThat(process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                List<String> captured = new ArrayList<>();
                try (io.panatap.pcap.CaptureFileReader reader = io.panatap.pcap.CaptureFileReader.open(file)) {
                    reader.poll(p -> {
                        String h = HEX.formatHex(p.segment().asSlice(p.frameOffset(), p.captureLength())
                                .toArray(ValueLayout.JAVA_BYTE));
                        if (ours.contains(h)) {
                            captured.add(h);
                        }
                    }, Integer.MAX_VALUE);
                }
                captured.sort(null);
                return captured;
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }
}
