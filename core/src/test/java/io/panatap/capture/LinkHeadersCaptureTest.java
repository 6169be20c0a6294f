package io.panatap.capture;

import io.panatap.Direction;
import io.panatap.Packet;
import io.panatap.parse.LinkType;
import io.panatap.testing.Netns;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A capture on all interfaces with link-layer headers ({@code SOCK_RAW}, {@link PacketCapture.Builder#linkHeaders})
 * delivers the same packets, from the network header, as the cooked socket: real TCP over a veth pair into a
 * namespace the test creates and over loopback, captured by both sockets at once, compared field by field.
 */
class LinkHeadersCaptureTest {
    private static Netns net;

    @BeforeAll
    static void createNamespace() {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
    }

    @AfterAll
    static void removeNamespace() {
        if (net != null) {
            net.close();
        }
    }

    /** Everything a listener can see of a packet, except the link-layer header. */
    private static String describe(Packet p) {
        byte[] bytes = p.segment().asSlice(p.frameOffset(), p.captureLength()).toArray(JAVA_BYTE);
        return p.interfaceName() + " " + p.interfaceIndex() + " " + p.packetType() + " " + p.linkType() + " hatype "
                + p.hardwareType() + " proto " + Integer.toHexString(p.protocol()) + " addr "
                + Long.toHexString(p.linkAddress()) + "/" + p.linkAddressLength() + " " + p.captureLength() + "/"
                + p.originalLength() + " vlan " + p.hasVlanTag() + " " + HexFormat.of().formatHex(bytes)
                + " " + p.headers().isTcp();
    }

    /**
     * The packets of each direction in the order they came: two sockets may interleave a packet sent and one
     * received at about the same moment differently, while each direction keeps its order on both.
     */
    private static java.util.Map<String, List<String>> byDirection(List<String> packets) {
        java.util.Map<String, List<String>> out = new java.util.TreeMap<>();
        for (String p : packets) {
            out.computeIfAbsent(p.split(" ")[2], k -> new ArrayList<>()).add(p);
        }
        return out;
    }

    /** Two captures of the same traffic, cooked and with link headers; returns both lists and the link headers. */
    private record Both(List<String> cooked, List<String> raw, List<String> linkHeaders, boolean rawHadHeaders) {
    }

    private static Both capture(UnaryOperator<PacketCapture.Builder> settings, boolean veth, int bytes) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(veth ? InetAddress.getByName(net.hostIpv4()) : InetAddress.getLoopbackAddress(), 0));
            int port = server.getLocalPort();
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                try (Socket c = server.accept(); InputStream in = c.getInputStream()) {
                    in.readAllBytes();
                    c.getOutputStream().write(new byte[3000]);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            PacketCapture.Builder common = settings.apply(PacketCapture.builder().allInterfaces()
                    .directions(Direction.IN, Direction.OUT).filter("tcp port " + port));
            // settings may replace the filter: keep the port in it
            try (PacketCapture cooked = common.copy().open();
                 PacketCapture raw = common.copy().linkHeaders(true).open()) {
                assertThat(cooked.linkHeaders()).isFalse();
                assertThat(raw.linkType()).isEqualTo(LinkType.RAW);
                if (veth) {
                    net.sendAndDrain(net.hostIpv4(), port, bytes);
                } else {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        s.getOutputStream().write(new byte[bytes]);
                        s.shutdownOutput();
                        s.getInputStream().readAllBytes();
                    }
                }
                serving.get();
                Thread.sleep(300);
                List<String> a = new ArrayList<>();
                List<String> b = new ArrayList<>();
                List<String> headers = new ArrayList<>();
                drain(cooked, p -> a.add(describe(p)));
                drain(raw, p -> {
                    b.add(describe(p));
                    byte[] link = p.segment().asSlice(p.frameOffset() - p.linkHeaderLength(), p.linkHeaderLength())
                            .toArray(JAVA_BYTE);
                    headers.add(p.interfaceName() + " " + HexFormat.of().formatHex(link));
                });
                return new Both(a, b, headers, raw.linkHeaders());
            }
        }
    }

    private static void drain(PacketCapture c, io.panatap.PacketListener l) throws Exception {
        for (int i = 0; i < 5; i++) {
            c.poll(l, 10_000);
        }
    }

    @Test
    void overVethAndLoopbackTheRawSocketDeliversWhatTheCookedOneDoesWithTheEthernetHeaderInFront() throws Exception {
        for (boolean veth : new boolean[] {true, false}) {
            Both both = capture(b -> b, veth, 20_000);
            assertThat(both.rawHadHeaders()).isTrue();
            assertThat(both.cooked()).as("veth %s", veth).hasSizeGreaterThanOrEqualTo(8);
            assertThat(byDirection(both.raw())).as("veth %s", veth).isEqualTo(byDirection(both.cooked()));
            String device = veth ? net.hostInterface() : "lo";
            // 14 bytes: destination, source, EtherType IPv4 (lo's addresses are zeros).
            assertThat(both.linkHeaders()).allMatch(h -> h.startsWith(device + " ") && h.length() == device.length() + 1 + 28
                    && h.endsWith("0800"), "an Ethernet header of " + device);
        }
    }

    @Test
    void aFilterAndASnapLengthKeepTheirMeaningOnTheRawSocket() throws Exception {
        // The port filter is set by capture(); the snap length cuts 60 bytes from the network header on both.
        Both both = capture(b -> b.snapLength(60), true, 5000);
        assertThat(both.rawHadHeaders()).isTrue();
        assertThat(byDirection(both.raw())).isEqualTo(byDirection(both.cooked()));
        assertThat(both.raw()).allMatch(d -> d.matches(".* (\\d+)/\\d+ vlan.*"));
        assertThat(both.raw()).anyMatch(d -> d.contains(" 60/"));
    }

    @Test
    void anExpressionThatReadsTheLengthOrThePayloadKeepsTheCookedSocket() throws Exception {
        for (String expression : new String[] {"greater 0", "tcp[20:4] != 1", "tcp[tcp[12] >> 4] != 1"}) {
            try (PacketCapture c = PacketCapture.builder().allInterfaces().filter(expression).linkHeaders(true).open()) {
                assertThat(c.linkHeaders()).as(expression).isFalse();
            }
        }
        for (String expression : new String[] {"tcp[tcpflags] & tcp-syn != 0", "ip6", "tcp[16:4] != 0 or ip[0] = 0x45"}) {
            try (PacketCapture c = PacketCapture.builder().allInterfaces().filter(expression).linkHeaders(true).open()) {
                assertThat(c.linkHeaders()).as(expression).isTrue();
            }
        }
        try (PacketCapture named = PacketCapture.builder().interfaceName("lo").linkHeaders(true).open()) {
            assertThat(named.linkHeaders()).as("a named interface has its link header anyway").isFalse();
            assertThat(named.linkType()).isEqualTo(LinkType.ETHERNET);
        }
    }
}
