package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.PacketBatch;
import io.panatap.PacketBatchListener;
import io.panatap.flow.Flow;
import io.panatap.flow.FlowListener;
import io.panatap.flow.FlowTable;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * {@code --flows} and {@code --follow}: the command's packets go to a {@link FlowTable} instead of becoming
 * rows; a row is printed when a connection ends (closed, reset, timed out, evicted, or still open at the end),
 * and with {@code --follow} the streams go to a {@link FollowWriter}. One instance per thread: with
 * {@code --workers} every worker has its own, since hash fanout keeps both directions of a connection on one
 * worker. {@link PacketSink} feeds it (filter and {@code -c} applied there), a live capture's packets a batch
 * at a time ({@link FlowTable#onBatch}), and calls {@link #endBatch} after each poll and {@link #finish} at the
 * end.
 */
final class FlowRows implements PacketBatchListener, FlowListener {
    /** Size of the warm-up's flow table: its strays and a third of its connections stay open, and get evicted. */
    private static final int WARM_UP_FLOWS = 256;
    private final FlowTable table;
    private final FlowFormatter formatter;
    private final FollowWriter follow;
    private final boolean printRows;
    private final boolean live;
    private final TextOutput out;
    private final PrintStream stderr;
    private final StringBuilder row = new StringBuilder(256);
    private IOException error;
    private boolean finished;

    /**
     * {@code warmUp}: as the options say, but a small table, and with {@code --follow} the streams are
     * reassembled and dropped instead of written.
     */
    private FlowRows(Options options, TextOutput out, PrintStream stderr, boolean live, ZoneId zone, boolean warmUp)
            throws CommandException {
        this.formatter = new FlowFormatter(options.format, zone);
        this.follow = options.followDir == null || warmUp ? null : FollowWriter.create(options.followDir);
        this.printRows = options.flows;
        this.live = live;
        this.out = out;
        this.stderr = stderr;
        FlowTable.Builder builder = FlowTable.builder().listener(this);
        if (follow != null) {
            builder.streams(follow);
        } else if (warmUp && options.followDir != null) {
            builder.streams((flow, from, bytes) -> { });
        }
        if (warmUp) {
            builder.maxFlows(WARM_UP_FLOWS);
        } else if (options.flowLimit != 0) {
            builder.maxFlows(options.flowLimit);
        }
        if (options.flowTimeoutSeconds != 0) {
            builder.idleTimeout(Duration.ofSeconds(options.flowTimeoutSeconds));
        }
        try {
            this.table = builder.build();
        } catch (OutOfMemoryError e) {
            if (options.flowLimit == 0) {
                throw e;
            }
            throw new CommandException("not enough memory for a flow table of " + options.flowLimit
                    + " connections (about 250 bytes each): give a smaller --flow-limit", e);
        }
    }

    /** For {@code -r}: time is the packets' time only. */
    static FlowRows forFile(Options options, TextOutput out, PrintStream stderr) throws CommandException {
        return new FlowRows(options, out, stderr, false, ZoneId.systemDefault(), false);
    }

    /** For a live capture: connections also time out while no packet arrives. */
    static FlowRows forLive(Options options, TextOutput out, PrintStream stderr) throws CommandException {
        return new FlowRows(options, out, stderr, true, ZoneId.systemDefault(), false);
    }

    /**
     * For the JIT warm-up of a live {@code --flows} or {@code --follow} capture ({@link LiveCommand}): rows
     * to {@code out}, streams reassembled and dropped instead of written, and a table of
     * {@value #WARM_UP_FLOWS} connections, so that evictions come too, as under a flood of new connections.
     */
    static FlowRows forWarmUp(Options options, TextOutput out) throws CommandException {
        return new FlowRows(options, out, new PrintStream(OutputStream.nullOutputStream()), false,
                ZoneId.systemDefault(), true);
    }

    /** The table header ({@code --flows} in the table format), once at the start. */
    void appendStart(StringBuilder out) {
        if (printRows) {
            formatter.appendStart(out);
        }
    }

    @Override
    public void onPacket(Packet packet) {
        table.onPacket(packet);
    }

    @Override
    public void onBatch(PacketBatch batch) {
        table.onBatch(batch);
    }

    @Override
    public void ended(Flow flow) {
        if (follow != null) {
            follow.ended(flow);
        }
        if (!printRows || error != null) {
            return;
        }
        row.setLength(0);
        formatter.appendRow(flow, row);
        try {
            out.append(row);
        } catch (IOException e) {
            error = e;
        }
    }

    /**
     * After a batch: a live capture moves the table's clock to now, ending idle connections; rethrows an
     * output error of the batch.
     */
    void endBatch() throws IOException {
        if (live && !finished) {
            Instant now = Instant.now();
            table.advanceTo(now.getEpochSecond() * 1_000_000_000L + now.getNano());
        }
        checkError();
    }

    /**
     * At the end (of the file, {@code -c}, or a stop): every connection still open gets its row ({@code open}),
     * the {@code --follow} files are closed, and skipped holes are reported on stderr.
     */
    void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        table.close();
        if (follow != null) {
            follow.close();
            if (follow.gaps() > 0) {
                stderr.println("panatap: --follow: " + follow.gaps() + (follow.gaps() == 1 ? " hole" : " holes")
                        + " (" + follow.gapBytes() + " bytes never captured) left out of the stream files");
            }
        }
        checkError();
    }

    private void checkError() throws IOException {
        if (follow != null) {
            follow.checkError();
        }
        if (error != null) {
            IOException e = error;
            error = null;
            throw e;
        }
    }
}
