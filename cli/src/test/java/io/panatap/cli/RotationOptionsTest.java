package io.panatap.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code -C}, {@code -G}, {@code -W} and {@code --listen} as the parser reads them. */
class RotationOptionsTest {
    @Test
    void sizesAreMillionsOfBytesOrKibMibGibWithASuffix() throws UsageException {
        assertThat(Options.parse("-w", "f", "-C", "1").rotateBytes).isEqualTo(1_000_000);
        assertThat(Options.parse("-w", "f", "-C100").rotateBytes).isEqualTo(100_000_000);
        assertThat(Options.parse("-w", "f", "-C", "3k").rotateBytes).isEqualTo(3 * 1024);
        assertThat(Options.parse("-w", "f", "-C", "2M").rotateBytes).isEqualTo(2 << 20);
        assertThat(Options.parse("-w", "f", "-C", "1g").rotateBytes).isEqualTo(1 << 30);
        for (String bad : new String[]{"0", "-1", "1x", "k", "", "1.5"}) {
            assertThatThrownBy(() -> Options.parse("-w", "f", "-C", bad)).isInstanceOf(UsageException.class)
                    .hasMessageStartingWith("-C takes a file size in millions of bytes");
        }
    }

    @Test
    void timeAndCountTakePositiveNumbers() throws UsageException {
        Options o = Options.parse("-w", "f-%H", "-G", "60", "-W", "24");
        assertThat(o.rotation()).isEqualTo(new RotatingWriter.Limits(0, 60, 24));
        assertThatThrownBy(() -> Options.parse("-w", "f", "-G", "0")).hasMessageStartingWith("-G takes a whole number from 1");
        assertThatThrownBy(() -> Options.parse("-w", "f", "-C", "1", "-W", "0")).hasMessageStartingWith("-W takes");
    }

    @Test
    void rotationNeedsAFileAndWNeedsCOrG() {
        assertThatThrownBy(() -> Options.parse("-C", "1")).hasMessage("-C, -G and -W rotate -w files: give -w a file name");
        assertThatThrownBy(() -> Options.parse("-w", "-", "-G", "5")).hasMessage("-C, -G and -W rotate -w files: give -w a file name");
        assertThatThrownBy(() -> Options.parse("-w", "f", "-W", "3")).hasMessage("-W counts rotated files: use it with -C or -G");
    }

    @Test
    void strftimeConversionsNotExpandedAreRefusedWithG() throws UsageException {
        assertThatThrownBy(() -> Options.parse("-w", "f-%Z.pcap", "-G", "5"))
                .hasMessageStartingWith("-w f-%Z.pcap: %Z in the file name is not supported; -G expands %Y");
        assertThat(Options.parse("-w", "f-%Z.pcap", "-C", "5").writeFile).as("no -G: the name is literal")
                .isEqualTo("f-%Z.pcap");
    }

    @Test
    void listenTakesAPortOrAnAddressAndPort() throws UsageException {
        Options o = Options.parse("--listen", "57012");
        assertThat(o.listenHost).isEqualTo("127.0.0.1");
        assertThat(o.listenPort).isEqualTo(57012);
        o = Options.parse("--listen=0.0.0.0:9000", "-w", "f");
        assertThat(o.listenHost).isEqualTo("0.0.0.0");
        assertThat(o.listenPort).isEqualTo(9000);
        o = Options.parse("--listen", "[::1]:0", "port", "80");
        assertThat(o.listenHost).isEqualTo("::1");
        assertThat(o.listenPort).isZero();
        assertThat(o.filterExpression).isEqualTo("port 80");
        assertThatThrownBy(() -> Options.parse("--listen", "::1:80")).hasMessageContaining("IPv6 address in brackets");
        assertThatThrownBy(() -> Options.parse("--listen", "70000")).hasMessageStartingWith("--listen port takes");
        assertThatThrownBy(() -> Options.parse("--listen")).hasMessage("option --listen needs a value");
        assertThatThrownBy(() -> Options.parse("-r", "f", "--listen", "1")).hasMessageContaining("--listen apply to live");
    }

    @Test
    void workersStillParseNowThatWIsTcpdumps() throws UsageException {
        Options o = Options.parse("--workers", "3", "-w", "f", "-C", "1", "-W", "5");
        assertThat(o.workers).isEqualTo(3);
        assertThat(o.fileCount).isEqualTo(5);
    }

    @Test
    void theHelpNamesEveryNewOption() {
        assertThat(Options.HELP).contains("-C SIZE", "-G SECONDS", "-W COUNT", "--listen [ADDR:]PORT", "tcp://HOST:PORT");
    }
}
