package io.panatap.pcap;

import java.nio.ByteBuffer;

/** Minimal Ethernet / IPv4 / TCP frames for writer tests (checksums are left zero). */
final class Frames {
    private Frames() {
    }

    /** Ethernet II + IPv4 (20 bytes) + TCP (20 bytes) + {@code payload} bytes. */
    static byte[] ethernetIpv4Tcp(int sourcePort, int destinationPort, int flags, int payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20 + payload);
        b.put(new byte[] {2, 0, 0, 0, 0, 1}).put(new byte[] {2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (40 + payload)).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 6).putShort((short) 0)
                .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        b.putShort((short) sourcePort).putShort((short) destinationPort).putInt(1000).putInt(2000)
                .putShort((short) (0x5000 | flags)).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
        return b.array();
    }
}
