package io.panatap.cli;

import io.panatap.parse.LinkType;
import io.panatap.pcap.CaptureFileException;
import io.panatap.pcap.CaptureFileReader;
import io.panatap.pcap.LinkTypeMismatchException;
import io.panatap.pcap.CaptureFileWriter;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneId;

/**
 * {@code panatap -r FILE}: decodes a pcap or pcapng file and prints its TCP segments, or copies its records
 * to a {@code -w} file. {@code -r -} reads standard input; it, named pipes and devices are read as streams,
 * row by row as the records arrive (a regular file is memory-mapped). With {@code -w}, every record matching
 * the filter is copied (all records without a filter, TCP or not, as tcpdump does) and {@code -c} counts
 * records written; otherwise {@code -c} counts TCP rows printed. The table header repeats per second of capture time. Like tcpdump, no statistics are printed
 * for a file. A damaged file: every record before the damage is output, then the error (exit 1). Records of a
 * link type panatap does not decode are named on stderr at the end, one line per link type (exit 0).
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
        String name = options.readFile.equals("-") ? "standard input" : options.readFile;
        CaptureFileReader opened;
        try {
            opened = open(options.readFile, name);
        } catch (CommandException e) {
            if (session.stopRequested()) {
                return Main.OK; // stopped while waiting for the header of a stream
            }
            throw e;
        }
        try (CaptureFileReader reader = opened) {
            if (options.dumpFilter) {
                String expression = Filters.expression(options);
                Filters.dump(Filters.compile(expression == null ? "" : expression, reader.linkType(), 0,
                        reader.byteOrder()), options.dumpLevel, stdout);
                return Main.OK;
            }
            PacketFilter filter = Filters.forFile(options, reader);
            String rejectsAll = Filters.fileRejectsAll(filter);
            if (rejectsAll != null) {
                throw new CommandException(rejectsAll); // tcpdump's error, status 1
            }
            TextOutput out = new TextOutput(stdout, 64 * 1024);
            // A pcap file takes the link type of the capture's first interface; when the first section
            // describes none, the file is started with the first record written, by when it is known.
            // A pcapng file describes each packet's own interface as it comes.
            boolean pcapng = options.writeFile != null && Writers.pcapng(options, options.writeFile);
            CaptureFileWriter writer = options.writeFile != null && (reader.linkType() >= 0 || pcapng)
                    ? createWriter(reader, reader.linkType()) : null;
            PacketSink.WriterOpener opener = options.writeFile == null ? null : first -> {
                try {
                    return createWriter(reader, reader.linkType() >= 0 ? reader.linkType() : first.linkType());
                } catch (CommandException e) {
                    throw new IOException(e.getMessage(), e);
                }
            };
            PacketSink sink = new PacketSink(formatter(reader.snapLength()), out, writer, opener, filter, options.count);
            if (options.flows || options.followDir != null) {
                sink.flows(FlowRows.forFile(options, out, stderr));
            }
            try {
                sink.start();
                try {
                    sink.drain(reader, BATCH, session);
                    sink.finish();
                } catch (CaptureFileException e) {
                    sink.finish(); // the connections seen before the damage
                    reportUndecoded(reader, sink);
                    throw new CommandException(name + ": " + e.getMessage()
                            + (e.offset() >= 0 ? " (at byte " + e.offset() + ")" : "")
                            + "; the records before it were read", e);
                }
                reportUndecoded(reader, sink);
                if (options.writeFile != null && sink.writer() == null) {
                    writeEmptyFile(reader); // nothing to copy: still a pcap file, as tcpdump writes one
                }
            } catch (LinkTypeMismatchException e) {
                throw new CommandException("-w " + options.writeFile + ": record " + e.frameNumber() + " has link type "
                        + LinkTypeMismatchException.describe(e.packetLinkType()) + " but the pcap file was started with "
                        + LinkTypeMismatchException.describe(e.fileLinkType()) + "; a pcap file holds one link type:"
                        + " write pcapng (-w FILE.pcapng or --pcapng) to keep every packet under its own interface", e);
            } finally {
                if (sink.writer() != null) {
                    sink.writer().close();
                }
                out.flush();
            }
        } finally {
            session.source(null);
        }
        return Main.OK;
    }

    /**
     * When rows are printed: one stderr line per link type of which records were read but not decoded, so
     * that a capture of a link type panatap does not decode does not pass for one without TCP; and one for
     * the records the capture's snap length cut before the TCP ports (not all of them TCP: that is unknown). Not with
     * {@code -w}, which copies those records like any other (nothing was left out of the copy), and not when
     * {@code -c} ended the output: the reader may have read records past the last row that nobody looked at.
     */
    private void reportUndecoded(CaptureFileReader reader, PacketSink sink) {
        if (options.writeFile != null || sink.done()) {
            return;
        }
        for (int linkType : reader.undecodedLinkTypes()) {
            stderr.println(undecodedLine(reader.undecodedCount(linkType), linkType));
        }
        long cut = sink.cutBeforePorts();
        if (cut > 0) {
            stderr.println("panatap: " + cut + (cut == 1 ? " record was" : " records were")
                    + " cut by the snap length before the TCP ports, not shown");
        }
    }

    /** {@code panatap: 57 records of link type ARCNET_LINUX (129) were not decoded}. */
    static String undecodedLine(long records, int linkType) {
        return "panatap: " + records + (records == 1 ? " record" : " records") + " of link type "
                + LinkType.describe(linkType) + (records == 1 ? " was" : " were") + " not decoded";
    }

    private CaptureFileWriter createWriter(CaptureFileReader reader, int linkType) throws CommandException {
        return Writers.open(options, options.writeFile, linkType,
                reader.snapLength() > 0 ? reader.snapLength() : Options.MAX_SNAPLEN, false, stdout, stderr);
    }

    private void writeEmptyFile(CaptureFileReader reader) throws CommandException, IOException {
        if (reader.linkType() < 0 && !Writers.pcapng(options, options.writeFile)) {
            throw new CommandException("-w " + options.writeFile + ": the capture describes no interface, so there"
                    + " is no link type to start the pcap file with");
        }
        createWriter(reader, reader.linkType()).close();
    }

    /** {@code snapLength}: the file's, which cuts longer records as libpcap does for tcpdump (0: none). */
    private RowFormatter formatter(int snapLength) {
        return switch (options.format) {
            case TABLE -> new TableFormatter(TableFormatter.Clock.CAPTURE);
            case LINE -> new LineFormatter(false, ZoneId.systemDefault(), options,
                    TcpdumpLine.of(options).snapLimit(snapLength));
            case JSON -> new JsonFormatter(options);
        };
    }

    /**
     * Maps a regular file; opens anything else ({@code -}, a named pipe, a device) as a stream whose channel
     * a stop request closes, since a read of a stream may wait for input indefinitely.
     */
    private CaptureFileReader open(String file, String name) throws CommandException {
        try {
            if (file.equals("-")) {
                return openStream(new FileInputStream(FileDescriptor.in).getChannel());
            }
            if (file.startsWith(TCP_SCHEME)) {
                return openStream(connect(file));
            }
            Path path = Path.of(file);
            if (!Files.exists(path)) {
                throw new NoSuchFileException(name);
            }
            if (Files.isDirectory(path)) {
                throw new CommandException(name + ": is a directory; give -r a capture file");
            }
            if (!Files.isRegularFile(path)) {
                return openStream(FileChannel.open(path, StandardOpenOption.READ));
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

    private static final String TCP_SCHEME = "tcp://";

    /**
     * {@code -r tcp://HOST:PORT}: connects to a PCAP-over-IP server ({@code panatap --listen}, or any that
     * sends a pcap stream on connect); an IPv6 address goes in brackets.
     */
    private SocketChannel connect(String url) throws CommandException, IOException {
        String rest = url.substring(TCP_SCHEME.length());
        int colon = rest.lastIndexOf(':');
        String host = colon < 0 ? "" : rest.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(rest.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new CommandException(url + ": give -r tcp://HOST:PORT, e.g. tcp://127.0.0.1:"
                    + Options.PCAP_OVER_IP_PORT);
        }
        SocketChannel channel = SocketChannel.open();
        session.source(channel); // a stop closes it, also while connecting
        try {
            channel.connect(new InetSocketAddress(host, port));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new CommandException(url + ": cannot connect (" + e.getMessage() + ")", e);
        }
        return channel;
    }

    private CaptureFileReader openStream(java.nio.channels.ReadableByteChannel channel) throws IOException {
        session.source(channel);
        return CaptureFileReader.open(channel);
    }
}
