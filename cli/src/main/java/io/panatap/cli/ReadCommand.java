package io.panatap.cli;

import io.panatap.pcap.CaptureFileException;
import io.panatap.pcap.CaptureFileReader;
import io.panatap.pcap.PcapWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneId;

/**
 * {@code panatap -r FILE}: decodes a pcap or pcapng file and prints its TCP segments, or copies its records
 * to a {@code -w} file. With {@code -w}, every record matching the filter is copied (all records without a
 * filter, TCP or not, as tcpdump does) and {@code -c} counts records written; otherwise {@code -c} counts TCP
 * rows printed. The table header repeats per second of capture time. Like tcpdump, no statistics are printed
 * for a file. A damaged file: every record before the damage is output, then the error (exit 1).
 */
final class ReadCommand {
    private static final int BATCH = 1024;

    private final Options options;
    private final OutputStream stdout;
    private final PrintStream stderr;
    private final Session session;

    ReadCommand(Options options, OutputStream stdout, PrintStream stderr, Session session) {
        this.options = options;
        this.stdout = stdout;
        this.stderr = stderr;
        this.session = session;
    }

    int run() throws CommandException, UsageException, IOException {
        String name = options.readFile;
        try (CaptureFileReader reader = open(name)) {
            if (options.dumpFilter) {
                String expression = Filters.expression(options);
                Filters.dump(Filters.compile(expression == null ? "" : expression, reader.linkType(), 0), stdout);
                return Main.OK;
            }
            PacketFilter filter = Filters.forFile(options, reader.linkType());
            TextOutput out = new TextOutput(stdout, 64 * 1024);
            PcapWriter writer = options.writeFile == null ? null
                    : Writers.create(options.writeFile, reader.linkType(),
                            reader.snapLength() > 0 ? reader.snapLength() : Options.MAX_SNAPLEN, stdout);
            try {
                PacketSink sink = new PacketSink(formatter(), out, writer, filter, options.count);
                sink.start();
                while (!sink.done() && !session.stopRequested()) {
                    long n;
                    try {
                        n = reader.poll(sink, BATCH);
                    } catch (CaptureFileException e) {
                        sink.endBatch(); // print every record before the damage first
                        throw new CommandException(name + ": " + e.getMessage()
                                + (e.offset() >= 0 ? " (at byte " + e.offset() + ")" : "")
                                + "; the records before it were read", e);
                    }
                    sink.endBatch();
                    if (n == 0) {
                        break;
                    }
                }
                sink.checkError();
            } finally {
                if (writer != null) {
                    writer.close();
                }
                out.flush();
            }
        }
        return Main.OK;
    }

    private RowFormatter formatter() {
        return switch (options.format) {
            case TABLE -> new TableFormatter(TableFormatter.Clock.CAPTURE);
            case LINE -> new LineFormatter(false, ZoneId.systemDefault());
            case JSON -> new JsonFormatter();
        };
    }

    private static CaptureFileReader open(String name) throws CommandException {
        try {
            Path path = Path.of(name);
            if (!Files.exists(path)) {
                throw new NoSuchFileException(name);
            }
            if (Files.isDirectory(path)) {
                throw new CommandException(name + ": is a directory; give -r a capture file");
            }
            return CaptureFileReader.open(path);
        } catch (NoSuchFileException e) {
            throw new CommandException(name + ": no such file; check the path given to -r", e);
        } catch (AccessDeniedException e) {
            throw new CommandException(name + ": permission denied; check the file's permissions", e);
        } catch (CaptureFileException e) {
            throw new CommandException(name + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new CommandException(name + ": cannot read: " + e.getMessage(), e);
        }
    }
}
