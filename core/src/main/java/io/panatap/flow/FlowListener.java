package io.panatap.flow;

/**
 * Receives connection events from a {@link FlowTable}.
 *
 * <p>The {@link Flow} passed in is a view reused for every event and valid only during the call; copy out
 * the values to keep. Events come from the thread that feeds the table.
 */
public interface FlowListener {

    /**
     * A flow became established: its handshake (SYN, SYN/ACK, ACK) completed, or, for a flow whose start
     * was not seen ({@link Flow#midStream()} true), at its first packet. A flow that ends before its
     * handshake completes is never opened but still {@link #ended ended}.
     *
     * @param flow the flow, valid during the call
     */
    default void opened(Flow flow) {
    }

    /**
     * A flow ended; called exactly once for every flow the table tracked, with {@link Flow#endReason()} set.
     * Stream data of the flow is delivered before this call.
     *
     * @param flow the flow, valid during the call
     */
    default void ended(Flow flow) {
    }
}
