package io.panatap.cli;

import io.panatap.testing.Frames;
import io.panatap.testing.Netns;
import io.panatap.testing.Prerequisites;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The views on a live capture, where the kernel strips the outer VLAN tag of a received frame: panatap and
 * tcpdump capture the same frames on a namespace's veth at the same time with {@code -e -XX} and
 * {@code -e -x}, and print the same link header and dump (libpcap puts the tag back into the frame); the
 * timestamps of two captures differ, so rows go without ({@code -t}).
 */
class ViewsLiveTest {
    private static final int PORT = 5556;
    static Netns net;

    @TempDir
    static Path dir;

    @BeforeAll
    static void createNamespace() {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
    }

    @AfterAll
    static void deleteNamespace() {
        if (net != null) {
            net.close();
        }
    }

    private static Process inNamespace(List<String> command, Path out, Path err) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace()));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("TZ", "UTC");
        return pb.start();
    }

    private static void awaitText(Path file, String text, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(file).contains(text)) {
            assertThat(p.isAlive()).as("still running; %s", Files.readString(file)).isTrue();
            assertThat(System.nanoTime()).as("'%s' within 30 s", text).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void aStrippedTagIsPrintedAndDumpedAsTcpdumpPrintsIt() throws Exception {
        Prerequisites.requireTool("tcpdump");
        for (List<String> view : List.of(List.of("-e", "-XX"), List.of("-e", "-x"), List.of("-e", "-AA"))) {
            Path ourOut = dir.resolve("ours.txt");
            Path ourErr = dir.resolve("ours.err");
            Path theirOut = dir.resolve("theirs.txt");
            Path theirErr = dir.resolve("theirs.err");
            // -v makes panatap say when it is ready; tcpdump gets it too, so both print -v rows.
            List<String> ours = new ArrayList<>(CommandRunner.command("-v", "-c", "3", "-#", "-t", "-i", net.peerInterface()));
            ours.addAll(view);
            // The kernel keeps a stripped tag as metadata: "vlan" matches the tagged frames (as in tcpdump).
            List<String> filter = List.of("(tcp", "dst", "port", Integer.toString(PORT) + ")", "or", "vlan");
            ours.addAll(filter);
            List<String> theirs = new ArrayList<>(List.of("tcpdump", "-v", "-n", "-S", "-#", "-t", "-c", "3", "-i",
                    net.peerInterface()));
            theirs.addAll(view);
            theirs.addAll(filter);
            Process p = inNamespace(ours, ourOut, ourErr);
            Process t = inNamespace(theirs, theirOut, theirErr);
            awaitText(ourErr, "capture ready", p);
            awaitText(theirErr, "listening on", t);
            byte[] plain = Frames.ethernetIpv4Tcp(net.hostIpv4(), net.peerIpv4(), 1111, PORT, 0x02, 7);
            Path frames = dir.resolve("frames.hex");
            HexFormat hex = HexFormat.of();
            Files.writeString(frames, String.join("\n", hex.formatHex(Frames.vlan(plain, 100)),
                    hex.formatHex(Frames.vlans(plain, Frames.TPID_8021AD, 200, 300)), hex.formatHex(plain)) + "\n");
            Netns.run("/usr/bin/python3", "-c", """
                    import socket, sys
                    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                    s.bind((sys.argv[1], 0))
                    for line in open(sys.argv[2]):
                        s.send(bytes.fromhex(line.strip()))
                    """, net.hostInterface(), frames.toString());
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(t.waitFor(30, TimeUnit.SECONDS)).isTrue();
            TcpdumpViews.Result r = TcpdumpViews.compareText(Files.readString(ourOut), Files.readString(theirOut),
                    true, false, false);
            assertThat(r.differences()).as("%s", view).isEmpty();
            assertThat(r.identical()).as("%s", view).isEqualTo(r.rows()).isEqualTo(3);
            assertThat(Files.readString(ourOut)).contains("ethertype 802.1Q (0x8100), length 65: vlan 100, p 0, ");
        }
    }
    /**
     * On all interfaces (tcpdump's {@code -i any}), {@code -e} prints the interface, direction, index and the
     * link-layer source address the kernel gives with each packet, as tcpdump does.
     */
    @Test
    void onAllInterfacesDashEPrintsWhatTcpdumpsAnyDevicePrints() throws Exception {
        Prerequisites.requireTool("tcpdump");
        Path ourOut = dir.resolve("any-ours.txt");
        Path ourErr = dir.resolve("any-ours.err");
        Path theirOut = dir.resolve("any-theirs.txt");
        Path theirErr = dir.resolve("any-theirs.err");
        String port = Integer.toString(PORT + 1);
        // -v says when panatap is ready; tcpdump gets it too, so both print -v rows.
        Process p = inNamespace(CommandRunner.command("-v", "-e", "-t", "-c", "2", "-Q", "inout", "port", port),
                ourOut, ourErr);
        Process t = inNamespace(List.of("tcpdump", "-v", "-e", "-t", "-n", "-S", "-c", "2", "-i", "any", "port", port),
                theirOut, theirErr);
        awaitText(ourErr, "capture ready", p);
        awaitText(theirErr, "listening on", t);
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(net.peerIpv4(), PORT + 1), 5000); // refused: a SYN and a RST
        } catch (java.io.IOException refused) {
            // the RST is the second packet
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(t.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String ours = Files.readString(ourOut);
        assertThat(ours).isEqualTo(Files.readString(theirOut));
        assertThat(ours).contains(net.peerInterface() + " In  ifindex ").containsPattern(" ([0-9a-f]{2}:){5}[0-9a-f]{2} ethertype IPv4");
    }
}
