package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.parse.PacketHeaders;
import io.panatap.parse.TcpFlags;

/**
 * The table of SystemTap's {@code tcpdumplike.stp}, column for column:
 * <pre>
 * -----------------------------------------------------------------
 *        Source IP         Dest IP  SPort  DPort  U  A  P  R  S  F
 * -----------------------------------------------------------------
 *     172.16.8.31    172.16.3.150  51167     22  0  1  0  0  0  0
 * </pre>
 * Rows follow {@code " %15s %15s  %5d  %5d  %d  %d  %d  %d  %d  %d"}; a longer IPv6 address widens its
 * column for that row instead of being cut. The header is printed at the start and again before a row once a
 * second has passed since it was last printed, as the script's {@code timer.s(1)} did, except that an idle
 * capture does not scroll and a header is never repeated before a row came under it (a first row more than a
 * second after the start comes right under the first header). The clock decides what a second is: wall time
 * for a live capture, capture time for a file.
 */
final class TableFormatter implements RowFormatter {
    static final String RULE = "-----------------------------------------------------------------\n";
    static final String COLUMNS = "       Source IP         Dest IP  SPort  DPort  U  A  P  R  S  F \n";
    static final String HEADER = RULE + COLUMNS + RULE;
    private static final long SECOND = 1_000_000_000L;

    /** Tells the time for header repetition; {@code packet} is null at the start. */
    @FunctionalInterface
    interface Clock {
        /** Nanoseconds on some fixed scale, or {@link #UNKNOWN}. */
        long nanos(Packet packet);

        long UNKNOWN = Long.MIN_VALUE;

        /** Monotonic wall time, for live captures. */
        Clock WALL = packet -> System.nanoTime();
        /** Capture timestamps, for files (unknown until the first packet). */
        Clock CAPTURE = packet -> packet == null ? UNKNOWN : packet.timestampNanos();
    }

    private final Clock clock;
    private final StringBuilder address = new StringBuilder(64);
    private long lastHeader = Clock.UNKNOWN;
    /** False while the last header printed has no row under it yet. */
    private boolean rowSinceHeader;

    TableFormatter(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void appendStart(StringBuilder out) {
        out.append(HEADER);
        lastHeader = clock.nanos(null);
        rowSinceHeader = false;
    }

    @Override
    public void appendRow(Packet packet, StringBuilder out) {
        long now = clock.nanos(packet);
        if (lastHeader == Clock.UNKNOWN || now < lastHeader) {
            lastHeader = now; // first timed row, or time went backwards: restart the second
        } else if (now - lastHeader >= SECOND) {
            if (rowSinceHeader) {
                out.append(HEADER);
            }
            lastHeader = now; // without a row under the last header, this row goes under it
        }
        PacketHeaders h = packet.headers();
        out.append(' ');
        address.setLength(0);
        padLeft(out, h.appendSource(address), 15);
        out.append(' ');
        address.setLength(0);
        padLeft(out, h.appendDestination(address), 15);
        out.append("  ");
        padLeft(out, h.sourcePort(), 5);
        out.append("  ");
        padLeft(out, h.destinationPort(), 5);
        out.append("  ");
        if (h.hasFlags()) {
            TcpFlags.appendColumns(out, h.flags(), "  ");
        } else {
            out.append("-  -  -  -  -  -"); // the capture ends before the flags
        }
        out.append('\n');
        rowSinceHeader = true;
    }

    static void padLeft(StringBuilder out, CharSequence text, int width) {
        for (int i = text.length(); i < width; i++) {
            out.append(' ');
        }
        out.append(text);
    }

    static void padLeft(StringBuilder out, int value, int width) {
        int digits = value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : value < 100000 ? 5 : 10;
        for (int i = digits; i < width; i++) {
            out.append(' ');
        }
        out.append(value);
    }
}
