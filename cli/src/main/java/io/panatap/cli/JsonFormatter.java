package io.panatap.cli;

import io.panatap.PacketType;
import io.panatap.Packet;
import io.panatap.parse.PacketHeaders;
import io.panatap.parse.TcpFlags;

/**
 * One JSON object per line and segment, for example:
 * <pre>
 * {"frame":4,"time":"2026-11-25T08:52:28.099946000Z","iface":"lo","direction":"host","ipVersion":4,
 *  "src":"127.0.0.1","dst":"127.0.0.1","srcPort":35352,"dstPort":4444,"flags":24,"flagNames":["PSH","ACK"],
 *  "seq":340089511,"ack":92429880,"window":64,"length":5,"options":[{"kind":1,"name":"nop"},...]}
 * </pre>
 * (on one line). {@code iface} and {@code direction} are null when unknown (a file that does not record
 * them; pcapng and Linux cooked headers do); {@code flags}, {@code flagNames}, {@code seq}, {@code ack},
 * {@code window} and {@code length} are null when the capture ends before the field. {@code options} is the
 * list {@link TcpOptionsJson} describes.
 */
final class JsonFormatter implements RowFormatter {
    /** The keys tcpdump's views add ({@code -e}, {@code -#}, dumps, precision); null for none. */
    private final JsonViews views;

    JsonFormatter() {
        this.views = null;
    }

    JsonFormatter(Options options) {
        this.views = JsonViews.of(options);
    }

    private static final String[] FLAG_NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"};
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    @Override
    public void appendRow(Packet packet, StringBuilder out) {
        PacketHeaders h = packet.headers();
        out.append("{\"frame\":").append(packet.frameNumber());
        TimeText.appendUtc(out.append(",\"time\":\""), packet.timestampNanos(), views == null ? 9 : views.timeDigits())
                .append('"');
        out.append(",\"iface\":");
        string(out, packet.interfaceName());
        out.append(",\"direction\":");
        PacketType d = packet.packetType();
        string(out, d == PacketType.UNKNOWN ? null : directionName(d));
        if (views != null) {
            views.append(packet, out);
        }
        out.append(",\"ipVersion\":").append(h.ipVersion());
        h.appendSource(out.append(",\"src\":\"")).append('"');
        h.appendDestination(out.append(",\"dst\":\"")).append('"');
        out.append(",\"srcPort\":").append(h.sourcePort());
        out.append(",\"dstPort\":").append(h.destinationPort());
        if (h.hasFlags()) {
            int flags = h.flags();
            out.append(",\"flags\":").append(flags).append(",\"flagNames\":[");
            boolean first = true;
            for (int bit = 0; bit < FLAG_NAMES.length; bit++) {
                if ((flags & 1 << bit) != 0) {
                    out.append(first ? "\"" : ",\"").append(FLAG_NAMES[bit]).append('"');
                    first = false;
                }
            }
            if ((flags & TcpFlags.RESERVED) != 0) {
                out.append(first ? "\"RESERVED\"" : ",\"RESERVED\"");
            }
            out.append(']');
            number(out.append(",\"seq\":"), h.sequenceNumber());
            number(out.append(",\"ack\":"), h.acknowledgementNumber());
            out.append(",\"window\":").append(h.window());
            out.append(",\"length\":").append(payloadLength(packet));
        } else {
            out.append(",\"flags\":null,\"flagNames\":null,\"seq\":");
            number(out, h.sequenceNumber());
            out.append(",\"ack\":null,\"window\":null,\"length\":null");
        }
        TcpOptionsJson.append(out, h);
        out.append("}\n");
    }

    /**
     * The TCP payload bytes the frame held on the wire: the IP header's length minus the headers, but never
     * more than the frame's length on the wire leaves after the TCP header. An IP header that claims more
     * than the frame had (a fuzzed or broken header, not a snap-length cut) does not make bytes that were
     * never sent; tshark also counts only what the frame holds (as does tcpdump since its 2026 development branch; 4.99.3
     * prints the IP header's figure).
     */
    static int payloadLength(Packet packet) {
        PacketHeaders h = packet.headers();
        long wire = Math.max(packet.originalLength() & 0xFFFF_FFFFL, packet.captureLength() & 0xFFFF_FFFFL);
        long afterHeader = wire - (h.tcpOffset() + 4L * h.dataOffset());
        return (int) Math.max(0, Math.min(h.payloadLength(), afterHeader));
    }

    static String directionName(PacketType d) {
        return switch (d) {
            case HOST -> "host";
            case BROADCAST -> "broadcast";
            case MULTICAST -> "multicast";
            case OTHERHOST -> "otherhost";
            case OUTGOING -> "outgoing";
            case UNKNOWN -> "unknown";
        };
    }

    private static void number(StringBuilder out, long value) {
        if (value < 0) {
            out.append("null");
        } else {
            out.append(value);
        }
    }

    /** A JSON string, or {@code null}; escapes quotes, backslashes, control and non-ASCII characters. */
    static StringBuilder string(StringBuilder out, String s) {
        if (s == null) {
            return out.append("null");
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c >= 0x7F) {
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[c >> 8 & 0xF])
                                .append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
