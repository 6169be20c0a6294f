package io.panatap.cli;

import io.panatap.PacketType;
import io.panatap.Packet;
import io.panatap.parse.PacketHeaders;
import io.panatap.parse.TcpFlags;

import java.time.ZoneId;

/**
 * One line per segment in the form {@code tcpdump -S} prints TCP (sequence numbers absolute, TCP options
 * left out):
 * <pre>
 * 08:52:28.099946 IP 127.0.0.1.35352 &gt; 127.0.0.1.4444: Flags [P.], seq 1:6, ack 1, win 64, length 5
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

    LineFormatter(boolean showInterface, ZoneId zone) {
        this(new TimestampText(0, false, zone), new LinkHeaderText(false, showInterface), null, false);
    }

    /** The line format with the views of {@code options} ({@code -e}, {@code -t}, {@code -x}, {@code -#}, ...). */
    LineFormatter(boolean showInterface, ZoneId zone, Options options) {
        this(new TimestampText(options.timestampMode, options.nanoPrecision, zone),
                new LinkHeaderText(options.linkHeader, showInterface), HexDump.of(options), options.packetNumbers);
    }

    private LineFormatter(TimestampText time, LinkHeaderText link, HexDump dump, boolean numbered) {
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
        PacketHeaders h = packet.headers();
        h.appendSource(out).append('.').append(h.sourcePort()).append(" > ");
        h.appendDestination(out).append('.').append(h.destinationPort()).append(": ");
        if (!h.hasFlags()) {
            out.append("[|tcp]\n");
            return;
        }
        int flags = h.flags();
        int length = h.payloadLength();
        TcpFlags.appendTcpdumpLetters(out.append("Flags ["), flags).append(']');
        long seq = h.sequenceNumber();
        if (length > 0) {
            out.append(", seq ").append(seq).append(':').append((seq + length) & 0xFFFF_FFFFL);
        } else if ((flags & (TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST)) != 0) {
            out.append(", seq ").append(seq);
        }
        if ((flags & TcpFlags.ACK) != 0) {
            out.append(", ack ").append(h.acknowledgementNumber());
        }
        out.append(", win ").append(h.window());
        if ((flags & TcpFlags.URG) != 0) {
            out.append(", urg ").append(h.urgentPointer());
        }
        out.append(", length ").append(length).append('\n');
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
