package io.panatap.cli;

/** What the command prints for each TCP segment ({@code --format}). */
enum OutputFormat {
    /** The SystemTap {@code tcpdumplike.stp} table: addresses, ports and the six classic flags. */
    TABLE,
    /** One tcpdump-style line per segment. */
    LINE,
    /** One JSON object per segment. */
    JSON
}
