package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.capture.TcpOnlyFilter;
import io.panatap.filter.BpfInterpreter;
import io.panatap.filter.BpfProgram;
import io.panatap.filter.FilterCompiler;
import io.panatap.filter.FilterException;
import io.panatap.parse.LinkType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The filter expression of the command line ({@code expression} or {@code -F FILE}), compiled to classic BPF.
 * A live capture runs it in the kernel together with the TCP-only test, since panatap captures TCP only, and
 * with the meaning it has on a live socket (the outer VLAN tag is socket metadata there); the capture
 * compiles it when it opens ({@code PacketCapture.Builder.filter(String)}), {@code -d} through {@link #live}.
 * A file is filtered in process with the expression as given, so {@code -r IN -w OUT expression} copies what
 * tcpdump would.
 */
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
            throw new CommandException("cannot read the filter file " + options.filterFile + " (" + e.getMessage()
                    + "); check the path given to -F", e);
        }
    }

    static BpfProgram compile(String expression, int linkType, int snapLength) throws UsageException {
        try {
            return FilterCompiler.compile(expression, linkType, snapLength);
        } catch (FilterException e) {
            throw invalid(expression, e);
        }
    }

    /**
     * The kernel program for a live capture of {@code linkType}: TCP, narrowed by the expression if any, with
     * the expression's meaning on a live socket ({@link FilterCompiler#compileForSocket}).
     */
    static BpfProgram live(String expression, int linkType, int snapLength) throws UsageException {
        if (expression == null) {
            return linkType == LinkType.ETHERNET ? TcpOnlyFilter.ethernet(snapLength) : TcpOnlyFilter.network(snapLength);
        }
        try {
            return FilterCompiler.compileForSocket(expression, linkType, snapLength, true);
        } catch (FilterException e) {
            throw invalid(expression, e);
        }
    }

    /** The usage error for an expression that does not compile (here, or when a live capture opens). */
    static UsageException invalid(String expression, FilterException e) {
        return new UsageException("filter '" + expression + "': " + e.getMessage());
    }

    /** An in-process matcher for files; null when there is no expression. */
    static PacketFilter forFile(Options options, int firstLinkType) throws CommandException, UsageException {
        String expression = expression(options);
        if (expression == null) {
            return null;
        }
        return new FileFilter(expression, compile(expression, firstLinkType, 0), firstLinkType);
    }

    /** {@code -d}: prints the program as {@code tcpdump -d} does. */
    static void dump(BpfProgram program, OutputStream stdout) throws IOException {
        TextOutput out = new TextOutput(stdout, 16 * 1024);
        out.append(program.dump());
        out.flush();
    }

    /** Runs the program for each record's link type; a pcapng file may mix link types. */
    private static final class FileFilter implements PacketFilter {
        private final String expression;
        private BpfProgram program;
        private int linkType;

        FileFilter(String expression, BpfProgram program, int linkType) {
            this.expression = expression;
            this.program = program;
            this.linkType = linkType;
        }

        @Override
        public boolean matches(Packet packet) {
            if (packet.linkType() != linkType) {
                linkType = packet.linkType();
                try {
                    program = FilterCompiler.compile(expression, linkType, 0);
                } catch (FilterException e) {
                    program = null; // the expression means nothing on this link type: no match
                }
            }
            return program != null && BpfInterpreter.run(program, packet.segment(), packet.frameOffset(),
                    packet.captureLength(), packet.originalLength()) != 0;
        }
    }
}
