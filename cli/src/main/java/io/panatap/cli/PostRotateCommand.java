package io.panatap.cli;

import io.panatap.internal.linux.Libc;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code -z COMMAND}: runs {@code COMMAND FILE} on each file a rotation ({@code -C}, {@code -G}) finished, as
 * tcpdump 4.99.3's {@code compress_savefile} does: right after the file is closed, as a child process with the
 * command and the file name as its only arguments (found on {@code PATH}, no shell), sharing the command's
 * standard streams, at the lowest priority (nice 19) so that it does not disturb the capture, and not waited
 * for. It runs as whatever user the capture runs as, so after {@code -Z USER} as that user: the switch is
 * made for the whole process before any file is written. Not for the file still open when the capture
 * stops (tcpdump neither). A command that cannot be started is one {@code panatap:} line on stderr; the
 * capture goes on, as tcpdump's does when its child cannot exec.
 */
final class PostRotateCommand {
    /** The lowest priority ({@code NZERO - 1}). */
    private static final int LOWEST_PRIORITY = 19;

    private final String command;
    private final PrintStream stderr;

    PostRotateCommand(String command, PrintStream stderr) {
        this.command = command;
        this.stderr = stderr;
    }

    /** Starts {@code COMMAND file}; returns without waiting. */
    void run(String file) {
        Process child;
        try {
            child = new ProcessBuilder(List.of(command, file)).inheritIO().start();
        } catch (IOException | RuntimeException e) {
            stderr.println("panatap: -z: cannot run " + command + " " + file + " (" + e.getMessage() + ")");
            stderr.flush();
            return;
        }
        lowestPriority(child.pid());
    }

    /** setpriority(2) on the child; nothing when it fails (an optimisation for the capture, not a promise). */
    private static void lowestPriority(long pid) {
        try {
            Libc.setpriority(Libc.PRIO_PROCESS, (int) pid, LOWEST_PRIORITY);
        } catch (RuntimeException | Error e) {
            // no native access or no such call: the child keeps the capture's priority
        }
    }
}
