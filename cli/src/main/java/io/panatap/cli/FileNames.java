package io.panatap.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * The names of rotated {@code -w} files, as tcpdump's {@code MakeFilename} makes them: with {@code -G} the
 * name is first expanded as a {@code strftime} pattern at the local time the file was started; then, when
 * the file has a number (with {@code -C}: every file but the first when {@code -W} is not given, every file
 * when it is), the number is appended, zero-padded to the digits of {@code -W}'s largest number (COUNT - 1).
 * So {@code -C 1 -w f.pcap} writes {@code f.pcap}, {@code f.pcap1}, {@code f.pcap2}, ...; {@code -C 1 -W 10}
 * writes {@code f.pcap0} ... {@code f.pcap9}; {@code -C 1 -W 100} writes {@code f.pcap00} ... {@code f.pcap99}.
 *
 * <p>Only the conversions tcpdump users put in file names are expanded: {@code %Y %m %d %H %M %S %s %j %y %b
 * %a %F %T %%}. Any other is refused when the options are read, not silently copied.
 */
final class FileNames {
    /** The conversions {@link #expand} knows, for the error message. */
    static final String CONVERSIONS = "%Y %m %d %H %M %S %s %j %y %b %a %F %T %%";

    private FileNames() {
    }

    /** tcpdump's {@code getWflagChars}: the digits of {@code count - 1} (0 for a count of 1). */
    static int digits(int count) {
        int c = 0;
        for (int x = count - 1; x > 0; x /= 10) {
            c++;
        }
        return c;
    }

    /**
     * The name of a file: {@code pattern} expanded at {@code epochSecond} when {@code strftime}, then
     * {@code number} appended padded to {@code digits}, unless both are 0.
     */
    static String name(String pattern, boolean strftime, long epochSecond, ZoneId zone, int number, int digits) {
        String base = strftime ? expand(pattern, ZonedDateTime.ofInstant(Instant.ofEpochSecond(epochSecond), zone))
                : pattern;
        if (number == 0 && digits == 0) {
            return base;
        }
        String n = Integer.toString(number);
        return base + "0".repeat(Math.max(0, digits - n.length())) + n;
    }

    /** Null when every conversion in {@code pattern} is known; otherwise the one-line reason. */
    static String check(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) != '%') {
                continue;
            }
            if (i + 1 == pattern.length()) {
                return "the file name ends with a lone %; write %% for a % sign";
            }
            char c = pattern.charAt(++i);
            if (CONVERSIONS.indexOf("%" + c) < 0) {
                return "%" + c + " in the file name is not supported; -G expands " + CONVERSIONS;
            }
        }
        return null;
    }

    /** {@code strftime} in the C locale for the conversions {@link #check} accepts. */
    static String expand(String pattern, ZonedDateTime t) {
        StringBuilder b = new StringBuilder(pattern.length() + 16);
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 == pattern.length()) {
                b.append(c);
                continue;
            }
            char conversion = pattern.charAt(++i);
            switch (conversion) {
                case 'Y' -> b.append(t.getYear());
                case 'm' -> pad(b, t.getMonthValue(), 2);
                case 'd' -> pad(b, t.getDayOfMonth(), 2);
                case 'H' -> pad(b, t.getHour(), 2);
                case 'M' -> pad(b, t.getMinute(), 2);
                case 'S' -> pad(b, t.getSecond(), 2);
                case 's' -> b.append(t.toEpochSecond());
                case 'j' -> pad(b, t.getDayOfYear(), 3);
                case 'y' -> pad(b, t.getYear() % 100, 2);
                case 'b' -> b.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ROOT));
                case 'a' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT));
                case 'F' -> {
                    b.append(t.getYear()).append('-');
                    pad(b, t.getMonthValue(), 2);
                    b.append('-');
                    pad(b, t.getDayOfMonth(), 2);
                }
                case 'T' -> {
                    pad(b, t.getHour(), 2);
                    b.append(':');
                    pad(b, t.getMinute(), 2);
                    b.append(':');
                    pad(b, t.getSecond(), 2);
                }
                case '%' -> b.append('%');
                default -> throw new IllegalArgumentException("%" + conversion + " is not supported");
            }
        }
        return b.toString();
    }

    private static void pad(StringBuilder b, int value, int width) {
        String s = Integer.toString(value);
        b.append("0".repeat(Math.max(0, width - s.length()))).append(s);
    }
}
