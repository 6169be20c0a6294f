package io.panatap.bench.soak;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What the soak harness records about this process at one moment.
 *
 * @param residentKiB     VmRSS from /proc/self/status
 * @param heapAfterGcKiB  heap in use right after a full collection ({@link System#gc()})
 * @param descriptors     entries of /proc/self/fd
 * @param threads         live Java threads
 */
public record ProcessSample(long residentKiB, long heapAfterGcKiB, long descriptors, int threads) {

    public static ProcessSample take() throws IOException {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 10;
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.count();
        }
        return new ProcessSample(rss, heap, fds, Thread.activeCount());
    }

    /** Least-squares slope of {@code y} over {@code x}. */
    public static double slope(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i] / n;
            my += y[i] / n;
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            num += (x[i] - mx) * (y[i] - my);
            den += (x[i] - mx) * (x[i] - mx);
        }
        return den == 0 ? 0 : num / den;
    }
}
