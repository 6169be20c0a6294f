package io.panatap.testing;

import io.panatap.PacketType;
import io.panatap.parse.LinkType;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Seeded hostile input for full-path fuzzing: each {@link #next} refills a {@link FuzzPacket} with a frame
 * that is valid (a quarter), mutated from a valid one (byte flips, "interesting" values in header bytes,
 * cuts, junk tails), or pure noise under any link type, with random packet metadata (lengths, VLAN tag the
 * kernel stripped, direction, timestamp). The same seed gives the same frames.
 *
 * <p>The valid frames are built once from random parameters: every link type the parser reads, 0-3 VLAN
 * tags of every TPID, IPv4 with options and fragments, IPv6 with extension-header chains and fragments,
 * TCP with random options and payloads, and some UDP and ARP.
 */
public final class FuzzFrames {
    private static final int TEMPLATES = 512;
    private static final int[] LINK_TYPES = {LinkType.ETHERNET, LinkType.RAW_BSD_12, LinkType.RAW_BSD_14, LinkType.RAW,
            LinkType.LINUX_SLL, LinkType.IPV4, LinkType.IPV6, LinkType.LINUX_SLL2};
    private static final int[] INTERESTING = {0x00, 0x01, 0x05, 0x06, 0x0F, 0x11, 0x2C, 0x3A, 0x40, 0x45, 0x4F, 0x60, 0x7F,
            0x80, 0x81, 0x86, 0x88, 0xA8, 0xDD, 0xF0, 0xFE, 0xFF};
    private static final PacketType[] PACKET_TYPES = PacketType.values();

    private record Template(int linkType, byte[] bytes) {
    }

    private final SplittableRandom random;
    private final List<Template> templates = new ArrayList<>();
    private long frames;

    public FuzzFrames(long seed) {
        this.random = new SplittableRandom(seed);
        for (int i = 0; i < TEMPLATES; i++) {
            templates.add(template());
        }
    }

    /** Refills {@code p} with the next frame. */
    public void next(FuzzPacket p) {
        MemorySegment b = p.buffer;
        int kind = random.nextInt(100);
        int length;
        int linkType;
        if (kind < 5) {
            length = random.nextInt(FuzzPacket.MAX_LENGTH + 1);
            for (int i = 0; i < length; i++) {
                b.set(JAVA_BYTE, i, (byte) random.nextInt(256));
            }
            linkType = random.nextInt(10) == 0 ? random.nextInt(300) : LINK_TYPES[random.nextInt(LINK_TYPES.length)];
        } else {
            Template t = templates.get(random.nextInt(templates.size()));
            length = t.bytes().length;
            MemorySegment.copy(t.bytes(), 0, b, JAVA_BYTE, 0, length);
            linkType = random.nextInt(50) == 0 ? LINK_TYPES[random.nextInt(LINK_TYPES.length)] : t.linkType();
            if (kind >= 30) {
                length = mutate(b, length);
            }
        }
        int extra = random.nextInt(4) == 0 ? random.nextInt(65536) : 0;
        int originalLength = (int) Math.min(Integer.MAX_VALUE, (long) length + extra);
        // The kernel's clock, not the sender, sets timestamps: any time a pcap file can hold (1970..2106).
        long timestampNanos = switch (random.nextInt(20)) {
            case 0 -> 0;
            case 1 -> 0xFFFF_FFFFL * 1_000_000_000L + 999_999_999L;
            case 2 -> 999_999_999L;
            default -> random.nextLong(0, 0xFFFF_FFFFL * 1_000_000_000L);
        };
        boolean hasVlanTag = random.nextInt(10) == 0;
        int vlanTci = hasVlanTag ? random.nextInt(65536) : 0;
        int vlanTpid = hasVlanTag ? new int[] {0, 0x8100, 0x88A8, random.nextInt(65536)}[random.nextInt(4)] : 0;
        PacketType packetType = PACKET_TYPES[random.nextInt(PACKET_TYPES.length)];
        int interfaceIndex = random.nextInt(5) - 1;
        p.frame(++frames, timestampNanos, length, originalLength, linkType, interfaceIndex,
                interfaceIndex > 0 ? "if" + interfaceIndex : null, packetType, hasVlanTag, vlanTci, vlanTpid);
    }

    /** Applies 1-4 mutations; returns the new length. */
    private int mutate(MemorySegment b, int length) {
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds; r++) {
            switch (random.nextInt(6)) {
                case 0, 1 -> { // flip bits, mostly in the headers
                    if (length > 0) {
                        int at = random.nextInt(Math.min(length, random.nextBoolean() ? 96 : length));
                        b.set(JAVA_BYTE, at, (byte) (b.get(JAVA_BYTE, at) ^ (1 << random.nextInt(8))));
                    }
                }
                case 2 -> { // an interesting value in a header byte (versions, lengths, protocols, TPIDs)
                    if (length > 0) {
                        int at = random.nextInt(Math.min(length, 96));
                        b.set(JAVA_BYTE, at, (byte) INTERESTING[random.nextInt(INTERESTING.length)]);
                    }
                }
                case 3 -> length = random.nextInt(length + 1); // cut
                case 4 -> { // junk tail
                    int grow = random.nextInt(Math.min(256, FuzzPacket.MAX_LENGTH - length) + 1);
                    for (int i = 0; i < grow; i++) {
                        b.set(JAVA_BYTE, length + i, (byte) random.nextInt(256));
                    }
                    length += grow;
                }
                default -> { // a random 16-bit length or offset field
                    if (length > 1) {
                        int at = random.nextInt(Math.min(length - 1, 80));
                        int v = random.nextBoolean() ? random.nextInt(65536) : new int[] {0, 1, 0xFFFF, 0x8000, length}[random.nextInt(5)];
                        b.set(JAVA_BYTE, at, (byte) (v >> 8));
                        b.set(JAVA_BYTE, at + 1, (byte) v);
                    }
                }
            }
        }
        return length;
    }

    // ---- valid frames ---------------------------------------------------------------------------

    private Template template() {
        byte[] ip = random.nextInt(10) == 0 ? notTcp() : ipPacket();
        boolean v6 = (ip[0] & 0xF0) == 0x60;
        int etherType = v6 ? Frames.ETHER_TYPE_IPV6 : Frames.ETHER_TYPE_IPV4;
        switch (random.nextInt(8)) {
            case 0, 1, 2 -> {
                return new Template(LinkType.ETHERNET, tagged(Frames.ethernet(etherType, ip)));
            }
            case 3 -> {
                return new Template(LinkType.LINUX_SLL, Frames.sll(tagged(Frames.ethernet(etherType, ip))));
            }
            case 4 -> {
                return new Template(LinkType.LINUX_SLL2, Frames.sll2(tagged(Frames.ethernet(etherType, ip))));
            }
            case 5 -> {
                return new Template(LinkType.RAW, ip);
            }
            case 6 -> {
                return new Template(v6 ? LinkType.IPV6 : LinkType.IPV4, ip);
            }
            default -> {
                return new Template(random.nextBoolean() ? LinkType.RAW_BSD_12 : LinkType.RAW_BSD_14, ip);
            }
        }
    }

    private byte[] tagged(byte[] ethernetFrame) {
        int tags = random.nextInt(6) < 4 ? 0 : 1 + random.nextInt(3);
        if (tags == 0) {
            return ethernetFrame;
        }
        int[] ids = new int[tags];
        for (int i = 0; i < tags; i++) {
            ids[i] = random.nextInt(4096);
        }
        int tpid = new int[] {Frames.TPID_8021Q, Frames.TPID_8021AD, 0x9100}[random.nextInt(3)];
        return Frames.vlans(ethernetFrame, tpid, ids);
    }

    private byte[] tcp() {
        byte[] options = new byte[random.nextInt(4) == 0 ? random.nextInt(41) : 0];
        for (int i = 0; i < options.length; i++) {
            options[i] = (byte) random.nextInt(256);
        }
        if (options.length == 0 && random.nextInt(4) == 0) {
            options = Frames.synOptions();
        }
        int payload = random.nextInt(3) == 0 ? 0 : random.nextInt(random.nextBoolean() ? 64 : 1400);
        return Frames.tcp(random.nextInt(65536), random.nextInt(65536), random.nextLong(1L << 32), random.nextLong(1L << 32),
                random.nextInt(1 << 12), random.nextInt(65536), options, payload);
    }

    private byte[] ipPacket() {
        byte[] tcp = tcp();
        if (random.nextBoolean()) {
            byte[] options = new byte[random.nextInt(5) == 0 ? random.nextInt(41) : 0];
            int fragment = random.nextInt(8) == 0 ? random.nextInt(65536) : 0x4000;
            return Frames.ipv4(ipv4Address(), ipv4Address(), Frames.PROTOCOL_TCP, options, fragment, tcp);
        }
        byte[] payload = tcp;
        int next = Frames.PROTOCOL_TCP;
        int extensions = random.nextInt(4) == 0 ? 1 + random.nextInt(4) : 0;
        for (int i = 0; i < extensions; i++) {
            if (random.nextInt(4) == 0) {
                payload = Frames.ipv6Fragment(next, random.nextInt(8192), random.nextBoolean(), payload);
                next = 44;
            } else {
                int type = new int[] {0, 43, 60}[random.nextInt(3)];
                payload = Frames.ipv6Extension(next, 1 + random.nextInt(4), payload);
                next = type;
            }
        }
        return Frames.ipv6(ipv6Address(), ipv6Address(), next, payload);
    }

    private byte[] notTcp() {
        byte[] udp = Frames.payload(8 + random.nextInt(64));
        return random.nextBoolean() ? Frames.ipv4(ipv4Address(), ipv4Address(), Frames.PROTOCOL_UDP, udp)
                : Frames.ipv6(ipv6Address(), ipv6Address(), random.nextBoolean() ? Frames.PROTOCOL_UDP : 58, udp);
    }

    private String ipv4Address() {
        return switch (random.nextInt(8)) {
            case 0 -> "0.0.0.0";
            case 1 -> "255.255.255.255";
            default -> random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256);
        };
    }

    private String ipv6Address() {
        switch (random.nextInt(10)) {
            case 0:
                return "::";
            case 1:
                return "::1";
            case 2:
                return "::ffff:" + ipv4Address();
            case 3:
                return "fe80::" + Integer.toHexString(random.nextInt(65536));
            default:
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 8; i++) {
                    if (i > 0) {
                        sb.append(':');
                    }
                    // Many zero groups, so that RFC 5952 "::" compression is exercised.
                    sb.append(Integer.toHexString(random.nextInt(3) == 0 ? 0 : random.nextInt(65536)));
                }
                return sb.toString();
        }
    }
}
