package io.panatap.flow;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Records what a flow table reports: events as text lines, and each direction's stream as text with gaps
 * written {@code [gap N]}.
 */
final class Recorder implements FlowListener, StreamListener {
    final List<String> events = new ArrayList<>();
    final StringBuilder client = new StringBuilder();
    final StringBuilder server = new StringBuilder();
    /** A snapshot of each ended flow's values, in end order. */
    final List<Ended> ended = new ArrayList<>();
    /** Memory the delivered slices pointed into (to tell packet memory from buffer memory). */
    final List<MemorySegment> slices = new ArrayList<>();

    record Ended(String client, int clientPort, String server, int serverPort, int vlan, boolean midStream,
                 long first, long last, long rtt, EndReason reason, Side resetBy, long[] packets, long[] wire,
                 long[] payload, long[] retransmissions, long[] outOfOrder, long[] zeroWindows) {
    }

    @Override
    public void opened(Flow flow) {
        events.add("opened " + flow.clientPort() + (flow.midStream() ? " mid-stream" : "")
                + (flow.handshakeRttNanos() >= 0 ? " rtt " + flow.handshakeRttNanos() : ""));
    }

    @Override
    public void ended(Flow flow) {
        events.add("ended " + flow.clientPort() + " " + flow.endReason()
                + (flow.resetBy() != null ? " by " + flow.resetBy() : ""));
        ended.add(new Ended(flow.appendClient(new StringBuilder()).toString(), flow.clientPort(),
                flow.appendServer(new StringBuilder()).toString(), flow.serverPort(), flow.vlanId(), flow.midStream(),
                flow.firstNanos(), flow.lastNanos(), flow.handshakeRttNanos(), flow.endReason(), flow.resetBy(),
                both(flow::packets), both(flow::wireBytes), both(flow::payloadBytes), both(flow::retransmissions),
                both(flow::outOfOrder), both(flow::zeroWindows)));
    }

    private static long[] both(java.util.function.ToLongFunction<Side> counter) {
        return new long[] {counter.applyAsLong(Side.CLIENT), counter.applyAsLong(Side.SERVER)};
    }

    @Override
    public void data(Flow flow, Side from, MemorySegment bytes) {
        slices.add(bytes);
        StringBuilder out = from == Side.CLIENT ? client : server;
        for (long i = 0; i < bytes.byteSize(); i++) {
            out.append((char) (bytes.get(ValueLayout.JAVA_BYTE, i) & 0xFF));
        }
    }

    @Override
    public void gap(Flow flow, Side from, long bytes) {
        (from == Side.CLIENT ? client : server).append("[gap ").append(bytes).append(']');
    }

    Ended only() {
        if (ended.size() != 1) {
            throw new AssertionError("expected one ended flow: " + events);
        }
        return ended.get(0);
    }
}
