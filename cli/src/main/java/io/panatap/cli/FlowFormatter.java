package io.panatap.cli;

import io.panatap.flow.EndReason;
import io.panatap.flow.Flow;
import io.panatap.flow.Side;

import java.time.ZoneId;

/**
 * {@code --flows}: one row per TCP connection when it ends, in the three output formats. {@code >} is the
 * client-to-server direction (the client sent the SYN; for a connection whose start was not captured, the
 * sender of the first packet seen) and {@code <} the other. Byte counts are frame lengths on the wire, as
 * {@code tshark -z conv,tcp} counts them; retransmissions are segments whose sequence range was all seen before.
 *
 * <p>table (the header once):
 * <pre>
 *                 Client                 Server  End       Duration     RTT ms  Pkts &gt;   Bytes &gt;  Pkts &lt;   Bytes &lt;  Retr &gt;  Retr &lt;
 *     10.0.0.1:54321            10.0.0.2:80  closed    0.013000      2.000       8       468       6       340       0       0
 * </pre>
 * End is {@code closed} (FIN both ways), {@code reset>} / {@code reset<} (RST from the client / server),
 * {@code timeout}, {@code evicted} (the table was full) or {@code open} (still open at the end of the file or
 * capture); a {@code *} after it marks a connection whose handshake was not captured. RTT (the handshake's,
 * SYN to the ACK that completes it) is {@code -} when not seen.
 *
 * <p>line:
 * <pre>
 * 08:52:28.099946 IP 10.0.0.1.54321 &gt; 10.0.0.2.80: closed, duration 0.013000, rtt 2.000 ms, &gt; 8 packets 468 bytes 0 retransmitted, &lt; 6 packets 340 bytes 0 retransmitted
 * </pre>
 * (the time is the connection's first packet, local time; {@code IP6} for IPv6; {@code , handshake not seen}
 * after the end for a connection caught mid-stream).
 *
 * <p>json (one object per line): {@code {"ipVersion":4,"client":"10.0.0.1","clientPort":54321,"server":"10.0.0.2",
 * "serverPort":80,"vlan":null,"start":"...Z","last":"...Z","durationNanos":13000000,"end":"closed","resetBy":null,
 * "midStream":false,"handshakeRttNanos":2000000,"clientToServer":{"packets":8,"bytes":468,"payloadBytes":36,
 * "retransmissions":0,"outOfOrder":0,"zeroWindows":0},"serverToClient":{...}}}: {@code start} and {@code last}
 * are the first and last packets' times, {@code end} is closed, reset ({@code resetBy} client or server),
 * timeout, evicted or open, {@code bytes} are wire bytes and {@code payloadBytes} TCP payload, retransmissions
 * included.
 */
final class FlowFormatter {
    static final String COLUMNS = "                Client                 Server  End       Duration     RTT ms"
            + "  Pkts >   Bytes >  Pkts <   Bytes <  Retr >  Retr <\n";
    private static final int ADDRESS_WIDTH = 22;

    private final OutputFormat format;
    private final TimeText time;
    private final StringBuilder text = new StringBuilder(64);

    FlowFormatter(OutputFormat format, ZoneId zone) {
        this.format = format;
        this.time = new TimeText(zone);
    }

    /** The table header; nothing for the other formats. */
    void appendStart(StringBuilder out) {
        if (format == OutputFormat.TABLE) {
            out.append(COLUMNS);
        }
    }

    /** One row for an ended flow, newline included. */
    void appendRow(Flow flow, StringBuilder out) {
        switch (format) {
            case TABLE -> table(flow, out);
            case LINE -> line(flow, out);
            case JSON -> json(flow, out);
        }
    }

    /** {@code closed}, {@code reset>}, {@code reset<}, {@code timeout}, {@code evicted}, {@code open}. */
    static String endWord(Flow flow) {
        EndReason reason = flow.endReason();
        if (reason == null) {
            return "open";
        }
        return switch (reason) {
            case CLOSED -> "closed";
            case RESET -> flow.resetBy() == Side.SERVER ? "reset<" : "reset>";
            case TIMED_OUT -> "timeout";
            case EVICTED -> "evicted";
            case OPEN_AT_END -> "open";
        };
    }

    private void table(Flow flow, StringBuilder out) {
        text.setLength(0);
        endpoint(flow, Side.CLIENT, text);
        TableFormatter.padLeft(out, text, ADDRESS_WIDTH);
        out.append(' ');
        text.setLength(0);
        endpoint(flow, Side.SERVER, text);
        TableFormatter.padLeft(out, text, ADDRESS_WIDTH);
        out.append("  ");
        String end = endWord(flow);
        out.append(end);
        int width = end.length();
        if (flow.midStream()) {
            out.append('*');
            width++;
        }
        for (; width < 8; width++) {
            out.append(' ');
        }
        text.setLength(0);
        seconds(text, flow.lastNanos() - flow.firstNanos());
        TableFormatter.padLeft(out, text, 10);
        text.setLength(0);
        if (flow.handshakeRttNanos() < 0) {
            text.append('-');
        } else {
            millis(text, flow.handshakeRttNanos());
        }
        TableFormatter.padLeft(out, text, 11);
        column(out, flow.packets(Side.CLIENT), 8);
        column(out, flow.wireBytes(Side.CLIENT), 10);
        column(out, flow.packets(Side.SERVER), 8);
        column(out, flow.wireBytes(Side.SERVER), 10);
        column(out, flow.retransmissions(Side.CLIENT), 8);
        column(out, flow.retransmissions(Side.SERVER), 8);
        out.append('\n');
    }

    private void column(StringBuilder out, long value, int width) {
        text.setLength(0);
        text.append(value);
        TableFormatter.padLeft(out, text, width);
    }

    private void line(Flow flow, StringBuilder out) {
        time.appendLocalTime(out, flow.firstNanos());
        out.append(flow.ipVersion() == 6 ? " IP6 " : " IP ");
        if (flow.vlanId() >= 0) {
            out.append("vlan ").append(flow.vlanId()).append(' ');
        }
        flow.appendClient(out).append('.').append(flow.clientPort()).append(" > ");
        flow.appendServer(out).append('.').append(flow.serverPort()).append(": ").append(endWord(flow));
        if (flow.midStream()) {
            out.append(", handshake not seen");
        }
        seconds(out.append(", duration "), flow.lastNanos() - flow.firstNanos());
        if (flow.handshakeRttNanos() >= 0) {
            millis(out.append(", rtt "), flow.handshakeRttNanos()).append(" ms");
        }
        direction(flow, Side.CLIENT, out.append(", > "));
        direction(flow, Side.SERVER, out.append(", < "));
        out.append('\n');
    }

    private static void direction(Flow flow, Side side, StringBuilder out) {
        out.append(flow.packets(side)).append(flow.packets(side) == 1 ? " packet " : " packets ")
                .append(flow.wireBytes(side)).append(" bytes ")
                .append(flow.retransmissions(side)).append(" retransmitted");
    }

    private static void json(Flow flow, StringBuilder out) {
        out.append("{\"ipVersion\":").append(flow.ipVersion());
        flow.appendClient(out.append(",\"client\":\"")).append('"');
        out.append(",\"clientPort\":").append(flow.clientPort());
        flow.appendServer(out.append(",\"server\":\"")).append('"');
        out.append(",\"serverPort\":").append(flow.serverPort());
        out.append(",\"vlan\":");
        if (flow.vlanId() < 0) {
            out.append("null");
        } else {
            out.append(flow.vlanId());
        }
        TimeText.appendUtc(out.append(",\"start\":\""), flow.firstNanos()).append('"');
        TimeText.appendUtc(out.append(",\"last\":\""), flow.lastNanos()).append('"');
        out.append(",\"durationNanos\":").append(flow.lastNanos() - flow.firstNanos());
        out.append(",\"end\":\"").append(jsonEnd(flow.endReason())).append('"');
        out.append(",\"resetBy\":");
        Side resetBy = flow.endReason() == EndReason.RESET ? flow.resetBy() : null;
        out.append(resetBy == null ? "null" : resetBy == Side.CLIENT ? "\"client\"" : "\"server\"");
        out.append(",\"midStream\":").append(flow.midStream());
        out.append(",\"handshakeRttNanos\":");
        if (flow.handshakeRttNanos() < 0) {
            out.append("null");
        } else {
            out.append(flow.handshakeRttNanos());
        }
        jsonDirection(flow, Side.CLIENT, out.append(",\"clientToServer\":"));
        jsonDirection(flow, Side.SERVER, out.append(",\"serverToClient\":"));
        out.append("}\n");
    }

    private static String jsonEnd(EndReason reason) {
        if (reason == null) {
            return "open";
        }
        return switch (reason) {
            case CLOSED -> "closed";
            case RESET -> "reset";
            case TIMED_OUT -> "timeout";
            case EVICTED -> "evicted";
            case OPEN_AT_END -> "open";
        };
    }

    private static void jsonDirection(Flow flow, Side side, StringBuilder out) {
        out.append("{\"packets\":").append(flow.packets(side))
                .append(",\"bytes\":").append(flow.wireBytes(side))
                .append(",\"payloadBytes\":").append(flow.payloadBytes(side))
                .append(",\"retransmissions\":").append(flow.retransmissions(side))
                .append(",\"outOfOrder\":").append(flow.outOfOrder(side))
                .append(",\"zeroWindows\":").append(flow.zeroWindows(side)).append('}');
    }

    /** {@code 10.0.0.1:80}, {@code [fd00::1]:80}. */
    static StringBuilder endpoint(Flow flow, Side side, StringBuilder out) {
        boolean v6 = flow.ipVersion() == 6;
        if (v6) {
            out.append('[');
        }
        if (side == Side.CLIENT) {
            flow.appendClient(out);
        } else {
            flow.appendServer(out);
        }
        if (v6) {
            out.append(']');
        }
        return out.append(':').append(side == Side.CLIENT ? flow.clientPort() : flow.serverPort());
    }

    /** Seconds with six decimals (microseconds, truncated). */
    static StringBuilder seconds(StringBuilder out, long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        out.append(micros / 1_000_000).append('.');
        return sixDigits(out, micros % 1_000_000);
    }

    /** Milliseconds with three decimals (microseconds, truncated). */
    static StringBuilder millis(StringBuilder out, long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        out.append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            out.append('0');
        }
        if (frac < 10) {
            out.append('0');
        }
        return out.append(frac);
    }

    private static StringBuilder sixDigits(StringBuilder out, long value) {
        for (long p = 100_000; p > 1 && value < p; p /= 10) {
            out.append('0');
        }
        return out.append(value);
    }
}
