package io.panatap.flow;

import java.lang.foreign.MemorySegment;

/**
 * Receives the reassembled byte stream of each direction of each flow from a {@link FlowTable} built with
 * {@link FlowTable.Builder#streams(StreamListener)}.
 *
 * <p>Bytes of one direction arrive in sequence order, each byte at most once:
 * <ul>
 *   <li><b>First copy wins.</b> A byte comes from the first segment captured that carried it; a retransmitted
 *       or overlapping segment adds only bytes not seen before, whatever it holds (for an exact duplicate,
 *       nothing; for a copy overlapping the start, the end, the middle or the whole of earlier data, just the
 *       parts outside it).</li>
 *   <li><b>In order</b>, a segment's new bytes are handed over at once as a slice of the packet's memory,
 *       without copying. <b>Out of order</b>, they are copied into the table's buffer and handed over, as
 *       slices of it, when the bytes before them arrive.</li>
 *   <li><b>Gaps.</b> A hole (missing bytes before held data) is given up, reported by {@link #gap} and skipped
 *       when it stays unfilled for the gap timeout, when holding more would exceed a buffer limit, and when
 *       the flow ends. Bytes cut off by the snap length, and bytes missing before a FIN when the flow ends,
 *       are gaps too. Bytes arriving after their place was skipped are dropped.</li>
 *   <li>The stream starts after the SYN's sequence number, so data on a SYN (TCP Fast Open) is delivered; a
 *       direction whose SYN was not seen starts at its first segment seen. Bytes beyond the FIN are not
 *       stream data. Sequence numbers are compared modulo 2<sup>32</sup>, so streams cross the wrap-around.</li>
 *   <li>Data of a flow may precede its {@link FlowListener#opened opened} event (data on the SYN) and always
 *       precedes its {@link FlowListener#ended ended} event.</li>
 * </ul>
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
