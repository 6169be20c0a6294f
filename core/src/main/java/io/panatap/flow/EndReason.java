package io.panatap.flow;

/** How a flow ended; reported once per flow by {@link FlowListener#ended(Flow)}. */
public enum EndReason {
    /** Both sides sent a FIN (the FINs need not be acknowledged). */
    CLOSED,
    /** A side sent a RST ({@link Flow#resetBy()} says which). */
    RESET,
    /** No packet for the table's idle timeout, measured in capture time. */
    TIMED_OUT,
    /** Removed to make room for a new flow while the table was full. */
    EVICTED,
    /** Still open when the table was closed ({@link FlowTable#close()}), e.g. at the end of a file. */
    OPEN_AT_END
}
