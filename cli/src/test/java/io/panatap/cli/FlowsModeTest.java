package io.panatap.cli;

import io.panatap.testing.Prerequisites;
import io.panatap.testing.TcpScript;
import io.panatap.testing.Tshark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --flows} and {@code --follow} reading files the test writes ({@link TcpScript}): the rows in each format,
 * their counters against tshark's conversation table, {@code -c} and filters, and the {@code --follow} files
 * against tshark's follow of every stream, with their names, IPv6 and the errors.
 */
class FlowsModeTest {
    @TempDir
    static Path dir;
    static Path capture;
    static List<TcpScript> scripts = new ArrayList<>();

    private static byte[] bytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Six connections: four closed (one IPv6, one reordered), one reset by the server, one left open. */
    @BeforeAll
    static void writeCapture() throws IOException {
        for (int i = 0; i < 3; i++) {
            scripts.add(new TcpScript("10.0.0." + (i + 1), 50000 + i, "10.0.9.9", 80, i * 1000L, 0xFFFF_FF00L)
                    .handshake().send(true, bytes(i, 300 + i), 1460).send(false, bytes(i + 10, 5000 + i * 100), 1000)
                    .reorder(new Random(i), 0.3).close());
        }
        scripts.add(new TcpScript("fd00::1", 50100, "fd00::2", 443, 5, 6).handshake()
                .send(true, bytes(20, 100), 1000).send(false, bytes(21, 2000), 1000).close());
        scripts.add(new TcpScript("10.0.0.7", 50200, "10.0.9.9", 22, 5, 6).handshake()
                .send(true, bytes(22, 10), 1000).reset(false));
        scripts.add(new TcpScript("10.0.0.8", 50300, "10.0.9.9", 22, 5, 6).handshake()
                .send(true, bytes(23, 10), 1000));
        capture = TcpScript.writePcap(dir.resolve("flows.pcap"), scripts);
    }

    @Test
    void theTablePrintsAHeaderAndOneRowPerConnectionWithTsharksCounts() throws Exception {
        Prerequisites.requireTool("tshark");
        CommandRunner.Result result = CommandRunner.run("-r", capture.toString(), "--flows");
        assertThat(result.status()).isZero();
        assertThat(result.err()).isEmpty();
        List<String> lines = result.lines();
        assertThat(lines.getFirst()).isEqualTo(FlowFormatter.COLUMNS.stripTrailing());
        assertThat(lines).hasSize(1 + scripts.size());
        // Every row against tshark's conversation table: packets and bytes each way.
        for (Tshark.Conversation c : Tshark.conversations(capture)) {
            String row = lines.stream().filter(l -> l.contains(endpoint(c.a())) && l.contains(endpoint(c.b())))
                    .findFirst().orElseThrow(() -> new AssertionError("no row for " + c + " in\n" + result.out()));
            String[] f = row.trim().split(" +");
            // client server end duration rtt pkts> bytes> pkts< bytes< retr> retr<
            boolean aIsClient = f[0].equals(endpoint(c.a()));
            long toB = Long.parseLong(f[aIsClient ? 5 : 7]);
            long toA = Long.parseLong(f[aIsClient ? 7 : 5]);
            assertThat(toB).as("packets in %s", row).isEqualTo(c.framesAToB());
            assertThat(toA).as("packets in %s", row).isEqualTo(c.framesBToA());
            assertThat(Tshark.Conversation.bytesMatch(Long.parseLong(f[aIsClient ? 6 : 8]), c.bytesAToB())).isTrue();
            assertThat(Tshark.Conversation.bytesMatch(Long.parseLong(f[aIsClient ? 8 : 6]), c.bytesBToA())).isTrue();
        }
        assertThat(lines).filteredOn(l -> l.contains(" closed ")).hasSize(4);
        assertThat(lines).filteredOn(l -> l.contains(" reset< ")).hasSize(1);
        assertThat(lines).filteredOn(l -> l.contains(" open ")).hasSize(1);
        assertThat(lines).anyMatch(l -> l.startsWith("       [fd00::1]:50100          [fd00::2]:443  closed ")); // right-aligned
        // The handshake took 12 ms of capture time: a segment per millisecond, six connections taking turns.
        assertThat(lines).filteredOn(l -> l.contains(" closed ")).allMatch(l -> l.contains("     12.000 "));
    }

    private static String endpoint(Tshark.Endpoint e) {
        return e.toString();
    }

    @Test
    void lineAndJsonPrintOneRowPerConnection() throws Exception {
        CommandRunner.Result line = CommandRunner.run("-r", capture.toString(), "--flows", "--format", "line");
        assertThat(line.status()).isZero();
        assertThat(line.lines()).hasSize(scripts.size());
        assertThat(line.lines()).anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{6} IP6 fd00::1\\.50100 > fd00::2\\.443: "
                + "closed, duration 0\\.\\d{6}, rtt \\d+\\.\\d{3} ms, > \\d+ packets \\d+ bytes 0 retransmitted, "
                + "< \\d+ packets \\d+ bytes 0 retransmitted"));
        assertThat(line.lines()).anyMatch(l -> l.contains(" IP 10.0.0.7.50200 > 10.0.9.9.22: reset<, duration "));

        CommandRunner.Result json = CommandRunner.run("-r", capture.toString(), "--flows", "--format", "json");
        assertThat(json.status()).isZero();
        assertThat(json.lines()).hasSize(scripts.size()).allMatch(l -> l.startsWith("{\"ipVersion\":") && l.endsWith("}}"));
        assertThat(json.lines()).anyMatch(l -> l.contains("\"client\":\"10.0.0.7\",\"clientPort\":50200")
                && l.contains("\"end\":\"reset\",\"resetBy\":\"server\",\"midStream\":false"));
        assertThat(json.lines()).anyMatch(l -> l.contains("\"client\":\"10.0.0.8\"") && l.contains("\"end\":\"open\""));
    }

    @Test
    void aFilterAndMinusCApplyToTheSegmentsCounted() throws Exception {
        CommandRunner.Result ssh = CommandRunner.run("-r", capture.toString(), "--flows", "--format", "json", "port", "22");
        assertThat(ssh.status()).isZero();
        assertThat(ssh.lines()).hasSize(2).allMatch(l -> l.contains("\"serverPort\":22"));

        // -c 4: the first four segments (round robin over the six connections' first segments) are counted.
        CommandRunner.Result first = CommandRunner.run("-r", capture.toString(), "--flows", "--format", "json", "-c", "4");
        assertThat(first.status()).isZero();
        long packets = 0;
        Matcher m = Pattern.compile("\"packets\":(\\d+)").matcher(first.out());
        while (m.find()) {
            packets += Long.parseLong(m.group(1));
        }
        assertThat(packets).isEqualTo(4);
        assertThat(first.lines()).hasSize(4).allMatch(l -> l.contains("\"end\":\"open\""));
    }

    @Test
    void followWritesEveryStreamAsTsharkFollowsItInFilesNamedAfterTheEndpoints() throws Exception {
        Prerequisites.requireTool("tshark");
        Path out = dir.resolve("streams/nested"); // made, parents too
        CommandRunner.Result result = CommandRunner.run("-r", capture.toString(), "--follow", out.toString());
        assertThat(result.status()).isZero();
        assertThat(result.out()).isEmpty(); // without --flows nothing is printed
        assertThat(result.err()).isEmpty();
        Tshark.Analysis tshark = Tshark.analyse(capture, scripts.size());
        int files = 0;
        for (Tshark.Follow f : tshark.streams()) {
            for (boolean fromNode0 : new boolean[] {true, false}) {
                Tshark.Endpoint from = fromNode0 ? f.node0() : f.node1();
                Tshark.Endpoint to = fromNode0 ? f.node1() : f.node0();
                byte[] expected = f.from(from);
                Path file = out.resolve(fileName(from, to));
                if (expected.length == 0) {
                    assertThat(file).doesNotExist();
                    continue;
                }
                assertThat(Files.readAllBytes(file)).as("%s", file).isEqualTo(expected);
                files++;
            }
        }
        try (Stream<Path> list = Files.list(out)) {
            assertThat(list.count()).isEqualTo(files);
        }
        assertThat(out.resolve("010.000.000.001.50000-010.000.009.009.00080")).exists();
        assertThat(out.resolve("fd00:0000:0000:0000:0000:0000:0000:0002.00443-fd00:0000:0000:0000:0000:0000:0000:0001.50100"))
                .hasBinaryContent(scripts.get(3).sent(false));
    }

    /** The tcpflow-style name this test expects: zero-padded IPv4 octets, full IPv6 groups, 5-digit ports. */
    static String fileName(Tshark.Endpoint from, Tshark.Endpoint to) throws IOException {
        return address(from.address()) + "." + String.format("%05d", from.port()) + "-" + address(to.address()) + "."
                + String.format("%05d", to.port());
    }

    private static String address(String text) throws IOException {
        byte[] a = java.net.InetAddress.getByName(text).getAddress();
        StringBuilder b = new StringBuilder();
        if (a.length == 4) {
            for (byte x : a) {
                b.append(b.isEmpty() ? "" : ".").append(String.format("%03d", x & 0xFF));
            }
        } else {
            for (int i = 0; i < 16; i += 2) {
                b.append(i == 0 ? "" : ":").append(String.format("%02x%02x", a[i], a[i + 1]));
            }
        }
        return b.toString();
    }

    @Test
    void followReportsHolesAndAConnectionReusingItsPortsGetsAFileOfItsOwn() throws Exception {
        TcpScript first = new TcpScript("10.0.0.1", 50000, "10.0.0.2", 80, 1, 1).handshake()
                .send(true, bytes(1, 3000), 1000).close();
        first.segments().remove(4); // client bytes 1000..1999 lost; the server acknowledges past them
        TcpScript again = new TcpScript("10.0.0.1", 50000, "10.0.0.2", 80, 90_000, 1).time(1_800_000_000_000_000_000L)
                .handshake().send(true, bytes(2, 10), 1000).close();
        List<TcpScript.Seg> all = new ArrayList<>(first.segments());
        all.addAll(again.segments());
        first.segments().clear();
        first.segments().addAll(all);
        Path file = first.writePcap(dir.resolve("reuse.pcap"));
        Path out = dir.resolve("reuse");
        CommandRunner.Result result = CommandRunner.run("-r", file.toString(), "--follow", out.toString(), "--flows");
        assertThat(result.status()).isZero();
        assertThat(result.lines()).hasSize(3); // header and two connections
        assertThat(result.err()).isEqualTo("panatap: --follow: 1 hole (1000 bytes never captured) left out of the"
                + " stream files\n");
        String name = "010.000.000.001.50000-010.000.000.002.00080";
        byte[] sent = bytes(1, 3000);
        assertThat(out.resolve(name)).hasBinaryContent(concat(java.util.Arrays.copyOfRange(sent, 0, 1000),
                java.util.Arrays.copyOfRange(sent, 2000, 3000)));
        assertThat(out.resolve(name + "-2")).hasBinaryContent(bytes(2, 10));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    @Test
    void followIntoAFileOrWithMinusWIsOneClearError() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        CommandRunner.Result file = CommandRunner.run("-r", capture.toString(), "--follow", notADirectory.toString());
        assertThat(file.status()).isEqualTo(1);
        assertThat(file.err()).isEqualTo("panatap: --follow " + notADirectory + ": exists and is not a directory\n");
        assertThat(file.out()).isEmpty();

        CommandRunner.Result under = CommandRunner.run("-r", capture.toString(), "--follow", notADirectory + "/sub");
        assertThat(under.status()).isEqualTo(1);
        assertThat(under.err()).startsWith("panatap: --follow " + notADirectory + "/sub: ").doesNotContain("Exception")
                .hasLineCount(1);

        CommandRunner.Result write = CommandRunner.run("-r", capture.toString(), "--flows", "-w", dir.resolve("x.pcap").toString());
        assertThat(write.status()).isEqualTo(2);
        assertThat(write.err()).isEqualTo("panatap: -w writes packets: --flows and --follow cannot be used with -w"
                + " (see panatap -h)\n");
        CommandRunner.Result empty = CommandRunner.run("-r", capture.toString(), "--follow=");
        assertThat(empty.status()).isEqualTo(2);
        assertThat(empty.err()).isEqualTo("panatap: --follow needs a directory name (see panatap -h)\n");
    }
}
