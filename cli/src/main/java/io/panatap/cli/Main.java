package io.panatap.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The {@code panatap} command: prints received TCP segments as a table (or tcpdump-style lines, or JSON),
 * captured live from an {@code AF_PACKET} socket or read from a pcap/pcapng file. Run {@code panatap -h}.
 *
 * <p>Exit status: 0 after a normal stop (end of file, {@code -c} reached, Ctrl-C, SIGTERM, a closed output
 * pipe), 1 on a capture error, 2 on a usage error. Every error is one line on stderr starting with
 * {@code panatap:}; a usage error's ends with {@code (see panatap -h)}. Notices are too, and leave the status as it is: at the end of {@code -r}, one line per
 * link type whose records were read but not decoded.
 */
public final class Main {
    static final int OK = 0;
    static final int CAPTURE_ERROR = 1;
    static final int USAGE_ERROR = 2;

    private Main() {
    }

    public static void main(String[] args) {
        Session session = new Session();
        Runtime.getRuntime().addShutdownHook(session.shutdownHook());
        int status = run(args, new FileOutputStream(FileDescriptor.out), System.err, session);
        session.finished(status);
        System.exit(status);
    }

    /** Runs the command with the given standard output and error; returns the exit status. */
    static int run(String[] args, OutputStream stdout, PrintStream stderr, Session session) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            usageError(stderr, e);
            return USAGE_ERROR;
        }
        try {
            if (options.help) {
                print(stdout, Options.HELP + "\n");
                return OK;
            }
            if (options.version) {
                print(stdout, "panatap " + version() + "\n");
                return OK;
            }
            if (options.readFile != null) {
                return new ReadCommand(options, stdout, stderr, session).run();
            }
            return new LiveCommand(options, stdout, stderr, session).run();
        } catch (UsageException e) {
            usageError(stderr, e);
            return USAGE_ERROR;
        } catch (CommandException e) {
            stderr.println("panatap: " + e.getMessage()); // an expected error: one line, also with -v
            return CAPTURE_ERROR;
        } catch (IOException e) {
            if (isBrokenPipe(e)) {
                return OK;
            }
            stderr.println("panatap: " + e.getMessage());
            return CAPTURE_ERROR;
        } catch (RuntimeException | Error e) {
            stderr.println("panatap: internal error: " + e + (options.verbose ? "" : " (run with -v for details)"));
            if (options.verbose) {
                e.printStackTrace(stderr);
            }
            return CAPTURE_ERROR;
        }
    }

    /** A usage error is one line that points at the help, as every other error is one line. */
    static void usageError(PrintStream stderr, UsageException e) {
        stderr.println("panatap: " + e.getMessage() + " (see panatap -h)");
    }

    /** A reader of our output went away ({@code panatap ... | head}): a normal stop. */
    static boolean isBrokenPipe(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("Broken pipe") || m.contains("EPIPE"))) {
                return true;
            }
        }
        return false;
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    private static void print(OutputStream stdout, String text) throws IOException {
        TextOutput out = new TextOutput(stdout, 4096);
        out.append(text);
        out.flush();
    }
}
