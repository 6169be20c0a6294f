package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.PacketType;
import io.panatap.cli.TestFrames.Segment;
import io.panatap.parse.PacketHeaders;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;

import static io.panatap.parse.TcpFlags.ACK;
import static io.panatap.parse.TcpFlags.PSH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The views' text without tcpdump: timestamps in every {@code -t} mode (deltas, negative deltas, seconds
 * tcpdump cannot convert), dump layouts at line boundaries, the ASCII rules, a VLAN tag the kernel stripped,
 * a capture on all interfaces with {@code -e}, and the JSON keys.
 */
class ViewsFormatTest {
    private static final long T = 1_764_060_748_099_946_123L; // 2025-11-25T08:52:28.099946123Z

    private static String time(int mode, boolean nano, long... nanos) {
        TimestampText t = new TimestampText(mode, nano, ZoneOffset.UTC);
        StringBuilder out = new StringBuilder();
        for (long n : nanos) {
            t.append(out, n).append('|');
        }
        return out.toString();
    }

    @Test
    void timestampsInEveryModeAndPrecision() {
        long later = T + 3_600_000_000_123L; // an hour and 123 ns later
        long earlier = T - 1_500L;
        assertThat(time(0, false, T)).isEqualTo("08:52:28.099946 |");
        assertThat(time(0, true, T)).isEqualTo("08:52:28.099946123 |");
        assertThat(time(1, false, T)).isEqualTo("|");
        assertThat(time(2, false, T)).isEqualTo("1764060748.099946 |");
        assertThat(time(2, true, T)).isEqualTo("1764060748.099946123 |");
        assertThat(time(3, false, T, later, earlier)).isEqualTo(
                " 00:00:00.000000 | 01:00:00.000000 |-01:00:00.000002 |");
        assertThat(time(3, true, T, later, earlier)).isEqualTo(
                " 00:00:00.000000000 | 01:00:00.000000123 |-01:00:00.000001623 |");
        assertThat(time(4, false, T)).isEqualTo("2025-11-25 08:52:28.099946 |");
        assertThat(time(5, false, T, later, earlier, T + 90_000_000_000_000L)).isEqualTo(
                " 00:00:00.000000 | 01:00:00.000000 |-00:00:00.000002 | 01:00:00.000000 |");
        assertThat(time(0, false, 2_147_483_648_000_000_000L, -1_000_000_000L)).isEqualTo(
                "[Error converting time] |[Error converting time] |");
        assertThat(new StringBuilder().append(time(0, false, T)).toString())
                .isEqualTo(new TimestampText(0, false, ZoneId.of("UTC")).append(new StringBuilder(), T) + "|");
    }

    @Test
    void aDeltaFromAReferenceOfZeroStartsAgainLikeTcpdumps() {
        // tcpdump takes a reference of 0.000000 for "not set" and sets it from the next row.
        assertThat(time(3, false, 0, 5_000_000_000L, 6_000_000_000L)).isEqualTo(
                " 00:00:00.000000 | 00:00:00.000000 | 00:00:01.000000 |");
    }

    private static String dump(HexDump.Kind kind, int bytes) {
        byte[] frame = new Segment("10.0.0.1", "10.0.0.2", 1, 2, ACK).payload(bytes).frame();
        StringBuilder out = new StringBuilder();
        new HexDump(kind, true).append(new FakePacket(1, T, Arrays.copyOf(frame, bytes)), out);
        return out.toString();
    }

    @Test
    void hexLinesBreakEverySixteenBytesAndPadTheAsciiColumn() {
        assertThat(dump(HexDump.Kind.HEX, 1)).isEqualTo("\n\t0x0000:  02");
        assertThat(dump(HexDump.Kind.HEX, 17)).isEqualTo(
                "\n\t0x0000:  0200 0000 0002 0200 0000 0001 0800 4500\n\t0x0010:  00");
        assertThat(dump(HexDump.Kind.HEX_ASCII, 15)).isEqualTo(
                "\n\t0x0000:  0200 0000 0002 0200 0000 0001 0800 45    ..............E");
        assertThat(dump(HexDump.Kind.HEX_ASCII, 16)).isEqualTo(
                "\n\t0x0000:  0200 0000 0002 0200 0000 0001 0800 4500  ..............E.");
    }

    @Test
    void offsetsPastSixtyFourKibHaveMoreDigitsAsPrintfGivesThem() {
        StringBuilder out = new StringBuilder();
        byte[] frame = new Segment("10.0.0.1", "10.0.0.2", 1, 2, ACK).payload(70_000).frame();
        new HexDump(HexDump.Kind.HEX, true).append(new FakePacket(1, T, frame), out);
        assertThat(out.toString()).contains("\n\t0xfff0: ").contains("\n\t0x10000: ").contains("\n\t0x11170: ");
    }

    @Test
    void asciiKeepsTextAndNewlinesAndDropsCarriageReturnsBeforeNewlines() {
        byte[] text = "a\r\nb\tc\u0001\u00ff d\rx\ry\r".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] frame = new Segment("10.0.0.1", "10.0.0.2", 1, 2, PSH | ACK).payload(text.length).frame();
        System.arraycopy(text, 0, frame, frame.length - text.length, text.length);
        StringBuilder out = new StringBuilder();
        new HexDump(HexDump.Kind.ASCII, true).append(new FakePacket(1, T, frame), out);
        // \r before \n: nothing; \r before anything else: '.'; \r as the last byte: nothing.
        assertThat(out.toString()).endsWith("a\nb\tc.. d.x.y");
    }

    /** A packet whose outer VLAN tag the kernel removed, as a live capture delivers it. */
    private static Packet stripped(byte[] tagged, int tpid, int tci) {
        byte[] frame = new byte[tagged.length - 4];
        System.arraycopy(tagged, 0, frame, 0, 12);
        System.arraycopy(tagged, 16, frame, 12, tagged.length - 16);
        FakePacket inner = new FakePacket(1, T, frame);
        return new Packet() {
            @Override public long frameNumber() { return 1; }
            @Override public long timestampNanos() { return T; }
            @Override public int captureLength() { return frame.length; }
            @Override public int originalLength() { return frame.length; }
            @Override public int linkType() { return inner.linkType(); }
            @Override public MemorySegment segment() { return inner.segment(); }
            @Override public long frameOffset() { return 0; }
            @Override public int interfaceIndex() { return 3; }
            @Override public String interfaceName() { return "eth0"; }
            @Override public PacketType packetType() { return PacketType.HOST; }
            @Override public boolean hasVlanTag() { return true; }
            @Override public int vlanTci() { return tci; }
            @Override public int vlanTpid() { return tpid; }
            @Override public PacketHeaders headers() { return inner.headers(); }
            @Override public Packet copy() { return this; }
        };
    }

    private static byte[] tagged(byte[] frame, int tpid, int tci) {
        ByteBuffer b = ByteBuffer.allocate(frame.length + 4);
        b.put(frame, 0, 12).putShort((short) tpid).putShort((short) tci).put(frame, 12, frame.length - 12);
        return b.array();
    }

    @Test
    void aTagTheKernelStrippedIsPrintedAndDumpedWhereLibpcapPutsItBack() throws Exception {
        byte[] frame = new Segment("10.0.0.1", "10.0.0.2", 1, 2, PSH | ACK).payload(5).frame();
        byte[] once = tagged(frame, 0x8100, 0x200a);
        byte[] twice = tagged(once, 0x88a8, 0x3014);
        Options views = Options.parse("-e", "-XX");
        for (byte[] inFile : new byte[][] {once, twice}) {
            StringBuilder fromFile = new StringBuilder();
            new LineFormatter(false, ZoneOffset.UTC, views).appendRow(new FakePacket(1, T, inFile), fromFile);
            StringBuilder live = new StringBuilder();
            int tci = inFile == once ? 0x200a : 0x3014;
            int tpid = inFile == once ? 0x8100 : 0x88a8;
            new LineFormatter(false, ZoneOffset.UTC, views).appendRow(stripped(inFile, tpid, tci), live);
            assertThat(live.toString()).isEqualTo(fromFile.toString()).contains("vlan 10, p 1, ");
        }
    }

    @Test
    void allInterfacesWithDashEPrintTheCookedV2FieldsPanatapHas() throws Exception {
        byte[] frame = new Segment("10.0.0.1", "10.0.0.2", 1, 2, ACK).frame();
        StringBuilder out = new StringBuilder();
        new LineFormatter(true, ZoneOffset.UTC, Options.parse("-e", "-t"))
                .appendRow(new FakePacket(1, T, frame, frame.length, "eth0", PacketType.OUTGOING), out);
        assertThat(out.toString()).startsWith("eth0  Out ifindex 1 ethertype IPv4 (0x0800), length 74: 10.0.0.1.1 > ");
    }

    @Test
    void numbersArePaddedToFiveAsTcpdumpsAndCountRowsPrinted() throws Exception {
        byte[] frame = new Segment("10.0.0.1", "10.0.0.2", 1, 2, ACK).frame();
        LineFormatter line = new LineFormatter(false, ZoneOffset.UTC, Options.parse("-#", "-t"));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 100_001; i++) {
            out.setLength(0);
            line.appendRow(new FakePacket(i, T, frame), out);
            if (i == 0) {
                assertThat(out.toString()).startsWith("    1  IP 10.0.0.1.1 > ");
            }
        }
        assertThat(out.toString()).startsWith("100001  IP ");
    }

    @Test
    void jsonGainsTheKeysTheViewsReveal() throws Exception {
        byte[] frame = tagged(new Segment("10.0.0.1", "10.0.0.2", 1, 2, ACK).frame(), 0x8100, 0x100a);
        StringBuilder out = new StringBuilder();
        JsonFormatter json = new JsonFormatter(Options.parse("--format", "json", "-e", "-#", "-x", "--micro"));
        json.appendRow(new FakePacket(7, T, frame), out);
        assertThat(out.toString()).contains("\"time\":\"2025-11-25T08:52:28.099946Z\"")
                .contains(",\"number\":1,\"srcMac\":\"02:00:00:00:00:01\",\"dstMac\":\"02:00:00:00:00:02\","
                        + "\"etherType\":2048,\"vlans\":[{\"id\":10,\"pcp\":0,\"dei\":true}],\"wireLength\":58,"
                        + "\"hex\":\"45000028")
                .contains("\"ipVersion\":4,\"src\":\"10.0.0.1\"");
        StringBuilder plain = new StringBuilder();
        new JsonFormatter(Options.parse("--format", "json")).appendRow(new FakePacket(7, T, frame), plain);
        assertThat(plain.toString()).contains("\"time\":\"2025-11-25T08:52:28.099946123Z\"").doesNotContain("Mac");
    }
}
