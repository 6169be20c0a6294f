package io.panatap.cli;

import java.time.ZoneId;

/**
 * The timestamp that starts a line row, in each of tcpdump's {@code -t} modes and both precisions, as
 * tcpdump 4.99 prints it: mode 0 the local time of day, 1 nothing, 2 seconds since the epoch ({@code -tt}),
 * 3 the time since the previous row ({@code -ttt}), 4 the local date and time ({@code -tttt}), 5 the time
 * since the first row ({@code -ttttt}). Deltas are computed, like tcpdump's, on the timestamp truncated to
 * the precision and printed as {@code HH:MM:SS.ffffff} preceded by a space or, when the clock went back, a
 * minus. A second count tcpdump cannot convert (bit 31 set) prints {@code [Error converting time]}.
 * Allocates nothing per row.
 */
final class TimestampText {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final String ERROR = "[Error converting time]";

    private final int mode;
    private final boolean nano;
    private final TimeText zone;
    /** tcpdump's reference time (its {@code tv_ref}); unset while both are 0. */
    private long refSeconds;
    private long refFraction;

    /** {@code mode}: how often {@code -t} was given (0..5); {@code nano}: nine digits instead of six. */
    TimestampText(int mode, boolean nano, ZoneId zone) {
        this.mode = mode;
        this.nano = nano;
        this.zone = new TimeText(zone);
    }

    /** Appends the timestamp and the space after it (nothing with {@code -t}). */
    StringBuilder append(StringBuilder out, long epochNanos) {
        long seconds = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        long fraction = Math.floorMod(epochNanos, NANOS_PER_SECOND);
        if (!nano) {
            fraction /= 1000;
        }
        switch (mode) {
            case 0 -> local(out, seconds, fraction, false).append(' ');
            case 1 -> {
                // no timestamp
            }
            case 2 -> {
                if (invalid(seconds)) {
                    out.append(ERROR);
                } else {
                    fraction(out.append(seconds), fraction);
                }
                out.append(' ');
            }
            case 3, 5 -> delta(out, seconds, fraction).append(' ');
            default -> local(out, seconds, fraction, true).append(' ');
        }
        return out;
    }

    private StringBuilder local(StringBuilder out, long seconds, long fraction, boolean date) {
        if (invalid(seconds)) {
            return out.append(ERROR);
        }
        long local = seconds + zone.offsetSeconds(seconds);
        if (date) {
            TimeText.appendDateTime(out, local, ' ');
        } else {
            TimeText.appendTimeOfDay(out, local);
        }
        return fraction(out, fraction);
    }

    private StringBuilder delta(StringBuilder out, long seconds, long fraction) {
        if (refSeconds == 0 && refFraction == 0) {
            refSeconds = seconds;
            refFraction = fraction;
        }
        boolean negative = seconds == refSeconds ? fraction < refFraction : seconds < refSeconds;
        long s = negative ? refSeconds - seconds : seconds - refSeconds;
        long f = negative ? refFraction - fraction : fraction - refFraction;
        if (f < 0) {
            s--;
            f += nano ? NANOS_PER_SECOND : 1_000_000L;
        }
        out.append(negative ? '-' : ' ');
        if (invalid(s)) {
            out.append(ERROR);
        } else {
            fraction(TimeText.appendTimeOfDay(out, s), f);
        }
        if (mode == 3) {
            refSeconds = seconds;
            refFraction = fraction;
        }
        return out;
    }

    private StringBuilder fraction(StringBuilder out, long fraction) {
        return TimeText.digits(out.append('.'), fraction, nano ? 9 : 6);
    }

    /** tcpdump converts only second counts whose 32-bit value has bit 31 clear. */
    private static boolean invalid(long seconds) {
        return (seconds & 0x8000_0000L) != 0;
    }
}
