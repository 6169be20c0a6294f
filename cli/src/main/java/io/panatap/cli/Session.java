package io.panatap.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stops the command cleanly on SIGINT/SIGTERM. The JVM runs shutdown hooks on those signals; the hook asks the
 * main loop to stop (closing the capture wakes a blocked poll), waits a bounded time for it to flush the
 * output and the {@code -w} file and print the statistics, then ends the process with the main loop's exit
 * status (0, like tcpdump after Ctrl-C) instead of the JVM's 128+signal.
 */
final class Session {
    private static final long FINISH_WAIT_SECONDS = 5;

    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile AutoCloseable source;
    private volatile int status;

    boolean stopRequested() {
        return stopRequested;
    }

    /** The capture to close when a stop is requested (null when done with it). */
    void source(AutoCloseable source) {
        this.source = source;
        if (stopRequested && source != null) {
            closeQuietly(source);
        }
    }

    void requestStop() {
        stopRequested = true;
        AutoCloseable s = source;
        if (s != null) {
            closeQuietly(s);
        }
    }

    /** Called by the main thread when it has flushed everything, before {@code System.exit}. */
    void finished(int exitStatus) {
        status = exitStatus;
        finished.countDown();
    }

    /** The shutdown hook: stop, wait for the main loop, exit with its status. */
    void onShutdown() {
        requestStop();
        try {
            if (finished.await(FINISH_WAIT_SECONDS, TimeUnit.SECONDS)) {
                Runtime.getRuntime().halt(status);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Thread shutdownHook() {
        return new Thread(this::onShutdown, "panatap-shutdown");
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Stopping anyway; the main loop reports what matters.
        }
    }
}
