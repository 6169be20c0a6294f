package io.panatap.bench.parse;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * The two frame sets of {@link LimitBenchmark}, reproducible from a seed.
 *
 * <ul>
 * <li>{@code syn54}: uniform 54-byte Ethernet/IPv4/TCP SYN frames (no IP or TCP options), the simplest frame
 * and so the one where a parser's fixed cost per frame shows most.
 * <li>{@code mix}: a realistic mix in random order: 45 % Ethernet/IPv4/TCP with timestamps and payload, 10 %
 * IPv4 with IP options (router alert, or a 12-byte timestamp option), 20 % IPv6, 10 % IPv6 with extension
 * headers (hop-by-hop then a first fragment, or 16 bytes of destination options), 10 % 802.1Q-tagged IPv4,
 * 5 % 802.1ad+802.1Q-tagged IPv6; payloads of 0, up to 200 or 1448 bytes; pure ACKs without TCP options
 * padded to Ethernet's 60-byte minimum.
 * </ul>
 */
final class LimitFrames {
    private LimitFrames() {
    }

    static byte[][] generate(String set, int count, long seed) {
        Random random = new Random(seed);
        byte[][] frames = new byte[count][];
        for (int i = 0; i < count; i++) {
            frames[i] = switch (set) {
                case "syn54" -> frame(random, 0, 4, 0, 0, 0, 0x002, false);
                case "mix" -> mixed(random);
                default -> throw new IllegalArgumentException("frame set " + set + ": syn54 or mix");
            };
        }
        return frames;
    }

    private static byte[] mixed(Random random) {
        int kind = random.nextInt(100);
        int payload = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(200);
            default -> 1448;
        };
        int flags = random.nextInt(50) == 0 ? 0x002 : payload == 0 ? 0x010 : 0x018;
        // Pure ACKs of plain IPv4 often carry no TCP options; such a frame is padded to 60 bytes.
        int tcpOptions = kind < 45 && payload == 0 && random.nextBoolean() ? 0 : 12;
        if (kind < 45) {
            return frame(random, 0, 4, 0, tcpOptions, payload, flags, false);
        }
        if (kind < 55) {
            return frame(random, 0, 4, random.nextBoolean() ? 4 : 12, tcpOptions, payload, flags, false);
        }
        if (kind < 75) {
            return frame(random, 0, 6, 0, tcpOptions, payload, flags, false);
        }
        if (kind < 85) {
            return frame(random, 0, 6, random.nextBoolean() ? 16 : 24, tcpOptions, payload, flags, false);
        }
        if (kind < 95) {
            return frame(random, 1, 4, 0, tcpOptions, payload, flags, false);
        }
        return frame(random, 2, 6, 0, tcpOptions, payload, flags, true);
    }

    /**
     * One frame: {@code tags} VLAN tags, IP {@code version}, {@code ipExtra} bytes of IPv4 options or IPv6
     * extension headers (16: hop-by-hop + fragment; 24: destination options), {@code tcpOptions} bytes of
     * TCP options, {@code payload} bytes.
     */
    private static byte[] frame(Random random, int tags, int version, int ipExtra, int tcpOptions, int payload,
                                int flags, boolean qinq) {
        int ipHeader = (version == 4 ? 20 : 40) + ipExtra;
        int tcpLength = 20 + tcpOptions;
        int length = 14 + 4 * tags + ipHeader + tcpLength + payload;
        ByteBuffer b = ByteBuffer.allocate(Math.max(60, length));
        b.putInt(0x02000000).putShort((short) 2).putInt(0x02000000).putShort((short) 1);
        for (int t = 0; t < tags; t++) {
            b.putShort((short) (t == 0 && qinq ? 0x88A8 : 0x8100)).putShort((short) (100 + random.nextInt(50)));
        }
        if (version == 4) {
            b.putShort((short) 0x0800);
            b.put((byte) (0x40 | ipHeader / 4)).put((byte) 0).putShort((short) (ipHeader + tcpLength + payload))
                    .putShort((short) random.nextInt()).putShort((short) 0x4000).put((byte) 64).put((byte) 6)
                    .putShort((short) 0).putInt(0x0A000000 | random.nextInt(1 << 16))
                    .putInt(0x0A010000 | random.nextInt(1 << 16));
            if (ipExtra == 4) {
                b.putInt(0x94040000); // router alert
            } else if (ipExtra == 12) {
                b.putInt(0x440C0D00).putInt(random.nextInt()).putInt(random.nextInt()); // timestamp, one slot
            }
        } else {
            b.putShort((short) 0x86DD);
            int first = ipExtra == 16 ? 0 : ipExtra == 24 ? 60 : 6;
            b.putInt(0x6000_0000 | random.nextInt(1 << 20)).putShort((short) (ipExtra + tcpLength + payload))
                    .put((byte) first).put((byte) 64)
                    .putLong(0x20010DB800000000L).putLong(random.nextInt(1 << 16))
                    .putLong(0x20010DB800000001L).putLong(random.nextInt(1 << 16));
            if (ipExtra == 16) {
                b.put((byte) 44).put((byte) 0).putShort((short) 0x0502).putInt(0); // hop-by-hop: PadN
                b.put((byte) 6).put((byte) 0).putShort((short) 1).putInt(random.nextInt()); // first fragment
            } else if (ipExtra == 24) {
                b.put((byte) 6).put((byte) 2).putShort((short) 0x0114).putInt(0); // destination options, PadN
                b.putLong(0).putLong(0);
            }
        }
        b.putShort((short) (1024 + random.nextInt(60000))).putShort((short) 443)
                .putInt(random.nextInt()).putInt(flags == 0x002 ? 0 : random.nextInt())
                .putShort((short) (tcpLength / 4 << 12 | flags)).putShort((short) 502).putShort((short) 0)
                .putShort((short) 0);
        if (tcpOptions == 12) {
            b.putInt(0x0101080A).putInt(random.nextInt()).putInt(random.nextInt());
        }
        return b.array();
    }
}
