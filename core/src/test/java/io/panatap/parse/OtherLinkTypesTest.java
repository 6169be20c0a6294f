package io.panatap.parse;

import io.panatap.testing.Frames;
import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.panatap.parse.ParseSupport.parse;
import static io.panatap.parse.ParseSupport.source;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * BSD loopback (NULL, LOOP) and PPP (PPP, PPP_HDLC, PPPoE) frames built here parse to the TCP that tshark and
 * tcpdump find in the same bytes, written to a pcap file of that link type.
 *
 * <p>Where the two tools differ, panatap follows one and the case says which: tcpdump also reads a
 * little-endian address family in a LOOP frame and tshark does not (panatap follows tshark: LOOP is network
 * order); tshark also reads a PPP_HDLC frame without 0xff 0x03 and tcpdump does not (panatap follows tshark);
 * tshark reads PPP in a PPPoE frame whatever its code and tcpdump only in session frames (panatap follows
 * tcpdump and libpcap: only session frames carry PPP).
 */
class OtherLinkTypesTest {
    private static final int AF_INET = 2;

    /** What a frame is: TCP over IPv4 or IPv6, or not TCP at all. */
    private enum Kind { IPV4, IPV6, NONE }

    /** A frame of {@code linkType}; {@code tshark}/{@code tcpdump}: the tool finds the same (else it differs). */
    private record Case(String name, int linkType, ByteOrder fileOrder, byte[] frame, Kind kind, int port,
                        boolean tshark, boolean tcpdump) {
    }

    @TempDir
    Path dir;

    private static int nextPort = 40000;

    private static byte[] v4(int port) {
        return Frames.ipv4Tcp("192.0.2.1", "198.51.100.2", port, 443, TcpFlags.SYN, 0);
    }

    private static byte[] v6(int port) {
        return Frames.ipv6Tcp("2001:db8::1", "2001:db8::2", port, 443, TcpFlags.SYN, 0);
    }

    private static Case tcp(String name, int linkType, ByteOrder fileOrder, Kind kind, FrameOf frame) {
        int port = nextPort++;
        return new Case(name, linkType, fileOrder, frame.of(kind == Kind.IPV6 ? v6(port) : v4(port)), kind, port,
                true, true);
    }

    private static Case none(String name, int linkType, ByteOrder fileOrder, FrameOf frame) {
        int port = nextPort++;
        return new Case(name, linkType, fileOrder, frame.of(v4(port)), Kind.NONE, port, true, true);
    }

    private static Case differs(Case c, boolean tshark, boolean tcpdump) {
        return new Case(c.name, c.linkType, c.fileOrder, c.frame, c.kind, c.port, tshark, tcpdump);
    }

    private interface FrameOf {
        byte[] of(byte[] ip);
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // NULL: the host's byte order, which may differ from the file's; every address family in both.
        for (ByteOrder file : List.of(LITTLE_ENDIAN, BIG_ENDIAN)) {
            for (ByteOrder family : List.of(LITTLE_ENDIAN, BIG_ENDIAN)) {
                String where = " family " + family + " in a " + file + " file";
                cases.add(tcp("NULL AF_INET" + where, LinkType.NULL, file, Kind.IPV4,
                        ip -> Frames.loopback(AF_INET, family, ip)));
                for (int af6 : new int[] {24, 28, 30}) {
                    cases.add(tcp("NULL AF_INET6 " + af6 + where, LinkType.NULL, file, Kind.IPV6,
                            ip -> Frames.loopback(af6, family, ip)));
                }
                // Linux's AF_INET6 and an unknown family are not IP to either tool.
                cases.add(none("NULL family 10" + where, LinkType.NULL, file, ip -> Frames.loopback(10, family, ip)));
                cases.add(none("NULL family 7" + where, LinkType.NULL, file, ip -> Frames.loopback(7, family, ip)));
            }
        }
        cases.add(tcp("LOOP AF_INET", LinkType.LOOP, LITTLE_ENDIAN, Kind.IPV4,
                ip -> Frames.loopback(AF_INET, BIG_ENDIAN, ip)));
        for (int af6 : new int[] {24, 28, 30}) {
            cases.add(tcp("LOOP AF_INET6 " + af6, LinkType.LOOP, LITTLE_ENDIAN, Kind.IPV6,
                    ip -> Frames.loopback(af6, BIG_ENDIAN, ip)));
        }
        cases.add(none("LOOP family 10", LinkType.LOOP, LITTLE_ENDIAN, ip -> Frames.loopback(10, BIG_ENDIAN, ip)));
        cases.add(differs(none("LOOP AF_INET little-endian", LinkType.LOOP, LITTLE_ENDIAN,
                ip -> Frames.loopback(AF_INET, LITTLE_ENDIAN, ip)), true, false));
        for (boolean hdlc : new boolean[] {true, false}) {
            String with = hdlc ? " with ff03" : " without ff03";
            cases.add(tcp("PPP IPv4" + with, LinkType.PPP, LITTLE_ENDIAN, Kind.IPV4,
                    ip -> Frames.ppp(hdlc, 0x0021, ip)));
            cases.add(tcp("PPP IPv6" + with, LinkType.PPP, LITTLE_ENDIAN, Kind.IPV6,
                    ip -> Frames.ppp(hdlc, 0x0057, ip)));
            // LCP (0xc021) is not IP.
            cases.add(none("PPP LCP" + with, LinkType.PPP, LITTLE_ENDIAN, ip -> Frames.ppp(hdlc, 0xc021, ip)));
            // Protocol-field compression: IPv4 as the one byte 0x21.
            cases.add(tcp("PPP IPv4 compressed protocol" + with, LinkType.PPP, LITTLE_ENDIAN, Kind.IPV4,
                    ip -> Frames.concat(hdlc ? Frames.hex("ff0321") : Frames.hex("21"), ip)));
        }
        cases.add(tcp("PPP_HDLC IPv4", LinkType.PPP_HDLC, LITTLE_ENDIAN, Kind.IPV4, ip -> Frames.ppp(true, 0x0021, ip)));
        cases.add(tcp("PPP_HDLC IPv6", LinkType.PPP_HDLC, LITTLE_ENDIAN, Kind.IPV6, ip -> Frames.ppp(true, 0x0057, ip)));
        cases.add(none("PPP_HDLC LCP", LinkType.PPP_HDLC, LITTLE_ENDIAN, ip -> Frames.ppp(true, 0xc021, ip)));
        cases.add(differs(tcp("PPP_HDLC without ff03", LinkType.PPP_HDLC, LITTLE_ENDIAN, Kind.IPV4,
                ip -> Frames.ppp(false, 0x0021, ip)), true, false));
        cases.add(tcp("PPP_HDLC holding Cisco HDLC", LinkType.PPP_HDLC, LITTLE_ENDIAN, Kind.IPV4,
                ip -> Frames.concat(Frames.hex("0f000800"), ip)));
        cases.add(tcp("PPPoE session IPv4", LinkType.PPP_ETHER, LITTLE_ENDIAN, Kind.IPV4,
                ip -> Frames.pppoe(0x00, 0x1234, 0x0021, ip)));
        cases.add(tcp("PPPoE session IPv6", LinkType.PPP_ETHER, LITTLE_ENDIAN, Kind.IPV6,
                ip -> Frames.pppoe(0x00, 0x1234, 0x0057, ip)));
        cases.add(differs(none("PPPoE PADI code 0x09", LinkType.PPP_ETHER, LITTLE_ENDIAN,
                ip -> Frames.pppoe(0x09, 0x1234, 0x0021, ip)), false, true));
        cases.add(none("PPPoE session LCP", LinkType.PPP_ETHER, LITTLE_ENDIAN,
                ip -> Frames.pppoe(0x00, 0x1234, 0xc021, ip)));
        return cases;
    }

    @Test
    void framesParseToTheirTcp() {
        for (Case c : cases()) {
            PacketHeaders h = parse(c.frame, c.linkType);
            if (c.kind == Kind.NONE) {
                assertThat(h.status()).as(c.name).isEqualTo(ParseStatus.NOT_TCP);
                continue;
            }
            assertThat(h.status()).as(c.name).isEqualTo(ParseStatus.OK);
            assertThat(h.ipVersion()).as(c.name).isEqualTo(c.kind == Kind.IPV4 ? 4 : 6);
            assertThat(source(h)).as(c.name).isEqualTo(c.kind == Kind.IPV4 ? "192.0.2.1" : "2001:db8::1");
            assertThat(h.sourcePort()).as(c.name).isEqualTo(c.port);
            assertThat(h.destinationPort()).as(c.name).isEqualTo(443);
            int ip = c.frame.length - (c.kind == Kind.IPV4 ? 20 : 40) - 20;
            assertThat(h.ipOffset()).as(c.name).isEqualTo(ip);
        }
    }

    @Test
    void headersCutInsideTheLinkHeaderAreTruncatedLinks() {
        for (Case c : cases()) {
            int link = c.frame.length - (c.kind == Kind.IPV6 ? 60 : 40);
            for (int cut = 0; cut < link && c.kind != Kind.NONE; cut++) {
                PacketHeaders h = parse(Frames.slice(c.frame, 0, cut), c.linkType);
                assertThat(h.status()).as("%s cut to %d", c.name, cut).isIn(ParseStatus.TRUNCATED, ParseStatus.NOT_TCP);
                if (cut < Math.min(link, 2)) {
                    assertThat(h.problemLayer()).as("%s cut to %d", c.name, cut).isEqualTo(Layer.LINK);
                }
            }
        }
        assertThat(parse(Frames.hex("020000"), LinkType.NULL).problemLayer()).isEqualTo(Layer.LINK);
        assertThat(parse(Frames.hex("ff0300"), LinkType.PPP).status()).isEqualTo(ParseStatus.TRUNCATED);
        assertThat(parse(Frames.hex("1100123400"), LinkType.PPP_ETHER).status()).isEqualTo(ParseStatus.TRUNCATED);
        assertThat(parse(Frames.hex("11001234000200"), LinkType.PPP_ETHER).problemLayer()).isEqualTo(Layer.LINK);
    }

    @Test
    void tsharkFindsTheSameTcp() throws Exception {
        Path tshark = Prerequisites.requireTool("tshark");
        for (List<Case> file : files()) {
            Path pcap = write(file);
            List<String> lines = run(tshark.toString(), "-r", pcap.toString(), "-T", "fields", "-E", "separator=,",
                    "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport");
            assertThat(lines).as("%s", file.getFirst().name).hasSize(file.size());
            for (int i = 0; i < file.size(); i++) {
                Case c = file.get(i);
                String expected = switch (c.kind) {
                    case IPV4 -> "192.0.2.1,," + c.port;
                    case IPV6 -> ",2001:db8::1," + c.port;
                    case NONE -> ",,";
                };
                if (c.tshark) {
                    assertThat(lines.get(i)).as("tshark on %s", c.name).isEqualTo(expected);
                } else {
                    assertThat(lines.get(i)).as("tshark differs on %s", c.name).isNotEqualTo(expected);
                }
            }
        }
    }

    @Test
    void tcpdumpFindsTheSameTcp() throws Exception {
        Path tcpdump = Prerequisites.requireTool("tcpdump");
        for (List<Case> file : files()) {
            Path pcap = write(file);
            List<String> lines = new ArrayList<>();
            for (String line : run(tcpdump.toString(), "-n", "-tt", "-r", pcap.toString())) {
                if (!line.startsWith("\t")) {
                    lines.add(line); // hex dumps of what tcpdump did not decode follow their line
                }
            }
            assertThat(lines).as("%s", file.getFirst().name).hasSize(file.size());
            for (int i = 0; i < file.size(); i++) {
                Case c = file.get(i);
                String line = lines.get(i);
                boolean found = switch (c.kind) {
                    case IPV4 -> line.contains(" IP 192.0.2.1." + c.port + " > ");
                    case IPV6 -> line.contains(" IP6 2001:db8::1." + c.port + " > ");
                    case NONE -> !line.contains("." + c.port + " > ");
                };
                assertThat(found).as("tcpdump %s on %s: %s", c.tcpdump ? "agrees" : "differs", c.name, line)
                        .isEqualTo(c.tcpdump);
            }
        }
    }

    /** The cases grouped into files: one per link type and file byte order. */
    private static List<List<Case>> files() {
        List<List<Case>> files = new ArrayList<>();
        for (Case c : cases()) {
            List<Case> last = files.isEmpty() ? null : files.getLast();
            if (last != null && last.getFirst().linkType == c.linkType && last.getFirst().fileOrder == c.fileOrder) {
                last.add(c);
            } else {
                files.add(new ArrayList<>(List.of(c)));
            }
        }
        return files;
    }

    private Path write(List<Case> cases) throws Exception {
        Case first = cases.getFirst();
        Path file = dir.resolve("link-" + first.linkType + "-" + first.fileOrder + ".pcap");
        Files.write(file, Frames.pcapFile(first.linkType, first.fileOrder, cases.stream().map(Case::frame).toList()));
        return file;
    }

    private static List<String> run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s", String.join(" ", command)).isZero();
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
}
