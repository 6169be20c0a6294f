package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.parse.EthernetHeader;
import io.panatap.parse.LinkType;
import io.panatap.parse.LinuxSllHeader;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The JSON keys that tcpdump's views reveal, after {@code direction}:
 * <ul>
 *   <li>{@code -e}: {@code "srcMac"} and {@code "dstMac"} (strings, null where the link header has none;
 *       a Linux cooked header has only the source), {@code "etherType"} (the EtherType of the IP header,
 *       null on links without one), {@code "vlans"} (the VLAN tags, outer first, the one the kernel stripped
 *       included: {@code [{"id":10,"pcp":0,"dei":false}]}), {@code "wireLength"} (the frame's length on the
 *       wire, tcpdump's {@code length N:});</li>
 *   <li>{@code -#}: {@code "number"}, the row's number counted from 1;</li>
 *   <li>{@code -x}, {@code -X}, {@code -A}: {@code "hex"}, the bytes the dump would show, as hex digits.</li>
 * </ul>
 * With {@code --time-stamp-precision micro} (or {@code --micro}) {@code "time"} has six digits of the second.
 */
final class JsonViews {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final boolean linkHeader;
    private final boolean numbered;
    private final HexDump dump;
    private final int timeDigits;
    private long number;

    private JsonViews(boolean linkHeader, boolean numbered, HexDump dump, int timeDigits) {
        this.linkHeader = linkHeader;
        this.numbered = numbered;
        this.dump = dump;
        this.timeDigits = timeDigits;
    }

    static JsonViews of(Options options) {
        return new JsonViews(options.linkHeader, options.packetNumbers, HexDump.of(options),
                options.precisionGiven && !options.nanoPrecision ? 6 : 9);
    }

    /** Digits of the second in {@code "time"}. */
    int timeDigits() {
        return timeDigits;
    }

    /** Appends the keys, each with its leading comma. */
    void append(Packet packet, StringBuilder out) {
        if (numbered) {
            out.append(",\"number\":").append(++number);
        }
        if (linkHeader) {
            link(packet, out);
        }
        if (dump != null) {
            out.append(",\"hex\":\"");
            dump.collect(packet);
            dump.appendHexDigits(out).append('"');
        }
    }

    private static void link(Packet packet, PacketHeaders h, StringBuilder out, long srcMac, long dstMac,
                             int etherType, long firstTag) {
        MemorySegment s = h.segment();
        mac(out.append(",\"srcMac\":"), s, srcMac);
        mac(out.append(",\"dstMac\":"), s, dstMac);
        out.append(",\"etherType\":");
        if (etherType < 0) {
            out.append("null");
        } else {
            out.append(etherType);
        }
        out.append(",\"vlans\":[");
        boolean first = true;
        if (packet.hasVlanTag()) {
            tag(out, packet.vlanTci());
            first = false;
        }
        for (int i = 0; i < h.vlanCount(); i++) {
            if (!first) {
                out.append(',');
            }
            tag(out, s.get(SHORT, firstTag + 4L * i) & 0xFFFF);
            first = false;
        }
        out.append(']');
        out.append(",\"wireLength\":").append(packet.originalLength());
    }

    private static void link(Packet packet, StringBuilder out) {
        PacketHeaders h = packet.headers();
        long base = h.frameOffset();
        int ipType = h.ipVersion() == 6 ? 0x86DD : 0x0800;
        switch (packet.linkType()) {
            case LinkType.ETHERNET -> link(packet, h, out, base + 6, base, ipType, base + EthernetHeader.LENGTH);
            case LinkType.LINUX_SLL -> link(packet, h, out,
                    (h.segment().get(SHORT, base + 4) & 0xFFFF) == 6 ? base + 6 : -1, -1, ipType,
                    base + LinuxSllHeader.SLL_LENGTH);
            case LinkType.LINUX_SLL2 -> link(packet, h, out,
                    (h.segment().get(ValueLayout.JAVA_BYTE, base + 11) & 0xFF) == 6 ? base + 12 : -1, -1, ipType,
                    base + LinuxSllHeader.SLL2_LENGTH);
            default -> link(packet, h, out, -1, -1, -1, base);
        }
    }

    private static void tag(StringBuilder out, int tci) {
        out.append("{\"id\":").append(tci & 0xFFF).append(",\"pcp\":").append(tci >>> 13 & 7)
                .append(",\"dei\":").append((tci & 0x1000) != 0).append('}');
    }

    private static void mac(StringBuilder out, MemorySegment s, long offset) {
        if (offset < 0) {
            out.append("null");
        } else {
            LinkHeaderText.mac(out.append('"'), s, offset).append('"');
        }
    }
}
