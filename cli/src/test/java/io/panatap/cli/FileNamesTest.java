package io.panatap.cli;

import org.junit.jupiter.api.Test;

import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;

class FileNamesTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    /** 2026-03-07 04:05:06 UTC, a Saturday, day 66 of the year. */
    private static final long T = ZonedDateTime.of(2026, 3, 7, 4, 5, 6, 0, UTC).toEpochSecond();

    @Test
    void digitsAreThoseOfTheLargestNumberAsTcpdumpsGetWflagChars() {
        assertThat(FileNames.digits(1)).isZero();
        assertThat(FileNames.digits(2)).isEqualTo(1);
        assertThat(FileNames.digits(10)).isEqualTo(1);
        assertThat(FileNames.digits(11)).isEqualTo(2);
        assertThat(FileNames.digits(100)).isEqualTo(2);
        assertThat(FileNames.digits(101)).isEqualTo(3);
    }

    @Test
    void theFirstFileWithoutWIsTheNameItselfThenNumbersAreAppended() {
        assertThat(FileNames.name("f.pcap", false, T, UTC, 0, 0)).isEqualTo("f.pcap");
        assertThat(FileNames.name("f.pcap", false, T, UTC, 1, 0)).isEqualTo("f.pcap1");
        assertThat(FileNames.name("f.pcap", false, T, UTC, 12, 0)).isEqualTo("f.pcap12");
        assertThat(FileNames.name("f.pcap", false, T, UTC, 0, 2)).isEqualTo("f.pcap00");
        assertThat(FileNames.name("f.pcap", false, T, UTC, 7, 2)).isEqualTo("f.pcap07");
        assertThat(FileNames.name("f%H.pcap", false, T, UTC, 0, 0)).as("no -G: no strftime").isEqualTo("f%H.pcap");
    }

    @Test
    void expandsTheConversionsTcpdumpUsersUseInTheCLocale() {
        assertThat(FileNames.name("d-%Y%m%d-%H%M%S.pcap", true, T, UTC, 0, 0)).isEqualTo("d-20260307-040506.pcap");
        assertThat(FileNames.name("%s %j %y %b %a %F %T %%", true, T, UTC, 0, 0))
                .isEqualTo(T + " 066 26 Mar Sat 2026-03-07 04:05:06 %");
        assertThat(FileNames.name("%H.pcap", true, T, ZoneId.of("Asia/Kolkata"), 3, 1))
                .as("local time, then the -C number").isEqualTo("09.pcap3");
    }

    @Test
    void refusesConversionsItDoesNotExpand() {
        assertThat(FileNames.check("%Y-%m-%d_%H:%M:%S.%s.pcap")).isNull();
        assertThat(FileNames.check("plain.pcap")).isNull();
        assertThat(FileNames.check("f-%Z.pcap")).contains("%Z").contains("%Y %m %d");
        assertThat(FileNames.check("f-%")).contains("lone %");
    }
}
