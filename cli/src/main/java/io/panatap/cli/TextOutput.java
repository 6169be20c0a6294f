package io.panatap.cli;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Buffered text output without a {@link java.io.PrintStream}: rows are appended to a reused byte buffer
 * (UTF-8) and written with one system call per {@link #flush()}, which the command calls after each batch of
 * packets. Unlike PrintStream it reports a closed pipe as an {@link IOException}, so the command can stop.
 */
final class TextOutput {
    private final OutputStream out;
    private byte[] buffer;
    private int used;

    TextOutput(OutputStream out, int capacity) {
        this.out = out;
        this.buffer = new byte[capacity];
    }

    /** Appends {@code text}, encoded as UTF-8; writes the buffer out first if it is full. */
    void append(CharSequence text) throws IOException {
        int n = text.length();
        if (used + 4 * n > buffer.length) {
            flushBuffer();
            if (4 * n > buffer.length) {
                buffer = new byte[4 * n];
            }
        }
        byte[] b = buffer;
        int p = used;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                b[p++] = (byte) c;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | c >> 6);
                b[p++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                b[p++] = (byte) (0xF0 | cp >> 18);
                b[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
                b[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
                b[p++] = (byte) (0x80 | cp & 0x3F);
            } else if (Character.isSurrogate(c)) {
                b[p++] = '?';
            } else {
                b[p++] = (byte) (0xE0 | c >> 12);
                b[p++] = (byte) (0x80 | c >> 6 & 0x3F);
                b[p++] = (byte) (0x80 | c & 0x3F);
            }
        }
        used = p;
    }

    /** Writes out what is buffered and flushes the stream. */
    void flush() throws IOException {
        flushBuffer();
        out.flush();
    }

    private void flushBuffer() throws IOException {
        if (used > 0) {
            int n = used;
            used = 0;
            out.write(buffer, 0, n);
        }
    }
}
