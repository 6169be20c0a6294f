package io.panatap.capture;

import io.panatap.PacketListener;
import io.panatap.parse.LinkType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.panatap.internal.linux.PacketAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The JIT warm-up behind {@link PacketCapture#warmUp()} and {@link PacketCapture#warmUp(PacketListener)}: a
 * {@code TPACKET_V3} ring of two blocks in ordinary memory, filled the way the kernel fills one, walked by a
 * real {@link RingReader} round after round, so that the JIT compiles the walk, the header parser and the
 * listener before real traffic arrives. Needs no privileges and no native access.
 *
 * <p>The frames are Ethernet/IPv4/TCP. For the plain warm-up they are one ACK repeated (the walk and the
 * parser do the same work for any TCP frame). For a listener's warm-up they are rewritten every round into
 * whole connections between many addresses and ports, with stray segments among them (see
 * {@link #writePacket}), so that code keyed by the connection, such as a flow table, goes through its paths
 * for new, known, closed, reset and evicted connections, for ones seen mid-way, and for data out of order.
 * A listener's warm-up also goes through the capture's wait where native calls are allowed: its packets
 * come through a {@link PacketCapture#poll} on a {@link PacketSocket#standIn() stand-in socket}, and polls
 * of the empty ring between rounds each make a {@code poll(2)} call that returns at once.
 */
final class WarmUpRing {
    private static final VarHandle INT_HANDLE = JAVA_INT.varHandle();
    private static final ValueLayout.OfInt BIG_INT = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort BIG_SHORT = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final AtomicBoolean WARMED_UP = new AtomicBoolean();
    private static final int BLOCK_SIZE = 32 << 10;
    private static final int BLOCKS = 2;
    /** Frames of {@link #STRIDE} bytes that fit a block after its descriptor. */
    private static final int FRAMES_PER_BLOCK = 150;
    /** Rounds (each walks both blocks): 60,000 packets for the plain warm-up, 21,600 for a listener's. */
    private static final int PLAIN_ROUNDS = 200;
    private static final int LISTENER_ROUNDS = 72;
    private static final int PACKETS_PER_CONNECTION = 9;
    /** Connections whose packets take turns, so that a connection's packets are not all back to back. */
    private static final int INTERLEAVED = 4;
    /** One packet in this many is a stray (see {@link #writeStray}). */
    private static final int STRAY_EVERY = 8;
    /**
     * Polls of an empty ring in a listener's warm-up, spread over its rounds. Real traffic waits once per ring
     * block, so without them the capture's wait ({@code PacketCapture.poll}, {@code poll(2)} through FFM) runs
     * interpreted for seconds after the start. These customise the downcall's method handle here and run the
     * wait's invocation counters up, so that the JIT compiles it at the first real waits, even while the
     * compiler threads are still busy with the rest of the warm-up.
     */
    private static final int EMPTY_POLLS = 2000;
    /**
     * A listener's warm-up takes at most this many packets per poll, fewer than a block holds, so that polls
     * (and a {@link io.panatap.PacketBatchListener}'s batches) end at their limit as well as at a block's end.
     * Under real traffic a block holds more packets than the command takes per poll (256): a walk compiled
     * without ever reaching its limit would go back to the interpreter then.
     */
    private static final int POLL_LIMIT = 64;
    private static final int ETHERNET = 14;
    private static final int IP = 20;
    private static final int TCP = 20;
    private static final int PAYLOAD = 32;
    /**
     * Stray segments carry 0 to this many bytes of data, so that frames come in every length from 54 to 117
     * bytes, every remainder modulo 8 below and above 64: the JDK's segment copy (which the file writers use)
     * takes different branches by length, and a length the warm-up never showed sends its compiled code back
     * to the interpreter when real traffic shows it.
     */
    private static final int MAX_STRAY_PAYLOAD = 63;
    private static final int MAC = tpacketAlign(TPACKET3_HDRLEN);
    /** Room for the longest frame, and for the last word of its payload (written whole, see {@link #writeFrame}). */
    private static final int STRIDE = tpacketAlign(MAC + ETHERNET + IP + TCP + MAX_STRAY_PAYLOAD + 3);
    private static final int SNAP = STRIDE - MAC;
    private static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
    /** Capture timestamps of the synthetic packets start here (14 November 2023), one microsecond apart. */
    private static final long FIRST_SECOND = 1_700_000_000L;

    private final MemorySegment ring;
    private final RingReader reader;

    private WarmUpRing(MemorySegment ring) {
        this.ring = ring;
        this.reader = new RingReader(ring, BLOCK_SIZE, BLOCKS, LinkType.ETHERNET, SNAP, true, true, null, false);
        for (int b = 0; b < BLOCKS; b++) {
            long block = (long) b * BLOCK_SIZE;
            ring.set(JAVA_INT, block + BLOCK_NUM_PKTS, FRAMES_PER_BLOCK);
            ring.set(JAVA_INT, block + BLOCK_OFFSET_TO_FIRST_PKT, (int) TPACKET_BLOCK_DESC.byteSize());
            for (int i = 0; i < FRAMES_PER_BLOCK; i++) {
                long f = frame(b, i);
                ring.set(JAVA_INT, f + TP_NEXT_OFFSET, i + 1 < FRAMES_PER_BLOCK ? STRIDE : 0);
                ring.set(JAVA_SHORT, f + TP_MAC, (short) MAC);
                ring.set(JAVA_INT, f + TP_SOCKADDR_LL + SLL_IFINDEX, 1);
                ring.set(JAVA_SHORT, f + TP_SOCKADDR_LL + SLL_HATYPE, (short) ARPHRD_ETHER);
                writeConnectionPacket(f, 0, 2 * INTERLEAVED); // an ACK: what the plain warm-up repeats
            }
        }
    }

    /** The plain warm-up, once per JVM: the repeated ACK through a listener that only parses. */
    static void warmUpOnce() {
        if (!WARMED_UP.compareAndSet(false, true)) {
            return;
        }
        int[] tcp = new int[1];
        run(p -> {
            if (p.headers().isTcp()) {
                tcp[0]++;
            }
        }, PLAIN_ROUNDS, false);
    }

    /** A listener's warm-up: {@link #LISTENER_ROUNDS} rounds of synthetic connections. */
    static void warmUp(PacketListener listener) {
        run(listener, LISTENER_ROUNDS, true);
    }

    private static void run(PacketListener listener, int rounds, boolean connections) {
        PacketSocket standIn = null;
        try (Arena arena = Arena.ofShared()) { // shared, like a real ring's: the same code paths get compiled
            WarmUpRing warmUp = new WarmUpRing(arena.allocate((long) BLOCKS * BLOCK_SIZE, 4096));
            // Only a listener's warm-up waits in poll(2): the plain one stays as short as it was.
            standIn = connections ? PacketSocket.standIn() : null;
            PacketCapture capture = standIn == null ? null : PacketCapture.forWarmUp(standIn, warmUp.reader, SNAP);
            int emptyPolls = (EMPTY_POLLS + rounds - 1) / rounds;
            long packet = 0;
            for (int round = 0; round < rounds; round++) {
                for (int b = 0; b < BLOCKS; b++) {
                    if (connections) {
                        for (int i = 0; i < FRAMES_PER_BLOCK; i++) {
                            warmUp.writePacket(warmUp.frame(b, i), packet++);
                        }
                    }
                    INT_HANDLE.setRelease(warmUp.ring, (long) b * BLOCK_SIZE + BLOCK_STATUS, TP_STATUS_USER);
                }
                if (capture == null) {
                    int limit = connections ? POLL_LIMIT : Integer.MAX_VALUE;
                    while (warmUp.reader.deliver(listener, limit) > 0) {
                        // the round's packets, a poll's worth at a time
                    }
                    continue;
                }
                while (capture.poll(listener, POLL_LIMIT) > 0) {
                    // the round's packets, a poll's worth at a time; the last poll finds the ring empty
                }
                for (int i = 0; i < emptyPolls; i++) {
                    capture.poll(listener, Integer.MAX_VALUE); // the ring is empty: waits in poll(2)
                }
            }
        } catch (CaptureException | RuntimeException e) {
            // Only an optimisation: a failure here must not stop anything. A listener's own exception is its
            // to report, as in a capture; here it only ends the warm-up.
        } finally {
            if (standIn != null) {
                standIn.closeStandIn();
            }
        }
    }

    private long frame(int block, int index) {
        return (long) block * BLOCK_SIZE + TPACKET_BLOCK_DESC.byteSize() + (long) index * STRIDE;
    }

    /**
     * Writes synthetic packet number {@code n} into the frame at {@code f}: every {@value #STRAY_EVERY}th a
     * stray segment, the others those of whole connections.
     */
    private void writePacket(long f, long n) {
        if (n % STRAY_EVERY == STRAY_EVERY - 1) {
            writeStray(f, n);
        } else {
            writeConnectionPacket(f, n, n - n / STRAY_EVERY);
        }
    }

    /**
     * A segment of traffic without a pattern, as scans and the middles of long connections look: an ACK,
     * half of them with 0 to {@value #MAX_STRAY_PAYLOAD} bytes of data, from one of 16 hosts 10.2.0.x and 64
     * ports to 10.1.0.1:80, with a random sequence number, so that the few thousand strays of a warm-up meet
     * each other again in every order a sequence can come in.
     */
    private void writeStray(long f, long n) {
        long r = n * 0x9E37_79B9_7F4A_7C15L;
        r = (r ^ r >>> 29) * 0xBF58_476D_1CE4_E5B9L;
        r ^= r >>> 32;
        int payload = (r & 0x400) != 0 ? (int) (r >>> 11) & MAX_STRAY_PAYLOAD : 0;
        writeFrame(f, n, true, 0x0a02_0000 | (int) (r & 0xF), 40_000 + (int) (r >>> 4 & 0x3F), 80,
                (int) (r >>> 32), 1, payload > 0 ? PSH | ACK : ACK, 0xFFFF, payload);
    }

    /**
     * Writes connection packet number {@code c} (packet {@code n} of the warm-up) into the frame at
     * {@code f}. Packets come in connections of {@value #PACKETS_PER_CONNECTION} between a client
     * 10.0.x.y:port and 10.1.0.1:80 or :443, and {@value #INTERLEAVED} connections at a time take turns: SYN,
     * SYN/ACK, ACK; then the client's 96 bytes of data in three segments, the last first (out of order,
     * leaving a hole), then the first and the second (or the second and the first, so the hole closes from
     * either end), then the first again (a retransmission); then FIN/ACK from each side. Every fifth
     * connection instead ends with the client announcing a zero window and the server's reset, and every third
     * is seen mid-way (its handshake and end are plain ACKs), so it stays open until a flow table evicts it or
     * it times out. Sequence and acknowledgement numbers follow the data; timestamps advance a microsecond a
     * packet.
     */
    private void writeConnectionPacket(long f, long n, long c) {
        long turn = c / INTERLEAVED;
        long connection = turn / PACKETS_PER_CONNECTION * INTERLEAVED + c % INTERLEAVED;
        int step = (int) (turn % PACKETS_PER_CONNECTION);
        boolean midway = connection % 3 == 2;
        boolean reset = connection % 5 == 4;
        boolean secondFirst = connection % 2 == 1;
        int clientSeq = (int) (connection * 7919);
        int serverSeq = (int) (connection * 104_729);
        boolean fromClient = step != 1 && step != 8;
        int data = clientSeq + 1; // the client's first data byte
        int seq = fromClient ? data : serverSeq + 1;
        int ack = fromClient ? serverSeq + 1 : data + 3 * PAYLOAD;
        int flags = ACK;
        int window = 0xFFFF;
        int payload = PAYLOAD;
        switch (step) {
            case 0 -> { seq = clientSeq; ack = 0; flags = SYN; payload = 0; }
            case 1 -> { seq = serverSeq; ack = data; flags = SYN | ACK; payload = 0; }
            case 2 -> payload = 0;
            case 3 -> seq = data + 2 * PAYLOAD;
            case 4 -> seq = secondFirst ? data + PAYLOAD : data;
            case 5 -> seq = secondFirst ? data : data + PAYLOAD;
            case 6 -> { } // the first segment again
            case 7 -> {
                seq = data + 3 * PAYLOAD;
                flags = reset ? ACK : FIN | ACK;
                window = reset ? 0 : window;
                payload = 0;
            }
            default -> {
                ack += reset || midway ? 0 : 1; // the client's FIN takes a sequence number
                flags = reset ? RST | ACK : FIN | ACK;
                payload = 0;
            }
        }
        if (payload > 0) {
            flags |= PSH;
        }
        if (midway && (flags & (SYN | FIN | RST)) != 0) { // plain ACKs in place of the handshake and the end
            flags = ACK;
            if (step == 0) {
                seq = data;
                ack = serverSeq + 1;
            } else if (step == 1) {
                seq = serverSeq + 1;
            }
        }
        writeFrame(f, n, fromClient, 0x0a00_0000 | (int) (connection % 0xFFFF) + 1,
                1024 + (int) (connection % 60_000), connection % 2 == 0 ? 80 : 443, seq, ack, flags, window, payload);
    }

    /**
     * Writes an Ethernet/IPv4/TCP frame between {@code client} (an IPv4 address) and 10.1.0.1, this host;
     * {@code fromClient} false: sent by this host. Timestamp: {@code n} microseconds after the first.
     */
    private void writeFrame(long f, long n, boolean fromClient, int client, int clientPort, int serverPort, int seq,
                            int ack, int flags, int window, int payload) {
        int server = 0x0a01_0001;
        int length = ETHERNET + IP + TCP + payload;
        long nanos = n * 1000;
        ring.set(JAVA_INT, f + TP_SEC, (int) (FIRST_SECOND + nanos / 1_000_000_000L));
        ring.set(JAVA_INT, f + TP_NSEC, (int) (nanos % 1_000_000_000L));
        ring.set(JAVA_INT, f + TP_SNAPLEN, length);
        ring.set(JAVA_INT, f + TP_LEN, length);
        ring.set(JAVA_BYTE, f + TP_SOCKADDR_LL + SLL_PKTTYPE, (byte) (fromClient ? 0 : 4)); // host, outgoing
        long e = f + MAC;
        putInt(e, 0x0200_0000); // destination 02:00:00:00:00:01 (this host) or :02 (its gateway)
        putShort(e + 4, fromClient ? 1 : 2);
        putInt(e + 6, 0x0200_0000); // source
        putShort(e + 10, fromClient ? 2 : 1);
        putShort(e + 12, 0x0800);
        long ip = e + ETHERNET;
        putInt(ip, 0x4500_0000 | (IP + TCP + payload));
        putInt(ip + 4, (int) (n & 0xFFFF) << 16 | 0x4000); // identification, don't fragment
        putInt(ip + 8, 64 << 24 | 6 << 16); // TTL, TCP, checksum not computed (nothing here checks it)
        putInt(ip + 12, fromClient ? client : server);
        putInt(ip + 16, fromClient ? server : client);
        long tcp = ip + IP;
        putShort(tcp, fromClient ? clientPort : serverPort);
        putShort(tcp + 2, fromClient ? serverPort : clientPort);
        putInt(tcp + 4, seq);
        putInt(tcp + 8, ack);
        putShort(tcp + 12, 5 << 12 | flags);
        putInt(tcp + 14, window << 16); // checksum 0
        putShort(tcp + 18, 0);
        for (int i = 0; i < payload; i += 4) {
            putInt(tcp + TCP + i, 0x6865_6c6f); // "helo"
        }
    }

    private void putInt(long at, int value) {
        ring.set(BIG_INT, at, value);
    }

    private void putShort(long at, int value) {
        ring.set(BIG_SHORT, at, (short) value);
    }
}
