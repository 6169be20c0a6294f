package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.PacketListener;
import io.panatap.pcap.PcapWriter;

import java.io.IOException;

/**
 * What the command does with each packet a capture or file delivers: write it to the {@code -w} file, or
 * print a row for it if it is a TCP segment. Counts what it output and says when {@code -c} is reached.
 * An I/O error (a closed pipe, a full disk) is kept and rethrown by {@link #checkError()} after the batch,
 * since a listener cannot throw it.
 */
final class PacketSink implements PacketListener {
    private final RowFormatter formatter;
    private final TextOutput out;
    private final PcapWriter writer;
    private final PacketFilter filter;
    private final long limit;
    private final StringBuilder row = new StringBuilder(256);
    private long count;
    private boolean done;
    private IOException error;

    /** Prints rows with {@code formatter} to {@code out}, or writes packets to {@code writer} when not null. */
    PacketSink(RowFormatter formatter, TextOutput out, PcapWriter writer, PacketFilter filter, long limit) {
        this.formatter = formatter;
        this.out = out;
        this.writer = writer;
        this.filter = filter;
        this.limit = limit;
    }

    /** Prints the table header, if the format has one and rows are printed. */
    void start() throws IOException {
        if (writer == null) {
            row.setLength(0);
            formatter.appendStart(row);
            out.append(row);
        }
    }

    @Override
    public void onPacket(Packet packet) {
        if (done) {
            return;
        }
        if (filter != null && !filter.matches(packet)) {
            return;
        }
        try {
            if (writer != null) {
                writer.write(packet);
            } else if (packet.headers().isTcp()) {
                row.setLength(0);
                formatter.appendRow(packet, row);
                out.append(row);
            } else {
                return;
            }
        } catch (IOException e) {
            error = e;
            done = true;
            return;
        }
        if (++count == limit) {
            done = true;
        }
    }

    /** Flushes what the batch printed or wrote, and rethrows an output error from the batch. */
    void endBatch() throws IOException {
        checkError();
        if (writer != null) {
            writer.flush();
        } else {
            out.flush();
        }
    }

    void checkError() throws IOException {
        if (error != null) {
            IOException e = error;
            error = null;
            throw e;
        }
    }

    /** True once {@code -c} packets were output or output failed. */
    boolean done() {
        return done;
    }

    /** Packets printed or written. */
    long count() {
        return count;
    }
}
