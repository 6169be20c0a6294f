package io.panatap.cli;

import io.panatap.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionsTest {

    @Test
    void verbosityCountsEachVAndQuietAndKAreKept() throws UsageException {
        Options o = Options.parse("-vv", "--verbose", "-q", "-K");
        assertThat(o.verbosity).isEqualTo(3);
        assertThat(o.verbose).isTrue();
        assertThat(o.quiet).isTrue();
        assertThat(o.noChecksums).isTrue();
        Options none = Options.parse();
        assertThat(none.verbosity).isZero();
        assertThat(none.quiet).isFalse();
        assertThat(none.noChecksums).isFalse();
    }

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
    void writingDefaultsToBothDirectionsAsTcpdumpAndDashQStillDecides() throws Exception {
        assertThat(Options.parse("-w", "out.pcap").directions).containsExactly(Direction.IN, Direction.OUT);
        assertThat(Options.parse("--format", "json").directions).as("rows keep received segments")
                .containsExactly(Direction.IN);
        assertThat(Options.parse("-Q", "in", "-w", "out.pcap").directions).containsExactly(Direction.IN);
        assertThat(Options.parse("-w", "out.pcap", "-Qout").directions).containsExactly(Direction.OUT);
    }

    @Test
    void aListenStreamGetsBothDirectionsWhileRowsBesideItKeepReceivedSegments() throws Exception {
        Options rows = Options.parse("--listen", "0");
        assertThat(rows.directions).containsExactly(Direction.IN, Direction.OUT);
        assertThat(rows.receivedRowsOnly).isTrue();
        Options file = Options.parse("--listen", "0", "-w", "out.pcap");
        assertThat(file.directions).containsExactly(Direction.IN, Direction.OUT);
        assertThat(file.receivedRowsOnly).isFalse();
        Options asked = Options.parse("--listen", "0", "-Q", "in");
        assertThat(asked.directions).containsExactly(Direction.IN);
        assertThat(asked.receivedRowsOnly).isFalse();
    }

    @Test
    void pcapngIsChosenByTheNameOrByDashDashPcapngWhichNeedsAFile() throws Exception {
        assertThat(Writers.pcapng(Options.parse("-w", "x.pcapng"), "x.pcapng")).isTrue();
        assertThat(Writers.pcapng(Options.parse("-w", "X.PCAPNG"), "X.PCAPNG")).isTrue();
        assertThat(Writers.pcapng(Options.parse("-w", "x.pcap"), "x.pcap")).isFalse();
        assertThat(Writers.pcapng(Options.parse("--pcapng", "-w", "-"), "-")).isTrue();
        assertThatThrownBy(() -> Options.parse("--pcapng")).isInstanceOf(UsageException.class)
                .hasMessage("--pcapng sets the format of the -w file: give -w FILE too");
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
    @ValueSource(strings = {"-Y", "--bogus", "-c", "-c 0", "-c -1", "-c abc", "-c 99999999999999999999",
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
        assertThat(Options.parse("--immediate-mode", "-w", "out.pcap").packetBuffered).as("lowest latency").isTrue();
    }

    @Test
    void aTcpdumpOptionPanatapLacksIsNamedWithTheClosestOption() {
        assertThatThrownBy(() -> Options.parse("-nb")).hasMessage(
                "-b (BGP AS numbers in ASDOT) is not supported yet; panatap captures and prints TCP segments only");
        assertThatThrownBy(() -> Options.parse("--monitor-mode")).hasMessageStartingWith("--monitor-mode (monitor mode) ");
        assertThatThrownBy(() -> Options.parse("-y", "EN10MB")).hasMessageStartingWith("-y (");
    }

    /** Every option of tcpdump 4.99.3 ({@code tcpdump --help}, {@code man tcpdump}) is known, with its value. */
    @ParameterizedTest
    @ValueSource(strings = {"-b", "-H", "-I", "-J", "-L", "-O", "-u", "-E spec", "-j adapter", "-m mod", "-M secret",
            "-T rpc", "-V list", "-y EN10MB", "--monitor-mode", "--time-stamp-type adapter",
            "--time-stamp-type=adapter", "--list-time-stamp-types", "--list-data-link-types",
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

    @Test
    void theViewsSelectTheLineFormatAndCountLikeTcpdump() throws Exception {
        Options o = Options.parse("-r", "f", "-XX", "-ettt", "-#", "-A", "-x");
        assertThat(o.format).isEqualTo(OutputFormat.LINE);
        assertThat(o.hexAsciiCount).isEqualTo(2);
        assertThat(o.hexCount).isEqualTo(1);
        assertThat(o.asciiCount).isEqualTo(1);
        assertThat(o.timestampMode).isEqualTo(3);
        assertThat(o.linkHeader).isTrue();
        assertThat(o.packetNumbers).isTrue();
        assertThat(Options.parse("--number").packetNumbers).isTrue();
        assertThat(Options.parse("--time-stamp-precision", "nanoseconds").nanoPrecision).isTrue();
        assertThat(Options.parse("--time-stamp-precision=micro").nanoPrecision).isFalse();
        assertThat(Options.parse("--nano", "--micro").nanoPrecision).isFalse();
        assertThat(Options.parse("--micro", "--nano").nanoPrecision).isTrue();
        assertThat(Options.parse("--format", "json", "-e", "-#", "-X").format).isEqualTo(OutputFormat.JSON);
        assertThat(Options.parse("-tttttt", "-h").help).isTrue();
    }

    @Test
    void withWriteTheViewsChangeNothingButThePrecision() throws Exception {
        Options o = Options.parse("-w", "out.pcap", "-X", "-e", "--nano");
        assertThat(o.format).isEqualTo(OutputFormat.TABLE);
        assertThat(o.formatGiven).isFalse();
        assertThat(o.nanoPrecision).isTrue();
    }

    @Test
    void theTableRefusesTheViewsAndJsonTheTimestampModes() {
        assertThatThrownBy(() -> Options.parse("--format", "table", "-X")).hasMessage(
                "-X applies to --format line (and json); the table has fixed columns");
        assertThatThrownBy(() -> Options.parse("-e", "--format=table")).hasMessageStartingWith("-e applies to");
        assertThatThrownBy(() -> Options.parse("--format", "json", "-tt")).hasMessage(
                "-t applies to --format line; --format json always prints the RFC 3339 time");
        assertThatThrownBy(() -> Options.parse("-tttttt")).hasMessage(
                "only -t, -tt, -ttt, -tttt and -ttttt are supported");
        assertThatThrownBy(() -> Options.parse("--time-stamp-precision", "milli")).hasMessage(
                "--time-stamp-precision takes micro or nano, not 'milli'");
    }
}
