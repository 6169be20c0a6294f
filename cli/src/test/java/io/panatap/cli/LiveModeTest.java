package io.panatap.cli;

import io.panatap.pcap.CaptureFileReader;
import io.panatap.parse.LinkType;
import io.panatap.testing.Frames;
import io.panatap.testing.Netns;
import io.panatap.testing.PcapngStatistics;
import io.panatap.testing.Prerequisites;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command capturing live, run as a process inside a network namespace the test creates; the test
 * connects from its own namespace over a veth pair to a server in the namespace. With the default
 * {@code -Q in}, the namespace receives exactly SYN, ACK, PSH+ACK (data), FIN+ACK and the last ACK from the
 * client of each connection.
 */
class LiveModeTest {
    private static final int PORT = 5555;
    static Netns net;
    static Process server;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startServer() throws IOException {
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

    /** The command running inside the namespace, its output going to files. */
    record Running(Process process, Path out, Path err) {
        /** Waits for "capture ready" on stderr (the command runs with -v). */
        void awaitReady() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(err).contains("capture ready")) {
                assertThat(process.isAlive()).as("still running; stderr: %s", Files.readString(err)).isTrue();
                assertThat(System.nanoTime()).as("ready within 30 s").isLessThan(deadline);
                Thread.sleep(20);
            }
        }

        CommandRunner.Result finish() throws Exception {
            return CommandRunner.finish(process, out, err);
        }

        String stdout() throws IOException {
            return Files.readString(out);
        }
    }

    static Running start(List<String> prefix, String... args) throws IOException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("ip", "netns", "exec", net.namespace()));
        cmd.addAll(CommandRunner.command(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("TZ", "UTC");
        return new Running(pb.start(), out, err);
    }

    static Running start(String... args) throws IOException {
        return start(List.of(), args);
    }

    /** Connects from the test's namespace, sends "hello", half-closes, waits for the server to close; returns the local port. */
    static int connection(String address) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, PORT), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            return s.getLocalPort();
        }
    }

    private static String row(String src, String dst, int sport, int dport, String flags) {
        StringBuilder sb = new StringBuilder(" ");
        TableFormatter.padLeft(sb, src, 15);
        sb.append(' ');
        TableFormatter.padLeft(sb, dst, 15);
        sb.append("  ");
        TableFormatter.padLeft(sb, sport, 5);
        sb.append("  ");
        TableFormatter.padLeft(sb, dport, 5);
        return sb.append("  ").append(flags).append('\n').toString();
    }

    private static final String SYN = "0  0  0  0  1  0";
    private static final String ACK = "0  1  0  0  0  0";
    private static final String PSH_ACK = "0  1  1  0  0  0";
    private static final String FIN_ACK = "0  1  0  0  0  1";

    @Test
    void theDefaultTablePrintsReceivedSegmentsOnAllInterfacesAndItsStatistics() throws Exception {
        Running r = start("-v", "-c", "5");
        r.awaitReady();
        Thread.sleep(1200); // a second passes before the first row: the header is not printed twice
        int port = connection(net.peerIpv4());
        CommandRunner.Result result = r.finish();
        String c = net.hostIpv4();
        String s = net.peerIpv4();
        assertThat(result.out()).isEqualTo(TableFormatter.HEADER
                + row(c, s, port, PORT, SYN) + row(c, s, port, PORT, ACK) + row(c, s, port, PORT, PSH_ACK)
                + row(c, s, port, PORT, FIN_ACK) + row(c, s, port, PORT, ACK));
        assertThat(result.status()).isZero();
        assertThat(result.err()).matches("(?s)panatap: capture ready on any after \\d+ ms\n"
                + "5 packets captured\n\\d+ packets received by filter\n0 packets dropped by kernel\n");
    }

    @Test
    void ipv6AddressesWidenTheirColumns() throws Exception {
        Running r = start("-v", "-c", "1", "-i", net.peerInterface());
        r.awaitReady();
        int port = connection(net.peerIpv6());
        CommandRunner.Result result = r.finish();
        assertThat(result.status()).isZero();
        assertThat(result.out()).isEqualTo(TableFormatter.HEADER
                + row(rfc5952(net.hostIpv6()), rfc5952(net.peerIpv6()), port, PORT, SYN));
        assertThat(result.err()).contains("1 packet captured\n");
    }

    @Test
    void linesShowInterfaceAndDirectionWithAllInterfaces() throws Exception {
        Running r = start("-v", "-c", "5", "--format", "line");
        r.awaitReady();
        int port = connection(net.peerIpv4());
        CommandRunner.Result result = r.finish();
        assertThat(result.status()).isZero();
        // -v (for "capture ready") also gives tcpdump -v's rows: the IP header, then the TCP line with its
        // checksum check (veth offload leaves the checksum to the NIC, so tcpdump says "incorrect" too).
        String prefix = "\\d\\d:\\d\\d:\\d\\d\\.\\d{6} " + net.peerInterface() + " In  IP \\(tos .*?, length \\d+\\) "
                + quote(net.hostIpv4()) + "\\." + port + " > " + quote(net.peerIpv4()) + "\\." + PORT + ": Flags ";
        String cksum = "cksum 0x[0-9a-f]{4} \\([^)]*\\), ";
        String options = ", options \\[[^\\]]*\\]";
        List<String> lines = result.rows();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).matches(prefix + "\\[S\\], " + cksum + "seq \\d+, win \\d+" + options + ", length 0");
        assertThat(lines.get(1)).matches(prefix + "\\[\\.\\], " + cksum + "ack \\d+, win \\d+" + options + ", length 0");
        assertThat(lines.get(2)).matches(prefix + "\\[P\\.\\], " + cksum + "seq \\d+:\\d+, ack \\d+, win \\d+" + options
                + ", length 5");
        assertThat(lines.get(3)).matches(prefix + "\\[F\\.\\], " + cksum + "seq \\d+, ack \\d+, win \\d+" + options
                + ", length 0");
        assertThat(lines.get(4)).matches(prefix + "\\[\\.\\], " + cksum + "ack \\d+, win \\d+" + options + ", length 0");
        long isn = Long.parseLong(lines.get(0).replaceAll(".*seq (\\d+),.*", "$1"));
        assertThat(lines.get(2)).contains("seq " + ((isn + 1) & 0xFFFFFFFFL) + ":" + ((isn + 6) & 0xFFFFFFFFL) + ",");
    }

    @Test
    void jsonNamesTheInterfaceAndDirection() throws Exception {
        Running r = start("-v", "-c", "3", "--format", "json", "-i", net.peerInterface());
        r.awaitReady();
        int port = connection(net.peerIpv4());
        CommandRunner.Result result = r.finish();
        assertThat(result.status()).isZero();
        List<String> lines = result.lines();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).matches("\\{\"frame\":3,\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z\","
                + "\"iface\":\"" + net.peerInterface() + "\",\"direction\":\"host\",\"ipVersion\":4,"
                + "\"src\":\"" + quote(net.hostIpv4()) + "\",\"dst\":\"" + quote(net.peerIpv4()) + "\","
                + "\"srcPort\":" + port + ",\"dstPort\":5555,\"flags\":24,\"flagNames\":\\[\"PSH\",\"ACK\"\\],"
                + "\"seq\":\\d+,\"ack\":\\d+,\"window\":\\d+,\"length\":5,\"options\":\\[.*\\]\\}");
    }

    @Test
    void directionOutCapturesWhatTheNamespaceSends() throws Exception {
        Running r = start("-v", "-c", "1", "-Q", "out", "-i", net.peerInterface());
        r.awaitReady();
        int port = connection(net.peerIpv4());
        CommandRunner.Result result = r.finish();
        assertThat(result.status()).isZero();
        assertThat(result.out()).isEqualTo(TableFormatter.HEADER
                + row(net.peerIpv4(), net.hostIpv4(), PORT, port, "0  1  0  0  1  0"));
    }

    @Test
    void aFilterExpressionRunsInTheKernel() throws Exception {
        Running r = start("-v", "-c", "2", "-Q", "inout", "-i", net.peerInterface(), "src", "port", "5555");
        r.awaitReady();
        int port = connection(net.peerIpv4());
        CommandRunner.Result result = r.finish();
        assertThat(result.status()).isZero();
        assertThat(result.lines()).hasSize(3 + 2);
        assertThat(result.out()).startsWith(TableFormatter.HEADER
                + row(net.peerIpv4(), net.hostIpv4(), PORT, port, "0  1  0  0  1  0"));
        assertThat(result.lines().get(4) + "\n").startsWith(row(net.peerIpv4(), net.hostIpv4(), PORT, port, "").stripTrailing());
    }

    @Test
    void vlanFiltersMatchTheTagTheKernelKeepsAsMetadataAsLiveTcpdumpDoes() throws Exception {
        // The kernel strips the tag of a received 802.1Q frame into metadata before the socket filter runs.
        Running vlan100 = start("-v", "-c", "1", "-n", "--format", "line", "-i", net.peerInterface(), "vlan", "100",
                "and", "tcp", "dst", "port", Integer.toString(PORT));
        Running vlan200 = start("-v", "-c", "1", "-n", "--format", "line", "-i", net.peerInterface(), "vlan", "200");
        Running untagged = start("-v", "-c", "1", "-n", "--format", "line", "-i", net.peerInterface(), "not", "vlan");
        for (Running r : List.of(vlan100, vlan200, untagged)) {
            r.awaitReady();
        }
        // Sent from the host end to an address that is not the peer's MAC: the peer's stack drops them.
        byte[] plain = Frames.ethernetIpv4Tcp(net.hostIpv4(), net.peerIpv4(), 3333, PORT, 0x02, 0);
        Path frames = dir.resolve("vlan-frames.hex");
        Files.writeString(frames, String.join("\n", HexFormat.of().formatHex(Frames.vlan(
                Frames.ethernetIpv4Tcp(net.hostIpv4(), net.peerIpv4(), 1111, PORT, 0x02, 0), 100)),
                HexFormat.of().formatHex(Frames.vlan(
                        Frames.ethernetIpv4Tcp(net.hostIpv4(), net.peerIpv4(), 2222, PORT, 0x02, 0), 200)),
                HexFormat.of().formatHex(plain)) + "\n");
        Netns.run("/usr/bin/python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                s.bind((sys.argv[1], 0))
                for line in open(sys.argv[2]):
                    s.send(bytes.fromhex(line.strip()))
                """, net.hostInterface(), frames.toString());
        String from = net.hostIpv4() + ".";
        String to = " > " + net.peerIpv4() + "." + PORT + ": Flags [S]";
        for (var expected : List.of(Map.entry(vlan100, 1111), Map.entry(vlan200, 2222), Map.entry(untagged, 3333))) {
            CommandRunner.Result result = expected.getKey().finish();
            assertThat(result.status()).isZero();
            assertThat(result.rows()).singleElement().asString().contains(from + expected.getValue() + to);
        }
    }

    @Test
    void aLiveFilterThatDoesNotCompileIsAUsageErrorWithOrWithoutWorkers() throws Exception {
        for (List<String> workers : List.of(List.<String>of(), List.of("--workers", "2"))) {
            List<String> args = new java.util.ArrayList<>(workers);
            args.addAll(List.of("-i", net.peerInterface(), "tcp", "port", "banana"));
            CommandRunner.Result result = start(args.toArray(String[]::new)).finish();
            assertThat(result.status()).as(args.toString()).isEqualTo(2);
            assertThat(result.out()).isEmpty();
            assertThat(result.err()).startsWith("panatap: filter 'tcp port banana': ").endsWith(" (see panatap -h)\n");
            assertThat(result.err().lines()).hasSize(1);
        }
    }

    @Test
    void dashDPrintsTheKernelProgramForTheInterface() throws Exception {
        CommandRunner.Result result = start("-d", "-i", net.peerInterface(), "port", "22").finish();
        assertThat(result.status()).isZero();
        assertThat(result.lines().get(0)).isEqualTo("(000) ldh      [12]");
        CommandRunner.Result any = start("-d").finish();
        assertThat(any.status()).isZero();
        assertThat(any.lines()).isNotEmpty().allMatch(l -> l.matches("\\(\\d{3}\\) .*"));
    }

    @Test
    void writesAPcapThatTheReaderAndTcpdumpRead() throws Exception {
        Path file = dir.resolve("live.pcap");
        Running r = start("-v", "-c", "5", "-Q", "in", "-w", file.toString());
        r.awaitReady();
        connection(net.peerIpv4());
        CommandRunner.Result result = r.finish();
        assertThat(result.status()).isZero();
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("5 packets captured\n");
        assertThat(ReadModeTest.frames(file)).hasSize(5);
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            assertThat(reader.linkType()).as("all interfaces: cooked v2, as tcpdump -i any")
                    .isEqualTo(LinkType.LINUX_SLL2);
        }
        CommandRunner.Result reread = CommandRunner.run("-r", file.toString(), "--format", "json");
        assertThat(reread.lines()).hasSize(5).allMatch(l -> l.contains("\"dstPort\":5555"))
                .allMatch(l -> l.contains("\"direction\":\"host\""));
        if (Prerequisites.optionalTool("tcpdump") != null) {
            assertThat(tcpdumpRead(file)).hasSize(5);
        }
    }

    /** {@code tcpdump -n -r file}, each line without its timestamp. */
    private static List<String> tcpdumpRead(Path file) throws Exception {
        Process p = new ProcessBuilder("tcpdump", "-n", "-r", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        return text.lines().map(l -> l.replaceFirst("^\\S+ ", "")).toList();
    }

    /** Waits until {@code file} holds {@code text}, or fails after 30 s. */
    private static void awaitText(Path file, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(file).contains(text)) {
            assertThat(System.nanoTime()).as("%s shows '%s'", file, text).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void interrupt(Process p) {
        Netns.run("kill", "-INT", String.valueOf(p.pid()));
    }

    /** tcpdump in the namespace writing {@code file} packet by packet from {@code iface}, port {@link #PORT} only. */
    private record Tcpdump(Process process, Path err, String iface) {
        static Tcpdump start(Path file, String iface, String... options) throws IOException {
            Path err = Files.createTempFile(dir, "tcpdump", ".txt");
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace(), "tcpdump", "-i", iface));
            cmd.addAll(List.of(options));
            cmd.addAll(List.of("-U", "--immediate-mode", "-w", file.toString(), "tcp", "port", String.valueOf(PORT)));
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return new Tcpdump(p, err, iface);
        }

        void awaitListening() throws Exception {
            awaitText(err, "listening on " + iface);
        }

        /** Stops the command and tcpdump a second after the traffic (tcpdump leaves what is still in its ring). */
        CommandRunner.Result stopWith(Running command) throws Exception {
            Thread.sleep(1000);
            interrupt(command.process());
            interrupt(process);
            CommandRunner.Result result = command.finish();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return result;
        }
    }

    @Test
    void onAllInterfacesWritesBothDirectionsAsSll2WhichTcpdumpReadsAsItsOwnAnyCapture() throws Exception {
        Prerequisites.requireTool("tcpdump");
        Path ours = dir.resolve("any-ours.pcap");
        Path theirs = dir.resolve("any-tcpdump.pcap");
        Tcpdump tcpdump = Tcpdump.start(theirs, "any");
        Running r = start("-v", "-w", ours.toString(), "tcp", "port", String.valueOf(PORT));
        r.awaitReady();
        tcpdump.awaitListening();
        connection(net.peerIpv4());
        CommandRunner.Result result = tcpdump.stopWith(r);
        assertThat(result.status()).isZero();
        List<String> expected = tcpdumpRead(theirs);
        assertThat(expected).as("tcpdump saw both directions").anyMatch(l -> l.contains(" Out "))
                .anyMatch(l -> l.contains(" In "));
        assertThat(tcpdumpRead(ours)).isEqualTo(expected);
        assertThat(result.err()).contains(expected.size() + " packets captured\n");

        // Rows read back show the direction, from panatap's file and from tcpdump's alike.
        CommandRunner.Result fromOurs = CommandRunner.run("-r", ours.toString(), "--format", "json");
        CommandRunner.Result fromTheirs = CommandRunner.run("-r", theirs.toString(), "--format", "json");
        assertThat(fromOurs.lines()).hasSize(expected.size()).noneMatch(l -> l.contains("\"direction\":null"))
                .anyMatch(l -> l.contains("\"direction\":\"outgoing\""));
        assertThat(fromOurs.out().replaceAll("\"time\":\"[^\"]+\"", ""))
                .isEqualTo(fromTheirs.out().replaceAll("\"time\":\"[^\"]+\"", ""));
        if (Prerequisites.optionalTool("tshark") != null) {
            assertThat(PcapngTools.run("tshark", "-r", ours.toString(), "-T", "fields", "-e", "sll.pkttype"))
                    .hasSize(expected.size()).contains("0", "4");
        }
    }

    /**
     * On one interface: a transfer of a few MB (full-sized and GSO frames, many ring blocks) and short
     * connections, written beside tcpdump, read back byte for byte as tcpdump's own file (but for the
     * timestamps).
     */
    @Test
    void onOneInterfaceWritesTheFramesTcpdumpWritesByteForByte() throws Exception {
        Prerequisites.requireTool("tcpdump");
        Path ours = dir.resolve("one-ours.pcap");
        Path theirs = dir.resolve("one-tcpdump.pcap");
        Tcpdump tcpdump = Tcpdump.start(theirs, net.peerInterface(), "-B", "32768");
        Running r = start("-v", "-i", net.peerInterface(), "-w", ours.toString(), "tcp", "port", String.valueOf(PORT));
        r.awaitReady();
        tcpdump.awaitListening();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(net.peerIpv4(), PORT), 5000);
            s.setSoTimeout(10000);
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) (i * 31);
            }
            for (int i = 0; i < 48; i++) {
                s.getOutputStream().write(chunk);
                Thread.sleep(5); // veth hands over 64 KiB frames: paced, so that neither ring overflows
            }
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        for (int i = 0; i < 20; i++) {
            connection(net.peerIpv4());
        }
        CommandRunner.Result result = tcpdump.stopWith(r);
        assertThat(result.status()).isZero();
        assertThat(result.err()).contains("\n0 packets dropped by kernel");
        assertThat(Files.readString(tcpdump.err())).contains("\n0 packets dropped by kernel");
        List<String> expected = tcpdumpHex(theirs);
        assertThat(expected.size()).as("tcpdump's lines").isGreaterThan(20 * 5 * 3);
        assertThat(tcpdumpHex(ours)).isEqualTo(expected);
        assertThat(Files.size(ours)).isEqualTo(Files.size(theirs));
    }

    /**
     * {@code tcpdump -n -xx -r file}: each packet's line without its time (on a veth each packet socket takes
     * its own), and its bytes in hex.
     */
    private static List<String> tcpdumpHex(Path file) throws Exception {
        Process p = new ProcessBuilder("tcpdump", "-n", "-xx", "-r", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        return text.lines().map(l -> l.replaceFirst("^\\d\\d:\\d\\d:\\d\\d\\.\\d+ ", "")).toList();
    }

    @Test
    void onAllInterfacesWritesPcapngThatReadsBackToTheLiveRowsWithInterfacesDirectionsAndStatistics()
            throws Exception {
        Prerequisites.requireTool("tshark");
        Path file = dir.resolve("any.pcapng");
        Running rows = start("-v", "-Q", "inout", "--format", "json", "tcp", "port", String.valueOf(PORT));
        Running writer = start("-v", "-w", file.toString(), "tcp", "port", String.valueOf(PORT));
        rows.awaitReady();
        writer.awaitReady();
        connection(net.peerIpv4());
        Thread.sleep(300);
        interrupt(rows.process());
        interrupt(writer.process());
        CommandRunner.Result live = rows.finish();
        CommandRunner.Result written = writer.finish();
        assertThat(written.status()).isZero();
        CommandRunner.Result reread = CommandRunner.run("-r", file.toString(), "--format", "json");
        assertThat(reread.lines()).as("a connection, both directions").hasSizeGreaterThanOrEqualTo(8);
        assertThat(reread.out().replaceAll("\"time\":\"[^\"]+\"", ""))
                .as("the rows of the file are the live rows (times apart: each socket stamps its own copy)")
                .isEqualTo(live.out().replaceAll("\"time\":\"[^\"]+\"", ""));
        List<String> fields = PcapngTools.run("tshark", "-r", file.toString(), "-T", "fields", "-E", "separator=,",
                "-e", "frame.interface_name", "-e", "frame.packet_flags_direction", "-e", "eth.type");
        assertThat(fields).as("the veth's own Ethernet frames").hasSize(reread.lines().size())
                .allMatch(l -> l.startsWith(net.peerInterface() + ",0x0000000") && l.endsWith(",0x0800"))
                .anyMatch(l -> l.contains(",0x00000001,")).anyMatch(l -> l.contains(",0x00000002,"));
        String info = String.join("\n", PcapngTools.run("capinfos", file.toString()));
        assertThat(info).contains("Encapsulation = Ethernet (1 - ether)")
                .contains("Name = " + net.peerInterface()).contains("Number of stat entries = 1")
                .contains("Capture application: panatap ");
        List<Map<Integer, Long>> stats = PcapngStatistics.of(Files.readAllBytes(file));
        assertThat(stats).hasSize(1);
        assertThat(stats.getFirst().get(7)).as("isb_usrdeliv").isEqualTo(reread.lines().size());
    }

    @Test
    void onOneInterfaceWritesPcapngWithItsEthernetFramesAndTheSocketStatistics() throws Exception {
        Prerequisites.requireTool("tshark");
        Path file = dir.resolve("one.pcapng");
        Running writer = start("-v", "-i", net.peerInterface(), "-c", "6", "-w", file.toString());
        writer.awaitReady();
        connection(net.peerIpv4());
        CommandRunner.Result written = writer.finish();
        assertThat(written.status()).isZero();
        assertThat(written.err()).contains("6 packets captured\n");
        List<String> fields = PcapngTools.run("tshark", "-r", file.toString(), "-T", "fields", "-E", "separator=,",
                "-e", "frame.interface_name", "-e", "frame.packet_flags_direction", "-e", "eth.type");
        assertThat(fields).hasSize(6).containsOnly(net.peerInterface() + ",0x00000001,0x0800",
                net.peerInterface() + ",0x00000002,0x0800");
        Map<Integer, Long> stats = PcapngStatistics.of(Files.readAllBytes(file)).getFirst();
        long received = Long.parseLong(written.err().replaceAll("(?s).*\n(\\d+) packets? received by filter.*", "$1"));
        assertThat(stats.get(4)).as("isb_ifrecv").isEqualTo(received);
        assertThat(stats.get(5)).as("isb_ifdrop").isZero();
        assertThat(stats.get(7)).as("isb_usrdeliv").isEqualTo(6);
        assertThat(stats.get(3)).as("isb_endtime").isGreaterThanOrEqualTo(stats.get(2));
    }

    @Test
    void sigintStopsCleanlyFlushingRowsAndTheWriteFileThenPrintsStatistics() throws Exception {
        stopsCleanlyOn("INT");
    }

    @Test
    void sigtermStopsCleanlyToo() throws Exception {
        stopsCleanlyOn("TERM");
    }

    @Test
    void sigintStopsCleanlyEvenWhenStartedWithSigintIgnoredAsAScriptsBackgroundJobIs() throws Exception {
        Path err = Files.createTempFile(dir, "err", ".txt");
        Path out = Files.createTempFile(dir, "out", ".txt");
        List<String> java = CommandRunner.command("-v", "-Q", "in", "-w", dir.resolve("ignored-int.pcap").toString());
        String script = "trap '' INT; exec ip netns exec " + net.namespace() + " "
                + String.join(" ", java.stream().map(a -> "'" + a + "'").toList());
        Process p = new ProcessBuilder("bash", "-c", script).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Running r = new Running(p, out, err);
        r.awaitReady();
        connection(net.peerIpv4());
        Thread.sleep(300);
        Netns.run("kill", "-INT", String.valueOf(p.pid()));
        CommandRunner.Result result = r.finish();
        assertThat(result.status()).isZero();
        assertThat(result.err()).contains("5 packets captured\n");
        assertThat(ReadModeTest.frames(dir.resolve("ignored-int.pcap"))).hasSize(5);
    }

    private void stopsCleanlyOn(String signal) throws Exception {
        Running table = start("-v");
        Path file = dir.resolve("signal-" + signal + ".pcap");
        Running writer = start("-v", "-Q", "in", "-w", file.toString());
        table.awaitReady();
        writer.awaitReady();
        connection(net.peerIpv4());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (table.stdout().lines().count() < 3 + 5 && System.nanoTime() < deadline) {
            Thread.sleep(20); // rows are flushed per batch, so they show up while running
        }
        assertThat(table.stdout().lines()).hasSize(3 + 5);
        Thread.sleep(200);
        for (Running r : List.of(table, writer)) {
            Netns.run("kill", "-" + signal, String.valueOf(r.process().pid()));
        }
        CommandRunner.Result t = table.finish();
        CommandRunner.Result w = writer.finish();
        assertThat(t.status()).isZero();
        assertThat(w.status()).isZero();
        assertThat(t.lines()).hasSize(3 + 5);
        assertThat(t.err()).matches("(?s)panatap: capture ready on any after \\d+ ms\n"
                + "5 packets captured\n\\d+ packets received by filter\n0 packets dropped by kernel\n");
        assertThat(w.err()).contains("5 packets captured\n");
        assertThat(ReadModeTest.frames(file)).hasSize(5);
    }

    @Test
    void aClosedPipeStopsTheCaptureQuietlyWithStatisticsAndStatus0() throws Exception {
        Path err = Files.createTempFile(dir, "err", ".txt");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace()));
        cmd.addAll(CommandRunner.command("-v"));
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        try (BufferedReader head = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            new Running(p, null, err).awaitReady();
            connection(net.peerIpv4());
            for (int i = 0; i < 4; i++) {
                assertThat(head.readLine()).isNotNull();
            }
        } // like `panatap | head -4`
        for (int i = 0; i < 20 && p.isAlive(); i++) {
            connection(net.peerIpv4()); // rows to write into the closed pipe
            p.waitFor(100, TimeUnit.MILLISECONDS);
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(err)).matches("(?s)panatap: capture ready on any after \\d+ ms\n"
                + "\\d+ packets captured\n\\d+ packets received by filter\n0 packets dropped by kernel\n");
    }

    @Test
    void withoutCapNetRawItSaysToRunAsRootOrGrantTheCapability() throws Exception {
        Running r = start(List.of("setpriv", "--bounding-set=-net_raw,-net_admin", "--inh-caps=-all"), "-c", "1");
        CommandRunner.Result result = r.finish();
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("panatap: cannot open a packet socket").contains("run as root")
                .contains("setcap").doesNotContain("Exception");
        assertThat(result.err().lines()).hasSize(1);
    }

    @Test
    void anUnknownInterfaceIsACaptureError() throws Exception {
        CommandRunner.Result result = start("-i", "nosuch0").finish();
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("panatap: no such interface 'nosuch0' (see panatap -D)\n");
    }

    @Test
    void listsTheNamespacesInterfaces() throws Exception {
        CommandRunner.Result result = start("-D").finish();
        assertThat(result.status()).isZero();
        assertThat(result.out()).isEqualTo("1." + net.peerInterface() + " [Up, Running, Connected]\n"
                + "2.any (Pseudo-device that captures on all interfaces) [Up, Running]\n"
                + "3.lo [Up, Running, Loopback]\n");
    }

    @Test
    void dashIWithANumberFromTheListCapturesOnThatInterface() throws Exception {
        String listing = start("-D").finish().out();
        String line = listing.lines().filter(l -> l.contains("." + net.peerInterface() + " ")).findFirst().orElseThrow();
        String number = line.substring(0, line.indexOf('.'));
        Running r = start("-v", "-c", "1", "-i", number);
        r.awaitReady();
        int port = connection(net.peerIpv4());
        CommandRunner.Result result = r.finish();
        assertThat(result.status()).isZero();
        assertThat(result.err()).startsWith("panatap: capture ready on " + net.peerInterface() + " after ");
        assertThat(result.out()).endsWith(row(net.hostIpv4(), net.peerIpv4(), port, PORT, SYN));
    }

    /** The helper's addresses may keep leading zeros in a group; RFC 5952 drops them. */
    private static String rfc5952(String address) {
        return address.replaceAll("(?<=^|:)0+(?=[0-9a-f])", "");
    }

    private static String quote(String s) {
        return s.replace(".", "\\.");
    }
}
