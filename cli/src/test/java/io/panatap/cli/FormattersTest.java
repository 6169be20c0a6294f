package io.panatap.cli;

import io.panatap.PacketType;
import io.panatap.Packet;
import io.panatap.cli.TestFrames.Segment;
import io.panatap.parse.TcpFlags;
import org.junit.jupiter.api.Test;

import java.time.ZoneOffset;

import static io.panatap.parse.TcpFlags.ACK;
import static io.panatap.parse.TcpFlags.AE;
import static io.panatap.parse.TcpFlags.FIN;
import static io.panatap.parse.TcpFlags.PSH;
import static io.panatap.parse.TcpFlags.RST;
import static io.panatap.parse.TcpFlags.SYN;
import static io.panatap.parse.TcpFlags.URG;
import static org.assertj.core.api.Assertions.assertThat;

class FormattersTest {
    /** 2025-11-25T08:52:28.099946123Z */
    private static final long T = 1_764_060_748_099_946_123L;

    private static Packet packet(Segment s) {
        return new FakePacket(7, T, s.frame());
    }

    private static String row(RowFormatter f, Packet p) {
        StringBuilder sb = new StringBuilder();
        f.appendRow(p, sb);
        return sb.toString();
    }

    private static Packet cutAfterPorts(Segment s) {
        byte[] frame = s.frame();
        int ip = s.src().contains(":") ? 40 : 20;
        return new FakePacket(3, T, frame, 14 + ip + 4, null, PacketType.UNKNOWN);
    }

    // ---- table

    @Test
    void tableHeaderIsTheScriptsThreeLines() {
        StringBuilder sb = new StringBuilder();
        new TableFormatter(p -> 0).appendStart(sb);
        assertThat(sb.toString()).isEqualTo("""
                -----------------------------------------------------------------
                       Source IP         Dest IP  SPort  DPort  U  A  P  R  S  F\s
                -----------------------------------------------------------------
                """);
        assertThat(TableFormatter.RULE).hasSize(66);
    }

    @Test
    void tableRowsFollowTheScriptsPrintfColumnForColumn() {
        TableFormatter table = new TableFormatter(p -> 0);
        assertThat(row(table, packet(new Segment("172.16.8.31", "172.16.3.150", 51167, 22, ACK))))
                .isEqualTo("     172.16.8.31    172.16.3.150  51167     22  0  1  0  0  0  0\n");
        assertThat(row(table, packet(new Segment("10.0.0.2", "10.0.0.1", 22, 1, URG | ACK | PSH | RST | SYN | FIN))))
                .isEqualTo("        10.0.0.2        10.0.0.1     22      1  1  1  1  1  1  1\n");
        assertThat(row(table, packet(new Segment("255.255.255.255", "1.2.3.4", 65535, 0, SYN))))
                .isEqualTo(" 255.255.255.255         1.2.3.4  65535      0  0  0  0  0  1  0\n");
    }

    @Test
    void longIpv6AddressesWidenTheirColumnInsteadOfBeingCut() {
        TableFormatter table = new TableFormatter(p -> 0);
        assertThat(row(table, packet(new Segment("2001:db8:85a3::8a2e:370:7334", "fd00::1", 443, 50000, PSH | ACK))))
                .isEqualTo(" 2001:db8:85a3::8a2e:370:7334         fd00::1    443  50000  0  1  1  0  0  0\n");
    }

    @Test
    void aSegmentCutBeforeTheFlagsShowsDashesForThem() {
        assertThat(row(new TableFormatter(p -> 0), cutAfterPorts(new Segment("10.1.1.1", "10.2.2.2", 80, 8080, SYN))))
                .isEqualTo("        10.1.1.1        10.2.2.2     80   8080  -  -  -  -  -  -\n");
    }

    @Test
    void theHeaderRepeatsBeforeTheFirstRowAfterASecondHasPassed() {
        long[] now = {5_000_000_000L};
        TableFormatter table = new TableFormatter(p -> now[0]);
        StringBuilder sb = new StringBuilder();
        table.appendStart(sb);
        Packet p = packet(new Segment("10.0.0.1", "10.0.0.2", 1, 2, ACK));
        now[0] += 999_999_999L;
        table.appendRow(p, sb);
        now[0] += 500_000_000L; // 1.5 s after the header
        table.appendRow(p, sb);
        now[0] += 900_000_000L; // 0.9 s after the repeated header
        table.appendRow(p, sb);
        now[0] += 10_000_000_000L; // idle for 10 s: one header, not ten
        table.appendRow(p, sb);
        String h = TableFormatter.HEADER;
        String r = "        10.0.0.1        10.0.0.2      1      2  0  1  0  0  0  0\n";
        assertThat(sb.toString()).isEqualTo(h + r + h + r + r + h + r);
    }

    @Test
    void aFirstRowLaterThanASecondComesUnderTheFirstHeaderNotASecondOne() {
        long[] now = {5_000_000_000L};
        TableFormatter table = new TableFormatter(p -> now[0]);
        StringBuilder sb = new StringBuilder();
        table.appendStart(sb);
        Packet p = packet(new Segment("10.0.0.1", "10.0.0.2", 1, 2, ACK));
        now[0] += 3_500_000_000L; // the first row 3.5 s after the start
        table.appendRow(p, sb);
        now[0] += 600_000_000L; // 0.6 s after that row: the second counts from it
        table.appendRow(p, sb);
        now[0] += 500_000_000L; // 1.1 s after the first row
        table.appendRow(p, sb);
        String h = TableFormatter.HEADER;
        String r = "        10.0.0.1        10.0.0.2      1      2  0  1  0  0  0  0\n";
        assertThat(sb.toString()).isEqualTo(h + r + r + h + r);
    }

    @Test
    void forFilesTheSecondIsCaptureTimeCountedFromTheFirstRow() {
        TableFormatter table = new TableFormatter(TableFormatter.Clock.CAPTURE);
        StringBuilder sb = new StringBuilder();
        table.appendStart(sb);
        byte[] f = new Segment("10.0.0.1", "10.0.0.2", 1, 2, ACK).frame();
        table.appendRow(new FakePacket(1, 100_000_000_000L, f), sb);
        table.appendRow(new FakePacket(2, 100_900_000_000L, f), sb);
        table.appendRow(new FakePacket(3, 99_000_000_000L, f), sb); // time going back: no header
        table.appendRow(new FakePacket(4, 100_000_000_000L, f), sb); // one second after the going-back
        String h = TableFormatter.HEADER;
        String r = "        10.0.0.1        10.0.0.2      1      2  0  1  0  0  0  0\n";
        assertThat(sb.toString()).isEqualTo(h + r + r + r + h + r);
    }

    // ---- line

    @Test
    void linesReadLikeTcpdumpWithAbsoluteSequenceNumbers() {
        LineFormatter line = new LineFormatter(false, ZoneOffset.UTC);
        assertThat(row(line, packet(new Segment("127.0.0.1", "127.0.0.1", 35352, 4444, PSH | ACK)
                .numbers(340089511L, 92429880L, 64).payload(5))))
                .isEqualTo("08:52:28.099946 IP 127.0.0.1.35352 > 127.0.0.1.4444: Flags [P.], seq 340089511:340089516, "
                        + "ack 92429880, win 64, length 5\n");
        assertThat(row(line, packet(new Segment("10.0.0.1", "10.0.0.2", 1, 2, SYN).numbers(4294967295L, 0, 65535))))
                .isEqualTo("08:52:28.099946 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 4294967295, win 65535, length 0\n");
        assertThat(row(line, packet(new Segment("10.0.0.1", "10.0.0.2", 1, 2, ACK).numbers(5, 6, 7))))
                .as("a pure ACK has no seq")
                .isEqualTo("08:52:28.099946 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [.], ack 6, win 7, length 0\n");
        assertThat(row(line, packet(new Segment("10.0.0.1", "10.0.0.2", 1, 2, URG | ACK | PSH)
                .numbers(4294967295L, 1, 9).payload(2).urgent(1))))
                .as("sequence wraps; urgent pointer shown")
                .isEqualTo("08:52:28.099946 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [P.U], seq 4294967295:1, ack 1, win 9, "
                        + "urg 1, length 2\n");
        assertThat(row(line, packet(new Segment("fd00::1", "fd00::2", 22, 40000, FIN | ACK | AE).numbers(1, 2, 3))))
                .as("tcpdump 4.99.3 prints the flags byte only: no letter for AE")
                .isEqualTo("08:52:28.099946 IP6 fd00::1.22 > fd00::2.40000: Flags [F.], seq 1, ack 2, win 3, length 0\n");
        assertThat(row(line, packet(new Segment("10.0.0.1", "10.0.0.2", 1, 2, 0).numbers(1, 2, 3))))
                .isEqualTo("08:52:28.099946 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [none], win 3, length 0\n");
        assertThat(row(line, cutAfterPorts(new Segment("10.0.0.1", "10.0.0.2", 1, 2, SYN))))
                .as("ports, then the header cut: tcpdump's two spaces before the marker")
                .isEqualTo("08:52:28.099946 IP 10.0.0.1.1 > 10.0.0.2.2:  [|tcp]\n");
    }

    @Test
    void withAllInterfacesLinesStartWithInterfaceAndDirectionAsTcpdumpAny() {
        LineFormatter line = new LineFormatter(true, ZoneOffset.UTC);
        byte[] f = new Segment("10.0.0.1", "10.0.0.2", 1, 2, ACK).numbers(5, 6, 7).frame();
        assertThat(row(line, new FakePacket(1, T, f, f.length, "lo", PacketType.HOST)))
                .isEqualTo("08:52:28.099946 lo    In  IP 10.0.0.1.1 > 10.0.0.2.2: Flags [.], ack 6, win 7, length 0\n");
        assertThat(row(line, new FakePacket(1, T, f, f.length, "veth-long0", PacketType.OUTGOING)))
                .isEqualTo("08:52:28.099946 veth-long0 Out IP 10.0.0.1.1 > 10.0.0.2.2: Flags [.], ack 6, win 7, length 0\n");
        assertThat(row(line, new FakePacket(1, T, f, f.length, "eth0", PacketType.OTHERHOST)))
                .startsWith("08:52:28.099946 eth0  P   IP ");
    }

    // ---- json

    @Test
    void jsonHasEveryFieldWithItsJsonType() {
        byte[] f = new Segment("10.0.0.1", "10.0.0.2", 51167, 22, PSH | ACK).numbers(4294967295L, 7, 502).payload(36).frame();
        assertThat(row(new JsonFormatter(), new FakePacket(12, T, f, f.length, "eth0", PacketType.HOST)))
                .isEqualTo("{\"frame\":12,\"time\":\"2025-11-25T08:52:28.099946123Z\",\"iface\":\"eth0\","
                        + "\"direction\":\"host\",\"ipVersion\":4,\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\","
                        + "\"srcPort\":51167,\"dstPort\":22,\"flags\":24,\"flagNames\":[\"PSH\",\"ACK\"],"
                        + "\"seq\":4294967295,\"ack\":7,\"window\":502,\"length\":36,\"options\":[]}\n");
    }

    @Test
    void jsonFromAFileHasNullInterfaceAndDirectionAndNamesEveryFlag() {
        Packet p = packet(new Segment("2001:db8::1", "::ffff:10.0.0.1", 1, 2, TcpFlags.MASK));
        assertThat(row(new JsonFormatter(), p))
                .contains("\"iface\":null,\"direction\":null,\"ipVersion\":6,\"src\":\"2001:db8::1\","
                        + "\"dst\":\"::ffff:10.0.0.1\"")
                .contains("\"flags\":4095,\"flagNames\":[\"FIN\",\"SYN\",\"RST\",\"PSH\",\"ACK\",\"URG\",\"ECE\","
                        + "\"CWR\",\"AE\",\"RESERVED\"]");
        assertThat(row(new JsonFormatter(), packet(new Segment("10.0.0.1", "10.0.0.2", 1, 2, 0))))
                .contains("\"flags\":0,\"flagNames\":[],");
    }

    private static String jsonOptions(String optionsHex, int captured) {
        byte[] frame = io.panatap.testing.Frames.ethernet(0x0800, io.panatap.testing.Frames.ipv4("10.0.0.1",
                "10.0.0.2", 6, io.panatap.testing.Frames.tcp(1, 2, 3, 4, SYN | ACK, 5,
                        io.panatap.testing.Frames.hex(optionsHex), 0)));
        String json = row(new JsonFormatter(), new FakePacket(1, T, frame, Math.min(captured, frame.length), null,
                PacketType.UNKNOWN));
        return json.substring(json.indexOf(",\"options\":") + 11, json.length() - 2);
    }

    @Test
    void jsonListsTheTcpOptionsWithTcpdumpsNames() {
        assertThat(jsonOptions("0204 05b4 0402 080a 0001 e240 0000 0000 0103 0307", 1000)).isEqualTo(
                "[{\"kind\":2,\"name\":\"mss\",\"length\":4,\"value\":1460,\"data\":\"05b4\"},"
                        + "{\"kind\":4,\"name\":\"sackOK\",\"length\":2},"
                        + "{\"kind\":8,\"name\":\"TS\",\"length\":10,\"val\":123456,\"ecr\":0,"
                        + "\"data\":\"0001e24000000000\"},{\"kind\":1,\"name\":\"nop\"},"
                        + "{\"kind\":3,\"name\":\"wscale\",\"length\":3,\"value\":7,\"data\":\"07\"}]");
        assertThat(jsonOptions("0101 0512 0000 0064 0000 00c8 0000 012c 0000 0190", 1000)).contains(
                "{\"kind\":5,\"name\":\"sack\",\"length\":18,\"blocks\":[[100,200],[300,400]],");
        assertThat(jsonOptions("1e08 2001 0000 0001 2202", 1000))
                .startsWith("[{\"kind\":30,\"name\":\"mptcp\",\"length\":8,\"subtype\":\"dss\",\"data\":\"20010000")
                .endsWith("{\"kind\":34,\"name\":\"tfo\",\"length\":2},{\"kind\":0,\"name\":\"eol\"}]");
        assertThat(jsonOptions("fe06 f989 0102 6304 abcd", 1000)).isEqualTo(
                "[{\"kind\":254,\"name\":\"exp\",\"length\":6,\"magic\":63881,\"data\":\"f9890102\"},"
                        + "{\"kind\":99,\"name\":\"unknown-99\",\"length\":4,\"data\":\"abcd\"},"
                        + "{\"kind\":0,\"name\":\"eol\"}]");
        assertThat(jsonOptions("0101 0201", 1000)).isEqualTo(
                "[{\"kind\":1,\"name\":\"nop\"},{\"kind\":1,\"name\":\"nop\"},"
                        + "{\"kind\":2,\"name\":\"mss\",\"length\":1,\"malformed\":true}]");
        assertThat(jsonOptions("0204 05b4 080a 0000 0001 0000 0002", 14 + 20 + 20 + 7)).as("cut by the capture").isEqualTo(
                "[{\"kind\":2,\"name\":\"mss\",\"length\":4,\"value\":1460,\"data\":\"05b4\"},"
                        + "{\"kind\":8,\"name\":\"TS\",\"length\":10,\"truncated\":true}]");
        assertThat(jsonOptions("", 1000)).isEqualTo("[]");
    }

    @Test
    void jsonLengthIsWhatTheFrameHeldWhenTheIpHeaderClaimsMore() {
        // Whole frame on the wire (54 bytes, no snap-length cut), but the IP total length claims 768 payload
        // bytes more: tshark says Len=0, so must panatap.
        byte[] frame = new Segment("10.0.0.1", "10.0.0.2", 1234, 80, ACK).frame();
        frame[16] = (byte) ((40 + 768) >> 8);
        frame[17] = (byte) (40 + 768);
        assertThat(row(new JsonFormatter(), new FakePacket(1, T, frame))).contains("\"length\":0,");
        // A snap-length cut keeps the length the IP header gives: the bytes were on the wire.
        byte[] whole = new Segment("10.0.0.1", "10.0.0.2", 1234, 80, ACK).payload(100).frame();
        assertThat(row(new JsonFormatter(), new FakePacket(1, T, whole, 60, null, PacketType.UNKNOWN)))
                .contains("\"length\":100,");
    }

    @Test
    void jsonGivesNullForFieldsCutFromTheCapture() {
        assertThat(row(new JsonFormatter(), cutAfterPorts(new Segment("10.0.0.1", "10.0.0.2", 80, 8080, SYN))))
                .isEqualTo("{\"frame\":3,\"time\":\"2025-11-25T08:52:28.099946123Z\",\"iface\":null,"
                        + "\"direction\":null,\"ipVersion\":4,\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\","
                        + "\"srcPort\":80,\"dstPort\":8080,\"flags\":null,\"flagNames\":null,\"seq\":null,"
                        + "\"ack\":null,\"window\":null,\"length\":null,\"options\":null}\n");
    }

    @Test
    void jsonStringsEscapeQuotesBackslashesControlAndNonAsciiCharacters() {
        assertThat(JsonFormatter.string(new StringBuilder(), "a\"b\\c\n\t\u0001é€").toString())
                .isEqualTo("\"a\\\"b\\\\c\\n\\t\\u0001\\u00e9\\u20ac\"");
        assertThat(JsonFormatter.string(new StringBuilder(), null).toString()).isEqualTo("null");
        byte[] f = new Segment("10.0.0.1", "10.0.0.2", 1, 2, ACK).frame();
        assertThat(row(new JsonFormatter(), new FakePacket(1, T, f, f.length, "we\"ird", PacketType.OUTGOING)))
                .contains("\"iface\":\"we\\\"ird\",\"direction\":\"outgoing\"");
    }
}
