package io.panatap.flow;

import io.panatap.parse.IpText;

/** The {@link Flow} handed to listeners: a view over one slot of a table's storage, rebound per event. */
final class FlowView implements Flow {

    private static final EndReason[] REASONS = EndReason.values();

    private final FlowStore store;
    private final DirectionCounters counters;
    private int slot;

    FlowView(FlowStore store, DirectionCounters counters) {
        this.store = store;
        this.counters = counters;
    }

    void bind(int slot) {
        this.slot = slot;
    }

    @Override
    public int ipVersion() {
        return store.version(slot);
    }

    @Override
    public int clientIpv4() {
        return ipVersion() == 4 ? (int) store.clientLow(slot) : 0;
    }

    @Override
    public int serverIpv4() {
        return ipVersion() == 4 ? (int) store.serverLow(slot) : 0;
    }

    @Override
    public long clientIpv6High() {
        return ipVersion() == 6 ? store.clientHigh(slot) : 0;
    }

    @Override
    public long clientIpv6Low() {
        return ipVersion() == 6 ? store.clientLow(slot) : 0;
    }

    @Override
    public long serverIpv6High() {
        return ipVersion() == 6 ? store.serverHigh(slot) : 0;
    }

    @Override
    public long serverIpv6Low() {
        return ipVersion() == 6 ? store.serverLow(slot) : 0;
    }

    @Override
    public StringBuilder appendClient(StringBuilder out) {
        return ipVersion() == 4 ? IpText.appendIpv4(out, clientIpv4())
                : IpText.appendIpv6(out, store.clientHigh(slot), store.clientLow(slot));
    }

    @Override
    public StringBuilder appendServer(StringBuilder out) {
        return ipVersion() == 4 ? IpText.appendIpv4(out, serverIpv4())
                : IpText.appendIpv6(out, store.serverHigh(slot), store.serverLow(slot));
    }

    @Override
    public int clientPort() {
        return store.clientPort(slot);
    }

    @Override
    public int serverPort() {
        return store.serverPort(slot);
    }

    @Override
    public int vlanId() {
        return store.vlan(slot);
    }

    @Override
    public boolean midStream() {
        return (store.flags[slot] & FlowStore.MID_STREAM) != 0;
    }

    @Override
    public long firstNanos() {
        return store.firstNanos[slot];
    }

    @Override
    public long lastNanos() {
        return store.lastNanos[slot];
    }

    @Override
    public long handshakeRttNanos() {
        return store.rttNanos[slot];
    }

    @Override
    public EndReason endReason() {
        int reason = (store.flags[slot] & FlowStore.REASON_MASK) >>> FlowStore.REASON_SHIFT;
        return reason == 0 ? null : REASONS[reason - 1];
    }

    @Override
    public Side resetBy() {
        int flags = store.flags[slot];
        if (endReason() != EndReason.RESET) {
            return null;
        }
        return (flags & FlowStore.RESET_BY_CLIENT) != 0 ? Side.CLIENT : Side.SERVER;
    }

    @Override
    public long packets(Side side) {
        return counters.packets(2 * slot + side.ordinal());
    }

    @Override
    public long wireBytes(Side side) {
        return counters.wireBytes(2 * slot + side.ordinal());
    }

    @Override
    public long payloadBytes(Side side) {
        return counters.payloadBytes(2 * slot + side.ordinal());
    }

    @Override
    public long retransmissions(Side side) {
        return counters.retransmissions(2 * slot + side.ordinal());
    }

    @Override
    public long outOfOrder(Side side) {
        return counters.outOfOrder(2 * slot + side.ordinal());
    }

    @Override
    public long zeroWindows(Side side) {
        return counters.zeroWindows(2 * slot + side.ordinal());
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("Flow[");
        appendClient(out).append(':').append(clientPort()).append(" -> ");
        return appendServer(out).append(':').append(serverPort()).append(' ').append(endReason()).append(']').toString();
    }
}
