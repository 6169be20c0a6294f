package io.panatap.capture;

import io.panatap.filter.BpfProgram;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the default socket filters on hand-built frames with a minimal interpreter of the opcodes they use. */
class TcpOnlyFilterTest {
    private static final int SNAP = 262_144;
    private static final HexFormat HEX = HexFormat.of();

    private static final String MACS = "020000000001" + "020000000002";
    private static final String IPV4_TCP = "4500002800010000" + "4006" + "0000" + "0a000001" + "0a000002"
            + "9c419c42000000010000000050020000" + "00000000";
    private static final String IPV4_UDP = "4500001c00010000" + "4011" + "0000" + "0a000001" + "0a000002"
            + "9c419c4200080000";
    private static final String IPV6_TCP = "6000000000140640" + "fd00000000000000000000000000000" + "1"
            + "fd00000000000000000000000000000" + "2" + "9c419c42000000010000000050020000" + "00000000";
    private static final String IPV6_FRAGMENT_TCP = "60000000001c2c40" + "fd000000000000000000000000000001"
            + "fd000000000000000000000000000002" + "0600000100000001" + "9c419c42000000010000000050020000" + "00000000";
    private static final String IPV6_UDP = "6000000000081140" + "fd000000000000000000000000000001"
            + "fd000000000000000000000000000002" + "9c419c4200080000";

    /** A cBPF interpreter for ld abs (b/h, including SKF_AD_PROTOCOL), jeq and ret, with kernel semantics. */
    private static int run(BpfProgram program, byte[] packet, int skbProtocol) {
        int a = 0;
        for (int pc = 0; pc < program.length(); pc++) {
            int code = program.code(pc);
            int k = program.constant(pc);
            switch (code) {
                case 0x28 -> {
                    if (k == -0x1000) {
                        a = skbProtocol;
                    } else if (k + 2 > packet.length) {
                        return 0; // the kernel rejects the packet on an out-of-bounds load
                    } else {
                        a = (packet[k] & 0xFF) << 8 | (packet[k + 1] & 0xFF);
                    }
                }
                case 0x30 -> {
                    if (k + 1 > packet.length) {
                        return 0;
                    }
                    a = packet[k] & 0xFF;
                }
                case 0x15 -> pc += a == k ? program.jumpTrue(pc) : program.jumpFalse(pc);
                case 0x06 -> {
                    return k;
                }
                default -> throw new AssertionError("unexpected opcode " + code);
            }
        }
        throw new AssertionError("fell off the end of the program");
    }

    private static int ethernet(String hex) {
        return run(TcpOnlyFilter.ethernet(SNAP), HEX.parseHex(hex), 0);
    }

    private static int network(int protocol, String hex) {
        return run(TcpOnlyFilter.network(SNAP), HEX.parseHex(hex), protocol);
    }

    @Test
    void ethernetFilterAcceptsTcpOverIpv4AndIpv6WithTheSnapLength() {
        assertThat(ethernet(MACS + "0800" + IPV4_TCP)).isEqualTo(SNAP);
        assertThat(ethernet(MACS + "86dd" + IPV6_TCP)).isEqualTo(SNAP);
        assertThat(ethernet(MACS + "86dd" + IPV6_FRAGMENT_TCP)).isEqualTo(SNAP);
    }

    @Test
    void ethernetFilterAcceptsTcpBehindUpToTwoTagsInTheFrame() {
        assertThat(ethernet(MACS + "8100002a" + "0800" + IPV4_TCP)).isEqualTo(SNAP);
        assertThat(ethernet(MACS + "88a80064" + "8100002a" + "86dd" + IPV6_TCP)).isEqualTo(SNAP);
        assertThat(ethernet(MACS + "91000064" + "0800" + IPV4_TCP)).isEqualTo(SNAP);
        assertThat(ethernet(MACS + "88a80064" + "8100002a" + "8100002b" + "0800" + IPV4_TCP)).isZero();
    }

    @Test
    void ethernetFilterRejectsEverythingElse() {
        assertThat(ethernet(MACS + "0800" + IPV4_UDP)).isZero();
        assertThat(ethernet(MACS + "86dd" + IPV6_UDP)).isZero();
        assertThat(ethernet(MACS + "8100002a" + "0800" + IPV4_UDP)).isZero();
        assertThat(ethernet(MACS + "0806" + "0001080006040001")).isZero();
        assertThat(ethernet(MACS + "08")).isZero();
        assertThat(ethernet(MACS + "0800" + "4500")).isZero();
    }

    @Test
    void networkFilterTakesTheProtocolFromTheSocketBuffer() {
        assertThat(network(0x0800, IPV4_TCP)).isEqualTo(SNAP);
        assertThat(network(0x86DD, IPV6_TCP)).isEqualTo(SNAP);
        assertThat(network(0x86DD, IPV6_FRAGMENT_TCP)).isEqualTo(SNAP);
        assertThat(network(0x0800, IPV4_UDP)).isZero();
        assertThat(network(0x86DD, IPV6_UDP)).isZero();
        assertThat(network(0x0806, IPV4_TCP)).isZero();
    }

    @Test
    void theAcceptValueIsTheSnapLength() {
        assertThat(run(TcpOnlyFilter.ethernet(96), HEX.parseHex(MACS + "0800" + IPV4_TCP), 0)).isEqualTo(96);
        assertThat(run(TcpOnlyFilter.network(96), HEX.parseHex(IPV4_TCP), 0x0800)).isEqualTo(96);
    }

    @Test
    void theEthernetFilterHasTheShapeOfTcpdumpsForUntaggedFrames() {
        // tcpdump -dd 'tcp' begins: ldh [12]; jeq #0x800; ... ldb [23]; jeq #6
        BpfProgram p = TcpOnlyFilter.ethernet(SNAP);
        assertThat(p.code(0)).isEqualTo(0x28);
        assertThat(p.constant(0)).isEqualTo(12);
        assertThat(p.length()).isLessThan(BpfProgram.MAX_INSTRUCTIONS);
        assertThat(p.code(p.length() - 1)).isEqualTo(0x06);
        assertThat(p.constant(p.length() - 1)).isZero();
    }
}
