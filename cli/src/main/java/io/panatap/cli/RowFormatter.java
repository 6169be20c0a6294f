package io.panatap.cli;

import io.panatap.Packet;

/**
 * Renders TCP segments as text. Implementations reuse their buffers and allocate nothing per row; the packet
 * passed in has {@code headers().hasPorts()} true: a TCP header, possibly cut before the flags or with a
 * data offset below 5, which tshark also lists with its ports and no flags.
 */
interface RowFormatter {
    /** Appends what is printed once before the first row (the table header); nothing by default. */
    default void appendStart(StringBuilder out) {
    }

    /** Appends one row, newline included. */
    void appendRow(Packet packet, StringBuilder out);
}
