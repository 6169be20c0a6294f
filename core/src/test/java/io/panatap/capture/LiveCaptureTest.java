package io.panatap.capture;

import io.panatap.Direction;
import io.panatap.PacketType;
import io.panatap.Packet;
import io.panatap.PacketBatch;
import io.panatap.PacketBatchListener;
import io.panatap.pcap.PcapWriter;
import io.panatap.testing.Netns;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Captures real TCP connections made across a veth pair into a private network namespace. */
class LiveCaptureTest {
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

    /** Connects to a port nobody listens on, then resets an established connection. */
    private static final String REFUSE_AND_RESET = """
            import socket, struct, sys
            family = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
            s = socket.socket(family, socket.SOCK_STREAM)
            try:
                s.connect((sys.argv[1], int(sys.argv[3])))
            except ConnectionRefusedError:
                print('refused')
            s = socket.socket(family, socket.SOCK_STREAM)
            s.connect((sys.argv[1], int(sys.argv[2])))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            s.close()
            """;

    private static Map<String, Long> tcpCounters() {
        String[] lines = net.exec("cat", "/proc/net/snmp").lines().filter(l -> l.startsWith("Tcp:")).toArray(String[]::new);
        String[] names = lines[0].split("\\s+");
        String[] values = lines[1].split("\\s+");
        Map<String, Long> m = new java.util.HashMap<>();
        for (int i = 1; i < names.length; i++) {
            m.put(names[i], Long.parseLong(values[i]));
        }
        return m;
    }

    /** Serves one connection on {@code server}: reads to EOF, answers {@code reply} bytes, closes. */
    private static CompletableFuture<Long> serveOnce(ServerSocket server, int reply) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                long n = in.transferTo(OutputStreamNull.INSTANCE);
                s.getOutputStream().write(new byte[reply]);
                return n;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    /** Polls until {@code expected} segments of {@code port} were captured or 3 s passed, then 200 ms more. */
    private static List<Segment> drain(PacketCapture capture, int port, long expected) throws CaptureException {
        List<Segment> out = new ArrayList<>();
        long deadline = System.nanoTime() + 3_000_000_000L;
        long extra = 0;
        while (System.nanoTime() < deadline) {
            capture.poll(p -> {
                Segment s = Segment.of(p, capture.linkType() == io.panatap.parse.LinkType.ETHERNET);
                if (s != null && s.involves(port)) {
                    out.add(s);
                    assertParsedHeadersAgree(p, s);
                }
            }, 1000);
            if (out.size() >= expected && extra == 0) {
                extra = System.nanoTime();
                deadline = Math.min(deadline, extra + 200_000_000L);
            }
        }
        return out;
    }

    /** The parser, reached through the packet's lazily decoded headers, sees what the test decoded. */
    private static void assertParsedHeadersAgree(Packet p, Segment s) {
        io.panatap.parse.PacketHeaders h = p.headers();
        assertThat(h.isTcp()).isTrue();
        assertThat(h.sourcePort()).isEqualTo(s.sourcePort());
        assertThat(h.destinationPort()).isEqualTo(s.destinationPort());
        assertThat(h.flags()).isEqualTo(s.flags());
        assertThat(h.sequenceNumber()).isEqualTo(s.sequence());
        assertThat(h.acknowledgementNumber()).isEqualTo(s.acknowledgement());
        assertThat(h.payloadLength()).isEqualTo(s.payloadLength());
        assertThat(p.headers()).isSameAs(h);
        try {
            assertThat(InetAddress.getByName(h.appendSource(new StringBuilder()).toString()).getHostAddress())
                    .isEqualTo(s.source());
            assertThat(InetAddress.getByName(h.appendDestination(new StringBuilder()).toString()).getHostAddress())
                    .isEqualTo(s.destination());
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static PacketCapture.Builder onHostSide(Selection direction) {
        return PacketCapture.builder().interfaceName(net.hostInterface()).directions(direction.directions());
    }

    private void capturesAConnection(String hostAddress, String peerAddress) throws Exception {
        String host = InetAddress.getByName(hostAddress).getHostAddress();
        String peer = InetAddress.getByName(peerAddress).getHostAddress();
        try (PacketCapture capture = onHostSide(Selection.INOUT).open();
             ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(hostAddress, 0));
            int port = server.getLocalPort();
            Map<String, Long> before = tcpCounters();
            // Below one MSS each way, so the namespace's segment counters equal the frames on the wire.
            CompletableFuture<Long> served = serveOnce(server, 500);
            net.sendAndDrain(hostAddress, port, 1000);
            assertThat(served.get()).isEqualTo(1000);
            Thread.sleep(200);
            Map<String, Long> after = tcpCounters();
            long sentByPeer = after.get("OutSegs") - before.get("OutSegs");
            long receivedByPeer = after.get("InSegs") - before.get("InSegs");

            List<Segment> segments = drain(capture, port, sentByPeer + receivedByPeer);

            List<Segment> in = segments.stream().filter(s -> s.packetType() == PacketType.HOST).toList();
            List<Segment> out = segments.stream().filter(s -> s.packetType() == PacketType.OUTGOING).toList();
            assertThat(in).hasSize((int) sentByPeer);
            assertThat(out).hasSize((int) receivedByPeer);
            assertThat(segments).hasSize(in.size() + out.size());
            assertThat(in).allSatisfy(s -> {
                assertThat(s.source()).isEqualTo(peer);
                assertThat(s.destination()).isEqualTo(host);
                assertThat(s.destinationPort()).isEqualTo(port);
                assertThat(s.interfaceName()).isEqualTo(net.hostInterface());
            });
            assertThat(out).allSatisfy(s -> {
                assertThat(s.source()).isEqualTo(host);
                assertThat(s.sourcePort()).isEqualTo(port);
                assertThat(s.destination()).isEqualTo(peer);
            });
            assertThat(in.getFirst().flags()).isEqualTo(Segment.SYN);
            assertThat(out.getFirst().flags()).isEqualTo(Segment.SYN | Segment.ACK);
            assertThat(in.stream().filter(s -> s.has(Segment.FIN))).hasSize(1);
            assertThat(out.stream().filter(s -> s.has(Segment.FIN))).hasSize(1);
            assertThat(in.stream().mapToInt(Segment::payloadLength).sum()).isEqualTo(1000);
            assertThat(out.stream().mapToInt(Segment::payloadLength).sum()).isEqualTo(500);
            assertThat(segments).doesNotHaveDuplicates();
        }
    }

    @Test
    void capturesEverySegmentOfAnIpv4ConnectionOnce() throws Exception {
        capturesAConnection(net.hostIpv4(), net.peerIpv4());
    }

    @Test
    void capturesEverySegmentOfAnIpv6ConnectionOnce() throws Exception {
        capturesAConnection(net.hostIpv6(), net.peerIpv6());
    }

    private void capturesRefusalAndReset(String hostAddress) throws Exception {
        try (PacketCapture capture = onHostSide(Selection.INOUT).open();
             ServerSocket server = new ServerSocket();
             ServerSocket closedPort = new ServerSocket()) {
            server.bind(new InetSocketAddress(hostAddress, 0));
            closedPort.bind(new InetSocketAddress(hostAddress, 0));
            int refusedPort = closedPort.getLocalPort();
            closedPort.close();
            int port = server.getLocalPort();
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            String said = net.python(REFUSE_AND_RESET, hostAddress, String.valueOf(port), String.valueOf(refusedPort));
            assertThat(said).contains("refused");
            accepted.get().close();

            List<Segment> refused = new ArrayList<>();
            List<Segment> reset = new ArrayList<>();
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                capture.poll(p -> {
                    Segment s = Segment.of(p, true);
                    if (s != null && s.involves(refusedPort)) {
                        refused.add(s);
                    } else if (s != null && s.involves(port)) {
                        reset.add(s);
                    }
                }, 100);
            }
            assertThat(refused).extracting(Segment::packetType, Segment::flags).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(PacketType.HOST, Segment.SYN),
                    org.assertj.core.groups.Tuple.tuple(PacketType.OUTGOING, Segment.RST | Segment.ACK));
            assertThat(reset).extracting(Segment::packetType, Segment::flags).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(PacketType.HOST, Segment.SYN),
                    org.assertj.core.groups.Tuple.tuple(PacketType.OUTGOING, Segment.SYN | Segment.ACK),
                    org.assertj.core.groups.Tuple.tuple(PacketType.HOST, Segment.ACK),
                    org.assertj.core.groups.Tuple.tuple(PacketType.HOST, Segment.RST | Segment.ACK));
        }
    }

    @Test
    void capturesARefusedConnectionAndAResetOverIpv4() throws Exception {
        capturesRefusalAndReset(net.hostIpv4());
    }

    @Test
    void capturesARefusedConnectionAndAResetOverIpv6() throws Exception {
        capturesRefusalAndReset(net.hostIpv6());
    }

    @Test
    void directionFilterKeepsExactlyTheRequestedSide() throws Exception {
        for (Selection direction : Selection.values()) {
            try (PacketCapture capture = onHostSide(direction).open(); ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(net.hostIpv4(), 0));
                int port = server.getLocalPort();
                Map<String, Long> before = tcpCounters();
                CompletableFuture<Long> served = serveOnce(server, 100);
                net.sendAndDrain(net.hostIpv4(), port, 100);
                served.get();
                Thread.sleep(200);
                Map<String, Long> after = tcpCounters();
                long in = after.get("OutSegs") - before.get("OutSegs");
                long out = after.get("InSegs") - before.get("InSegs");
                long expected = switch (direction) {
                    case IN -> in;
                    case OUT -> out;
                    case INOUT -> in + out;
                };
                List<Segment> segments = drain(capture, port, expected);
                assertThat(segments).as(direction.name()).hasSize((int) expected);
                Map<PacketType, Long> byDirection = segments.stream()
                        .collect(Collectors.groupingBy(Segment::packetType, Collectors.counting()));
                switch (direction) {
                    case IN -> assertThat(byDirection).containsOnlyKeys(PacketType.HOST);
                    case OUT -> assertThat(byDirection).containsOnlyKeys(PacketType.OUTGOING);
                    case INOUT -> assertThat(byDirection).containsOnlyKeys(PacketType.HOST, PacketType.OUTGOING);
                }
            }
        }
    }

    @Test
    void deliversLargeSendsAsSuperFramesUncut() throws Exception {
        try (PacketCapture capture = onHostSide(Selection.IN).open();
             ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(net.hostIpv4(), 0));
            int port = server.getLocalPort();
            CompletableFuture<Long> served = serveOnce(server, 0);
            net.sendAndDrain(net.hostIpv4(), port, 4 << 20);
            assertThat(served.get()).isEqualTo(4 << 20);
            List<Segment> segments = drain(capture, port, Long.MAX_VALUE);
            // Every byte arrived (a retransmission may repeat some): the FIN comes 4 MiB after the SYN.
            long syn = segments.stream().filter(s -> s.has(Segment.SYN)).findFirst().orElseThrow().sequence();
            Segment finSegment = segments.stream().filter(s -> s.has(Segment.FIN)).findFirst().orElseThrow();
            long fin = finSegment.sequence() + finSegment.payloadLength();
            assertThat((fin - syn - 1) & 0xFFFFFFFFL).isEqualTo(4 << 20);
            assertThat(segments.stream().mapToLong(Segment::payloadLength).sum()).isGreaterThanOrEqualTo(4 << 20);
            assertThat(segments).anySatisfy(s -> assertThat(s.captureLength()).isGreaterThan(1514));
            assertThat(segments).allSatisfy(s -> assertThat(s.captureLength()).isEqualTo(s.originalLength()));
        }
    }

    @Test
    void capturesOnAllInterfacesWithIpFrames() throws Exception {
        try (PacketCapture capture = PacketCapture.builder().allInterfaces()
                .directions(Direction.IN, Direction.OUT).open();
             ServerSocket server = new ServerSocket()) {
            assertThat(capture.linkType()).isEqualTo(io.panatap.parse.LinkType.RAW);
            server.bind(new InetSocketAddress(net.hostIpv4(), 0));
            int port = server.getLocalPort();
            Map<String, Long> before = tcpCounters();
            CompletableFuture<Long> served = serveOnce(server, 10);
            net.sendAndDrain(net.hostIpv4(), port, 10);
            served.get();
            Thread.sleep(200);
            Map<String, Long> after = tcpCounters();
            long expected = after.get("OutSegs") - before.get("OutSegs") + after.get("InSegs") - before.get("InSegs");
            // Other traffic on this machine may use the same port number on other interfaces.
            List<Segment> segments = drain(capture, port, expected).stream()
                    .filter(s -> s.source().equals(net.hostIpv4()) || s.destination().equals(net.hostIpv4()))
                    .toList();
            assertThat(segments).hasSize((int) expected);
            assertThat(segments).allSatisfy(s -> assertThat(s.interfaceName()).isEqualTo(net.hostInterface()));
        }
    }

    /** A batch listener that fails if it is handed a single packet, as a live capture never does. */
    private static PacketBatchListener batchesOnly(java.util.function.Consumer<PacketBatch> onBatch) {
        return new PacketBatchListener() {
            @Override
            public void onPacket(Packet packet) {
                throw new AssertionError("a live capture hands a batch listener batches");
            }

            @Override
            public void onBatch(PacketBatch batch) {
                onBatch.accept(batch);
            }
        };
    }

    @Test
    void aBatchListenerGetsEverySegmentOnceInBatchesNumberedInOrder() throws Exception {
        try (PacketCapture capture = onHostSide(Selection.INOUT).open();
             ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(net.hostIpv4(), 0));
            int port = server.getLocalPort();
            Map<String, Long> before = tcpCounters();
            CompletableFuture<Long> served = serveOnce(server, 500);
            net.sendAndDrain(net.hostIpv4(), port, 1000);
            assertThat(served.get()).isEqualTo(1000);
            Thread.sleep(200);
            Map<String, Long> after = tcpCounters();
            long expected = after.get("OutSegs") - before.get("OutSegs") + after.get("InSegs") - before.get("InSegs");
            List<Segment> segments = new ArrayList<>();
            List<Long> numbers = new ArrayList<>();
            PacketBatchListener listener = batchesOnly(batch -> {
                assertThat(batch.size()).isBetween(1, PacketBatchListener.MAX_BATCH);
                for (int i = 0; i < batch.size(); i++) {
                    Packet p = batch.get(i);
                    numbers.add(p.frameNumber());
                    Segment s = Segment.of(p, capture.linkType() == io.panatap.parse.LinkType.ETHERNET);
                    if (s != null && s.involves(port)) {
                        segments.add(s);
                        assertParsedHeadersAgree(p, s);
                    }
                }
            });
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline && segments.size() < expected) {
                capture.poll(listener, 1000);
            }
            capture.poll(listener, 1000); // nothing more comes
            assertThat(segments).hasSize((int) expected).doesNotHaveDuplicates();
            assertThat(segments.stream().filter(s -> s.packetType() == PacketType.HOST)
                    .mapToInt(Segment::payloadLength).sum()).isEqualTo(1000);
            assertThat(segments.stream().filter(s -> s.packetType() == PacketType.OUTGOING)
                    .mapToInt(Segment::payloadLength).sum()).isEqualTo(500);
            assertThat(numbers).isEqualTo(java.util.stream.LongStream.rangeClosed(1, numbers.size()).boxed().toList());
            assertThat(capture.stats().delivered()).isEqualTo(numbers.size());
        }
    }

    /**
     * The use {@link PcapWriter#writeInPlace} is for: a batch listener writing a live capture's frames from the
     * ring, flushed before the batch returns, gives the file a writer that copies every packet gives.
     */
    @Test
    void aBatchListenerWritesTheRingsFramesInPlaceAsACopyingWriterDoes() throws Exception {
        Path dir = Files.createTempDirectory("in-place");
        Path inPlace = dir.resolve("in-place.pcap");
        Path copied = dir.resolve("copied.pcap");
        // Four blocks of 64 KiB: the ring's blocks are reused many times over, so a frame written after its
        // block went back to the kernel would show another frame's bytes.
        try (PacketCapture capture = onHostSide(Selection.INOUT).snapLength(2048).ringSize(256 << 10).open();
             ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(net.hostIpv4(), 0));
            CompletableFuture<Long> served = serveOnce(server, 0);
            int[] batches = {0};
            try (PcapWriter direct = PcapWriter.createDirect(inPlace, capture.linkType(), capture.snapLength(),
                    PcapWriter.Precision.NANO);
                 PcapWriter copying = PcapWriter.create(copied, capture.linkType(), capture.snapLength(),
                         PcapWriter.Precision.NANO)) {
                PacketBatchListener listener = batchesOnly(batch -> {
                    batches[0]++;
                    try {
                        for (int i = 0; i < batch.size(); i++) {
                            direct.writeInPlace(batch.get(i));
                            copying.write(batch.get(i));
                        }
                        direct.flush(); // before the frames go back to the ring
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                // Polled while the client sends, as a capture runs: the small ring overflows otherwise.
                CompletableFuture<String> client = new CompletableFuture<>();
                Thread.ofPlatform().daemon().start(() -> { // not the common pool, which the server may fill
                    try {
                        client.complete(net.sendAndDrain(net.hostIpv4(), server.getLocalPort(), 10_000_000));
                    } catch (RuntimeException e) {
                        client.completeExceptionally(e);
                    }
                });
                while (!client.isDone()) {
                    capture.poll(listener, 1000);
                }
                client.get();
                assertThat(served.get()).isEqualTo(10_000_000);
                long deadline = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < deadline) {
                    capture.poll(listener, 1000);
                }
            }
            // More frames than the four blocks hold (at most 32 frames of 2 KiB each): the ring went round.
            assertThat(capture.stats().delivered()).isGreaterThan(4 * 32);
            assertThat(batches[0]).isGreaterThan(4);
            byte[] written = Files.readAllBytes(inPlace);
            byte[] expected = Files.readAllBytes(copied);
            assertThat(java.util.Arrays.mismatch(written, expected))
                    .as("first byte that differs, of %d and %d", written.length, expected.length).isEqualTo(-1);
        } finally {
            Files.deleteIfExists(inPlace);
            Files.deleteIfExists(copied);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void statisticsCountDeliveredPackets() throws Exception {
        try (PacketCapture capture = onHostSide(Selection.IN).open();
             ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(net.hostIpv4(), 0));
            CompletableFuture<Long> served = serveOnce(server, 0);
            net.sendAndDrain(net.hostIpv4(), server.getLocalPort(), 100);
            served.get();
            List<Packet> all = new ArrayList<>();
            long deadline = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < deadline) {
                capture.poll(p -> all.add(p.copy()), 100);
            }
            CaptureStats stats = capture.stats();
            assertThat(all).isNotEmpty();
            assertThat(stats.delivered()).isEqualTo(all.size());
            assertThat(stats.received()).isGreaterThanOrEqualTo(all.size());
            assertThat(stats.dropped()).isZero();
            assertThat(all).extracting(Packet::frameNumber).isSorted().doesNotHaveDuplicates();
            capture.close();
            assertThat(capture.stats()).isEqualTo(stats);
        }
    }

    @Test
    void aHashFanoutGroupSplitsConnectionsWholeBetweenItsSockets() throws Exception {
        int group = java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 0xFFFF);
        PacketCapture.Builder builder = onHostSide(Selection.INOUT)
                .fanout(group, FanoutMode.HASH);
        try (PacketCapture first = builder.open(); PacketCapture second = builder.open();
             ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(net.hostIpv4(), 0));
            int port = server.getLocalPort();
            Map<String, Long> before = tcpCounters();
            int connections = 12;
            for (int i = 0; i < connections; i++) {
                CompletableFuture<Long> served = serveOnce(server, 10);
                net.sendAndDrain(net.hostIpv4(), port, 10);
                served.get();
            }
            Thread.sleep(200);
            Map<String, Long> after = tcpCounters();
            long expected = after.get("OutSegs") - before.get("OutSegs") + after.get("InSegs") - before.get("InSegs");
            Map<Integer, java.util.Set<Integer>> socketsByClientPort = new java.util.HashMap<>();
            int[] total = new int[1];
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                for (int which = 0; which < 2; which++) {
                    PacketCapture capture = which == 0 ? first : second;
                    int socket = which;
                    capture.poll(p -> {
                        Segment s = Segment.of(p, true);
                        if (s != null && s.involves(port)) {
                            total[0]++;
                            int client = s.sourcePort() == port ? s.destinationPort() : s.sourcePort();
                            socketsByClientPort.computeIfAbsent(client, k -> new java.util.HashSet<>()).add(socket);
                        }
                    }, 1000);
                }
            }
            assertThat(total[0]).isEqualTo(expected);
            assertThat(socketsByClientPort).hasSize(connections);
            assertThat(socketsByClientPort.values()).allSatisfy(sockets -> assertThat(sockets).hasSize(1));
            assertThat(first.stats().delivered() + second.stats().delivered()).isGreaterThanOrEqualTo(expected);
        }
    }
}
