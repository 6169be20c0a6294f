package io.panatap.parse;

import io.panatap.testing.Frames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointTextTest {

    private static PacketHeaders parse(byte[] frame) {
        PacketHeaders h = new PacketHeaders();
        assertThat(h.wrap(MemorySegment.ofArray(frame), LinkType.ETHERNET)).isEqualTo(ParseStatus.OK);
        return h;
    }

    @Test
    void anIpv4EndpointIsAddressColonPort() {
        PacketHeaders h = parse(Frames.ethernetIpv4Tcp("10.0.0.1", "192.168.7.9", 5000, 443, TcpFlags.SYN, 0));
        assertThat(h.appendSourceEndpoint(new StringBuilder("> ")).toString()).isEqualTo("> 10.0.0.1:5000");
        assertThat(h.appendDestinationEndpoint(new StringBuilder()).toString()).isEqualTo("192.168.7.9:443");
    }

    @Test
    void anIpv6EndpointPutsTheAddressInBracketsSoThePortCannotReadAsAGroup() {
        PacketHeaders h = parse(Frames.ethernetIpv6Tcp("fd00::1", "2001:db8::53", 53402, 22, TcpFlags.ACK, 0));
        assertThat(h.appendSourceEndpoint(new StringBuilder()).toString()).isEqualTo("[fd00::1]:53402");
        assertThat(h.appendDestinationEndpoint(new StringBuilder()).toString()).isEqualTo("[2001:db8::53]:22");
    }
}
