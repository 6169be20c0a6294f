package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.capture.TcpOnlyFilter;
import io.panatap.filter.BpfInterpreter;
import io.panatap.filter.BpfProgram;
import io.panatap.filter.FilterCompiler;
import io.panatap.filter.FilterException;
import io.panatap.filter.FilterSyntaxException;
import io.panatap.parse.LinkType;
import io.panatap.pcap.CaptureFileReader;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;

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

    /** The program for records of {@code linkType} in a file written in {@code fileOrder}. */
    static BpfProgram compile(String expression, int linkType, int snapLength, ByteOrder fileOrder)
            throws UsageException {
        try {
            return FilterCompiler.compile(expression, linkType, snapLength, fileOrder);
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

    /**
     * tcpdump's "expression rejects all packets", as a warning (the capture goes on, and its statistics
     * still count what reached the socket), for a live capture whose kernel program cannot accept any
     * packet: the line without {@code panatap: }, or null. When only the TCP-only test makes it so (say
     * {@code udp}), the line says that panatap captures TCP only. tcpdump 4.99.3 refuses an expression that
     * rejects everything by itself ({@code tcp and udp}) with status 1; panatap warns for both.
     */
    static String liveRejectsAll(String expression, int linkType, int snapLength) {
        if (expression == null) {
            return null;
        }
        try {
            if (!FilterCompiler.compileForSocket(expression, linkType, snapLength, true).rejectsAllPackets()) {
                return null;
            }
            boolean byItself = FilterCompiler.compileForSocket(expression, linkType, snapLength, false).rejectsAllPackets();
            return byItself ? REJECTS_ALL : "WARNING: " + REJECTS_ALL + " (panatap captures TCP only)";
        } catch (FilterException e) {
            return null; // opening the capture reported it
        }
    }

    /**
     * The same for {@code -r} (always the error), when the expression rejects every record of the file's first link
     * type by itself (tcpdump's test); null otherwise or without an expression.
     */
    static String fileRejectsAll(PacketFilter filter) {
        return filter instanceof FileFilter f && f.count > 0 && f.programs[0] != null && f.programs[0].rejectsAllPackets()
                ? REJECTS_ALL : null;
    }

    /**
     * tcpdump's words for an expression that can match nothing. By itself ({@code tcp and udp}) it is
     * tcpdump's error (status 1), and panatap's too; a warning when only panatap's TCP-only test empties it.
     */
    static final String REJECTS_ALL = "expression rejects all packets";

    /** The usage error for an expression that does not compile (here, or when a live capture opens). */
    static UsageException invalid(String expression, FilterException e) {
        return new UsageException("filter '" + expression + "': " + e.getMessage());
    }

    /**
     * An in-process matcher for files; null when there is no expression. The expression is compiled for
     * {@code firstLinkType} now (its errors are the command's), and for each other link type when a record of
     * it first comes (where it means nothing, such records do not match). With no first link type (-1: a
     * pcapng file whose first section describes no interface), only its syntax is checked now.
     */
    static PacketFilter forFile(Options options, CaptureFileReader reader) throws CommandException, UsageException {
        return forFile(options, reader.linkType(), reader::byteOrder);
    }

    /** As {@link #forFile(Options, CaptureFileReader)}; {@code fileOrder} tells the byte order being read. */
    static PacketFilter forFile(Options options, int firstLinkType, Supplier<ByteOrder> fileOrder)
            throws CommandException, UsageException {
        String expression = expression(options);
        if (expression == null) {
            return null;
        }
        FileFilter filter = new FileFilter(expression, fileOrder);
        if (firstLinkType >= 0) {
            filter.add(firstLinkType, compile(expression, firstLinkType, 0, fileOrder.get()));
        } else {
            checkSyntax(expression);
        }
        return filter;
    }

    /** A syntax error is one on every link type; any other error depends on the link type. */
    private static void checkSyntax(String expression) throws UsageException {
        try {
            FilterCompiler.compile(expression, LinkType.ETHERNET, 0);
        } catch (FilterSyntaxException e) {
            throw new UsageException("filter '" + expression + "': " + e.getMessage());
        } catch (FilterException e) {
            // judged per link type as records come
        }
    }

    /** {@code -d}: prints the program as {@code tcpdump -d} does. */
    /**
     * {@code -d}: the listing; {@code -dd}: the program as a C array fragment; {@code -ddd} (or more): its
     * length, then each instruction as four decimal numbers. The forms of {@code tcpdump -d/-dd/-ddd}.
     */
    static void dump(BpfProgram program, int level, OutputStream stdout) throws IOException {
        TextOutput out = new TextOutput(stdout, 16 * 1024);
        if (level <= 1) {
            out.append(program.dump());
        } else {
            StringBuilder text = new StringBuilder(program.length() * 32);
            if (level >= 3) {
                text.append(program.length()).append('\n');
            }
            for (int i = 0; i < program.length(); i++) {
                if (level == 2) {
                    text.append(String.format("{ 0x%x, %d, %d, 0x%08x },\n", program.code(i), program.jumpTrue(i),
                            program.jumpFalse(i), program.constant(i)));
                } else {
                    text.append(program.code(i)).append(' ').append(program.jumpTrue(i)).append(' ')
                            .append(program.jumpFalse(i)).append(' ').append(Integer.toUnsignedLong(program.constant(i)))
                            .append('\n');
                }
            }
            out.append(text);
        }
        out.flush();
    }

    /**
     * Runs the program for each record's link type; a pcapng file may mix link types. Programs are compiled
     * once per link type, when it is first seen, and kept in a small table (a file has a handful of link
     * types at most): nothing is allocated per packet.
     */
    private static final class FileFilter implements PacketFilter {
        private final String expression;
        private final Supplier<ByteOrder> fileOrder;
        private int[] linkTypes = new int[4];
        /** The program per entry of {@link #linkTypes}; null where the expression means nothing. */
        private BpfProgram[] programs = new BpfProgram[4];
        private int count;
        private int lastLinkType = Integer.MIN_VALUE; // no link type yet
        private BpfProgram last;

        FileFilter(String expression, Supplier<ByteOrder> fileOrder) {
            this.expression = expression;
            this.fileOrder = fileOrder;
        }

        void add(int linkType, BpfProgram program) {
            if (count == linkTypes.length) {
                linkTypes = Arrays.copyOf(linkTypes, count * 2);
                programs = Arrays.copyOf(programs, count * 2);
            }
            linkTypes[count] = linkType;
            programs[count] = program;
            count++;
        }

        private BpfProgram programFor(int linkType) {
            for (int i = 0; i < count; i++) {
                if (linkTypes[i] == linkType) {
                    return programs[i];
                }
            }
            BpfProgram program;
            try {
                // The byte order of the section being read, which holds this first record of the link type.
                program = FilterCompiler.compile(expression, linkType, 0, fileOrder.get());
            } catch (FilterException e) {
                program = null; // the expression means nothing on this link type: no match
            }
            add(linkType, program);
            return program;
        }

        @Override
        public boolean matches(Packet packet) {
            int linkType = packet.linkType();
            if (linkType != lastLinkType) {
                last = programFor(linkType);
                lastLinkType = linkType;
            }
            return last != null && BpfInterpreter.run(last, packet.segment(), packet.frameOffset(),
                    packet.captureLength(), packet.originalLength()) != 0;
        }
    }
}
