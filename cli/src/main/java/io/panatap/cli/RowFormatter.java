package io.panatap.cli;

import io.panatap.Packet;

/**
 * Renders TCP segments as text. Implementations reuse their buffers and allocate nothing per row; the packet
 * passed in has {@code headers().isTcp()} true.
 */
interface RowFormatter {
    /** Appends what is printed once before the first row (the table header); nothing by default. */
    default void appendStart(StringBuilder out) {
    }

    /** Appends one row, newline included. */
    void appendRow(Packet packet, StringBuilder out);
}
