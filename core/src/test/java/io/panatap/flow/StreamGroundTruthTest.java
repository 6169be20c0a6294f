package io.panatap.flow;

import io.panatap.testing.Prerequisites;
import io.panatap.testing.TcpScript;
import io.panatap.testing.Tshark;
import io.panatap.testing.Tshark.Analysis;
import io.panatap.testing.Tshark.Follow;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reassembled bytes of every stream equal tshark's ({@code tshark -q -z follow,tcp,raw,N}), and the
 * counters its conversation table, for captures the test writes: reordered, duplicated, overlapping (same
 * bytes), far-delayed segments, sequence numbers that wrap, IPv6 and a VLAN, and twenty interleaved
 * connections ({@link GeneratedCaptures#clean()}). Those streams also equal what each side sent.
 *
 * <p>Where the policies differ the tests say which each follows:
 * <ul>
 *   <li>A hole never filled: panatap reports a gap of its size ({@link StreamListener#gap}) and goes on with
 *       the bytes after it. tshark's follow writes a 37-byte text marker ({@code [N bytes missing in capture
 *       file].} and a NUL) in its place once the receiver acknowledged past it, and otherwise waits for the
 *       missing bytes to the end, printing nothing of that direction after the hole.</li>
 *   <li>Copies that differ: for a retransmission overlapping bytes already delivered, both keep the first
 *       copy. For an in-order segment that overlaps out-of-order data held back, panatap keeps the bytes that
 *       arrived first (held back), tshark the in-order segment's.</li>
 * </ul>
 * {@link RealTrafficGroundTruthTest} does the same for real connections in a network namespace.
 */
class StreamGroundTruthTest {
    @TempDir
    static Path dir;

    @TestFactory
    Stream<DynamicTest> everyStreamOfTheGeneratedCapturesEqualsTsharksAndWhatWasSent() {
        return GeneratedCaptures.clean().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            Prerequisites.requireTool("tshark");
            List<TcpScript> scripts = e.getValue().get();
            Path file = TcpScript.writePcap(dir.resolve(e.getKey() + ".pcap"), scripts);
            GroundTruthRun run = assertAgreesWithTshark(file, scripts.size());
            for (TcpScript script : scripts) {
                GroundTruthRun.Ended flow = flowOf(run, script);
                assertSameBytes(flow.fromClient().stream(), script.sent(true));
                assertSameBytes(flow.fromServer().stream(), script.sent(false));
                assertThat(flow.fromClient().gaps()).isEmpty();
                assertThat(flow.fromServer().gaps()).isEmpty();
                assertThat(flow.reason()).isEqualTo(EndReason.CLOSED);
            }
        }));
    }

    @Test
    void aHoleIsReportedAndSkippedByPanatapWhileTsharkWritesAMarkerInItsPlace() throws IOException {
        Prerequisites.requireTool("tshark");
        TcpScript script = GeneratedCaptures.hole();
        Path file = script.writePcap(dir.resolve("hole.pcap"));
        GroundTruthRun run = GroundTruthRun.of(file);
        Analysis tshark = Tshark.analyse(file, 1);
        byte[] sent = script.sent(true);
        GroundTruthRun.Ended flow = flowOf(run, script);
        byte[] before = Arrays.copyOfRange(sent, 0, 3000);
        byte[] after = Arrays.copyOfRange(sent, 4000, sent.length);

        // panatap: everything but the 1000 lost bytes (3000..3999), and one gap of 1000 at offset 3000.
        assertSameBytes(flow.fromClient().stream(), concat(before, after));
        assertThat(flow.fromClient().gaps()).singleElement().satisfies(g -> assertThat(g).containsExactly(3000, 1000));
        // tshark: once the receiver acknowledged past the hole, its follow writes a 37-byte text marker (NUL
        // included) where the bytes are missing, and goes on.
        byte[] marker = "[1000 bytes missing in capture file].".getBytes(StandardCharsets.US_ASCII);
        marker[marker.length - 1] = 0;
        Follow follow = tshark.streams().getFirst();
        assertSameBytes(follow.from(flow.client()), concat(concat(before, marker), after));
        // The other direction has no hole: both agree, and so do the counters.
        assertSameBytes(flow.fromServer().stream(), follow.from(flow.server()));
        assertSameBytes(flow.fromServer().stream(), script.sent(false));
        assertThat(ConversationGroundTruthTest.compare(run.flows, tshark.conversations())).isEmpty();
    }

    @Test
    void aHoleNeverAcknowledgedIsSkippedByPanatapWhileTsharksFollowStopsAtIt() throws IOException {
        Prerequisites.requireTool("tshark");
        TcpScript script = GeneratedCaptures.unacknowledgedHole();
        Path file = script.writePcap(dir.resolve("unacknowledged-hole.pcap"));
        GroundTruthRun run = GroundTruthRun.of(file);
        Analysis tshark = Tshark.analyse(file, 1);
        byte[] sent = script.sent(true);
        GroundTruthRun.Ended flow = flowOf(run, script);
        int hole = sent.length - 4000; // bytes 1000..1999 of the last 5000

        // panatap: the bytes after the hole are held back until the flow ends, then delivered after a gap.
        assertSameBytes(flow.fromClient().stream(), concat(Arrays.copyOfRange(sent, 0, hole),
                Arrays.copyOfRange(sent, hole + 1000, sent.length)));
        assertThat(flow.fromClient().gaps()).singleElement().satisfies(g -> assertThat(g).containsExactly(hole, 1000));
        // tshark: the bytes before the hole, nothing after.
        assertSameBytes(tshark.streams().getFirst().from(flow.client()), Arrays.copyOfRange(sent, 0, hole));
        assertThat(flow.reason()).isEqualTo(EndReason.RESET);
        assertThat(ConversationGroundTruthTest.compare(run.flows, tshark.conversations())).isEmpty();
    }

    /** Byte arrays compared by length, then first difference (assertj would print both arrays whole). */
    static void assertSameBytes(byte[] actual, byte[] expected) {
        int mismatch = Arrays.mismatch(actual, expected);
        assertThat(mismatch).as("first differing byte (-1: none) of %d bytes, expected %d", actual.length,
                expected.length).isEqualTo(-1);
    }

    @Test
    void copiesThatDifferFirstCopyWinsInPanatapTsharkPrefersAnInOrderSegmentOverDataHeldBack() throws IOException {
        Prerequisites.requireTool("tshark");
        TcpScript script = GeneratedCaptures.differingOverlaps();
        Path file = script.writePcap(dir.resolve("differing.pcap"));
        GroundTruthRun run = GroundTruthRun.of(file);
        Analysis tshark = Tshark.analyse(file, 1);
        GroundTruthRun.Ended flow = flowOf(run, script);
        String panatap = new String(flow.fromClient().stream(), StandardCharsets.US_ASCII);
        String theirs = new String(tshark.streams().getFirst().from(flow.client()), StandardCharsets.US_ASCII);

        assertThat(panatap).isEqualTo(GeneratedCaptures.FIRST_COPY);
        assertThat(theirs).isEqualTo(GeneratedCaptures.TSHARK_POLICY);
        // Retransmissions over delivered bytes (shapes 1 and 2): both keep the first copy.
        assertThat(panatap.substring(0, 12)).isEqualTo(theirs.substring(0, 12)).isEqualTo("AAAABBBByyyy");
        // The in-order segment over held-back bytes (shape 3): the only difference, 3 bytes.
        assertThat(panatap.substring(19, 22)).isEqualTo("QQQ");
        assertThat(theirs.substring(19, 22)).isEqualTo("zzz");
        assertThat(flow.fromClient().gaps()).isEmpty();
        assertThat(ConversationGroundTruthTest.compare(run.flows, tshark.conversations())).isEmpty();
    }

    @Test
    void aResetConnectionAndOneCaughtMidStreamAgreeWithTshark() throws IOException {
        Prerequisites.requireTool("tshark");
        for (String name : List.of("reset", "mid-stream")) {
            List<TcpScript> scripts = GeneratedCaptures.all().get(name).get();
            Path file = TcpScript.writePcap(dir.resolve(name + ".pcap"), scripts);
            GroundTruthRun run = assertAgreesWithTshark(file, 1);
            GroundTruthRun.Ended flow = run.flows.getFirst();
            if (name.equals("reset")) {
                assertThat(flow.reason()).isEqualTo(EndReason.RESET);
                assertThat(flow.fromClient().stream()).isEqualTo(scripts.getFirst().sent(true));
            } else {
                assertThat(flow.midStream()).isTrue();
                assertThat(flow.reason()).isEqualTo(EndReason.CLOSED);
                assertThat(flow.fromServer().stream()).isEqualTo(scripts.getFirst().sent(false));
            }
        }
    }

    @Test
    void aStreamThatDiffersFromTsharksFailsTheComparison() throws IOException {
        Prerequisites.requireTool("tshark");
        // The comparison can fail: tshark's stream against one with a byte changed.
        TcpScript script = GeneratedCaptures.exchange("10.9.0.1", 5000, "10.9.0.2", 80, 1, 1, 100, 100, 50, -1).close();
        Path file = script.writePcap(dir.resolve("one.pcap"));
        Follow follow = Tshark.analyse(file, 1).streams().getFirst();
        byte[] changed = script.sent(true);
        changed[7] ^= 1;
        assertThat(follow.from(new Tshark.Endpoint("10.9.0.1", 5000))).isEqualTo(script.sent(true)).isNotEqualTo(changed);
    }

    /**
     * Runs {@code file} through the flow table and tshark (one run for the conversations and the first
     * {@code streams} streams) and asserts: {@code streams} flows, the same counters as tshark's conversations,
     * and, for every stream, the same bytes each way as tshark's follow, with no gap reported.
     */
    static GroundTruthRun assertAgreesWithTshark(Path file, int streams) throws IOException {
        GroundTruthRun run = GroundTruthRun.of(file);
        Analysis tshark = Tshark.analyse(file, streams);
        assertThat(run.flows).as("flows of %s", file).hasSize(streams);
        assertThat(ConversationGroundTruthTest.compare(run.flows, tshark.conversations())).as("conversations").isEmpty();
        List<GroundTruthRun.Ended> unmatched = new ArrayList<>(run.flows);
        for (Follow follow : tshark.streams()) {
            GroundTruthRun.Ended flow = unmatched.stream()
                    .filter(f -> f.client().equals(follow.node0()) && f.server().equals(follow.node1())
                            || f.client().equals(follow.node1()) && f.server().equals(follow.node0()))
                    .findFirst().orElseThrow(() -> new AssertionError("no flow for tshark's stream " + follow.stream()
                            + " " + follow.node0() + " - " + follow.node1() + " in " + run.flows));
            unmatched.remove(flow);
            assertSameBytes(flow.fromClient().stream(), follow.from(flow.client()));
            assertSameBytes(flow.fromServer().stream(), follow.from(flow.server()));
            assertThat(flow.fromClient().gaps()).isEmpty();
            assertThat(flow.fromServer().gaps()).isEmpty();
        }
        return run;
    }

    static GroundTruthRun.Ended flowOf(GroundTruthRun run, TcpScript script) {
        return run.flows.stream().filter(f -> f.client().port() == script.clientPort()
                        && f.client().address().equals(script.client()) && f.server().port() == script.serverPort())
                .findFirst().orElseThrow(() -> new AssertionError("no flow from " + script.client() + ":"
                        + script.clientPort() + " in " + run.flows));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
