package io.panatap.cli;

import io.panatap.Direction;
import io.panatap.Packet;
import io.panatap.PacketBatch;
import io.panatap.PacketBatchListener;
import io.panatap.PacketListener;
import io.panatap.PacketSource;
import io.panatap.parse.ParseStatus;
import io.panatap.pcap.CaptureFileWriter;

import java.io.IOException;

/**
 * What the command does with each packet a capture or file delivers: write it to the {@code -w} file, or
 * print a row for it if it is a TCP segment. Counts what it output and says when {@code -c} is reached.
 * An I/O error (a closed pipe, a full disk, a packet of a link type the pcap file cannot hold) is kept and
 * rethrown by {@link #checkError()} after the batch, since a listener cannot throw it. The {@code -w} file
 * may be opened on the first packet written, when the link type is not known before (a pcapng file whose
 * first section describes no interface). With {@code --listen}, every packet output is also written to the
 * stream. {@code -G} with {@code -W} ending the files ends the output like {@code -c} ({@link #fileLimitReached()}).
 */
final class PacketSink implements PacketListener {
    /** Opens the {@code -w} file when the first packet is written. */
    @FunctionalInterface
    interface WriterOpener {
        /** A writer for packets like {@code first}, which will be written to it next. */
        CaptureFileWriter open(Packet first) throws IOException;
    }

    private final RowFormatter formatter;
    private final TextOutput out;
    private final boolean writing;
    private final WriterOpener opener;
    private CaptureFileWriter writer;
    private CaptureFileWriter stream;
    private boolean receivedRowsOnly;
    private RotatingWriter.LimitReached fileLimit;
    private final PacketFilter filter;
    private final long limit;
    private final StringBuilder row = new StringBuilder(256);
    private long count;
    private long cutBeforePorts;
    private boolean done;
    private IOException error;
    /** {@code --flows}/{@code --follow}: TCP packets go to flow tracking instead of rows. */
    private FlowRows flows;
    /** With {@link #flows}: the listener that also takes a live capture's batches ({@link #listener()}). */
    private FlowBatches flowBatches;

    /** Prints rows with {@code formatter} to {@code out}, or writes packets to {@code writer} when not null. */
    PacketSink(RowFormatter formatter, TextOutput out, CaptureFileWriter writer, PacketFilter filter, long limit) {
        this(formatter, out, writer, null, filter, limit);
    }

    /**
     * Writes packets to {@code writer}, or, while it is null, to the writer {@code opener} opens on the first
     * packet written; prints rows when both are null.
     */
    PacketSink(RowFormatter formatter, TextOutput out, CaptureFileWriter writer, WriterOpener opener, PacketFilter filter,
               long limit) {
        this.formatter = formatter;
        this.out = out;
        this.writer = writer;
        this.opener = opener;
        this.writing = writer != null || opener != null;
        this.filter = filter;
        this.limit = limit;
    }

    /** {@code --listen}: also writes every packet output to {@code stream}. */
    PacketSink stream(CaptureFileWriter stream) {
        this.stream = stream;
        return this;
    }

    /**
     * Rows (and {@code --flows}) for received packets only, while the stream gets both directions: rows
     * keep their default when {@code --listen} widened the capture.
     */
    PacketSink receivedRowsOnly(boolean only) {
        this.receivedRowsOnly = only;
        return this;
    }

    /** {@code --flows}/{@code --follow}: hands TCP packets to {@code flows} instead of printing rows. */
    PacketSink flows(FlowRows flows) {
        this.flows = flows;
        this.flowBatches = new FlowBatches();
        return this;
    }

    /**
     * What a source delivers to: this sink, or with {@code --flows}/{@code --follow} a listener that also takes
     * a live capture's batches ({@link #onBatch}), so that the flow table gets them a batch at a time.
     */
    PacketListener listener() {
        return flowBatches != null ? flowBatches : this;
    }

    /** Prints the table header, if the format has one and rows are printed. */
    void start() throws IOException {
        if (!writing) {
            row.setLength(0);
            if (flows != null) {
                flows.appendStart(row);
            } else {
                formatter.appendStart(row);
            }
            out.append(row);
        }
    }

    @Override
    public void onPacket(Packet packet) {
        if (take(packet)) {
            flows.onPacket(packet);
        }
    }

    /**
     * With {@code --flows}/{@code --follow}: takes the batch's packets as {@link #onPacket} does, each in turn,
     * and hands those for the flow table to it as one batch.
     */
    void onBatch(PacketBatch batch) {
        flowBatches.onBatch(batch);
    }

    /**
     * Does what the output does with the packet (filter, {@code --listen} stream, {@code -w} file, row,
     * {@code -c}); true when the packet goes to the flow table, which is then the caller's to do.
     */
    private boolean take(Packet packet) {
        if (done) {
            return false;
        }
        if (filter != null && !filter.matches(packet)) {
            return false;
        }
        boolean toFlows = false;
        try {
            if (stream != null) {
                stream.write(packet);
                if (receivedRowsOnly && !writing && packet.direction() == Direction.OUT) {
                    return false; // in the stream only
                }
            }
            if (writing) {
                if (writer == null) {
                    writer = opener.open(packet);
                }
                writer.write(packet);
            } else if (flows != null) {
                if (!packet.headers().hasPorts()) {
                    return false;
                }
                toFlows = true;
            } else if (packet.headers().hasPorts()) {
                row.setLength(0);
                formatter.appendRow(packet, row);
                out.append(row);
            } else {
                if (packet.captureLength() < packet.originalLength() && packet.headers().status() == ParseStatus.TRUNCATED) {
                    cutBeforePorts++; // -s cut it inside the headers: no row to print
                }
                return false;
            }
        } catch (RotatingWriter.LimitReached e) {
            fileLimit = e;
            done = true;
            return false;
        } catch (IOException e) {
            error = e;
            done = true;
            return false;
        }
        if (++count == limit) {
            done = true;
        }
        return toFlows;
    }

    /**
     * The command's one packet loop, for a live capture and a file alike: polls {@code source} batch by batch
     * until it ends, {@code -c} is reached, output fails or a stop is requested, and flushes after every batch.
     * When the source fails (a damaged file, a socket error), what it delivered before the failure is output
     * first; the failure is rethrown unless a stop was requested, since a stop closes the source under a
     * waiting poll.
     */
    void drain(PacketSource source, int batch, Session session) throws IOException {
        while (!done && !session.stopRequested()) {
            int n;
            try {
                n = source.poll(listener(), batch);
            } catch (IOException e) {
                endBatch();
                if (session.stopRequested()) {
                    return;
                }
                throw e;
            }
            endBatch();
            if (n == PacketSource.END) {
                return;
            }
        }
        checkError();
    }

    /** Flushes what the batch printed or wrote, and rethrows an output error from the batch. */
    void endBatch() throws IOException {
        checkError();
        if (stream != null) {
            stream.flush();
        }
        if (flows != null) {
            flows.endBatch();
        }
        if (writer != null) {
            writer.flush();
        } else if (!writing) {
            out.flush();
        }
    }

    /** {@code -G} with {@code -W}: the last file was written; null otherwise. */
    RotatingWriter.LimitReached fileLimitReached() {
        return fileLimit;
    }

    /** At the end of the output: with {@code --flows}, the rows of the connections still open; then a flush. */
    void finish() throws IOException {
        if (flows != null) {
            flows.finish();
        }
        endBatch();
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

    /** The {@code -w} writer; null when rows are printed or no packet was written yet. */
    CaptureFileWriter writer() {
        return writer;
    }

    /** Packets printed or written. */
    long count() {
        return count;
    }

    /**
     * Packets that got no row because the snap length cut them inside the headers, before the TCP ports
     * (where the kernel passes TCP only, each is a TCP segment the output leaves out). Not counted with {@code -w}.
     */
    long cutBeforePorts() {
        return cutBeforePorts;
    }

    /**
     * The sink as a {@link PacketBatchListener} for {@code --flows}/{@code --follow}: of each batch, the packets
     * the sink takes for the flow table go to it as a batch of their own (a view over the source's batch).
     */
    private final class FlowBatches implements PacketBatchListener, PacketBatch {
        private int[] selected = new int[PacketBatchListener.MAX_BATCH];
        private PacketBatch batch;
        private int size;

        @Override
        public void onPacket(Packet packet) {
            PacketSink.this.onPacket(packet);
        }

        @Override
        public void onBatch(PacketBatch batch) {
            int n = batch.size();
            if (selected.length < n) {
                selected = new int[n];
            }
            int taken = 0;
            for (int i = 0; i < n; i++) {
                if (take(batch.get(i))) {
                    selected[taken++] = i;
                }
            }
            if (taken == 0) {
                return;
            }
            this.batch = batch;
            this.size = taken;
            try {
                flows.onBatch(this);
            } finally {
                this.batch = null;
                this.size = 0;
            }
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public Packet get(int index) {
            return batch.get(selected[java.util.Objects.checkIndex(index, size)]);
        }
    }
}
