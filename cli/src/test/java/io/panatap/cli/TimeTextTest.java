package io.panatap.cli;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TimeTextTest {

    @Test
    void utcTimesAreRfc3339WithNineFractionDigits() {
        assertThat(utc(0)).isEqualTo("1970-01-01T00:00:00.000000000Z");
        assertThat(utc(1_764_060_748_099_784_123L)).isEqualTo("2025-11-25T08:52:28.099784123Z");
        assertThat(utc(-1)).isEqualTo("1969-12-31T23:59:59.999999999Z");
        assertThat(utc(951_782_400_000_000_000L)).as("leap day 2000").isEqualTo("2000-02-29T00:00:00.000000000Z");
    }

    @Test
    void utcTimesAgreeWithJavaTimeOverManyDates() {
        Random random = new Random(42);
        DateTimeFormatter iso = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'");
        for (int i = 0; i < 10_000; i++) {
            long nanos = random.nextLong(0, 4_102_444_800_000_000_000L); // 1970..2100
            String expected = iso.format(LocalDateTime.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                    (int) Math.floorMod(nanos, 1_000_000_000L), ZoneOffset.UTC));
            assertThat(utc(nanos)).isEqualTo(expected);
        }
    }

    @Test
    void localTimesAreMicrosecondsInTheZoneAcrossDaylightSavingChanges() {
        TimeText text = new TimeText(ZoneId.of("Europe/Berlin"));
        // 2025-03-30 00:59:59.5 UTC is 01:59:59 CET; one second later it is 03:00:00 CEST.
        long before = Instant.parse("2025-03-30T00:59:59.500000999Z").toEpochMilli() * 1_000_000L + 999;
        assertThat(text.appendLocalTime(new StringBuilder(), before).toString()).isEqualTo("01:59:59.500000");
        assertThat(text.appendLocalTime(new StringBuilder(), before + 1_000_000_000L).toString())
                .isEqualTo("03:00:00.500000");
        assertThat(text.appendLocalTime(new StringBuilder(), before).toString()).as("going back")
                .isEqualTo("01:59:59.500000");
        assertThat(new TimeText(ZoneOffset.UTC).appendLocalTime(new StringBuilder(), 12_345_678L).toString())
                .isEqualTo("00:00:00.012345");
    }

    private static String utc(long nanos) {
        return TimeText.appendUtc(new StringBuilder(), nanos).toString();
    }
}
