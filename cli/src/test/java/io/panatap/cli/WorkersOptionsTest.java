package io.panatap.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkersOptionsTest {

    @Test
    void workersDefaultToOneAndNoUserSwitch() throws Exception {
        Options o = Options.parse();
        assertThat(o.workers).isEqualTo(1);
        assertThat(o.user).isNull();
    }

    @Test
    void workersAndUserTakeValuesInEveryForm() throws Exception {
        Options o = Options.parse("--workers", "4", "-Z", "nobody", "-w", "out.pcap");
        assertThat(o.workers).isEqualTo(4);
        assertThat(o.user).isEqualTo("nobody");
        Options p = Options.parse("--workers=2", "--relinquish-privileges=daemon", "tcp");
        assertThat(p.workers).isEqualTo(2);
        assertThat(p.user).isEqualTo("daemon");
        assertThat(p.filterExpression).isEqualTo("tcp");
        assertThat(Options.parse("-Znobody").user).isEqualTo("nobody");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--workers 0", "--workers 257", "--workers x", "--workers", "-Z", "--workers 2 -w -",
            "-r f --workers 2", "-r f -Z nobody"})
    void badWorkerAndUserOptionsAreUsageErrors(String line) {
        assertThatThrownBy(() -> Options.parse(line.split(" "))).isInstanceOf(UsageException.class)
                .hasMessageNotContaining("Exception");
    }

    @Test
    void theMessagesSayWhatIsWrong() {
        assertThatThrownBy(() -> Options.parse("--workers", "0"))
                .hasMessage("--workers takes a whole number from 1 to 256, not '0'");
        assertThatThrownBy(() -> Options.parse("--workers", "2", "-w", "-"))
                .hasMessage("with --workers, -w writes one file per worker: give it a file name, not - (standard output)");
        assertThatThrownBy(() -> Options.parse("-Z", ""))
                .hasMessage("-Z needs a user name");
    }

    @Test
    void theHelpDescribesBoth() {
        assertThat(Options.HELP).contains("--workers N").contains("out-0.pcap").contains("-Z, --relinquish-privileges USER");
    }
}
