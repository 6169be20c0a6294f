package io.panatap.cli;

import io.panatap.cli.TestFrames.Segment;
import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.panatap.parse.TcpFlags.ACK;
import static io.panatap.parse.TcpFlags.PSH;
import static io.panatap.parse.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * tcpdump's views on captures built here, one per link type panatap decodes, with VLAN tags (802.1Q, QinQ,
 * 0x9100, priority and DEI bits), Linux cooked v1 and v2 headers of every packet type, IPv6 extension
 * headers, Ethernet padding, frames cut by the snap length, odd payload lengths and bytes that exercise the
 * ASCII rules (CR, LF, tab, DEL, bytes over 0x7f), and a nanosecond pcap: the number, timestamp and link
 * header of every row and the dump after it are what the installed tcpdump prints.
 */
class ViewsLinkTypesTest {
    private static final long T0 = 1_764_060_748L;
    private static final byte[] MACS = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    private static final byte[] PAYLOAD = "GET / x\r\nHost: a\r\n\r\n\t\u0001\u007f~ ok\rz\r".getBytes(
            java.nio.charset.StandardCharsets.ISO_8859_1);

    @TempDir
    static Path dir;

    /** A capture: its name, link type, frames (whole), bytes captured of each (-1: all), nanosecond file. */
    record Capture(String name, int linkType, List<byte[]> frames, int captured, boolean nano) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<List<String>> views() {
        return Stream.of(List.of("-e"), List.of("-e", "-x"), List.of("-xx"), List.of("-X"), List.of("-e", "-XX"),
                List.of("-A"), List.of("-AA"), List.of("-tt"), List.of("-ttt"), List.of("-tttt"), List.of("-ttttt"),
                List.of("-t", "-e"), List.of("--nano", "-tt"), List.of("--time-stamp-precision=nano", "-ttt"));
    }

    static Stream<Capture> captures() {
        List<byte[]> ip = ipPackets();
        List<Capture> c = new ArrayList<>();
        List<byte[]> ether = new ArrayList<>();
        for (byte[] p : ip) {
            ether.add(ethernet(p, new int[0]));
        }
        c.add(new Capture("Ethernet", 1, ether, -1, false));
        c.add(new Capture("Ethernet nanosecond", 1, ether, -1, true));
        // Cut where each still has its ports (an IPv6 packet cut before them is no TCP row for panatap).
        c.add(new Capture("IPv4 cut at 60 bytes", 1, ether.subList(0, 2), 60, false));
        c.add(new Capture("IPv4 cut in the TCP header", 1, ether.subList(0, 2), 14 + 20 + 10, false));
        c.add(new Capture("IPv6 cut in the TCP header", 1, ether.subList(2, 4), 14 + 40 + 16 + 10, false));
        List<byte[]> tagged = new ArrayList<>();
        for (byte[] p : ip) {
            tagged.add(ethernet(p, new int[] {0x8100, 0x200a}));
            tagged.add(ethernet(p, new int[] {0x88a8, 0x3014, 0x8100, 0xf00a}));
            tagged.add(ethernet(p, new int[] {0x9100, 0x0fff}));
        }
        c.add(new Capture("VLAN", 1, tagged, -1, false));
        List<byte[]> padded = new ArrayList<>();
        padded.add(pad(ethernet(ip.get(0), new int[0]), 60));
        padded.add(pad(ethernet(ip.get(1), new int[0]), 60));
        c.add(new Capture("Ethernet padding", 1, padded, -1, false));
        List<byte[]> sll = new ArrayList<>();
        List<byte[]> sll2 = new ArrayList<>();
        int type = 0;
        for (byte[] p : ip) {
            for (int i = 0; i < 2; i++, type++) {
                boolean v6 = (p[0] & 0xF0) == 0x60;
                int ethertype = v6 ? 0x86DD : 0x0800;
                byte[] body = type % 3 == 2 ? concat(new byte[] {0x20, 0x05, (byte) (ethertype >> 8), (byte) ethertype}, p) : p;
                int protocol = type % 3 == 2 ? 0x8100 : ethertype;
                sll.add(concat(sll(type % 8, type % 4 == 3 ? 4 : 6, protocol), body));
                sll2.add(concat(sll2(type % 8, type % 4 == 3 ? 0 : 6, protocol, type % 2 == 0 ? 1 : 99_999), body));
            }
        }
        c.add(new Capture("LINUX_SLL", 113, sll, -1, false));
        c.add(new Capture("LINUX_SLL2", 276, sll2, -1, false));
        c.add(new Capture("NULL", 0, wrap(ip, p -> family((p[0] & 0xF0) == 0x60 ? 30 : 2, ByteOrder.LITTLE_ENDIAN)), -1,
                false));
        c.add(new Capture("NULL big-endian", 0, wrap(ip, p -> family((p[0] & 0xF0) == 0x60 ? 24 : 2, ByteOrder.BIG_ENDIAN)),
                -1, false));
        c.add(new Capture("LOOP", 108, wrap(ip, p -> family((p[0] & 0xF0) == 0x60 ? 28 : 2, ByteOrder.BIG_ENDIAN)), -1,
                false));
        c.add(new Capture("PPP", 9, wrap(ip, p -> (p[0] & 0xF0) == 0x60 ? new byte[] {0, 0x57}
                : new byte[] {(byte) 0xff, 3, 0, 0x21}), -1, false));
        c.add(new Capture("PPP_SERIAL", 50, wrap(ip, p -> new byte[] {(byte) 0xff, 3, 0, (byte) ((p[0] & 0xF0) == 0x60 ? 0x57 : 0x21)}),
                -1, false));
        c.add(new Capture("PPP_ETHER", 51, wrap(ip, p -> ByteBuffer.allocate(8).put((byte) 0x11).put((byte) 0)
                .putShort((short) 0x2a).putShort((short) (p.length + 2))
                .putShort((short) ((p[0] & 0xF0) == 0x60 ? 0x57 : 0x21)).array()), -1, false));
        c.add(new Capture("RAW", 101, ip, -1, false));
        c.add(new Capture("IPV4", 228, ip.subList(0, 2), -1, false));
        c.add(new Capture("IPV6", 229, ip.subList(2, ip.size()), -1, false));
        return c.stream();
    }

    static Stream<Object[]> cases() {
        return captures().flatMap(c -> views().map(v -> new Object[] {c, v}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void viewsAreTcpdumps(Capture capture, List<String> view) throws Exception {
        Prerequisites.requireTool("tcpdump");
        Path file = dir.resolve(capture.name.replace(' ', '-') + ".pcap");
        if (!Files.exists(file)) {
            Files.write(file, pcap(capture));
        }
        TcpdumpViews.Result r = TcpdumpViews.compare(file, view, null);
        assertThat(r.differences()).isEmpty();
        assertThat(r.aligned()).isTrue();
        assertThat(r.rows()).isGreaterThan(0);
        assertThat(r.identical()).isEqualTo(r.rows());
    }

    @org.junit.jupiter.api.Test
    void nanoWritesANanosecondPcapThatTcpdumpReadsToTheNanosecond() throws Exception {
        Capture nano = captures().filter(c -> c.nano).findFirst().orElseThrow();
        Path in = dir.resolve("nano-in.pcap");
        Files.write(in, pcap(nano));
        Path outNano = dir.resolve("nano-out.pcap");
        Path outMicro = dir.resolve("micro-out.pcap");
        assertThat(Main.run(new String[] {"-r", in.toString(), "-w", outNano.toString(), "--nano"},
                java.io.OutputStream.nullOutputStream(), System.err, new Session())).isZero();
        assertThat(Main.run(new String[] {"-r", in.toString(), "-w", outMicro.toString()},
                java.io.OutputStream.nullOutputStream(), System.err, new Session())).isZero();
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(outNano)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(header.getInt(0)).isEqualTo(0xa1b23c4d);
        assertThat(ByteBuffer.wrap(Files.readAllBytes(outMicro)).order(ByteOrder.LITTLE_ENDIAN).getInt(0))
                .isEqualTo(0xa1b2c3d4);
        Prerequisites.requireTool("tcpdump");
        TcpdumpViews.Result r = TcpdumpViews.compare(outNano, List.of("--nano", "-tt"), null);
        assertThat(r.differences()).isEmpty();
        assertThat(r.identical()).isEqualTo(r.rows()).isEqualTo(nano.frames.size());
        // The copy keeps every nanosecond: its rows are the input's.
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Main.run(new String[] {"-r", in.toString(), "--nano", "-tt"}, a, System.err, new Session());
        Main.run(new String[] {"-r", outNano.toString(), "--nano", "-tt"}, b, System.err, new Session());
        assertThat(b.toString()).isEqualTo(a.toString()).contains(".250001234 ");
    }

    /** IPv4 SYN, IPv4 data (odd length, ASCII rules), IPv6 with hop-by-hop and destination options, IPv6 data. */
    private static List<byte[]> ipPackets() {
        byte[] syn = TestFrames.rawIp(new Segment("10.0.0.1", "10.0.0.2", 40000, 40001, SYN).numbers(100, 0, 64240).frame());
        byte[] data = withPayload(TestFrames.rawIp(new Segment("10.0.0.2", "10.0.0.1", 40001, 40000, PSH | ACK)
                .numbers(900, 101, 502).frame()), false);
        byte[] v6 = TestFrames.rawIp(new Segment("fd00::1", "fd00::2", 40002, 40003, PSH | ACK).numbers(7, 9, 502).frame());
        byte[] v6ext = extensionHeaders(v6);
        byte[] v6data = withPayload(v6, true);
        return List.of(syn, data, v6ext, v6data);
    }

    private static byte[] withPayload(byte[] ip, boolean v6) {
        byte[] out = concat(ip, PAYLOAD);
        ByteBuffer b = ByteBuffer.wrap(out);
        if (v6) {
            b.putShort(4, (short) (out.length - 40));
        } else {
            b.putShort(2, (short) out.length);
        }
        return out;
    }

    /** Inserts a hop-by-hop and a destination options header (8 bytes each) before TCP. */
    private static byte[] extensionHeaders(byte[] v6) {
        byte[] hop = {60, 0, 1, 4, 0, 0, 0, 0};
        byte[] dst = {6, 0, 1, 4, 0, 0, 0, 0};
        byte[] out = concat(concat(Arrays.copyOf(v6, 40), concat(hop, dst)), Arrays.copyOfRange(v6, 40, v6.length));
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putShort(4, (short) (out.length - 40));
        out[6] = 0; // next header: hop-by-hop
        return out;
    }

    private static byte[] ethernet(byte[] ip, int[] tags) {
        ByteBuffer b = ByteBuffer.allocate(14 + 2 * tags.length + ip.length);
        b.put(MACS);
        for (int t : tags) {
            b.putShort((short) t);
        }
        b.putShort((short) ((ip[0] & 0xF0) == 0x60 ? 0x86DD : 0x0800)).put(ip);
        return b.array();
    }

    private static byte[] sll(int packetType, int addressLength, int protocol) {
        return ByteBuffer.allocate(16).putShort((short) packetType).putShort((short) 1)
                .putShort((short) addressLength).put(new byte[] {2, 0, 0, 0, 0, (byte) 0xaa, 0, 0})
                .putShort((short) protocol).array();
    }

    private static byte[] sll2(int packetType, int addressLength, int protocol, int ifindex) {
        return ByteBuffer.allocate(20).putShort((short) protocol).putShort((short) 0).putInt(ifindex)
                .putShort((short) 1).put((byte) packetType).put((byte) addressLength)
                .put(new byte[] {2, 0, 0, 0, 0, (byte) 0xbb, 0, 0}).array();
    }

    private static byte[] family(int family, ByteOrder order) {
        return ByteBuffer.allocate(4).order(order).putInt(family).array();
    }

    private static List<byte[]> wrap(List<byte[]> ip, java.util.function.Function<byte[], byte[]> header) {
        return ip.stream().map(p -> concat(header.apply(p), p)).toList();
    }

    private static byte[] pad(byte[] frame, int length) {
        return frame.length >= length ? frame : Arrays.copyOf(frame, length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * A little-endian classic pcap file; records 0.25 s apart plus a few micro- (or nano-) seconds, one of them
     * earlier than the one before it, so that {@code -ttt} prints a negative delta.
     */
    private static byte[] pcap(Capture c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(c.nano ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(262_144).putInt(c.linkType);
        out.writeBytes(h.array());
        long[] offsets = {0, 250_001_234L, 250_000_999L, 1_999_999_999L, 3_600_000_000_017L, 90_000_000_000_123L};
        int i = 0;
        for (byte[] f : c.frames) {
            long nanos = T0 * 1_000_000_000L + offsets[i % offsets.length] + 86_400_000_000_000L * (i / offsets.length);
            i++;
            int captured = c.captured < 0 ? f.length : Math.min(f.length, c.captured);
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt((int) (nanos / 1_000_000_000L)).putInt((int) (nanos % 1_000_000_000L / (c.nano ? 1 : 1000)))
                    .putInt(captured).putInt(f.length);
            out.writeBytes(r.array());
            out.write(f, 0, captured);
        }
        return out.toByteArray();
    }
}
