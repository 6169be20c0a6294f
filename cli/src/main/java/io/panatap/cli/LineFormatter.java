package io.panatap.cli;

import io.panatap.PacketType;
import io.panatap.Packet;

import java.time.ZoneId;

/**
 * One line per segment in the form {@code tcpdump -n -S} prints TCP (sequence numbers absolute), up to
 * {@code length N} ({@link TcpdumpLine} prints the IP and TCP part):
 * <pre>
 * 08:52:28.099946 IP 127.0.0.1.35352 &gt; 127.0.0.1.4444: Flags [P.], seq 1:6, ack 1, win 64, options [nop,nop,TS val 1 ecr 2], length 5
 * </pre>
 * With every interface captured, the interface name and direction come first as with {@code tcpdump -i any}
 * ({@code "lo    In  IP ..."}). PPP in HDLC framing and PPPoE get tcpdump's link prefix. tcpdump's views
 * ({@code -#}, {@code -t}..{@code -ttttt}, {@code -e}, {@code -x}, {@code -X}, {@code -A}) come from
 * {@link TimestampText}, {@link LinkHeaderText} and {@link HexDump}.
 */
final class LineFormatter implements RowFormatter {
    private final TimestampText time;
    private final LinkHeaderText link;
    /** {@code -x}, {@code -X}, {@code -A}: null for none. */
    private final HexDump dump;
    /** {@code -#}: rows printed so far, or -1 when rows are not numbered. */
    private long number;
    /** The IP and TCP part, from the source address to {@code length N} ({@code -v}, {@code -q}, {@code -K}). */
    private final TcpdumpLine tcp;

    LineFormatter(boolean showInterface, ZoneId zone) {
        this(new TimestampText(0, false, zone), new LinkHeaderText(false, showInterface), null, false,
                new TcpdumpLine(0, false, true, true));
    }

    /** The line format with the views of {@code options} ({@code -e}, {@code -t}, {@code -x}, {@code -#}, ...). */
    LineFormatter(boolean showInterface, ZoneId zone, Options options) {
        this(showInterface, zone, options, TcpdumpLine.of(options));
    }

    /** As above, with {@code tcp} printing the IP and TCP part (a file's snap limit, see {@link TcpdumpLine#snapLimit}). */
    LineFormatter(boolean showInterface, ZoneId zone, Options options, TcpdumpLine tcp) {
        this(new TimestampText(options.timestampMode, options.nanoPrecision, zone),
                new LinkHeaderText(options.linkHeader, showInterface), HexDump.of(options), options.packetNumbers, tcp);
    }

    private LineFormatter(TimestampText time, LinkHeaderText link, HexDump dump, boolean numbered, TcpdumpLine tcp) {
        this.tcp = tcp;
        this.time = time;
        this.link = link;
        this.dump = dump;
        this.number = numbered ? 0 : -1;
    }

    /**
     * The views around tcpdump's TCP line: the packet number, the timestamp and the link header before it,
     * the dump after it (before its newline).
     */
    @Override
    public void appendRow(Packet packet, StringBuilder out) {
        if (number >= 0) {
            // printf("%5u  ")
            long n = ++number;
            for (long limit = 10_000; limit > n && limit > 1; limit /= 10) {
                out.append(' ');
            }
            out.append(n).append("  ");
        }
        time.append(out, packet.timestampNanos());
        link.append(packet, out);
        appendTcp(packet, out);
        if (dump != null && out.length() > 0 && out.charAt(out.length() - 1) == '\n') {
            out.setLength(out.length() - 1);
            dump.append(packet, out);
            out.append('\n');
        }
    }

    /** The IP and TCP part of the line, from the source address to its newline. */
    private void appendTcp(Packet packet, StringBuilder out) {
        tcp.append(packet, out);
        out.append('\n');
    }

    /** tcpdump's words for {@code sll_pkttype}. */
    static String direction(PacketType d) {
        return switch (d) {
            case HOST -> "In";
            case BROADCAST -> "B";
            case MULTICAST -> "M";
            case OTHERHOST -> "P";
            case OUTGOING -> "Out";
            case UNKNOWN -> "?";
        };
    }
}
