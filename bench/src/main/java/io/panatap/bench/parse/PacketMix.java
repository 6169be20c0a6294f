package io.panatap.bench.parse;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * A reproducible mix of captured frames: 70 % Ethernet/IPv4/TCP with timestamp options and payload, 20 %
 * Ethernet/IPv6/TCP, 10 % Ethernet/802.1Q/IPv4/TCP. Payload sizes follow a bulk-transfer-like spread
 * (pure ACKs, small requests, full segments).
 */
final class PacketMix {
    static final int ETHERNET = 1;

    private PacketMix() {
    }

    /** The 70/20/10 mix. */
    static byte[][] generate(int count, long seed) {
        return generate(count, seed, false);
    }

    /** The mix, or with {@code ipv4Only} every frame Ethernet/IPv4/TCP (same payload spread). */
    static byte[][] generate(int count, long seed, boolean ipv4Only) {
        Random random = new Random(seed);
        byte[][] frames = new byte[count][];
        for (int i = 0; i < count; i++) {
            int kind = ipv4Only ? 0 : random.nextInt(100);
            int payload = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(200);
                default -> 1448;
            };
            int flags = payload == 0 ? 0x010 : 0x018;
            if (random.nextInt(50) == 0) {
                flags = 0x002;
            }
            frames[i] = kind < 70 ? ipv4(random, payload, flags, false)
                    : kind < 90 ? ipv6(random, payload, flags)
                    : ipv4(random, payload, flags, true);
        }
        return frames;
    }

    private static byte[] ipv4(Random random, int payload, int flags, boolean vlan) {
        int link = vlan ? 18 : 14;
        int tcpLength = 32; // NOP NOP timestamps
        ByteBuffer b = ByteBuffer.allocate(link + 20 + tcpLength + payload);
        ethernet(b, vlan, 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + tcpLength + payload)).putShort((short) random.nextInt())
                .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0)
                .putInt(0x0A000000 | random.nextInt(1 << 16)).putInt(0x0A010000 | random.nextInt(1 << 16));
        tcp(b, random, flags);
        return b.array();
    }

    private static byte[] ipv6(Random random, int payload, int flags) {
        int tcpLength = 32;
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + tcpLength + payload);
        ethernet(b, false, 0x86DD);
        b.putInt(0x6000_0000).putShort((short) (tcpLength + payload)).put((byte) 6).put((byte) 64)
                .putLong(0x20010DB800000000L).putLong(random.nextInt(1 << 16))
                .putLong(0x20010DB800000001L).putLong(random.nextInt(1 << 16));
        tcp(b, random, flags);
        return b.array();
    }

    private static void ethernet(ByteBuffer b, boolean vlan, int etherType) {
        b.putInt(0x02000000).putShort((short) 2).putInt(0x02000000).putShort((short) 1);
        if (vlan) {
            b.putShort((short) 0x8100).putShort((short) (100 + b.limit() % 7));
        }
        b.putShort((short) etherType);
    }

    private static void tcp(ByteBuffer b, Random random, int flags) {
        b.putShort((short) (1024 + random.nextInt(60000))).putShort((short) 443)
                .putInt(random.nextInt()).putInt(random.nextInt())
                .putShort((short) (8 << 12 | flags)).putShort((short) 502).putShort((short) 0).putShort((short) 0)
                .putInt(0x0101080A).putInt(random.nextInt()).putInt(random.nextInt());
    }
}
