package io.panatap.cli;

import io.panatap.cli.CommandRunner.Result;
import io.panatap.cli.TestFrames.Record;
import io.panatap.cli.TestFrames.Segment;
import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static io.panatap.parse.TcpFlags.ACK;
import static io.panatap.parse.TcpFlags.PSH;
import static io.panatap.parse.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code panatap -r} on captures of BSD loopback (NULL, LOOP) and PPP (PPP, PPP_SERIAL, PPP_ETHER) link types
 * built here: the line format is what {@code tcpdump -n -S} prints for the same file, link prefix included,
 * with and without the filter {@code tcp}; and {@code -w} keeps the link type.
 */
class OtherLinkTypesReadTest {
    private static final long T0 = 1_764_060_748_000_000L;

    @TempDir
    Path dir;

    /** A link type, the file's byte order, and how its link header goes in front of an IP packet. */
    record Link(String name, int linkType, ByteOrder fileOrder, UnaryOperator<byte[]> v4, UnaryOperator<byte[]> v6) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Link> links() {
        return Stream.of(
                new Link("NULL little-endian", 0, ByteOrder.LITTLE_ENDIAN,
                        ip -> family(2, ByteOrder.LITTLE_ENDIAN, ip), ip -> family(30, ByteOrder.LITTLE_ENDIAN, ip)),
                new Link("NULL big-endian", 0, ByteOrder.BIG_ENDIAN,
                        ip -> family(2, ByteOrder.BIG_ENDIAN, ip), ip -> family(24, ByteOrder.BIG_ENDIAN, ip)),
                new Link("LOOP", 108, ByteOrder.LITTLE_ENDIAN,
                        ip -> family(2, ByteOrder.BIG_ENDIAN, ip), ip -> family(28, ByteOrder.BIG_ENDIAN, ip)),
                new Link("PPP", 9, ByteOrder.LITTLE_ENDIAN,
                        ip -> concat(new byte[] {(byte) 0xff, 3, 0, 0x21}, ip), ip -> concat(new byte[] {0, 0x57}, ip)),
                new Link("PPP_SERIAL", 50, ByteOrder.LITTLE_ENDIAN,
                        ip -> concat(new byte[] {(byte) 0xff, 3, 0, 0x21}, ip),
                        ip -> concat(new byte[] {(byte) 0xff, 3, 0, 0x57}, ip)),
                new Link("PPP_ETHER", 51, ByteOrder.LITTLE_ENDIAN,
                        ip -> pppoe(0x21, ip), ip -> pppoe(0x57, ip)));
    }

    private static byte[] family(int family, ByteOrder order, byte[] ip) {
        return concat(ByteBuffer.allocate(4).order(order).putInt(family).array(), ip);
    }

    private static byte[] pppoe(int protocol, byte[] ip) {
        ByteBuffer b = ByteBuffer.allocate(8).put((byte) 0x11).put((byte) 0).putShort((short) 0x2a)
                .putShort((short) (ip.length + 2)).putShort((short) protocol);
        return concat(b.array(), ip);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A SYN, a SYN-ACK and IPv6 data, as IP packets. */
    private static List<byte[]> packets() {
        return List.of(
                TestFrames.rawIp(new Segment("10.0.0.1", "10.0.0.2", 51167, 22, SYN).numbers(100, 0, 64240).frame()),
                TestFrames.rawIp(new Segment("10.0.0.2", "10.0.0.1", 22, 51167, SYN | ACK)
                        .numbers(900, 101, 65160).frame()),
                TestFrames.rawIp(new Segment("fd00::1", "fd00::2", 51168, 22, PSH | ACK)
                        .numbers(101, 901, 502).payload(36).frame()));
    }

    private Path capture(Link link) throws Exception {
        List<Record> records = new ArrayList<>();
        int i = 0;
        for (byte[] ip : packets()) {
            boolean v6 = (ip[0] & 0xF0) == 0x60;
            records.add(new Record(T0 + 250_000L * i++, (v6 ? link.v6 : link.v4).apply(ip)));
        }
        byte[] file = TestFrames.pcap(records);
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(20, link.linkType);
        if (link.fileOrder == ByteOrder.BIG_ENDIAN) {
            swapPcap(file);
        }
        Path path = dir.resolve(link.name.replace(' ', '-') + ".pcap");
        Files.write(path, file);
        return path;
    }

    /** Rewrites a little-endian classic pcap file in big-endian order, in place. */
    private static void swapPcap(byte[] file) {
        ByteBuffer le = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer be = ByteBuffer.wrap(file).order(ByteOrder.BIG_ENDIAN);
        int[] header = {le.getInt(0), le.getShort(4), le.getShort(6), le.getInt(8), le.getInt(12), le.getInt(16),
                le.getInt(20)};
        be.putInt(0, header[0]).putShort(4, (short) header[1]).putShort(6, (short) header[2]).putInt(8, header[3])
                .putInt(12, header[4]).putInt(16, header[5]).putInt(20, header[6]);
        int pos = 24;
        while (pos < file.length) {
            int captured = le.getInt(pos + 8);
            for (int f = 0; f < 16; f += 4) {
                be.putInt(pos + f, le.getInt(pos + f));
            }
            pos += 16 + captured;
        }
    }

    private static String tcpdump(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("tcpdump", "-n", "-S"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("TZ", "UTC");
        Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @ParameterizedTest
    @MethodSource("links")
    void linesMatchWhatTcpdumpPrints(Link link) throws Exception {
        Prerequisites.requireTool("tcpdump");
        Path file = capture(link);
        String theirs = tcpdump("-r", file.toString());
        assertThat(theirs.lines()).as("tcpdump on %s", link).hasSize(3);
        Result ours = CommandRunner.run("-r", file.toString(), "--format", "line");
        assertThat(ours.status()).isZero();
        assertThat(ours.out()).as("%s", link).isEqualTo(theirs);
        // The filter keeps what tcpdump's does (all three are TCP, each link header as libpcap expects it).
        Result filtered = CommandRunner.run("-r", file.toString(), "--format", "line", "tcp and port 22");
        String tcpdumpFiltered = tcpdump("-r", file.toString(), "tcp and port 22");
        // libpcap compares a NULL address family in the file's byte order; so does the command.
        assertThat(tcpdumpFiltered).as("tcpdump with a filter on %s", link).isNotEmpty();
        assertThat(filtered.out()).as("%s with a filter", link).isEqualTo(tcpdumpFiltered);
    }

    @ParameterizedTest
    @MethodSource("links")
    void jsonAndTableShowEverySegment(Link link) throws Exception {
        Path file = capture(link);
        Result json = CommandRunner.run("-r", file.toString(), "--format", "json");
        assertThat(json.lines()).as("%s", link).hasSize(3);
        assertThat(json.lines().get(0)).contains("\"ipVersion\":4,\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\","
                + "\"srcPort\":51167,\"dstPort\":22");
        assertThat(json.lines().get(2)).contains("\"ipVersion\":6,\"src\":\"fd00::1\"").contains("\"length\":36");
        Result table = CommandRunner.run("-r", file.toString());
        assertThat(table.out()).contains("10.0.0.1        10.0.0.2  51167").contains("fd00::1         fd00::2  51168");
    }

    @ParameterizedTest
    @MethodSource("links")
    void writingKeepsTheLinkType(Link link) throws Exception {
        Path file = capture(link);
        Path copy = dir.resolve("copy-" + link.linkType + ".pcap");
        Result r = CommandRunner.run("-r", file.toString(), "-w", copy.toString());
        assertThat(r.status()).as(r.err()).isZero();
        byte[] written = Files.readAllBytes(copy);
        ByteOrder order = ByteBuffer.wrap(written).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == 0xa1b2c3d4
                ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        assertThat(ByteBuffer.wrap(written).order(order).getInt(20) & 0xFFFF).isEqualTo(link.linkType);
        assertThat(CommandRunner.run("-r", copy.toString(), "--format", "line").out())
                .isEqualTo(CommandRunner.run("-r", file.toString(), "--format", "line").out());
    }
}
