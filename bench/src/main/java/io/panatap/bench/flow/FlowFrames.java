package io.panatap.bench.flow;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Ethernet/IPv4/TCP frames (no options) for the flow benchmarks, written into native memory: flow {@code i}
 * is client {@code 10.x.y.z} (from {@code i}) port {@code 10000 + i % 50000} to server 10.200.0.1:443.
 */
final class FlowFrames {
    static final int HEADERS = 14 + 20 + 20;
    static final int SEQ_OFFSET = 14 + 20 + 4;
    static final int SYN = 0x02;
    static final int ACK = 0x10;
    static final int PSH = 0x08;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int SERVER = 10 << 24 | 200 << 16 | 1;

    private FlowFrames() {
    }

    /** Writes one frame of flow {@code flow} at the start of {@code frame} (which is HEADERS + payload long). */
    static void write(MemorySegment frame, int flow, boolean fromClient, int flags, int seq, int ack, int payload) {
        int client = 10 << 24 | (flow + 1);
        int clientPort = 10_000 + flow % 50_000;
        frame.fill((byte) 0);
        frame.set(SHORT, 12, (short) 0x0800);
        frame.set(ValueLayout.JAVA_BYTE, 14, (byte) 0x45);
        frame.set(SHORT, 16, (short) (40 + payload));
        frame.set(ValueLayout.JAVA_BYTE, 22, (byte) 64);
        frame.set(ValueLayout.JAVA_BYTE, 23, (byte) 6);
        frame.set(INT, 26, fromClient ? client : SERVER);
        frame.set(INT, 30, fromClient ? SERVER : client);
        frame.set(SHORT, 34, (short) (fromClient ? clientPort : 443));
        frame.set(SHORT, 36, (short) (fromClient ? 443 : clientPort));
        frame.set(INT, 38, seq);
        frame.set(INT, 42, ack);
        frame.set(SHORT, 46, (short) (5 << 12 | flags));
        frame.set(SHORT, 48, (short) 65535);
    }

    /** Rewrites a client frame as flow {@code flow}'s with sequence number {@code seq}. */
    static void client(MemorySegment frame, int flow, int seq) {
        frame.set(INT, 26, 10 << 24 | (flow + 1));
        frame.set(SHORT, 34, (short) (10_000 + flow % 50_000));
        frame.set(INT, SEQ_OFFSET, seq);
    }

    static void seq(MemorySegment frame, int seq) {
        frame.set(INT, SEQ_OFFSET, seq);
    }
}
