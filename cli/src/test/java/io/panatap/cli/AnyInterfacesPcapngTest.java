package io.panatap.cli;

import io.panatap.testing.Netns;
import io.panatap.testing.Prerequisites;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code -w FILE.pcapng} on all interfaces describes each interface with its real link type: real TCP over a
 * veth pair (Ethernet) and over loopback inside a namespace the test creates, written by panatap, by
 * {@code tcpdump -i any} and printed live by panatap with the cooked socket, at the same time; tshark and
 * capinfos read the file.
 */
class AnyInterfacesPcapngTest {
    private static final int PORT = 5556;
    private static Netns net;
    private static Process server;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startServer() {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
        server = net.startTcpSink(PORT);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.destroyForcibly();
        }
        if (net != null) {
            net.close();
        }
    }

    private static final String LOOPBACK_CLIENT = """
            import socket, sys
            for host, family in (('127.0.0.1', socket.AF_INET), ('::1', socket.AF_INET6)):
                s = socket.socket(family, socket.SOCK_STREAM)
                s.connect((host, int(sys.argv[1])))
                s.sendall(b'y' * 3000)
                s.shutdown(socket.SHUT_WR)
                while s.recv(65536):
                    pass
                s.close()
            """;

    private record Running(Process process, Path out, Path err) {
        CommandRunner.Result finish() throws Exception {
            return CommandRunner.finish(process, out, err);
        }
    }

    private static Running start(List<String> command) throws IOException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace()));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("TZ", "UTC");
        return new Running(pb.start(), out, err);
    }

    private static void awaitText(Path file, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(file).contains(text)) {
            assertThat(System.nanoTime()).as("%s shows '%s'", file, text).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void connect(String address) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, PORT), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(new byte[20_000]);
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    /** What was captured, by panatap (pcapng, and rows of the cooked socket) and tcpdump, for one filter. */
    private record Capture(Path pcapng, Path tcpdump, CommandRunner.Result written, CommandRunner.Result rows) {
    }

    private static Capture capture(String name, String filter) throws Exception {
        Path pcapng = dir.resolve(name + ".pcapng");
        Path theirs = dir.resolve(name + "-tcpdump.pcap");
        List<String> expression = List.of(filter.split(" "));
        List<String> tcpdumpCommand = new ArrayList<>(List.of("tcpdump", "-i", "any", "-U", "--immediate-mode", "-w",
                theirs.toString()));
        tcpdumpCommand.addAll(expression);
        Running tcpdump = start(tcpdumpCommand);
        List<String> writeArgs = new ArrayList<>(List.of("-v", "-w", pcapng.toString()));
        writeArgs.addAll(expression);
        Running writer = start(CommandRunner.command(writeArgs.toArray(String[]::new)));
        List<String> rowArgs = new ArrayList<>(List.of("-v", "-Q", "inout", "--format", "json"));
        rowArgs.addAll(expression);
        Running rows = start(CommandRunner.command(rowArgs.toArray(String[]::new)));
        awaitText(writer.err(), "capture ready");
        awaitText(rows.err(), "capture ready");
        awaitText(tcpdump.err(), "listening on any");
        connect(net.peerIpv4());
        connect(net.peerIpv6());
        net.python(LOOPBACK_CLIENT, String.valueOf(PORT));
        Thread.sleep(1000); // tcpdump leaves what is still in its ring when interrupted
        for (Running r : List.of(writer, rows, tcpdump)) {
            Netns.run("kill", "-INT", String.valueOf(r.process().pid()));
        }
        CommandRunner.Result written = writer.finish();
        CommandRunner.Result printed = rows.finish();
        assertThat(tcpdump.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(written.status()).as(written.err()).isZero();
        return new Capture(pcapng, theirs, written, printed);
    }

    private static List<String> tshark(Path file, String... fields) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-r", file.toString(), "-T", "fields", "-E", "separator=,"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        return PcapngTools.run(cmd.toArray(String[]::new));
    }

    /** The IP/TCP view of each packet with its direction, sorted: comparable across link types. */
    private static List<String> packets(Path file, String directionField, boolean pkttype) throws Exception {
        return tshark(file, directionField, "ip.src", "ipv6.src", "tcp.srcport", "tcp.dstport", "tcp.seq_raw",
                "tcp.flags", "tcp.len").stream().map(l -> {
                    String direction = l.substring(0, l.indexOf(','));
                    boolean out = pkttype ? direction.equals("4") : direction.equals("0x00000002");
                    return (out ? "out" : "in") + l.substring(l.indexOf(','));
                }).sorted().toList();
    }

    private static String withoutTimes(String json) {
        return json.replaceAll("\"time\":\"[^\"]+\"", "");
    }

    private static void checkEthernetFile(Capture c, String filter, boolean bothInterfaces) throws Exception {
        List<String> frames = tshark(c.pcapng(), "frame.interface_name", "frame.encap_type", "eth.type",
                "frame.len", "frame.cap_len", "ip.len", "ipv6.plen");
        assertThat(frames).as(filter).isNotEmpty().allSatisfy(l -> {
            String[] f = l.split(",", -1);
            assertThat(f[0]).as(l).isIn(net.peerInterface(), "lo");
            assertThat(f[1]).as("Ethernet: %s", l).isEqualTo("1");
            int frameLength = Integer.parseInt(f[3]);
            assertThat(f[4]).as("whole frames: %s", l).isEqualTo(f[3]);
            // A complete Ethernet frame: 14 bytes of header, then the IP packet (veth pads nothing here).
            int ipLength = f[2].equals("0x0800") ? Integer.parseInt(f[5]) : Integer.parseInt(f[6]) + 40;
            assertThat(f[2]).isIn("0x0800", "0x86dd");
            assertThat(frameLength).as(l).isEqualTo(14 + ipLength);
        });
        if (bothInterfaces) {
            assertThat(frames).anyMatch(l -> l.startsWith("lo,")).anyMatch(l -> l.startsWith(net.peerInterface() + ","));
        }
        String info = String.join("\n", PcapngTools.run("capinfos", c.pcapng().toString()));
        assertThat(info).contains("Encapsulation = Ethernet (1 - ether)").doesNotContain("linux-sll2");
        List<String> ours = packets(c.pcapng(), "frame.packet_flags_direction", false);
        assertThat(c.written().err()).contains(ours.size() + " packets captured\n");
        CommandRunner.Result reread = CommandRunner.run("-r", c.pcapng().toString(), "--format", "json");
        assertThat(reread.lines()).hasSize(ours.size());
        assertThat(withoutTimes(reread.out())).as("%s: read back, the rows the cooked socket printed live", filter)
                .isEqualTo(withoutTimes(c.rows().out()));
        // tcpdump, interrupted, may leave the last packets in its ring: what it wrote, we wrote too.
        assertThat(ours).as("%s: the packets tcpdump -i any wrote", filter)
                .containsAll(packets(c.tcpdump(), "sll.pkttype", true));
    }

    @Test
    void eachInterfaceHasItsEthernetLinkTypeAndTheFileHoldsWhatTcpdumpAnyCaptured() throws Exception {
        Prerequisites.requireTool("tcpdump");
        Prerequisites.requireTool("tshark");
        Capture c = capture("port", "tcp port " + PORT);
        checkEthernetFile(c, "port", true);
        assertThat(tshark(c.pcapng(), "frame.packet_flags_direction")).contains("0x00000001", "0x00000002");
        // Two connections over the veth, two over loopback: at least 4 SYNs, 4 FINs each way.
        assertThat(tshark(c.pcapng(), "tcp.flags.syn")).filteredOn("1"::equals).hasSizeGreaterThanOrEqualTo(8);
    }

    @Test
    void filtersOnFlagsAndOnIpv6KeepTheirMeaning() throws Exception {
        Prerequisites.requireTool("tcpdump");
        Prerequisites.requireTool("tshark");
        Capture syn = capture("syn", "tcp[tcpflags] & tcp-syn != 0 and port " + PORT);
        checkEthernetFile(syn, "syn", true);
        // tcp[] reads IPv4 only, as in tcpdump: SYN and SYN-ACK of the IPv4 connections over veth and loopback.
        assertThat(tshark(syn.pcapng(), "tcp.flags.syn", "ip.version")).as(String.join("\n", packets(syn.pcapng(),
                "frame.packet_flags_direction", false))).hasSize(4).containsOnly("1,4");
        Capture v6 = capture("v6", "ip6 and port " + PORT);
        checkEthernetFile(v6, "ip6", true);
        assertThat(tshark(v6.pcapng(), "eth.type")).containsOnly("0x86dd");
    }

    @Test
    void anExpressionOnTheLengthKeepsTheCookedSocketAndWritesLinuxCookedInterfaces() throws Exception {
        Prerequisites.requireTool("tcpdump");
        Prerequisites.requireTool("tshark");
        Capture c = capture("len", "greater 1 and port " + PORT);
        List<String> frames = tshark(c.pcapng(), "frame.interface_name", "sll.ifindex");
        assertThat(frames).isNotEmpty().allMatch(l -> !l.endsWith(","), "a cooked v2 header on every frame");
        String info = String.join("\n", PcapngTools.run("capinfos", c.pcapng().toString()));
        assertThat(info).contains("Linux cooked-mode capture v2 (210 - linux-sll2)").doesNotContain("(1 - ether)");
        assertThat(packets(c.pcapng(), "frame.packet_flags_direction", false))
                .containsAll(packets(c.tcpdump(), "sll.pkttype", true));
        assertThat(withoutTimes(CommandRunner.run("-r", c.pcapng().toString(), "--format", "json").out()))
                .isEqualTo(withoutTimes(c.rows().out()));
    }

    @Test
    void aClassicPcapOfAllInterfacesStaysLinuxCookedV2() throws Exception {
        Path file = dir.resolve("classic.pcap");
        Running writer = start(CommandRunner.command("-v", "-c", "3", "-w", file.toString(), "port", String.valueOf(PORT)));
        awaitText(writer.err(), "capture ready");
        connect(net.peerIpv4());
        CommandRunner.Result result = writer.finish();
        assertThat(result.status()).isZero();
        byte[] header = Files.readAllBytes(file);
        int linkType = (header[20] & 0xFF) | (header[21] & 0xFF) << 8;
        assertThat(linkType).as("LINKTYPE_LINUX_SLL2").isEqualTo(276);
        assertThat(new String(header, StandardCharsets.ISO_8859_1)).isNotEmpty();
    }
}
