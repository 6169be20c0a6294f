package io.panatap.pcap;

import io.panatap.parse.LinkType;
import io.panatap.parse.TcpFlags;
import io.panatap.testing.Frames;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.Channels;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The PCAP-over-IP server in-process: clients on loopback sockets, a writer feeding it records. */
class PcapStreamServerTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** A client that reads everything into memory on its own thread. */
    static final class Reader implements AutoCloseable {
        final Socket socket;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicLong received = new AtomicLong();
        final Thread thread;

        Reader(InetSocketAddress address) throws IOException {
            socket = new Socket(address.getAddress(), address.getPort());
            thread = Thread.ofPlatform().start(() -> {
                byte[] b = new byte[65536];
                try (InputStream in = socket.getInputStream()) {
                    int n;
                    while ((n = in.read(b)) > 0) {
                        synchronized (bytes) {
                            bytes.write(b, 0, n);
                        }
                        received.addAndGet(n);
                    }
                } catch (IOException e) {
                    // end of the test
                }
            });
        }

        byte[] all() throws InterruptedException {
            thread.join(10_000);
            synchronized (bytes) {
                return bytes.toByteArray();
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** Records of a pcap stream, read back by the project's own reader. */
    private static long records(byte[] stream) throws IOException {
        try (CaptureFileReader r = CaptureFileReader.open(Channels.newChannel(new java.io.ByteArrayInputStream(stream)))) {
            long n = 0;
            int got;
            while ((got = r.poll(p -> { }, 1000)) != io.panatap.PacketSource.END) {
                n += got;
            }
            return n;
        }
    }

    /** Whole records of a little-endian pcap stream that may end inside a record (a client cut off at the close). */
    private static long wholeRecords(byte[] stream) {
        long n = 0;
        int at = PcapFormat.HEADER_LENGTH;
        while (at + 16 <= stream.length) {
            int captured = java.nio.ByteBuffer.wrap(stream, at + 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            if (at + 16 + captured > stream.length) {
                break;
            }
            at += 16 + captured;
            n++;
        }
        return n;
    }

    @Test
    void twoReadersGetEveryRecordWhileAClientThatNeverReadsLosesWholeRecordsAndSlowsNothing() throws Exception {
        byte[] frame = Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1234, 80, TcpFlags.ACK, 1000);
        MemorySegment data = MemorySegment.ofArray(frame);
        int records = 4000; // 4 MB: far more than the stalled client's buffer and socket buffers hold
        try (PcapStreamServer server = PcapStreamServer.open(LOOPBACK, 256 << 10)) {
            PcapWriter writer = PcapWriter.create(server.producer(), "stream", LinkType.ETHERNET, 65535,
                    PcapWriter.Precision.MICRO);
            Socket stalled = new Socket();
            stalled.setReceiveBufferSize(4096);
            stalled.connect(server.address());
            try (Reader a = new Reader(server.address()); Reader b = new Reader(server.address());
                 Reader leaving = new Reader(server.address())) {
                await(() -> server.clients().size() == 4, "four clients connected");
                long expected = PcapFormat.HEADER_LENGTH;
                for (int i = 0; i < records; i++) {
                    writer.write(1_700_000_000_000_000_000L + i * 1000L, data, 0, frame.length, frame.length);
                    expected += PcapFormat.RECORD_HEADER_LENGTH + frame.length;
                    if (i % 50 == 49) {
                        writer.flush();
                        long want = expected;
                        // Paced by the readers only: the stalled client can never hold this up.
                        await(() -> a.received.get() == want && b.received.get() == want, "readers keep up");
                    }
                    if (i == records / 2) {
                        leaving.close(); // a client that leaves ends nothing else
                    }
                }
                writer.flush();
                server.close();
                assertThat(records(a.all())).isEqualTo(records);
                assertThat(records(b.all())).isEqualTo(records);
                List<PcapStreamServer.ClientStats> stats = server.clients();
                assertThat(stats).hasSize(4);
                PcapStreamServer.ClientStats s = stats.getFirst();
                assertThat(s.lost()).as("the stalled client lost records").isPositive();
                assertThat(s.sent() + s.lost()).isEqualTo(records);
                assertThat(s.disconnected()).isFalse();
                // What it was sent holds exactly the records counted as sent, none torn where packets were
                // dropped; only the close may cut the last one, as the client was still behind then.
                byte[] got = stalled.getInputStream().readAllBytes();
                assertThat(wholeRecords(got)).isEqualTo(s.sent());
                assertThat(stats.subList(1, 3)).allMatch(c -> c.sent() == records && c.lost() == 0);
                assertThat(stats.get(3).disconnected()).isTrue();
                stalled.close();
            }
        }
    }

    @Test
    void aClientThatConnectsBeforeTheHeaderGetsItFirst() throws Exception {
        try (PcapStreamServer server = PcapStreamServer.open(LOOPBACK, 256 << 10); Reader a = new Reader(server.address())) {
            await(() -> server.clients().size() == 1, "client connected");
            PcapWriter writer = PcapWriter.create(server.producer(), "stream", LinkType.RAW, 65535,
                    PcapWriter.Precision.MICRO);
            byte[] packet = Frames.ipv4Tcp(Frames.SRC4, Frames.DST4, 1, 2, TcpFlags.SYN, 0);
            writer.write(1_000_000_000L, MemorySegment.ofArray(packet), 0, packet.length, packet.length);
            writer.flush();
            server.close();
            assertThat(records(a.all())).isEqualTo(1);
            assertThat(server.clients().getFirst().sent()).isEqualTo(1);
        }
    }

    @Test
    void aStalledClientsSentAndLostAddUpAtTheCloseAndWhatItGotIsAWholeStream() throws Exception {
        byte[] frame = Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1234, 80, TcpFlags.ACK, 2000);
        MemorySegment data = MemorySegment.ofArray(frame);
        int records = 1000; // 2 MB: fits the client's buffer; the kernel may or may not take it all
        try (PcapStreamServer server = PcapStreamServer.open(LOOPBACK, 8 << 20)) {
            PcapWriter writer = PcapWriter.create(server.producer(), "stream", LinkType.ETHERNET, 65535,
                    PcapWriter.Precision.MICRO);
            try (Socket stalled = new Socket()) {
                stalled.setReceiveBufferSize(4096);
                stalled.connect(server.address());
                await(() -> server.clients().size() == 1, "connected");
                Thread.sleep(100);
                for (int i = 0; i < records; i++) {
                    writer.write(1_700_000_000_000_000_000L + i * 1000L, data, 0, frame.length, frame.length);
                    if (i % 8 == 7) {
                        writer.flush();
                    }
                }
                writer.flush();
                Thread.sleep(100);
                server.close();
                PcapStreamServer.ClientStats s = server.clients().getFirst();
                assertThat(s.sent() + s.lost()).as(s.toString()).isEqualTo(records);
                assertThat(wholeRecords(stalled.getInputStream().readAllBytes())).isEqualTo(s.sent());
            }
        }
    }

    @Test
    void countsWholeRecordsInAChunk() {
        byte[] b = new byte[16 + 5 + 16 + 3 + 10];
        b[8] = 5;
        b[16 + 5 + 8] = 3;
        b[16 + 5 + 16 + 3 + 8] = 100; // a third record that does not fit
        assertThat(PcapStreamServer.countRecords(b, 0, b.length)).isEqualTo(2);
        assertThat(PcapStreamServer.countRecords(b, 0, 20)).isZero();
    }
}
