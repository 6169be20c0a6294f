package io.panatap.cli;

import io.panatap.capture.NetworkInterfaces.Info;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code -D} numbering, against what {@code tcpdump -D} (libpcap 1.10) printed for the same interfaces. */
class InterfaceListTest {

    @Test
    void aHostListsItsRunningInterfacesThenAnyThenLoopbackAsTcpdumpDoes() {
        // tcpdump -D: 1.eth0 [Up, Running, Connected] / 2.any (...) [Up, Running] / 3.lo [Up, Running, Loopback]
        List<Info> ordered = InterfaceList.ordered(List.of(
                new Info(1, "lo", true, true, true, 772),
                new Info(4, "eth0", true, true, false, 1)));
        assertThat(InterfaceList.format(ordered)).isEqualTo("""
                1.eth0 [Up, Running, Connected]
                2.any (Pseudo-device that captures on all interfaces) [Up, Running]
                3.lo [Up, Running, Loopback]
                """);
    }

    @Test
    void downAndDisconnectedInterfacesComeLastInTcpdumpsOrder() {
        // A namespace with lo down, veth pairs va/vb and vc0/vd with only vc0 up, as tcpdump -D listed it
        // (its non-network devices left out).
        List<Info> ordered = InterfaceList.ordered(List.of(
                new Info(1, "lo", false, false, true, 772),
                new Info(2, "vb", false, false, false, 1),
                new Info(3, "va", false, false, false, 1),
                new Info(4, "vd", false, false, false, 1),
                new Info(5, "vc0", true, false, false, 1)));
        assertThat(InterfaceList.format(ordered)).isEqualTo("""
                1.any (Pseudo-device that captures on all interfaces) [Up, Running]
                2.vc0 [Up, Disconnected]
                3.lo [Loopback]
                4.vb [none, Disconnected]
                5.va [none, Disconnected]
                6.vd [none, Disconnected]
                """);
    }

    @Test
    void dashIWithANumberPicksThatLineOfTheList() {
        List<Info> ordered = InterfaceList.ordered(List.of(
                new Info(1, "lo", true, true, true, 772),
                new Info(7, "eth1", true, true, false, 1),
                new Info(9, "eth0", true, true, false, 1)));
        String listing = InterfaceList.format(ordered);
        for (String line : listing.lines().toList()) {
            String number = line.substring(0, line.indexOf('.'));
            String name = line.substring(line.indexOf('.') + 1).split(" ")[0];
            assertThat(InterfaceList.byNumber(number, ordered)).isEqualTo(name);
        }
        assertThat(listing).startsWith("1.eth1 ");
        assertThat(InterfaceList.byNumber("5", ordered)).isEqualTo("5");
        assertThat(InterfaceList.byNumber("0", ordered)).isEqualTo("0");
        assertThat(InterfaceList.byNumber("eth1", ordered)).isEqualTo("eth1");
    }
}
