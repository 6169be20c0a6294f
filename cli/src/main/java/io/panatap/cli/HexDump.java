package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.parse.EthernetHeader;
import io.panatap.parse.LinkType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * tcpdump's packet dumps after a line row: {@code -x} hex, {@code -X} hex and ASCII, {@code -A} ASCII, from
 * the network header on, or of the whole frame when the option is doubled ({@code -xx}, {@code -XX},
 * {@code -AA}); {@code -X} wins over {@code -x}, which wins over {@code -A}, as in tcpdump. The dump covers
 * the captured bytes (Ethernet padding included, as tcpdump 4.99 prints it). On a live Ethernet capture
 * the kernel strips the outer VLAN tag; like libpcap, the whole-frame dump puts it back after the MAC
 * addresses. The bytes are copied to a reused buffer, so a row allocates nothing once it has grown.
 */
final class HexDump {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int BYTES_PER_LINE = 16;
    /** tcpdump pads the hex part of an {@code -X} line to this width ({@code %-40s}). */
    private static final int HEX_WIDTH = 40;
    /** tcpdump's PPP_HDRLEN. */
    private static final int PPP_HEADER = 4;

    /** What to print. */
    enum Kind { HEX, HEX_ASCII, ASCII }

    private final Kind kind;
    private final boolean wholeFrame;
    private byte[] bytes = new byte[2048];
    private int length;

    HexDump(Kind kind, boolean wholeFrame) {
        this.kind = kind;
        this.wholeFrame = wholeFrame;
    }

    /** The dump the options ask for, or null for none. */
    static HexDump of(Options options) {
        if (options.hexAsciiCount > 0) {
            return new HexDump(Kind.HEX_ASCII, options.hexAsciiCount > 1);
        }
        if (options.hexCount > 0) {
            return new HexDump(Kind.HEX, options.hexCount > 1);
        }
        if (options.asciiCount > 0) {
            return new HexDump(Kind.ASCII, options.asciiCount > 1);
        }
        return null;
    }

    /**
     * Collects the bytes this dump covers for {@code packet}; returns false when there are none (a frame
     * with nothing past its link header, for the dumps without it).
     */
    boolean collect(Packet packet) {
        MemorySegment segment = packet.segment();
        long base = packet.frameOffset();
        int captured = (int) Math.min(packet.captureLength(), segment.byteSize() - base);
        length = 0;
        if (wholeFrame) {
            if (packet.hasVlanTag() && packet.linkType() == LinkType.ETHERNET
                    && captured >= EthernetHeader.ETHER_TYPE_OFFSET) {
                int macs = EthernetHeader.ETHER_TYPE_OFFSET;
                copy(segment, base, macs);
                put(packet.vlanTpid() >>> 8);
                put(packet.vlanTpid());
                put(packet.vlanTci() >>> 8);
                put(packet.vlanTci());
                copy(segment, base + macs, captured - macs);
            } else {
                copy(segment, base, captured);
            }
        } else {
            int start = linkHeaderLength(packet);
            if (captured <= start) {
                return false;
            }
            copy(segment, base + start, captured - start);
        }
        return true;
    }

    /**
     * Where tcpdump's dump without the link header starts: the network header, except on LINKTYPE_PPP, whose
     * printer counts a 4-byte header even when the frame leaves out the address and control bytes.
     */
    static int linkHeaderLength(Packet packet) {
        return packet.linkType() == LinkType.PPP ? PPP_HEADER : packet.headers().ipOffset();
    }

    /** Appends the dump of {@code packet} (what tcpdump prints between the row and its final newline). */
    void append(Packet packet, StringBuilder out) {
        if (collect(packet)) {
            switch (kind) {
                case HEX -> hex(out);
                case HEX_ASCII -> hexAndAscii(out);
                case ASCII -> ascii(out);
            }
        }
    }

    /** Appends the collected bytes as lower-case hex digits, for JSON. */
    StringBuilder appendHexDigits(StringBuilder out) {
        for (int i = 0; i < length; i++) {
            byte2(out, bytes[i] & 0xFF);
        }
        return out;
    }

    private void copy(MemorySegment segment, long offset, int n) {
        if (n <= 0) {
            return;
        }
        grow(n);
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, bytes, length, n);
        length += n;
    }

    private void put(int b) {
        grow(1);
        bytes[length++] = (byte) b;
    }

    private void grow(int n) {
        if (length + n > bytes.length) {
            bytes = java.util.Arrays.copyOf(bytes, Math.max(2 * bytes.length, length + n));
        }
    }

    /** {@code hex_print}: a line per 16 bytes, {@code \n\t0x0000: } then groups of two bytes. */
    private void hex(StringBuilder out) {
        int i = 0;
        for (; i + 1 < length; i += 2) {
            if (i % BYTES_PER_LINE == 0) {
                offset(out, i);
            }
            byte2(out.append(' '), bytes[i] & 0xFF);
            byte2(out, bytes[i + 1] & 0xFF);
        }
        if (i < length) {
            if (i % BYTES_PER_LINE == 0) {
                offset(out, i);
            }
            byte2(out.append(' '), bytes[i] & 0xFF);
        }
    }

    /** {@code hex_and_ascii_print}: the hex part padded to 40 characters, two spaces, the printable bytes. */
    private void hexAndAscii(StringBuilder out) {
        for (int line = 0; line < length; line += BYTES_PER_LINE) {
            int end = Math.min(length, line + BYTES_PER_LINE);
            offset(out, line);
            int hexStart = out.length();
            for (int i = line; i < end; i += 2) {
                byte2(out.append(' '), bytes[i] & 0xFF);
                if (i + 1 < end) {
                    byte2(out, bytes[i + 1] & 0xFF);
                }
            }
            for (int pad = out.length() - hexStart; pad < HEX_WIDTH; pad++) {
                out.append(' ');
            }
            out.append("  ");
            for (int i = line; i < end; i++) {
                int b = bytes[i] & 0xFF;
                out.append(graphic(b) ? (char) b : '.');
            }
        }
    }

    /**
     * {@code ascii_print}: a newline, then the bytes, printable ones, tab, space and newline as themselves,
     * others as {@code .}; a carriage return prints nothing when a newline follows it or when it is one of
     * the last two bytes, else a {@code .}.
     */
    private void ascii(StringBuilder out) {
        out.append('\n');
        for (int i = 0; i < length; i++) {
            int b = bytes[i] & 0xFF;
            int left = length - i - 1;
            if (b == '\r') {
                if (left > 1 && bytes[i + 1] != '\n') {
                    out.append('.');
                }
            } else if (graphic(b) || b == '\t' || b == ' ' || b == '\n') {
                out.append((char) b);
            } else {
                out.append('.');
            }
        }
    }

    private static boolean graphic(int b) {
        return b > 0x20 && b < 0x7F;
    }

    /** {@code \n\t0x%04x: }. */
    private static void offset(StringBuilder out, int offset) {
        out.append("\n\t0x");
        for (int shift = Math.max(12, (31 - Integer.numberOfLeadingZeros(offset)) & ~3); shift >= 0; shift -= 4) {
            out.append(HEX[offset >>> shift & 0xF]);
        }
        out.append(": ");
    }

    private static void byte2(StringBuilder out, int b) {
        out.append(HEX[b >> 4]).append(HEX[b & 0xF]);
    }
}
