package io.panatap.cli;

import io.panatap.capture.PacketCapture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The filter expression of the command line ({@code expression} or {@code -F FILE}). */
final class Filters {
    private Filters() {
    }

    /** The expression, read from {@code -F} if given; null when there is none. */
    static String expression(Options options) throws CommandException {
        if (options.filterFile == null) {
            return options.filterExpression;
        }
        try {
            String text = Files.readString(Path.of(options.filterFile)).strip();
            return text.isEmpty() ? null : text;
        } catch (IOException | RuntimeException e) {
            throw new CommandException("cannot read the filter file " + options.filterFile + ": " + e.getMessage()
                    + "; check the path given to -F", e);
        }
    }

    /** An in-process matcher for files; null when there is no expression. */
    static PacketFilter forFile(Options options) throws CommandException {
        String expression = expression(options);
        if (expression == null) {
            return null;
        }
        throw new CommandException("filter expressions are not supported by this build; remove '" + expression + "'");
    }

    /** Attaches the compiled expression to a live capture as its kernel socket filter. */
    static void attach(Options options, PacketCapture.Builder builder) throws CommandException {
        String expression = expression(options);
        if (expression != null) {
            throw new CommandException("filter expressions are not supported by this build; remove '" + expression + "'");
        }
    }

    /** {@code -d}: prints the compiled program. */
    static void dump(Options options, OutputStream stdout) throws CommandException {
        throw new CommandException("-d: filter expressions are not supported by this build");
    }
}
