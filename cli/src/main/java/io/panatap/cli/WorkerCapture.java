package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.PacketBatch;
import io.panatap.PacketBatchListener;
import io.panatap.capture.CaptureException;
import io.panatap.capture.CaptureGroup;
import io.panatap.capture.CaptureStats;
import io.panatap.pcap.CaptureFileWriter;
import io.panatap.pcap.PcapStreamServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Live capture with {@code --workers N}: a {@link CaptureGroup} whose workers each handle their own packets
 * on their own thread, spread by flow (hash fanout), so both directions of a connection go to one worker.
 *
 * <ul>
 *   <li>Rows: each worker formats into its own buffer and writes it to standard output under a shared lock,
 *       whole rows only, so rows of different workers never mix inside a line. Rows of one worker keep their
 *       order; rows of different workers are ordered by batch, not by timestamp.</li>
 *   <li>{@code -w FILE}: one pcap file per worker, named by {@link #fileOfWorker} ({@code out.pcap} becomes
 *       {@code out-0.pcap}, {@code out-1.pcap}, ...), each a valid pcap in its worker's timestamp order;
 *       {@code mergecap -w all.pcap out-*.pcap} merges them by timestamp. With {@code -C}/{@code -G} each
 *       worker rotates its own files, tcpdump's names made from its file name: {@code out-0.pcap},
 *       {@code out-0.pcap1}, ...; a {@code -G}/{@code -W} limit reached by one worker stops the capture.</li>
 *   <li>{@code -c N} counts over all workers and stops at exactly N.</li>
 * </ul>
 */
final class WorkerCapture {
    private final Options options;
    private final CaptureGroup group;
    private final Supplier<RowFormatter> formatters;
    private final OutputStream stdout;
    private final PrintStream stderr;
    private final Session session;
    private final String where;
    private final Object countLock = new Object();
    private long counted; // guarded by countLock, used with -c only

    WorkerCapture(Options options, CaptureGroup group, Supplier<RowFormatter> formatters, OutputStream stdout,
                  PrintStream stderr, Session session, String where) {
        this.options = options;
        this.group = group;
        this.formatters = formatters;
        this.stdout = stdout;
        this.stderr = stderr;
        this.session = session;
        this.where = where;
    }

    /** {@code out.pcap} to {@code out-2.pcap}; a name without an extension gets {@code -2} appended. */
    static String fileOfWorker(String name, int worker) {
        int slash = name.lastIndexOf('/');
        int dot = name.lastIndexOf('.');
        if (dot > slash + 1) {
            return name.substring(0, dot) + "-" + worker + name.substring(dot);
        }
        return name + "-" + worker;
    }

    /** Whole writes to standard output, one worker at a time. */
    private static final class LockedOutput extends OutputStream {
        private final OutputStream out;

        LockedOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            synchronized (out) {
                out.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (out) {
                out.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            synchronized (out) {
                out.flush();
            }
        }
    }

    /** One worker: its own sink, formatter, buffer and file. */
    private class Worker implements CaptureGroup.BatchListener {
        final PacketSink sink;

        Worker(RowFormatter formatter, CaptureFileWriter writer, CaptureFileWriter stream) throws CommandException {
            // TextOutput writes only whole rows: a row that does not fit flushes the buffer first.
            TextOutput out = new TextOutput(new LockedOutput(stdout), 64 * 1024);
            this.sink = new PacketSink(formatter, out, writer, null, 0).stream(stream)
                    .receivedRowsOnly(options.receivedRowsOnly);
            if (options.flows || options.followDir != null) {
                sink.flows(FlowRows.forLive(options, out, stderr)); // each worker its own flow table
            }
        }

        @Override
        public void onPacket(Packet packet) {
            if (options.count == 0) {
                sink.onPacket(packet);
                return;
            }
            synchronized (countLock) {
                if (counted >= options.count) {
                    return;
                }
                long before = sink.count();
                sink.onPacket(packet);
                counted += sink.count() - before;
            }
        }

        @Override
        public void endOfBatch() throws IOException {
            sink.endBatch();
        }
    }

    /** A worker with {@code --flows}/{@code --follow}: its flow table takes the capture's packets in batches. */
    private final class FlowWorker extends Worker implements PacketBatchListener {
        FlowWorker(RowFormatter formatter, CaptureFileWriter stream) throws CommandException {
            super(formatter, null, stream);
        }

        @Override
        public void onBatch(PacketBatch batch) {
            if (options.count == 0) {
                sink.onBatch(batch);
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                onPacket(batch.get(i)); // -c counts across workers, packet by packet
            }
        }
    }

    private boolean countReached(List<Worker> workers) {
        for (Worker w : workers) {
            if (w.sink.fileLimitReached() != null) {
                return true; // -G with -W: one worker's last file is done, so is the capture
            }
        }
        if (options.count == 0) {
            return false;
        }
        synchronized (countLock) {
            return counted >= options.count;
        }
    }

    /** A normal stop, every worker ended: each file records its own worker's socket statistics (pcapng). */
    private void writeStatistics(List<CaptureFileWriter> writers) throws IOException {
        group.close();
        for (int i = 0; i < writers.size(); i++) {
            CaptureStats stats = group.stats(i);
            writers.get(i).writeStatistics(stats.received(), stats.dropped());
        }
    }

    /** Runs the capture; {@code server} ({@code --listen}, may be null) gets one producer per worker. */
    void run(PcapStreamServer server) throws CommandException, IOException {
        List<CaptureFileWriter> writers = new ArrayList<>();
        List<Worker> workers = new ArrayList<>();
        try {
            for (int i = 0; i < group.workers(); i++) {
                CaptureFileWriter writer = null;
                if (options.writeFile != null) {
                    writer = Writers.open(options, fileOfWorker(options.writeFile, i), group.worker(i).linkType(),
                            group.worker(i).snapLength(), options.allInterfaces(), stdout, stderr);
                    writers.add(writer);
                }
                CaptureFileWriter stream = server == null ? null
                        : Writers.stream(server.producer(), group.worker(i).linkType(),
                        group.worker(i).snapLength(), options.allInterfaces());
                boolean flows = options.flows || options.followDir != null; // never with -w
                workers.add(flows ? new FlowWorker(formatters.get(), stream)
                        : new Worker(formatters.get(), writer, stream));
            }
            workers.getFirst().sink.start(); // the table header, once
            workers.getFirst().endOfBatch();
            try {
                group.start(workers::get);
            } catch (IllegalStateException e) {
                if (!session.stopRequested()) {
                    throw e;
                }
                // Ctrl-C or SIGTERM closed the group before its workers started: a normal stop with no packets.
            }
            while (!group.await(Duration.ofMillis(50))) {
                if (session.stopRequested() || countReached(workers)) {
                    group.close();
                }
            }
            for (Worker w : workers) {
                w.sink.finish(); // --flows: the connections still open, after the worker stopped
            }
            writeStatistics(writers);
        } catch (CaptureException e) {
            if (!session.stopRequested()) {
                throw new CommandException(LiveCommand.describe(e, where), e);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause(); // a closed pipe or a full disk, reported like the single-worker capture does
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            group.close();
            for (Worker w : workers) {
                try {
                    w.sink.finish(); // done above unless the capture failed
                } catch (IOException e) {
                    // as below
                }
            }
            for (CaptureFileWriter w : writers) {
                try {
                    w.close();
                } catch (IOException e) {
                    // reported by the batch that hit it, if any; statistics still follow
                }
            }
            try {
                stdout.flush();
            } catch (IOException e) {
                // as above
            }
            CaptureStats stats = group.stats();
            session.source(null);
            if (server != null) {
                server.close();
            }
            workers.stream().map(w -> w.sink.fileLimitReached()).filter(e -> e != null).findFirst()
                    .ifPresent(e -> stderr.println("panatap: " + e.getMessage()));
            LiveCommand.printStats(stderr, workers.stream().mapToLong(w -> w.sink.count()).sum(), stats);
            LiveCommand.printCut(stderr, workers.stream().mapToLong(w -> w.sink.cutBeforePorts()).sum(), options.snapLength);
            LiveCommand.printStreamStats(stderr, server);
        }
    }
}
