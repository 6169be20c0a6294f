package io.panatap.flow;

import io.panatap.pcap.CaptureFileReader;
import io.panatap.pcap.CaptureFileException;
import io.panatap.testing.Tshark.Endpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a capture file through a {@link FlowTable} (with reassembly) and keeps what it reported, as plain
 * records, for comparison with tshark: every ended flow with its counters, and each direction's stream bytes
 * with the holes reported in it. The idle timeout is ten years, so that timestamps (some corpus files have
 * jumps) never split a connection; the limits are far above what the captures need.
 */
final class GroundTruthRun {
    /** One direction of an ended flow: counters and the reassembled bytes with the holes skipped. */
    record Direction(long packets, long wireBytes, long payloadBytes, long retransmissions, byte[] stream,
                     List<long[]> gaps) {
        /** Bytes skipped in holes. */
        long gapBytes() {
            return gaps.stream().mapToLong(g -> g[1]).sum();
        }
    }

    /** One ended flow. */
    record Ended(Endpoint client, Endpoint server, int vlan, EndReason reason, boolean midStream, long firstNanos,
                 Direction fromClient, Direction fromServer) {
        Direction from(Endpoint sender) {
            if (sender.equals(client)) {
                return fromClient;
            }
            if (sender.equals(server)) {
                return fromServer;
            }
            throw new IllegalArgumentException(sender + " is not an endpoint of " + this);
        }

        @Override
        public String toString() {
            return client + " -> " + server + (vlan >= 0 ? " vlan " + vlan : "") + " (" + reason + ")";
        }
    }

    final List<Ended> flows = new ArrayList<>();
    long ignoredPackets;
    long evictions;
    long bufferOverflows;

    /** Streams of the flows still open, by flow start and endpoints (the view is reused, so it is no key). */
    private final Map<String, ByteArrayOutputStream[]> streams = new LinkedHashMap<>();
    private final Map<String, List<long[]>[]> gaps = new LinkedHashMap<>();
    private final Map<String, long[]> offsets = new LinkedHashMap<>();

    static GroundTruthRun of(Path file) throws IOException {
        GroundTruthRun run = new GroundTruthRun();
        run.read(file);
        return run;
    }

    private void read(Path file) throws IOException {
        FlowListener listener = new FlowListener() {
            @Override
            public void ended(Flow flow) {
                record(flow);
            }
        };
        StreamListener streamListener = new StreamListener() {
            @Override
            public void data(Flow flow, Side from, MemorySegment bytes) {
                String key = key(flow);
                ByteArrayOutputStream out = streams.computeIfAbsent(key, k -> newPair())[from.ordinal()];
                out.writeBytes(bytes.toArray(ValueLayout.JAVA_BYTE));
                offsets.computeIfAbsent(key, k -> new long[2])[from.ordinal()] += bytes.byteSize();
            }

            @Override
            public void gap(Flow flow, Side from, long bytes) {
                String key = key(flow);
                long offset = offsets.computeIfAbsent(key, k -> new long[2])[from.ordinal()];
                gapList(key)[from.ordinal()].add(new long[] {offset, bytes});
            }
        };
        FlowTable table = FlowTable.builder().maxFlows(1 << 16).idleTimeout(Duration.ofDays(3650))
                .gapTimeout(Duration.ofDays(3650)).maxBufferedBytesPerFlow(64 << 20).maxBufferedBytes(256L << 20)
                .listener(listener).streams(streamListener).build();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            try {
                reader.run(table);
            } catch (CaptureFileException e) {
                // a damaged corpus file: tshark reads the records before the damage too
            }
        } finally {
            table.close();
        }
        ignoredPackets = table.ignoredPackets();
        evictions = table.evictions();
        bufferOverflows = table.bufferOverflows();
    }

    private static ByteArrayOutputStream[] newPair() {
        return new ByteArrayOutputStream[] {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    }

    @SuppressWarnings("unchecked")
    private List<long[]>[] gapList(String key) {
        return gaps.computeIfAbsent(key, k -> new List[] {new ArrayList<long[]>(), new ArrayList<long[]>()});
    }

    private static String key(Flow flow) {
        StringBuilder b = new StringBuilder();
        flow.appendClient(b).append(' ').append(flow.clientPort()).append(' ');
        flow.appendServer(b).append(' ').append(flow.serverPort()).append(' ').append(flow.vlanId()).append(' ')
                .append(flow.firstNanos());
        return b.toString();
    }

    private void record(Flow flow) {
        String key = key(flow);
        ByteArrayOutputStream[] s = streams.remove(key);
        List<long[]>[] g = gaps.remove(key);
        offsets.remove(key);
        if (s == null) {
            s = newPair();
        }
        if (g == null) {
            g = gapList(key);
            gaps.remove(key);
        }
        flows.add(new Ended(endpoint(flow, Side.CLIENT), endpoint(flow, Side.SERVER), flow.vlanId(), flow.endReason(),
                flow.midStream(), flow.firstNanos(), direction(flow, Side.CLIENT, s[0], g[0]),
                direction(flow, Side.SERVER, s[1], g[1])));
    }

    private static Direction direction(Flow flow, Side side, ByteArrayOutputStream stream, List<long[]> gaps) {
        return new Direction(flow.packets(side), flow.wireBytes(side), flow.payloadBytes(side),
                flow.retransmissions(side), stream.toByteArray(), List.copyOf(gaps));
    }

    static Endpoint endpoint(Flow flow, Side side) {
        StringBuilder b = new StringBuilder();
        if (side == Side.CLIENT) {
            flow.appendClient(b);
        } else {
            flow.appendServer(b);
        }
        return new Endpoint(b.toString(), side == Side.CLIENT ? flow.clientPort() : flow.serverPort());
    }
}
