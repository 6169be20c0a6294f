package io.panatap.testing;

import io.panatap.parse.LinkType;
import io.panatap.pcap.PcapWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Writes one TCP connection as a list of segments with real sequence numbers, to be turned into a capture
 * file (Ethernet, IPv4 or IPv6 by the address literals): the test builds the connection step by step
 * ({@link #handshake}, {@link #send}, {@link #close}), then damages the list the way networks and captures do
 * (reorder, duplicate, overlap, drop), then writes it with {@link #writePcap}. What each side sent, in order,
 * is kept ({@link #sent}), so a test knows the stream a perfect reassembly gives.
 *
 * <p>Segments are {@link Seg} records the test may also build or edit itself (for overlaps whose copies
 * differ). Checksums are left 0: tshark does not check them by default and the parser never does.
 */
public final class TcpScript {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    /** One segment as captured: time, sender, sequence and acknowledgement numbers, flags, payload. */
    public record Seg(long nanos, boolean fromClient, long seq, long ack, int flags, int window, byte[] payload) {
        public Seg {
            seq &= 0xFFFF_FFFFL;
            ack &= 0xFFFF_FFFFL;
        }

        /** The same segment at another time. */
        public Seg at(long time) {
            return new Seg(time, fromClient, seq, ack, flags, window, payload);
        }
    }

    private final String client;
    private final String server;
    private final int clientPort;
    private final int serverPort;
    private final int vlan;
    private final List<Seg> segments = new ArrayList<>();
    private final ByteArrayOutputStream clientSent = new ByteArrayOutputStream();
    private final ByteArrayOutputStream serverSent = new ByteArrayOutputStream();
    private long clientNext;
    private long serverNext;
    private long time = 1_700_000_000_000_000_000L;
    private long step = 1_000_000; // 1 ms between segments

    /** A connection from {@code client:clientPort} to {@code server:serverPort} with the given initial sequence numbers. */
    public TcpScript(String client, int clientPort, String server, int serverPort, long clientIsn, long serverIsn) {
        this(client, clientPort, server, serverPort, clientIsn, serverIsn, -1);
    }

    /** As above, every frame tagged with 802.1Q {@code vlan} unless it is -1. */
    public TcpScript(String client, int clientPort, String server, int serverPort, long clientIsn, long serverIsn,
                     int vlan) {
        this.client = client;
        this.server = server;
        this.clientPort = clientPort;
        this.serverPort = serverPort;
        this.clientNext = clientIsn & 0xFFFF_FFFFL;
        this.serverNext = serverIsn & 0xFFFF_FFFFL;
        this.vlan = vlan;
    }

    /** Capture time of the next segment (nanoseconds since the epoch). */
    public TcpScript time(long nanos) {
        this.time = nanos;
        return this;
    }

    /** Time between consecutive segments. */
    public TcpScript step(long nanos) {
        this.step = nanos;
        return this;
    }

    /** SYN, SYN/ACK, ACK. */
    public TcpScript handshake() {
        add(true, clientNext, 0, SYN, new byte[0]);
        clientNext = (clientNext + 1) & 0xFFFF_FFFFL;
        add(false, serverNext, clientNext, SYN | ACK, new byte[0]);
        serverNext = (serverNext + 1) & 0xFFFF_FFFFL;
        add(true, clientNext, serverNext, ACK, new byte[0]);
        return this;
    }

    /** {@code data} from one side in segments of at most {@code mss} bytes, in order, each PSH/ACK. */
    public TcpScript send(boolean fromClient, byte[] data, int mss) {
        for (int off = 0; off < data.length; off += mss) {
            byte[] chunk = java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + mss));
            if (fromClient) {
                add(true, clientNext, serverNext, PSH | ACK, chunk);
                clientNext = (clientNext + chunk.length) & 0xFFFF_FFFFL;
            } else {
                add(false, serverNext, clientNext, PSH | ACK, chunk);
                serverNext = (serverNext + chunk.length) & 0xFFFF_FFFFL;
            }
        }
        (fromClient ? clientSent : serverSent).writeBytes(data);
        return this;
    }

    /** A bare ACK from one side. */
    public TcpScript ack(boolean fromClient) {
        add(fromClient, fromClient ? clientNext : serverNext, fromClient ? serverNext : clientNext, ACK, new byte[0]);
        return this;
    }

    /** FIN/ACK from the client, FIN/ACK from the server, the client's last ACK. */
    public TcpScript close() {
        add(true, clientNext, serverNext, FIN | ACK, new byte[0]);
        clientNext = (clientNext + 1) & 0xFFFF_FFFFL;
        add(false, serverNext, clientNext, FIN | ACK, new byte[0]);
        serverNext = (serverNext + 1) & 0xFFFF_FFFFL;
        add(true, clientNext, serverNext, ACK, new byte[0]);
        return this;
    }

    /** A RST from one side. */
    public TcpScript reset(boolean fromClient) {
        add(fromClient, fromClient ? clientNext : serverNext, 0, RST, new byte[0]);
        return this;
    }

    /** Appends a segment the test made itself (its time is the script's next time). */
    public TcpScript raw(boolean fromClient, long seq, long ack, int flags, byte[] payload) {
        add(fromClient, seq, ack, flags, payload);
        return this;
    }

    /** The next sequence number of a side. */
    public long next(boolean fromClient) {
        return fromClient ? clientNext : serverNext;
    }

    private void add(boolean fromClient, long seq, long ack, int flags, byte[] payload) {
        segments.add(new Seg(time, fromClient, seq, ack, flags, 65535, payload));
        time += step;
    }

    /** The segments so far, in capture order; the list may be edited (its times are rewritten on writing). */
    public List<Seg> segments() {
        return segments;
    }

    /** What one side sent with {@link #send}, in order: the stream a perfect reassembly gives. */
    public byte[] sent(boolean fromClient) {
        return (fromClient ? clientSent : serverSent).toByteArray();
    }

    public String client() {
        return client;
    }

    public String server() {
        return server;
    }

    public int clientPort() {
        return clientPort;
    }

    public int serverPort() {
        return serverPort;
    }

    // ---- damage ------------------------------------------------------------------------------------

    /** Indices of the data segments (payload not empty) of one side, or of both when {@code side} is null. */
    public List<Integer> dataIndices(Boolean fromClient) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            Seg s = segments.get(i);
            if (s.payload.length > 0 && (fromClient == null || s.fromClient == fromClient)) {
                out.add(i);
            }
        }
        return out;
    }

    /** Swaps each data segment with the next one with probability {@code p} (a reordering window of 2). */
    public TcpScript reorder(Random random, double p) {
        List<Integer> data = dataIndices(null);
        for (int k = 0; k + 1 < data.size(); k++) {
            if (random.nextDouble() < p) {
                Collections.swap(segments, data.get(k), data.get(k + 1));
                k++;
            }
        }
        return this;
    }

    /** Moves a data segment {@code distance} data segments later. */
    public TcpScript delay(int dataIndex, int distance) {
        List<Integer> data = dataIndices(null);
        Seg s = segments.remove((int) data.get(dataIndex));
        int target = Math.min(segments.size(), data.get(Math.min(data.size() - 1, dataIndex + distance)));
        segments.add(target, s);
        return this;
    }

    /** Repeats each data segment right after itself with probability {@code p} (a retransmission). */
    public TcpScript duplicate(Random random, double p) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            if (segments.get(i).payload.length > 0 && random.nextDouble() < p) {
                segments.add(i + 1, segments.get(i));
            }
        }
        return this;
    }

    /**
     * After each data segment, with probability {@code p}, a retransmission that covers the segment's second half
     * and the first half of the next segment of the same side (same bytes: a repacketised retransmission).
     */
    public TcpScript overlap(Random random, double p) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            Seg s = segments.get(i);
            if (s.payload.length < 2 || random.nextDouble() >= p) {
                continue;
            }
            Seg next = null;
            for (int j = i + 1; j < segments.size(); j++) {
                Seg n = segments.get(j);
                if (n.fromClient == s.fromClient && n.payload.length > 0
                        && n.seq == ((s.seq + s.payload.length) & 0xFFFF_FFFFL)) {
                    next = n;
                    break;
                }
            }
            int half = s.payload.length / 2;
            byte[] tail = java.util.Arrays.copyOfRange(s.payload, half, s.payload.length);
            byte[] head = next == null ? new byte[0] : java.util.Arrays.copyOf(next.payload, next.payload.length / 2);
            segments.add(i + 1, new Seg(s.nanos, s.fromClient, s.seq + half, s.ack, s.flags, s.window,
                    Frames.concat(tail, head)));
        }
        return this;
    }

    /** Removes the data segment {@code dataIndex} (in data-segment order of both sides): a hole never filled. */
    public Seg drop(int dataIndex) {
        List<Integer> data = dataIndices(null);
        return segments.remove((int) data.get(dataIndex));
    }

    // ---- output ------------------------------------------------------------------------------------

    /** The Ethernet frame of one segment. */
    public byte[] frame(Seg s) {
        String src = s.fromClient ? client : server;
        String dst = s.fromClient ? server : client;
        int sport = s.fromClient ? clientPort : serverPort;
        int dport = s.fromClient ? serverPort : clientPort;
        byte[] tcp = Frames.concat(Frames.tcp(sport, dport, s.seq, s.ack, s.flags, s.window, new byte[0], 0), s.payload);
        boolean v6 = src.contains(":");
        byte[] ip = v6 ? Frames.ipv6(src, dst, Frames.PROTOCOL_TCP, tcp) : Frames.ipv4(src, dst, Frames.PROTOCOL_TCP, tcp);
        byte[] frame = Frames.ethernet(v6 ? Frames.ETHER_TYPE_IPV6 : Frames.ETHER_TYPE_IPV4, ip);
        return vlan < 0 ? frame : Frames.vlan(frame, vlan);
    }

    /**
     * Writes the segments, in list order with increasing timestamps ({@code step} apart from the first
     * segment's time), as a nanosecond pcap file.
     */
    public Path writePcap(Path file) throws IOException {
        return writePcap(file, List.of(this));
    }

    /** Writes several connections, interleaved segment by segment (round robin), into one file. */
    public static Path writePcap(Path file, List<TcpScript> scripts) throws IOException {
        try (PcapWriter w = PcapWriter.create(file, LinkType.ETHERNET, 262_144, PcapWriter.Precision.NANO)) {
            int[] next = new int[scripts.size()];
            long t = scripts.getFirst().segments.isEmpty() ? 0 : scripts.getFirst().segments.getFirst().nanos;
            boolean more = true;
            while (more) {
                more = false;
                for (int k = 0; k < scripts.size(); k++) {
                    TcpScript script = scripts.get(k);
                    if (next[k] < script.segments.size()) {
                        byte[] frame = script.frame(script.segments.get(next[k]++));
                        w.write(t, MemorySegment.ofArray(frame), 0, frame.length, frame.length);
                        t += script.step;
                        more = true;
                    }
                }
            }
        }
        return file;
    }
}
