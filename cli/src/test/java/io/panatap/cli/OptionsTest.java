package io.panatap.cli;

import io.panatap.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionsTest {

    @Test
    void noArgumentsCaptureReceivedSegmentsOnAllInterfacesAsATable() throws Exception {
        Options o = Options.parse();
        assertThat(o.allInterfaces()).isTrue();
        assertThat(o.directions).containsExactly(Direction.IN);
        assertThat(o.format).isEqualTo(OutputFormat.TABLE);
        assertThat(o.count).isZero();
        assertThat(o.snapLength).isEqualTo(262_144);
        assertThat(o.bufferKiB).isZero();
        assertThat(o.promiscuous).isTrue();
        assertThat(o.readFile).isNull();
        assertThat(o.writeFile).isNull();
        assertThat(o.filterExpression).isNull();
        assertThat(o.listInterfaces || o.dumpFilter || o.verbose || o.help || o.version).isFalse();
    }

    @Test
    void everyShortOptionWithASeparateValue() throws Exception {
        Options o = Options.parse("-i", "eth0", "-Q", "inout", "-c", "5", "-s", "128", "-B", "4096", "-p",
                "-w", "out.pcap", "-n", "-v", "-l", "-U");
        assertThat(o.interfaceName).isEqualTo("eth0");
        assertThat(o.allInterfaces()).isFalse();
        assertThat(o.directions).containsExactly(Direction.IN, Direction.OUT);
        assertThat(o.count).isEqualTo(5);
        assertThat(o.snapLength).isEqualTo(128);
        assertThat(o.bufferKiB).isEqualTo(4096);
        assertThat(o.promiscuous).isFalse();
        assertThat(o.writeFile).isEqualTo("out.pcap");
        assertThat(o.verbose).isTrue();
    }

    @Test
    void attachedValuesAndGroupedFlagsWorkAsWithGetopt() throws Exception {
        Options o = Options.parse("-nc5", "-iany", "-Qout", "-vpd");
        assertThat(o.count).isEqualTo(5);
        assertThat(o.allInterfaces()).isTrue();
        assertThat(o.directions).containsExactly(Direction.OUT);
        assertThat(o.verbose && o.dumpFilter && !o.promiscuous).isTrue();

        Options grouped = Options.parse("-nc", "7");
        assertThat(grouped.count).isEqualTo(7);
    }

    @Test
    void longOptionsTakeValuesWithEqualsOrSeparately() throws Exception {
        Options o = Options.parse("--format=json", "--interface", "lo", "--count=3", "--direction", "out",
                "--snapshot-length=0", "--buffer-size", "64", "--no-promiscuous-mode", "--verbose");
        assertThat(o.format).isEqualTo(OutputFormat.JSON);
        assertThat(o.interfaceName).isEqualTo("lo");
        assertThat(o.count).isEqualTo(3);
        assertThat(o.directions).containsExactly(Direction.OUT);
        assertThat(o.snapLength).as("0 means the maximum, as in tcpdump").isEqualTo(262_144);
        assertThat(o.bufferKiB).isEqualTo(64);
        assertThat(o.promiscuous).isFalse();
        assertThat(o.verbose).isTrue();
        assertThat(Options.parse("--format", "line").format).isEqualTo(OutputFormat.LINE);
        assertThat(Options.parse("--format", "table").format).isEqualTo(OutputFormat.TABLE);
        assertThat(Options.parse("--list-interfaces").listInterfaces).isTrue();
        assertThat(Options.parse("-D").listInterfaces).isTrue();
        assertThat(Options.parse("--help").help).isTrue();
        assertThat(Options.parse("-h").help).isTrue();
        assertThat(Options.parse("--version").version).isTrue();
    }

    @Test
    void wordsThatAreNotOptionsFormTheFilterExpressionWherever() throws Exception {
        Options o = Options.parse("tcp", "port", "22", "-c", "2", "and", "host", "10.0.0.1");
        assertThat(o.filterExpression).isEqualTo("tcp port 22 and host 10.0.0.1");
        assertThat(o.count).isEqualTo(2);
        assertThat(Options.parse("-c1", "--", "-weird", "-c").filterExpression).isEqualTo("-weird -c");
        assertThat(Options.parse("-F", "f.txt").filterFile).isEqualTo("f.txt");
    }

    @Test
    void readModeTakesAFileAndMayCopyToAnother() throws Exception {
        Options o = Options.parse("-r", "in.pcap", "-w", "-", "-c", "10");
        assertThat(o.readFile).isEqualTo("in.pcap");
        assertThat(o.writeFile).isEqualTo("-");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-x", "--bogus", "-c", "-c 0", "-c -1", "-c abc", "-c 99999999999999999999",
            "-s -1", "-s 262145", "-B 0", "-B 3", "-B x", "-Q sideways", "--format xml", "--format", "-i",
            "--verbose=yes", "-w", "-r", "-F", "-r f -i eth0", "-r f -Q in", "-r f -p", "-r f -B 8", "-r f -D",
            "-w o.pcap --format json", "-F f.txt tcp"})
    void badCommandLinesAreUsageErrorsWithAMessage(String line) {
        assertThatThrownBy(() -> Options.parse(line.split(" ")))
                .isInstanceOf(UsageException.class)
                .hasMessageNotContaining("Exception");
    }

    @Test
    void usageErrorsSayWhatIsWrong() {
        assertThatThrownBy(() -> Options.parse("-Q", "up")).hasMessage("-Q takes in, out or inout, not 'up'");
        assertThatThrownBy(() -> Options.parse("-c", "0"))
                .hasMessage("-c takes a whole number from 1 to 9223372036854775807, not '0'");
        assertThatThrownBy(() -> Options.parse("-Y")).hasMessage("unknown option '-Y'");
        assertThatThrownBy(() -> Options.parse("-c")).hasMessage("option -c needs a value");
    }

    @Test
    void harmlessTcpdumpOptionsAreAccepted() throws Exception {
        Options o = Options.parse("-S", "-K", "-q", "-N", "-f", "--immediate-mode", "--packet-buffered",
                "--absolute-tcp-sequence-numbers", "--dont-verify-checksums", "-nSKq", "tcp");
        assertThat(o.filterExpression).isEqualTo("tcp");
        assertThat(o.format).isEqualTo(OutputFormat.TABLE);
    }

    @Test
    void packetBufferedIsRecordedForTheFileWriter() throws Exception {
        assertThat(Options.parse("-w", "out.pcap").packetBuffered).isFalse();
        assertThat(Options.parse("-U", "-w", "out.pcap").packetBuffered).isTrue();
        assertThat(Options.parse("--packet-buffered", "-w", "out.pcap").packetBuffered).isTrue();
        assertThat(Options.parse("-nU", "-w", "out.pcap").packetBuffered).isTrue();
    }

    @Test
    void aTcpdumpOptionPanatapLacksIsNamedWithTheClosestOption() {
        assertThatThrownBy(() -> Options.parse("-nX")).hasMessage(
                "-X (hex and ASCII dump) is not supported yet; --format line prints tcpdump's line without the payload");
        assertThatThrownBy(() -> Options.parse("--nano")).hasMessageStartingWith("--nano (nanosecond timestamps) ");
        assertThatThrownBy(() -> Options.parse("--monitor-mode")).hasMessageStartingWith("--monitor-mode (monitor mode) ");
        assertThatThrownBy(() -> Options.parse("-W", "3")).hasMessageStartingWith("-W (number of -w files) ");
    }

    /** Every option of tcpdump 4.99.3 ({@code tcpdump --help}, {@code man tcpdump}) is known, with its value. */
    @ParameterizedTest
    @ValueSource(strings = {"-A", "-b", "-e", "-H", "-I", "-J", "-L", "-O", "-t", "-tttt", "-u", "-x", "-xx", "-X",
            "-XX", "-#", "-C 1", "-E spec", "-G 1", "-j adapter", "-m mod", "-M secret", "-T rpc", "-V list",
            "-W 2", "-y EN10MB", "-z gzip", "--monitor-mode", "--time-stamp-type adapter",
            "--time-stamp-type=adapter", "--list-time-stamp-types", "--time-stamp-precision nano",
            "--time-stamp-precision=nano", "--micro", "--nano", "--list-data-link-types", "--number",
            "--no-optimize", "--print", "--linktype EN10MB", "--fp-type"})
    void everyOtherTcpdumpOptionIsNamedAndTakesItsValue(String line) {
        String[] words = line.split(" ");
        String shown = words[0].startsWith("--") ? words[0].split("=")[0] : words[0].substring(0, 2);
        assertThatThrownBy(() -> Options.parse(words)).isInstanceOf(UsageException.class)
                .hasMessageStartingWith(shown + " (").hasMessageContaining(") is not supported yet; ");
    }

    @Test
    void anOptionTcpdumpLacksIsUnknown() {
        assertThatThrownBy(() -> Options.parse("-Y")).hasMessage("unknown option '-Y'");
        assertThatThrownBy(() -> Options.parse("--frobnicate")).hasMessage("unknown option '--frobnicate'");
    }
}
