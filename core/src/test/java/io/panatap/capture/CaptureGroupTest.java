package io.panatap.capture;

import io.panatap.Direction;
import io.panatap.PacketType;
import io.panatap.Packet;
import io.panatap.testing.Netns;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Capture groups over a veth pair into a private namespace: fanout modes, combined statistics, failures. */
class CaptureGroupTest {
    private static final int CONNECTIONS = 32;
    private static Netns net;

    @BeforeAll
    static void createNamespace() {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
    }

    @AfterAll
    static void removeNamespace() {
        if (net != null) {
            net.close();
        }
    }

    /** Opens {@code sys.argv[3]} connections one after the other: send 300 bytes, half-close, read to EOF. */
    private static final String CLIENTS = """
            import socket, sys
            for _ in range(int(sys.argv[3])):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.connect((sys.argv[1], int(sys.argv[2])))
                s.sendall(b'y' * 300)
                s.shutdown(socket.SHUT_WR)
                while s.recv(65536):
                    pass
                s.close()
            """;

    /** Sends one TCP segment of 100 payload bytes to sys.argv[2] as two IPv4 fragments with id sys.argv[3]. */
    private static final String FRAGMENTS = """
            import socket, struct, sys
            src, dst, ident = sys.argv[1], sys.argv[2], int(sys.argv[3])
            def csum(b):
                if len(b) % 2:
                    b += b'\\0'
                s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
                while s >> 16:
                    s = (s & 0xffff) + (s >> 16)
                return ~s & 0xffff
            payload = b'f' * 100
            tcp = struct.pack('!HHIIBBHHH', 40000, 9, 1, 0, 5 << 4, 0x18, 65535, 0, 0)
            pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!BBH', 0, 6, len(tcp) + len(payload))
            c = csum(pseudo + tcp + payload)
            data = tcp[:16] + struct.pack('!H', c) + tcp[18:] + payload
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
            for off, chunk, more in ((0, data[:24], 1), (24, data[24:], 0)):
                hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(chunk), ident, (more << 13) | (off // 8), 64, 6, 0,
                                  socket.inet_aton(src), socket.inet_aton(dst))
                s.sendto(hdr + chunk, (dst, 0))
            """;

    private static CaptureGroup.Builder group(int workers, FanoutMode mode) {
        return CaptureGroup.builder(PacketCapture.builder().interfaceName(net.hostInterface())
                        .directions(Direction.IN, Direction.OUT))
                .workers(workers).mode(mode);
    }

    private static long peerSegmentCount() {
        String[] lines = net.exec("cat", "/proc/net/snmp").lines().filter(l -> l.startsWith("Tcp:")).toArray(String[]::new);
        List<String> names = List.of(lines[0].split("\\s+"));
        String[] values = lines[1].split("\\s+");
        return Long.parseLong(values[names.indexOf("InSegs")]) + Long.parseLong(values[names.indexOf("OutSegs")]);
    }

    /** Segments of one port, per worker, captured while {@code CONNECTIONS} connections run. */
    private record Run(List<List<Segment>> perWorker, long expected, CaptureStats total, List<CaptureStats> each) {
        List<Segment> all() {
            return perWorker.stream().flatMap(List::stream).toList();
        }
    }

    private static Run capture(CaptureGroup.Builder builder) throws Exception {
        try (CaptureGroup group = builder.open(); ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(net.hostIpv4(), 0));
            int port = server.getLocalPort();
            List<List<Segment>> perWorker = new ArrayList<>();
            for (int i = 0; i < group.workers(); i++) {
                perWorker.add(new CopyOnWriteArrayList<>());
            }
            group.start(i -> p -> {
                Segment s = Segment.of(p, true);
                if (s != null && s.involves(port)) {
                    perWorker.get(i).add(s);
                }
            });
            long before = peerSegmentCount();
            CompletableFuture<Void> served = serve(server, CONNECTIONS);
            net.python(CLIENTS, net.hostIpv4(), String.valueOf(port), String.valueOf(CONNECTIONS));
            served.get();
            Thread.sleep(200);
            long expected = peerSegmentCount() - before;
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (perWorker.stream().mapToInt(List::size).sum() < expected && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(100); // anything beyond the expected count would be a duplicate
            group.close();
            group.await();
            List<CaptureStats> each = new ArrayList<>();
            for (int i = 0; i < group.workers(); i++) {
                each.add(group.stats(i));
            }
            return new Run(perWorker, expected, group.stats(), each);
        }
    }

    private static CompletableFuture<Void> serve(ServerSocket server, int connections) {
        return CompletableFuture.runAsync(() -> {
            for (int i = 0; i < connections; i++) {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    in.readAllBytes();
                    s.getOutputStream().write(new byte[100]);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
    }

    /** The client's port names the connection: the server's port is the same for all. */
    private static int clientPort(Segment s, Set<Integer> serverPorts) {
        return serverPorts.contains(s.sourcePort()) ? s.destinationPort() : s.sourcePort();
    }

    private static void assertEverySegmentOnce(Run run) {
        assertThat(run.all()).hasSize((int) run.expected());
        assertThat(run.all()).doesNotHaveDuplicates();
        assertThat(run.all().stream().filter(s -> s.has(Segment.SYN) && !s.has(Segment.ACK))).hasSize(CONNECTIONS);
    }

    private static void assertStatsAddUp(Run run) {
        assertThat(run.total().delivered()).isEqualTo(run.each().stream().mapToLong(CaptureStats::delivered).sum());
        assertThat(run.total().received()).isEqualTo(run.each().stream().mapToLong(CaptureStats::received).sum());
        assertThat(run.total().dropped()).isZero();
        assertThat(run.total().delivered()).isGreaterThanOrEqualTo(run.expected());
        for (int i = 0; i < run.each().size(); i++) {
            assertThat(run.each().get(i).delivered()).isGreaterThanOrEqualTo(run.perWorker().get(i).size());
        }
    }

    @Test
    void hashModeKeepsBothDirectionsOfEachConnectionOnOneWorkerAndLosesNothing() throws Exception {
        Run run = capture(group(2, FanoutMode.HASH));

        assertEverySegmentOnce(run);
        assertStatsAddUp(run);
        Set<Integer> server = Set.of(run.all().getFirst().has(Segment.ACK) && run.all().getFirst().has(Segment.SYN)
                ? run.all().getFirst().sourcePort() : run.all().getFirst().destinationPort());
        Map<Integer, Set<Integer>> workersOfFlow = new HashMap<>();
        for (int w = 0; w < 2; w++) {
            for (Segment s : run.perWorker().get(w)) {
                workersOfFlow.computeIfAbsent(clientPort(s, server), k -> new HashSet<>()).add(w);
            }
        }
        assertThat(workersOfFlow).hasSize(CONNECTIONS);
        assertThat(workersOfFlow.values()).allSatisfy(workers -> assertThat(workers).hasSize(1));
        // 32 flows on one worker only would be a 1 in 2^31 chance.
        assertThat(run.perWorker()).allSatisfy(segments -> assertThat(segments).isNotEmpty());
        for (List<Segment> segments : run.perWorker()) {
            assertThat(segments.stream().map(Segment::packetType).distinct().toList())
                    .containsExactlyInAnyOrder(PacketType.HOST, PacketType.OUTGOING);
        }
    }

    @Test
    void loadBalancingModeSharesThePacketsRoundRobin() throws Exception {
        Run run = capture(group(2, FanoutMode.LB));

        assertEverySegmentOnce(run);
        assertStatsAddUp(run);
        // Other packets of the namespace (neighbour discovery) take turns too, so not exactly one half each.
        assertThat(run.perWorker()).allSatisfy(segments -> assertThat(segments.size()).isGreaterThan((int) run.expected() / 4));
    }

    @ParameterizedTest
    @EnumSource(value = FanoutMode.class, names = {"CPU", "ROLLOVER"})
    void cpuAndRolloverModesDeliverEverySegmentOnce(FanoutMode mode) throws Exception {
        Run run = capture(group(3, mode));

        assertEverySegmentOnce(run);
        assertStatsAddUp(run);
    }

    @Test
    void aSingleWorkerGroupCapturesLikeOneCapture() throws Exception {
        Run run = capture(group(1, FanoutMode.HASH));

        assertEverySegmentOnce(run);
        assertStatsAddUp(run);
    }

    @Test
    void twoGroupsOnOneInterfaceGetDifferentIdsAndEachSeesEveryPacket() throws Exception {
        try (CaptureGroup other = group(2, FanoutMode.HASH).open()) {
            List<Packet> seenByOther = Collections.synchronizedList(new ArrayList<>());
            other.start(i -> p -> seenByOther.add(p.copy()));
            Run run = capture(group(2, FanoutMode.HASH));
            other.close();

            assertEverySegmentOnce(run);
            try (CaptureGroup third = group(2, FanoutMode.HASH).open()) {
                assertThat(third.fanoutGroup()).isNotEqualTo(other.fanoutGroup());
                assertThat(third.worker(0).fanoutGroup()).isEqualTo(third.worker(1).fanoutGroup());
            }
            Set<String> captured = new HashSet<>(run.all().stream().map(CaptureGroupTest::key).toList());
            long otherSegments = seenByOther.stream().map(p -> Segment.of(p, true))
                    .filter(s -> s != null && captured.contains(key(s))).count();
            assertThat(otherSegments).isEqualTo(run.expected());
        }
    }

    private static String key(Segment s) {
        return s.sourcePort() + ">" + s.destinationPort() + " " + s.flags() + " " + s.sequence() + " " + s.acknowledgement();
    }

    @Test
    void aListenerThatThrowsStopsTheWholeGroupAndAwaitReportsIt() throws Exception {
        try (CaptureGroup group = group(2, FanoutMode.LB).open()) {
            group.start(i -> p -> {
                throw new IllegalStateException("listener " + i + " failed");
            });
            // A refused connection: a SYN and a RST, enough TCP for both round-robin workers.
            net.python("import socket, sys\ntry:\n    socket.create_connection((sys.argv[1], 9), timeout=2)\n"
                    + "except OSError:\n    pass\n", net.hostIpv4());

            assertThatThrownBy(() -> group.await(Duration.ofSeconds(10)))
                    .isInstanceOf(IllegalStateException.class).hasMessageMatching("listener [01] failed");
            assertThat(group.failure()).isInstanceOf(IllegalStateException.class);
            assertThat(group.worker(0).isClosed()).isTrue();
            assertThat(group.worker(1).isClosed()).isTrue();
        }
    }

    @Test
    void fragmentsAreReassembledBeforeTheHashOnlyWhenDefragmentIsOn() throws Exception {
        assertThat(fragmentsCaptured(true)).containsExactly("140 not fragmented");
        assertThat(fragmentsCaptured(false)).containsExactly("44 more fragments", "116 offset 24");
    }

    /** Lengths and fragment fields of the IPv4 packets with the test's id, in arrival order. */
    private static List<String> fragmentsCaptured(boolean defragment) throws Exception {
        int ident = 20000 + (int) (Math.random() * 40000);
        List<String> seen = new CopyOnWriteArrayList<>();
        try (CaptureGroup group = group(2, FanoutMode.HASH).defragment(defragment).open()) {
            group.start(i -> p -> {
                int ip = 14;
                if (p.captureLength() < ip + 20 || u16(p, ip + 4) != ident) {
                    return;
                }
                int fragment = u16(p, ip + 6);
                seen.add(u16(p, ip + 2) + ((fragment & 0x2000) != 0 ? " more fragments"
                        : (fragment & 0x1FFF) != 0 ? " offset " + (fragment & 0x1FFF) * 8 : " not fragmented"));
            });
            net.python(FRAGMENTS, net.peerIpv4(), net.hostIpv4(), String.valueOf(ident));
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline && seen.size() < (defragment ? 1 : 2)) {
                Thread.sleep(10);
            }
            Thread.sleep(100);
        }
        return List.copyOf(seen);
    }

    private static int u16(Packet p, int at) {
        long base = p.frameOffset() + at;
        return (p.segment().get(JAVA_BYTE, base) & 0xFF) << 8 | p.segment().get(JAVA_BYTE, base + 1) & 0xFF;
    }

    @Test
    void openingAndClosingAGroupLeavesNoDescriptorBehind() throws Exception {
        long before = CaptureLifecycleTest.socketsAndEventfds();
        for (int round = 0; round < 5; round++) {
            try (CaptureGroup group = group(4, FanoutMode.HASH).open()) {
                group.start(i -> p -> { });
                assertThat(CaptureLifecycleTest.socketsAndEventfds()).isGreaterThanOrEqualTo(before + 8); // a socket and an eventfd each
            }
        }
        assertThat(CaptureLifecycleTest.socketsAndEventfds()).isEqualTo(before);
    }

    @Test
    void aMissingInterfaceFailsTheWholeGroup() {
        assertThatThrownBy(() -> CaptureGroup.builder(PacketCapture.builder().interfaceName("pt-missing0")).workers(3).open())
                .isInstanceOf(CaptureException.class)
                .extracting(e -> ((CaptureException) e).reason()).isEqualTo(CaptureException.Reason.NO_SUCH_INTERFACE);
    }

    @Test
    void aBatchListenerHearsTheEndOfEveryPollAndItsFailureStopsTheGroup() throws Exception {
        try (CaptureGroup group = group(2, FanoutMode.HASH).open()) {
            java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();
            group.start(i -> new CaptureGroup.BatchListener() {
                @Override
                public void onPacket(Packet packet) {
                }

                @Override
                public void endOfBatch() throws IOException {
                    // With no traffic each poll ends at its 100 ms timeout.
                    if (batches.incrementAndGet() == 6) {
                        throw new IOException("disk full");
                    }
                }
            });
            assertThatThrownBy(() -> group.await(Duration.ofSeconds(10)))
                    .isInstanceOf(java.io.UncheckedIOException.class).hasRootCauseMessage("disk full");
            assertThat(batches.get()).isBetween(6, 8);
        }
    }

    @Test
    void aGroupCanBeStartedOnlyOnce() throws Exception {
        try (CaptureGroup group = group(2, FanoutMode.HASH).open()) {
            group.start(i -> p -> { });
            assertThatThrownBy(() -> group.start(i -> p -> { })).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void openingAGroupLeavesTheCallersBuilderAsItWas() throws Exception {
        PacketCapture.Builder builder = PacketCapture.builder().interfaceName(net.hostInterface());
        try (CaptureGroup group = CaptureGroup.builder(builder).workers(2).open();
             PacketCapture alone = builder.open()) {
            assertThat(group.fanoutGroup()).isNotNegative();
            assertThat(alone.fanoutGroup()).as("a capture opened later from the same builder").isEqualTo(-1);
        }
    }

    /**
     * close() while start() is still adding worker threads to its list: close must read the list under the
     * lock start() holds, or it can iterate it during an add (a ConcurrentModificationException, or worse).
     * A race cannot be forced, only made likely: each round closes the captures from the listener factory
     * (start() has checked them already) so that close() goes straight to the list, and a Thread
     * constructor hook (an inheritable thread local's childValue, called by start() for every worker thread
     * it creates) releases close() when half of the 256 threads are in the list.
     */
    @Test
    void closeDoesNotReadTheWorkerListWhileStartFillsIt() throws Exception {
        int workers = CaptureGroup.Builder.MAX_WORKERS;
        for (int round = 0; round < 15; round++) {
            try (CaptureGroup group = CaptureGroup.builder(PacketCapture.builder().interfaceName(net.hostInterface())
                    .snapLength(128).ringSize(4096).blockSize(4096)).workers(workers).open()) {
                java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicBoolean go = new java.util.concurrent.atomic.AtomicBoolean();
                java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
                Thread closer = Thread.ofPlatform().start(() -> {
                    while (!go.get()) {
                        Thread.onSpinWait();
                    }
                    try {
                        group.close();
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                InheritableThreadLocal<Object> hook = new InheritableThreadLocal<>() {
                    @Override
                    protected Object childValue(Object parent) {
                        if (created.incrementAndGet() == workers / 2) {
                            go.set(true);
                        }
                        return parent;
                    }
                };
                hook.set("armed");
                try {
                    group.start(i -> {
                        if (i == workers - 1) {
                            for (int w = 0; w < workers; w++) {
                                group.worker(w).close();
                            }
                        }
                        return p -> { };
                    });
                } finally {
                    hook.remove();
                }
                closer.join();
                assertThat(failure.get()).as("close() during start(), round " + round).isNull();
                assertThat(group.await(Duration.ofSeconds(10))).isTrue();
            }
        }
    }
}
