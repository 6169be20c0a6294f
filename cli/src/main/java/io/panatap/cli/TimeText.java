package io.panatap.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * Timestamps as text without allocating per packet: tcpdump's local {@code HH:MM:SS.ffffff} and RFC 3339 UTC
 * with nanoseconds. The local offset is looked up again only when a zone transition is crossed.
 */
final class TimeText {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final ZoneRules rules;
    private long offsetValidFrom = Long.MAX_VALUE;
    private long offsetValidUntil = Long.MIN_VALUE;
    private int offsetSeconds;

    TimeText(ZoneId zone) {
        this.rules = zone.getRules();
    }

    /** Appends {@code HH:MM:SS.ffffff} in this zone (microseconds, truncated, as tcpdump prints). */
    StringBuilder appendLocalTime(StringBuilder out, long epochNanos) {
        long seconds = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        long nanos = Math.floorMod(epochNanos, NANOS_PER_SECOND);
        if (seconds < offsetValidFrom || seconds >= offsetValidUntil) {
            lookUpOffset(seconds);
        }
        long secondOfDay = Math.floorMod(seconds + offsetSeconds, 86_400L);
        two(out, (int) (secondOfDay / 3600)).append(':');
        two(out, (int) (secondOfDay / 60 % 60)).append(':');
        two(out, (int) (secondOfDay % 60)).append('.');
        return digits(out, nanos / 1000, 6);
    }

    /** The zone's offset from UTC at {@code seconds} since the epoch, in seconds. */
    int offsetSeconds(long seconds) {
        if (seconds < offsetValidFrom || seconds >= offsetValidUntil) {
            lookUpOffset(seconds);
        }
        return offsetSeconds;
    }

    private void lookUpOffset(long seconds) {
        Instant instant = Instant.ofEpochSecond(seconds);
        offsetSeconds = rules.getOffset(instant).getTotalSeconds();
        ZoneOffsetTransition previous = rules.previousTransition(instant.plusSeconds(1));
        ZoneOffsetTransition next = rules.nextTransition(instant);
        offsetValidFrom = previous == null ? Long.MIN_VALUE : previous.toEpochSecond();
        offsetValidUntil = next == null ? Long.MAX_VALUE : next.toEpochSecond();
    }

    /** Appends {@code YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ} (RFC 3339, UTC). */
    static StringBuilder appendUtc(StringBuilder out, long epochNanos) {
        return appendUtc(out, epochNanos, 9);
    }

    /** Appends {@code YYYY-MM-DDTHH:MM:SS.fffZ} with {@code digits} (6 or 9) digits of the second, truncated. */
    static StringBuilder appendUtc(StringBuilder out, long epochNanos, int digits) {
        long seconds = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        long nanos = Math.floorMod(epochNanos, NANOS_PER_SECOND);
        appendDateTime(out, seconds, 'T');
        return digits(out.append('.'), digits == 9 ? nanos : nanos / 1000, digits).append('Z');
    }

    /** Appends {@code YYYY-MM-DD<separator>HH:MM:SS} of {@code seconds} since the epoch, as UTC. */
    static StringBuilder appendDateTime(StringBuilder out, long seconds, char separator) {
        long days = Math.floorDiv(seconds, 86_400L);
        long secondOfDay = Math.floorMod(seconds, 86_400L);
        // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil inverse).
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        digits(out, year, 4).append('-');
        two(out, month).append('-');
        two(out, day).append(separator);
        return appendTimeOfDay(out, secondOfDay);
    }

    /** Appends {@code HH:MM:SS} of {@code seconds}, taken modulo a day. */
    static StringBuilder appendTimeOfDay(StringBuilder out, long seconds) {
        long secondOfDay = Math.floorMod(seconds, 86_400L);
        two(out, (int) (secondOfDay / 3600)).append(':');
        two(out, (int) (secondOfDay / 60 % 60)).append(':');
        return two(out, (int) (secondOfDay % 60));
    }

    private static StringBuilder two(StringBuilder out, int value) {
        return out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    /** Appends {@code value} zero-padded to at least {@code width} digits. */
    static StringBuilder digits(StringBuilder out, long value, int width) {
        if (value < 0) {
            out.append('-');
            value = -value;
        }
        long limit = 1;
        for (int i = 1; i < width; i++) {
            limit *= 10;
            if (value < limit) {
                out.append('0');
            }
        }
        return out.append(value);
    }
}
