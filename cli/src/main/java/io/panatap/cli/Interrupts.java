package io.panatap.cli;

import io.panatap.internal.linux.Libc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes SIGINT stop a capture even when the process started with SIGINT ignored, as a background job of a
 * shell script does ({@code panatap -w x.pcap & ... kill -INT $!}). The JVM leaves an ignored SIGINT
 * ignored, so such a capture could only be killed; tcpdump catches SIGINT in every case, and so does this.
 *
 * <p>The {@code signal(2)} downcall lives in core's {@link Libc} (one place for downcalls). Its package is
 * not exported by the {@code io.panatap.core} module; the command runs on the class path, where it is
 * reachable. Where it is not, SIGINT stays as the JVM set it up.
 */
final class Interrupts {
    private Interrupts() {
    }

    /**
     * If SIGINT is ignored, routes it to the JVM's normal shutdown (the hooks run; exit status 130).
     * {@code sun.misc.Signal} (module jdk.unsupported) is the only way to install a handler the JVM skipped.
     */
    static void catchEvenIfIgnored() {
        try {
            if (ignoredAtStart(Libc.SIGINT) && Libc.resetIfIgnored(Libc.SIGINT)) {
                sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> System.exit(128 + Libc.SIGINT));
            }
        } catch (Throwable e) {
            // Without native access or on an unusual libc: SIGINT stays as the JVM set it up.
        }
    }

    /**
     * Whether {@code signal} is ignored, from the {@code SigIgn} mask in {@code /proc/self/status}; true when
     * that cannot be read (then {@code signal(2)} decides). Saves linking the {@code signal} binding at start
     * in the common case: a command started from a terminal or a script in the foreground.
     */
    static boolean ignoredAtStart(int signal) {
        try {
            String status = Files.readString(Path.of("/proc/self/status"));
            int at = status.indexOf("\nSigIgn:");
            if (at < 0) {
                return true;
            }
            int from = at + "\nSigIgn:".length();
            int end = status.indexOf('\n', from);
            long mask = Long.parseUnsignedLong(status.substring(from, end < 0 ? status.length() : end).strip(), 16);
            return (mask & (1L << (signal - 1))) != 0;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }
}
