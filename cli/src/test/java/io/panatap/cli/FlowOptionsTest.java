package io.panatap.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --flows} and {@code --follow DIR} on the command line, and the combinations refused. */
class FlowOptionsTest {
    @Test
    void flowsAndFollowAreLongOptions() throws UsageException {
        Options o = Options.parse("-r", "f.pcap", "--flows", "--follow", "out", "--format", "json", "port", "80");
        assertThat(o.flows).isTrue();
        assertThat(o.followDir).isEqualTo("out");
        assertThat(o.format).isEqualTo(OutputFormat.JSON);
        assertThat(o.filterExpression).isEqualTo("port 80");
        assertThat(Options.parse("--follow=dir").followDir).isEqualTo("dir");
        assertThat(Options.parse("-c", "5").flows).isFalse();
        assertThat(Options.parse("-c", "5").followDir).isNull();
    }

    @Test
    void theCombinationsThatCannotWorkAreOneUsageError() {
        assertThatThrownBy(() -> Options.parse("--flows", "-w", "x.pcap"))
                .hasMessage("-w writes packets: --flows and --follow cannot be used with -w");
        assertThatThrownBy(() -> Options.parse("--follow", "d", "-w", "x.pcap"))
                .hasMessage("-w writes packets: --flows and --follow cannot be used with -w");
        assertThatThrownBy(() -> Options.parse("--follow", "d", "--format", "json"))
                .hasMessage("--follow alone prints nothing: --format applies with --flows");
        assertThatThrownBy(() -> Options.parse("--follow")).hasMessage("option --follow needs a value");
        assertThatThrownBy(() -> Options.parse("--flows=yes")).hasMessage("option --flows takes no value");
    }

    @Test
    void theHelpDescribesBoth() {
        assertThat(Options.HELP).contains("  --flows  ").contains("  --follow DIR  ");
    }
}
