package io.panatap.capture;

import io.panatap.PacketListener;
import io.panatap.PacketSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * A capture spread over several cores: {@code N} workers, each with its own {@code AF_PACKET} socket and
 * ring, joined in one {@code PACKET_FANOUT} group so the kernel hands every packet to exactly one of them.
 * Each worker polls on its own thread and calls its own listener, so listeners need no locking as long as
 * they do not share state.
 *
 * <pre>
 *                         fanout group (id chosen by the kernel)
 *   interface ──► kernel ─┬─► socket 0 ─► ring 0 ─► thread "panatap-worker-0" ─► listener 0
 *                         ├─► socket 1 ─► ring 1 ─► thread "panatap-worker-1" ─► listener 1
 *                         └─► ...
 * </pre>
 *
 * <p>Opening and starting are separate steps: {@link Builder#open()} creates every socket and ring (the
 * part that needs {@code CAP_NET_RAW}); a process may then drop its privileges ({@link UserSwitch}) before
 * {@link #start} begins delivering packets.
 *
 * <p>With {@link FanoutMode#HASH} (the default) both directions of a TCP connection reach the
 * same worker, so per-flow state stays on one thread. Packets of different workers are not ordered
 * relative to each other.
 *
 * <p>If a worker fails (the interface went away, or its listener threw), the whole group closes and
 * {@link #await()} reports that failure.
 *
 * <p>A group is not a {@link PacketSource}: it owns its threads and calls one listener per worker on each,
 * while a source is polled by its caller on the caller's thread. Each worker's {@link #worker(int) capture}
 * is a source.
 */
public final class CaptureGroup implements AutoCloseable {
    private final List<PacketCapture> captures;
    private final int fanoutGroup;
    private final FanoutMode mode;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private boolean started;

    /**
     * A listener that also hears when each poll of its worker ends (after up to {@value #BATCH} packets, or
     * after the poll timeout with none): the moment to flush what the batch produced, so that output of
     * several workers can be written batch by batch without mixing inside a batch. An exception thrown here
     * stops the group like a listener's.
     */
    public interface BatchListener extends PacketListener {
        void endOfBatch() throws java.io.IOException;
    }

    /** Packets delivered per poll at most. */
    public static final int BATCH = 256;

    private CaptureGroup(List<PacketCapture> captures, FanoutMode mode) {
        this.captures = List.copyOf(captures);
        this.fanoutGroup = captures.getFirst().fanoutGroup();
        this.mode = mode;
    }

    /**
     * A group whose sockets are configured like {@code capture} (interface, filter, ring size, ...). Any
     * fanout setting of {@code capture} is replaced by the group's.
     */
    public static Builder builder(PacketCapture.Builder capture) {
        return new Builder(capture);
    }

    /** Number of workers. */
    public int workers() {
        return captures.size();
    }

    /** The capture of worker {@code index} (0-based), e.g. for its {@link PacketCapture#linkType()}. */
    public PacketCapture worker(int index) {
        return captures.get(index);
    }

    /** The kernel's id of the fanout group. */
    public int fanoutGroup() {
        return fanoutGroup;
    }

    public FanoutMode mode() {
        return mode;
    }

    /**
     * Starts one thread per worker, each delivering to {@code listenerFactory.apply(workerIndex)} (in
     * batches to a {@link io.panatap.PacketBatchListener}, as {@link PacketCapture#poll} does). The factory is
     * called on this thread, once per worker, before any thread starts.
     *
     * @throws IllegalStateException if already started or closed
     */
    public synchronized void start(IntFunction<? extends PacketListener> listenerFactory) {
        Objects.requireNonNull(listenerFactory, "listenerFactory");
        if (started) {
            throw new IllegalStateException("capture group already started");
        }
        if (captures.getFirst().isClosed()) {
            throw new IllegalStateException("capture group is closed");
        }
        started = true;
        List<PacketListener> listeners = new ArrayList<>(captures.size());
        for (int i = 0; i < captures.size(); i++) {
            listeners.add(Objects.requireNonNull(listenerFactory.apply(i), "listener of worker " + i));
        }
        for (int i = 0; i < captures.size(); i++) {
            PacketCapture capture = captures.get(i);
            PacketListener listener = listeners.get(i);
            Thread t = new Thread(() -> work(capture, listener), "panatap-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    private void work(PacketCapture capture, PacketListener listener) {
        BatchListener batches = listener instanceof BatchListener b ? b : null;
        try {
            while (capture.poll(listener, BATCH) != PacketSource.END) {
                if (batches != null) {
                    batches.endOfBatch();
                }
            }
        } catch (Throwable t) {
            // The first failure wins and stops the others: a group with a dead worker would lose its share.
            if (failure.compareAndSet(null, t)) {
                closeCaptures();
            }
        }
    }

    /**
     * Waits until every worker has stopped (after {@link #close()} or a failure).
     *
     * @throws CaptureException the first worker's capture failure
     * @throws RuntimeException the first exception a listener threw
     * @throws java.io.UncheckedIOException wrapping the first {@link BatchListener#endOfBatch} failure
     */
    public void await() throws CaptureException, InterruptedException {
        for (Thread t : threadsSnapshot()) {
            t.join();
        }
        rethrowFailure();
    }

    /** Like {@link #await()} with a time limit; false if a worker was still running at the end. */
    public boolean await(Duration timeout) throws CaptureException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threadsSnapshot()) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                return false;
            }
        }
        rethrowFailure();
        return true;
    }

    /** The failure that stopped the group, or null. */
    public Throwable failure() {
        return failure.get();
    }

    private synchronized List<Thread> threadsSnapshot() {
        return List.copyOf(threads);
    }

    private void rethrowFailure() throws CaptureException {
        Throwable t = failure.get();
        if (t instanceof CaptureException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The sum over all workers. */
    public CaptureStats stats() {
        long received = 0;
        long dropped = 0;
        long freezes = 0;
        long delivered = 0;
        for (PacketCapture c : captures) {
            CaptureStats s = c.stats();
            received += s.received();
            dropped += s.dropped();
            freezes += s.freezes();
            delivered += s.delivered();
        }
        return new CaptureStats(received, dropped, freezes, delivered);
    }

    /** Statistics of worker {@code index}. */
    public CaptureStats stats(int index) {
        return captures.get(index).stats();
    }

    /**
     * Idempotent. Closes every socket (each polling thread finishes its current listener call and stops),
     * then waits up to 10 s for the worker threads to end.
     */
    @Override
    public void close() {
        closeCaptures();
        List<Thread> workers = threadsSnapshot();
        if (workers.contains(Thread.currentThread())) {
            return; // called from a listener: the worker ends when its poll returns
        }
        for (Thread t : workers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void closeCaptures() {
        for (PacketCapture c : captures) {
            c.close();
        }
    }

    /** Configuration of a {@link CaptureGroup}. */
    public static final class Builder {
        /** Largest number of workers: the kernel's PACKET_FANOUT_MAX is larger, but more makes no sense. */
        public static final int MAX_WORKERS = 256;

        private final PacketCapture.Builder capture;
        private int workers = 1;
        private FanoutMode mode = FanoutMode.HASH;
        private boolean defragment;

        private Builder(PacketCapture.Builder capture) {
            this.capture = Objects.requireNonNull(capture, "capture");
        }

        /** Number of workers, 1..{@value #MAX_WORKERS}; default 1. */
        public Builder workers(int n) {
            if (n < 1 || n > MAX_WORKERS) {
                throw new IllegalArgumentException("workers must be 1.." + MAX_WORKERS + ", not " + n);
            }
            this.workers = n;
            return this;
        }

        /** How the kernel spreads packets; default {@link FanoutMode#HASH} (per flow). */
        public Builder mode(FanoutMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** {@link PacketCapture.Builder#fanoutDefragment}; default off. */
        public Builder defragment(boolean on) {
            this.defragment = on;
            return this;
        }

        /**
         * Opens every worker's socket and ring in a new fanout group; nothing is delivered before
         * {@link CaptureGroup#start}. If one worker cannot be opened, those already open are closed. The
         * capture builder given to {@link CaptureGroup#builder} is copied, not changed.
         */
        public CaptureGroup open() throws CaptureException {
            List<PacketCapture> opened = new ArrayList<>(workers);
            PacketCapture.Builder capture = this.capture.copy();
            try {
                capture.fanoutDefragment(defragment).fanoutNewGroup(mode);
                opened.add(capture.open());
                capture.fanout(opened.getFirst().fanoutGroup(), mode);
                for (int i = 1; i < workers; i++) {
                    opened.add(capture.open());
                }
                return new CaptureGroup(opened, mode);
            } catch (CaptureException | RuntimeException | Error e) {
                opened.forEach(PacketCapture::close);
                throw e;
            }
        }
    }
}
