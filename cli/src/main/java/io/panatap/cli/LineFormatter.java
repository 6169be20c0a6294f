package io.panatap.cli;

import io.panatap.PacketType;
import io.panatap.Packet;
import io.panatap.parse.LinkType;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.ZoneId;

/**
 * One line per segment in the form {@code tcpdump -n -S} prints TCP (sequence numbers absolute), up to
 * {@code length N} ({@link TcpdumpLine} prints the IP and TCP part):
 * <pre>
 * 08:52:28.099946 IP 127.0.0.1.35352 &gt; 127.0.0.1.4444: Flags [P.], seq 1:6, ack 1, win 64, options [nop,nop,TS val 1 ecr 2], length 5
 * </pre>
 * With every interface captured, the interface name and direction come first as with {@code tcpdump -i any}
 * ({@code "lo    In  IP ..."}). PPP in HDLC framing and PPPoE get tcpdump's link prefix ({@link #linkPrefix}).
 */
final class LineFormatter implements RowFormatter {
    private static final ValueLayout.OfShort BIG_ENDIAN_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private final boolean showInterface;
    private final TimeText time;

    private final TcpdumpLine tcp;

    LineFormatter(boolean showInterface, ZoneId zone) {
        this(showInterface, zone, new TcpdumpLine(0, false, true, true));
    }

    /** {@code tcp} prints the IP and TCP part ({@code -v}, {@code -q}, {@code -K}). */
    LineFormatter(boolean showInterface, ZoneId zone, TcpdumpLine tcp) {
        this.showInterface = showInterface;
        this.time = new TimeText(zone);
        this.tcp = tcp;
    }

    @Override
    public void appendRow(Packet packet, StringBuilder out) {
        time.appendLocalTime(out, packet.timestampNanos()).append(' ');
        if (showInterface) {
            String name = packet.interfaceName();
            leftAligned(out, name == null ? "?" : name, 5);
            leftAligned(out, direction(packet.packetType()), 3);
        }
        linkPrefix(packet.linkType(), packet.headers(), out);
        tcp.append(packet, out);
        out.append('\n');
    }

    /**
     * What tcpdump prints before {@code IP} without {@code -e} on the few link types where it prints anything:
     * the PPP protocol's name after HDLC framing ({@code "IP: "}) and the PPPoE session
     * ({@code "PPPoE  [ses 0x1234] "}: the code's name, empty for a session frame, then the session id).
     */
    private static void linkPrefix(int linkType, PacketHeaders h, StringBuilder out) {
        if (linkType == LinkType.PPP_HDLC) {
            if (h.segment().get(BIG_ENDIAN_SHORT, h.frameOffset()) == (short) 0xff03) {
                out.append(h.ipVersion() == 6 ? "IP6: " : "IP: ");
            }
        } else if (linkType == LinkType.PPP_ETHER) {
            int session = h.segment().get(BIG_ENDIAN_SHORT, h.frameOffset() + 2) & 0xFFFF;
            out.append("PPPoE  [ses 0x");
            boolean digits = false;
            for (int shift = 12; shift >= 0; shift -= 4) {
                int digit = session >>> shift & 0xF;
                if (digit != 0 || digits || shift == 0) {
                    out.append(Character.forDigit(digit, 16));
                    digits = true;
                }
            }
            out.append("] ");
        }
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

    /** {@code printf("%-Ns ", text)}. */
    private static void leftAligned(StringBuilder out, String text, int width) {
        out.append(text);
        for (int i = text.length(); i < width; i++) {
            out.append(' ');
        }
        out.append(' ');
    }
}
