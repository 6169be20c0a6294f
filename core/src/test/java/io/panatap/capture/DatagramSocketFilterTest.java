package io.panatap.capture;

import io.panatap.Direction;
import io.panatap.filter.BpfProgram;
import io.panatap.filter.FilterCompiler;
import io.panatap.parse.LinkType;
import io.panatap.testing.Netns;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a {@code SOCK_DGRAM} socket (all interfaces, or an interface without an Ethernet header) a filter
 * expression tells IPv4 from IPv6 as the default TCP-only program does, by the socket buffer's protocol
 * ({@code SKF_AD_PROTOCOL}), not by the IP version nibble; a capture file of raw IP, which has no socket
 * buffer, keeps the nibble.
 */
class DatagramSocketFilterTest {
    private static final int LD_H_ABS = 0x28;
    private static final int SKF_AD_PROTOCOL = -0x1000;
    private static final int ALU_AND_K = 0x54;

    private static boolean readsTheSocketProtocol(BpfProgram p) {
        for (int i = 0; i < p.length(); i++) {
            if (p.code(i) == LD_H_ABS && p.constant(i) == SKF_AD_PROTOCOL) {
                return true;
            }
        }
        return false;
    }

    private static boolean readsTheVersionNibble(BpfProgram p) {
        for (int i = 0; i < p.length(); i++) {
            if (p.code(i) == ALU_AND_K && p.constant(i) == 0xf0) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aFilterOnADatagramSocketReadsTheProtocolAsTheDefaultProgramDoes() throws Exception {
        for (boolean tcpOnly : new boolean[] {true, false}) {
            for (String e : new String[] {"port 80", "ip and tcp", "ip6 host ::1", "udp"}) {
                BpfProgram live = FilterCompiler.compileForSocket(e, LinkType.RAW, 0, tcpOnly);
                assertThat(readsTheSocketProtocol(live)).as(e).isTrue();
                assertThat(readsTheVersionNibble(live)).as(e).isFalse();
                BpfProgram file = FilterCompiler.compile(e, LinkType.RAW, 0);
                assertThat(readsTheSocketProtocol(file)).as(e).isFalse();
                assertThat(readsTheVersionNibble(file)).as(e).isTrue();
            }
        }
        assertThat(TcpOnlyFilter.network(0)).isEqualTo(FilterCompiler.compileForSocket("", LinkType.RAW, 0, true));
    }

    @Test
    void aFilteredCaptureOnAllInterfacesSeesWhatItsExpressionSelects() throws Exception {
        Privileges.requireNetworkAdmin();
        try (Netns net = Netns.create();
             PacketCapture capture = PacketCapture.builder().allInterfaces().directions(Direction.OUT)
                     .filter("ip and tcp dst port 7 and dst host " + net.peerIpv4()).open()) {
            assertThat(capture.linkType()).isEqualTo(LinkType.RAW);
            AtomicInteger syns = new AtomicInteger();
            AtomicInteger others = new AtomicInteger();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (syns.get() == 0) {
                assertThat(System.nanoTime()).as("a SYN within 20 s").isLessThan(deadline);
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(net.peerIpv4(), 7), 300);
                } catch (IOException expected) {
                    // refused: the SYN went out
                }
                capture.poll(p -> {
                    if (p.headers().isTcp() && p.headers().destinationPort() == 7) {
                        syns.incrementAndGet();
                    } else {
                        others.incrementAndGet();
                    }
                }, 64);
            }
            assertThat(others.get()).isZero();
        }
    }
}
