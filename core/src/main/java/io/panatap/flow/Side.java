package io.panatap.flow;

/** One side of a TCP connection, as seen by a {@link FlowTable}. */
public enum Side {
    /**
     * The side that sent the SYN; for a flow whose start was not seen ({@link Flow#midStream()}), the sender
     * of the first packet seen.
     */
    CLIENT,
    /** The other side: the one that answered the SYN, or the receiver of the first packet seen. */
    SERVER;

    /** The opposite side. */
    public Side other() {
        return this == CLIENT ? SERVER : CLIENT;
    }
}
