package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.parse.EthernetHeader;
import io.panatap.parse.LinkType;
import io.panatap.parse.LinuxSllHeader;
import io.panatap.parse.PacketHeaders;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * What tcpdump prints of a frame before its IP addresses: the interface and direction of a Linux cooked v2
 * header (and of a capture on all interfaces, which tcpdump reads as one), the few link prefixes it prints
 * without {@code -e} (PPP in HDLC framing, PPPoE, a VLAN tag in a Linux cooked header), with {@code -e} the
 * link-level header (print-ether.c, print-sll.c, print-null.c, print-ppp.c, print-raw.c of tcpdump 4.99).
 * {@code IP } or {@code IP6 } comes after it from {@link TcpdumpLine}. Reads the frame's bytes
 * where the parser does not keep the field; allocates nothing per row (interface names are cached).
 */
final class LinkHeaderText {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int MAC_LENGTH = 6;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_8021Q = 0x8100;

    private final boolean linkHeader;
    private final boolean allInterfaces;
    /** Interface names by index, for Linux cooked v2 files (tcpdump asks this machine, as here). */
    private final Map<Integer, String> names = new HashMap<>();
    private final String[] smallNames = new String[256];
    /** The last large index looked up, so that a run of its frames does not box it per row. */
    private int lastIndex = -1;
    private String lastName;

    /**
     * {@code linkHeader}: {@code -e}; {@code allInterfaces}: a live capture on all interfaces, whose rows tcpdump
     * prints from a Linux cooked v2 header.
     */
    LinkHeaderText(boolean linkHeader, boolean allInterfaces) {
        this.linkHeader = linkHeader;
        this.allInterfaces = allInterfaces;
    }

    /**
     * Appends the link part of the row, what comes before {@code IP }/{@code IP6 } (which {@link TcpdumpLine}
     * prints, as tcpdump's IP printers do, unless {@code -e} asks for the link header).
     */
    void append(Packet packet, StringBuilder out) {
        PacketHeaders h = packet.headers();
        if (allInterfaces) {
            allInterfaces(packet, h, out);
        } else {
            switch (packet.linkType()) {
                case LinkType.ETHERNET -> ethernet(packet, h, out);
                case LinkType.LINUX_SLL -> sll(packet, h, out);
                case LinkType.LINUX_SLL2 -> sll2(packet, h, out);
                case LinkType.NULL, LinkType.LOOP -> loopback(packet, h, out);
                case LinkType.PPP -> {
                    if (linkHeader) {
                        pppProtocol(h, 0, packet.originalLength(), out);
                    }
                }
                case LinkType.PPP_HDLC -> pppHdlc(packet, h, out);
                case LinkType.PPP_ETHER -> pppoe(packet, h, out);
                default -> {
                    if (linkHeader) {
                        out.append("ip: "); // raw IP
                    }
                }
            }
        }
    }

    /** A capture on all interfaces: the packet's interface and direction as tcpdump's Linux cooked v2 rows. */
    private void allInterfaces(Packet packet, PacketHeaders h, StringBuilder out) {
        String name = packet.interfaceName();
        leftAligned(out, name == null ? "?" : name, 5);
        leftAligned(out, LineFormatter.direction(packet.packetType()), 3);
        if (linkHeader) {
            out.append("ifindex ").append(packet.interfaceIndex() & 0xFFFF_FFFFL).append(' ');
            if (packet.linkAddressLength() == MAC_LENGTH) { // the kernel's sll_addr, as tcpdump's SLL2 header has it
                long address = packet.linkAddress();
                for (int i = 0; i < MAC_LENGTH; i++) {
                    int b = (int) (address >>> (56 - 8 * i)) & 0xFF;
                    out.append(i == 0 ? "" : ":").append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
                }
                out.append(' ');
            }
            etherType(out, h.ipVersion() == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
            out.append(", length ").append(packet.originalLength() + LinuxSllHeader.SLL2_LENGTH).append(": ");
        }
    }

    private void ethernet(Packet packet, PacketHeaders h, StringBuilder out) {
        if (!linkHeader) {
            return;
        }
        MemorySegment s = h.segment();
        long base = h.frameOffset();
        mac(out, s, base + MAC_LENGTH).append(" > ");
        mac(out, s, base).append(", ");
        int length = packet.originalLength();
        boolean printedLength = false;
        if (packet.hasVlanTag()) { // stripped by the kernel; libpcap puts it back in front of the frame's own
            etherType(out, packet.vlanTpid());
            out.append(", length ").append(length + 4).append(": ");
            printedLength = true;
            tci(out, packet.vlanTci()).append(", ");
        }
        int type = u16(s, base + EthernetHeader.ETHER_TYPE_OFFSET);
        for (int i = 0; i < h.vlanCount(); i++) {
            long tag = base + EthernetHeader.LENGTH + 4L * i;
            etherType(out, type);
            if (printedLength) {
                out.append(", ");
            } else {
                out.append(", length ").append(length).append(": ");
                printedLength = true;
            }
            tci(out, u16(s, tag)).append(", ");
            type = u16(s, tag + 2);
        }
        etherType(out, type);
        if (printedLength) {
            out.append(", ");
        } else {
            out.append(", length ").append(length).append(": ");
        }
    }

    private void sll(Packet packet, PacketHeaders h, StringBuilder out) {
        MemorySegment s = h.segment();
        long base = h.frameOffset();
        int protocol = u16(s, base + LinuxSllHeader.SLL_PROTOCOL_OFFSET);
        if (linkHeader) {
            String type = packetType(u16(s, base));
            for (int i = type.length(); i < 3; i++) {
                out.append(' ');
            }
            out.append(type).append(' ');
            if (u16(s, base + 4) == MAC_LENGTH) {
                mac(out, s, base + 6).append(' ');
            }
            cookedProtocol(out, protocol, packet.originalLength());
        }
        cookedTags(h, base + LinuxSllHeader.SLL_LENGTH, out);
    }

    private void sll2(Packet packet, PacketHeaders h, StringBuilder out) {
        MemorySegment s = h.segment();
        long base = h.frameOffset();
        int index = s.get(INT, base + 4);
        leftAligned(out, interfaceName(index), 5);
        leftAligned(out, packetType(s.get(ValueLayout.JAVA_BYTE, base + 10) & 0xFF), 3);
        if (linkHeader) {
            out.append("ifindex ").append(index & 0xFFFF_FFFFL).append(' ');
            if ((s.get(ValueLayout.JAVA_BYTE, base + 11) & 0xFF) == MAC_LENGTH) {
                mac(out, s, base + 12).append(' ');
            }
            cookedProtocol(out, u16(s, base + LinuxSllHeader.SLL2_PROTOCOL_OFFSET), packet.originalLength());
        }
        cookedTags(h, base + LinuxSllHeader.SLL2_LENGTH, out);
    }

    /** The protocol of a Linux cooked header, then the frame length (print-sll.c's sll_print). */
    private static void cookedProtocol(StringBuilder out, int protocol, int length) {
        if (protocol == 0x0001) {
            out.append("802.3");
        } else if (protocol == 0x0004) {
            out.append("802.2");
        } else if (protocol <= 1500) {
            out.append("ethertype Unknown (0x");
            hex4(out, protocol).append(')');
        } else {
            etherType(out, protocol);
        }
        out.append(", length ").append(length).append(": ");
    }

    /**
     * VLAN tags after a Linux cooked header: tcpdump prints each tag's TCI with {@code -e}, and the inner
     * EtherType's name even without.
     */
    private void cookedTags(PacketHeaders h, long firstTag, StringBuilder out) {
        MemorySegment s = h.segment();
        for (int i = 0; i < h.vlanCount(); i++) {
            long tag = firstTag + 4L * i;
            if (linkHeader) {
                tci(out, u16(s, tag)).append(", ");
            }
            int type = u16(s, tag + 2);
            out.append("ethertype ").append(type <= 1500 ? "802.2" : etherTypeName(type)).append(", ");
        }
    }

    private void loopback(Packet packet, PacketHeaders h, StringBuilder out) {
        if (!linkHeader) {
            return;
        }
        // tcpdump reads the family in the host's order and swaps it when the upper half is not zero.
        int family = h.segment().get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), h.frameOffset());
        if ((family & 0xFFFF_0000) != 0) {
            family = Integer.reverseBytes(family);
        }
        String name = switch (family) {
            case 2 -> "IPv4";
            case 24, 28, 30 -> "IPv6";
            default -> "Unknown";
        };
        out.append("AF ").append(name).append(" (").append(family & 0xFFFF_FFFFL).append("), length ")
                .append(packet.originalLength()).append(": ");
    }

    private void pppHdlc(Packet packet, PacketHeaders h, StringBuilder out) {
        MemorySegment s = h.segment();
        long base = h.frameOffset();
        if (u16(s, base) == 0xff03) {
            if (linkHeader) {
                out.append("ff 03 ").append(packet.originalLength()).append(' ');
            }
            out.append(h.ipVersion() == 6 ? "IP6: " : "IP: ");
        }
    }

    /** PPPoE: the session (always), then with {@code -e} the PPP protocol and the PPPoE payload length. */
    private void pppoe(Packet packet, PacketHeaders h, StringBuilder out) {
        MemorySegment s = h.segment();
        long base = h.frameOffset();
        int session = u16(s, base + 2);
        out.append("PPPoE  [ses 0x");
        boolean digits = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int digit = session >>> shift & 0xF;
            if (digit != 0 || digits || shift == 0) {
                out.append(HEX[digit]);
                digits = true;
            }
        }
        out.append("] ");
        if (linkHeader) {
            int length = Math.min(u16(s, base + 4), packet.originalLength() - 6);
            pppProtocol(h, 6, length, out);
        }
    }

    /** print-ppp.c with {@code -e}: {@code IP (0x0021), length N: } for the PPP header at {@code offset}. */
    private static void pppProtocol(PacketHeaders h, int offset, int length, StringBuilder out) {
        MemorySegment s = h.segment();
        long p = h.frameOffset() + offset;
        if (u16(s, p) == 0xff03) {
            p += 2;
        }
        int first = s.get(ValueLayout.JAVA_BYTE, p) & 0xFF;
        int protocol = (first & 1) != 0 ? first : u16(s, p);
        out.append(h.ipVersion() == 6 ? "IP6" : "IP").append(" (0x");
        hex4(out, protocol).append("), length ").append(length).append(": ");
    }

    private String interfaceName(int index) {
        if (index >= 0 && index < smallNames.length) {
            String name = smallNames[index];
            if (name == null) {
                name = lookUp(index);
                smallNames[index] = name;
            }
            return name;
        }
        if (index != lastIndex || lastName == null) {
            lastName = names.computeIfAbsent(index, LinkHeaderText::lookUp);
            lastIndex = index;
        }
        return lastName;
    }

    private static String lookUp(int index) {
        try {
            NetworkInterface i = NetworkInterface.getByIndex(index);
            return i == null ? "?" : i.getName();
        } catch (SocketException | RuntimeException e) {
            return "?";
        }
    }

    /** tcpdump's words for {@code sll_pkttype} values 0..4. */
    private static String packetType(int type) {
        return switch (type) {
            case 0 -> "In";
            case 1 -> "B";
            case 2 -> "M";
            case 3 -> "P";
            case 4 -> "Out";
            default -> "?";
        };
    }

    /** {@code ethertype IPv4 (0x0800)}. */
    static StringBuilder etherType(StringBuilder out, int type) {
        out.append("ethertype ").append(etherTypeName(type)).append(" (0x");
        return hex4(out, type).append(')');
    }

    /** tcpdump's names of the EtherTypes a TCP frame can carry on its way to IP; others are "Unknown". */
    static String etherTypeName(int type) {
        return switch (type) {
            case ETHERTYPE_IPV4 -> "IPv4";
            case ETHERTYPE_IPV6 -> "IPv6";
            case ETHERTYPE_8021Q -> "802.1Q";
            case 0x9100 -> "802.1Q-9100";
            case 0x88a8 -> "802.1Q-QinQ";
            case 0x9200 -> "802.1Q-9200";
            case 0x8847 -> "MPLS unicast";
            case 0x8848 -> "MPLS multicast";
            case 0x8863 -> "PPPoE D";
            case 0x8864 -> "PPPoE S";
            case 0x0806 -> "ARP";
            default -> "Unknown";
        };
    }

    /** {@code vlan 10, p 0} and {@code , DEI} when set. */
    static StringBuilder tci(StringBuilder out, int tci) {
        out.append("vlan ").append(tci & 0xFFF).append(", p ").append(tci >>> 13 & 7);
        return (tci & 0x1000) != 0 ? out.append(", DEI") : out;
    }

    /** {@code aa:bb:cc:dd:ee:ff} from six bytes at {@code offset}. */
    static StringBuilder mac(StringBuilder out, MemorySegment s, long offset) {
        for (int i = 0; i < MAC_LENGTH; i++) {
            int b = s.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF;
            if (i > 0) {
                out.append(':');
            }
            out.append(HEX[b >> 4]).append(HEX[b & 0xF]);
        }
        return out;
    }

    private static StringBuilder hex4(StringBuilder out, int value) {
        for (int shift = 12; shift >= 0; shift -= 4) {
            out.append(HEX[value >>> shift & 0xF]);
        }
        return out;
    }

    private static int u16(MemorySegment s, long offset) {
        return s.get(SHORT, offset) & 0xFFFF;
    }

    /** {@code printf("%-Ns ", text)}. */
    static void leftAligned(StringBuilder out, String text, int width) {
        out.append(text);
        for (int i = text.length(); i < width; i++) {
            out.append(' ');
        }
        out.append(' ');
    }
}
