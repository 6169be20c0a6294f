package io.panatap.flow;

import java.lang.foreign.MemorySegment;

/**
 * Receives the reassembled byte stream of each direction of each flow from a {@link FlowTable} built with
 * {@link FlowTable.Builder#streams(StreamListener)}.
 *
 * <p>Bytes of one direction arrive in sequence order, each byte at most once (the first copy seen wins
 * when retransmissions or overlapping segments carry different bytes). A hole the table gives up waiting
 * for is reported by {@link #gap} and skipped.
 */
public interface StreamListener {

    /**
     * The next bytes of a direction's stream.
     *
     * @param flow  the flow, valid during the call
     * @param from  the side that sent the bytes
     * @param bytes the bytes, valid only during the call: a slice of the packet's memory when the segment
     *              arrived in order, else of the table's reassembly buffer. Copy to keep.
     */
    void data(Flow flow, Side from, MemorySegment bytes);

    /**
     * {@code bytes} bytes of a direction's stream were never seen (lost, or not captured) and are skipped;
     * the next {@link #data} continues after them.
     *
     * @param flow  the flow, valid during the call
     * @param from  the side whose stream has the hole
     * @param bytes the number of missing bytes, at least 1
     */
    default void gap(Flow flow, Side from, long bytes) {
    }
}
