package io.panatap.parse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class TcpFlagsTest {

    @Test
    void bitValuesMatchRfc9293AndRfc3168AndAccEcn() {
        // RFC 9293 section 3.1 control bits, low to high: FIN SYN RST PSH ACK URG ECE CWR; AE is bit 8 of the field.
        assertThat(new int[] {TcpFlags.FIN, TcpFlags.SYN, TcpFlags.RST, TcpFlags.PSH, TcpFlags.ACK, TcpFlags.URG,
                TcpFlags.ECE, TcpFlags.CWR, TcpFlags.AE})
                .containsExactly(0x001, 0x002, 0x004, 0x008, 0x010, 0x020, 0x040, 0x080, 0x100);
        assertThat(TcpFlags.RESERVED).isEqualTo(0xE00);
        assertThat(TcpFlags.MASK).isEqualTo(0xFFF);
    }

    @ParameterizedTest(name = "0x{0} -> {1}")
    @CsvSource({
            // tcpdump print-tcp.c tcp_flag_values: F S R P . U E W e, "none" when no known bit is set
            "001, F", "002, S", "004, R", "008, P", "010, '.'", "020, U", "040, E", "080, W", "100, e",
            "012, S.", "011, F.", "019, FP.", "018, P.", "014, R.", "0c2, SEW", "1c2, SEWe", "1ff, FSRP.UEWe",
            "000, none", "e00, none", "e02, S", "fff, FSRP.UEWe"})
    void rendersTcpdumpLettersInTcpdumpOrder(String hex, String letters) {
        int flags = Integer.parseInt(hex, 16);
        assertThat(TcpFlags.tcpdumpLetters(flags)).isEqualTo(letters);
        assertThat(TcpFlags.appendTcpdumpLetters(new StringBuilder("["), flags).append(']'))
                .hasToString("[" + letters + "]");
    }

    @ParameterizedTest(name = "0x{0} -> {1}")
    @CsvSource({"000, 000000", "018, 011000", "002, 000010", "012, 010010", "001, 000001", "020, 100000",
            "03f, 111111", "fc0, 000000", "d30, 110000"})
    void rendersTheSixClassicColumnsUrgAckPshRstSynFin(String hex, String columns) {
        int flags = Integer.parseInt(hex, 16);
        assertThat(TcpFlags.columns(flags)).isEqualTo(columns);
        // Same digits as the corpus definition: format(flags & 0x3f, '06b').
        String binary = Integer.toBinaryString(flags & 0x3F);
        assertThat(columns).isEqualTo("0".repeat(6 - binary.length()) + binary);
    }

    @Test
    void separatesColumnsWithTheGivenSeparator() {
        assertThat(TcpFlags.appendColumns(new StringBuilder(), TcpFlags.SYN | TcpFlags.ACK, "  "))
                .hasToString("0  1  0  0  1  0");
    }
}
