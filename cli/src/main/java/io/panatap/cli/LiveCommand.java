package io.panatap.cli;

import io.panatap.Direction;
import io.panatap.capture.CaptureException;
import io.panatap.capture.CaptureGroup;
import io.panatap.capture.CaptureStats;
import io.panatap.capture.NetworkInterfaces;
import io.panatap.capture.PacketCapture;
import io.panatap.capture.UserSwitch;
import io.panatap.filter.FilterException;
import io.panatap.pcap.CaptureFileWriter;
import io.panatap.pcap.PcapStreamServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * Live capture: opens the {@code AF_PACKET} socket, prints rows (or writes {@code -w}) batch by batch, and on
 * any stop prints tcpdump's three statistics lines to stderr.
 */
final class LiveCommand {
    private static final int BATCH = 256;

    private final Options options;
    private final OutputStream stdout;
    private final PrintStream stderr;
    private final Session session;

    LiveCommand(Options options, OutputStream stdout, PrintStream stderr, Session session) {
        this.options = options;
        this.stdout = stdout;
        this.stderr = stderr;
        this.session = session;
    }

    int run() throws CommandException, UsageException, IOException {
        if (options.listInterfaces) {
            listInterfaces();
            return Main.OK;
        }
        Interrupts.catchEvenIfIgnored();
        String name = interfaceName();
        String where = name == null ? "any" : name;
        PacketCapture capture;
        String expression = null;
        try {
            PacketCapture.Builder builder = PacketCapture.builder()
                    .interfaceName(name)
                    .directions(options.directions.toArray(Direction[]::new))
                    .snapLength(options.snapLength)
                    .promiscuous(options.promiscuous);
            if (options.bufferKiB > 0) {
                builder.ringSize(options.bufferKiB * 1024L);
            }
            expression = Filters.expression(options);
            if (options.dumpFilter) {
                Filters.dump(Filters.live(expression, builder.linkType(), options.snapLength), options.dumpLevel, stdout);
                return Main.OK;
            }
            builder.filter(expression); // compiled by open() for the socket; null: the TCP-only default
            // A pcapng of all interfaces describes each interface with its own link type: the frames need
            // their link-layer headers (rows still see them from the network header, as without).
            builder.linkHeaders(options.writeFile != null && Writers.pcapng(options, options.writeFile));
            LinkMessages linkMessages = new LinkMessages(stderr, where);
            builder.linkListener(linkMessages);
            // Idle cost: a poll that finds nothing waits up to a second (stopping wakes it at once), and
            // when only a file is written (-w without -U) the kernel hands blocks over after up to 200 ms
            // instead of 10 ms: fewer wake-ups and larger writes, where no one watches the latency.
            builder.pollTimeout(IDLE_POLL_TIMEOUT);
            if (options.writeFile != null && !options.packetBuffered) {
                builder.blockTimeout(FILE_BLOCK_TIMEOUT);
            }
            // Meanwhile another thread links the native calls open() makes (bench/RESULTS.md, "Start-up").
            Thread linker = new Thread(PacketCapture::linkNativeCalls, "panatap-link");
            linker.setDaemon(true);
            linker.start();
            warmUp();
            if (options.workers > 1) {
                return runWorkers(builder, where, linkMessages, expression);
            }
            capture = builder.open();
            try {
                checkRejectsAll(expression, capture.linkType());
            } catch (CommandException e) {
                capture.close();
                throw e;
            }
        } catch (CaptureException e) {
            if (e.getCause() instanceof FilterException f) {
                throw Filters.invalid(expression, f);
            }
            throw new CommandException(describeOpening(e, where), e);
        }
        session.source(capture);
        PcapStreamServer server = null;
        try {
            server = openServer(); // before -Z: a port below 1024 needs root
            dropPrivileges();
        } catch (CommandException e) {
            if (server != null) {
                server.close();
            }
            capture.close();
            session.source(null);
            throw e;
        }
        if (options.verbose) {
            stderr.println("panatap: capture ready on " + where + " after " + sinceLaunchMillis() + " ms");
        }
        TextOutput out = new TextOutput(stdout, 64 * 1024);
        CaptureFileWriter writer = null;
        PacketSink sink = null;
        try {
            CaptureFileWriter stream = server == null ? null
                    : Writers.stream(server.producer(), capture.linkType(), capture.snapLength(),
                    options.allInterfaces());
            if (options.writeFile != null) {
                writer = Writers.open(options, options.writeFile, capture.linkType(), capture.snapLength(),
                        options.allInterfaces(), stdout, stderr);
            }
            sink = new PacketSink(formatter(), out, writer, null, options.count).stream(stream)
                    .receivedRowsOnly(options.receivedRowsOnly);
            if (options.flows || options.followDir != null) {
                sink.flows(FlowRows.forLive(options, out, stderr));
            }
            sink.start();
            out.flush();
            sink.drain(capture, BATCH, session); // ends when the session's shutdown hook closes the capture
            if (writer != null) {
                CaptureStats stats = capture.stats();
                writer.writeStatistics(stats.received(), stats.dropped()); // a normal stop: pcapng records them
            }
        } catch (CaptureException e) {
            throw new CommandException(describe(e, where), e);
        } finally {
            try {
                if (writer != null) {
                    writer.close();
                }
                if (sink != null) {
                    sink.finish(); // --flows: the connections still open
                }
                out.flush();
            } catch (IOException e) {
                // A closed pipe or full disk; the loop reports it if it saw it first. Statistics still follow.
            }
            CaptureStats stats = capture.stats();
            capture.close();
            session.source(null);
            if (server != null) {
                server.close();
            }
            if (sink != null && sink.fileLimitReached() != null) {
                stderr.println("panatap: " + sink.fileLimitReached().getMessage());
            }
            printStats(stderr, sink == null ? 0 : sink.count(), stats);
            printCut(stderr, sink == null ? 0 : sink.cutBeforePorts(), options.snapLength);
            printStreamStats(stderr, server);
        }
        return Main.OK;
    }

    /**
     * {@code -i}: null for all interfaces. A number that names no interface is the interface of that number
     * in the {@code -D} list; it is written back to the options, so that {@code -i N} naming {@code any}
     * prints rows as for all interfaces.
     */
    private String interfaceName() {
        String name = options.interfaceName;
        if (name != null && name.chars().allMatch(Character::isDigit) && NetworkInterfaces.find(name) == null) {
            options.interfaceName = InterfaceList.byNumber(name, InterfaceList.ordered(NetworkInterfaces.list()));
        }
        return options.allInterfaces() ? null : options.interfaceName;
    }

    /** {@code --workers N}: opens every worker's socket, drops privileges, then hands over to {@link WorkerCapture}. */
    private int runWorkers(PacketCapture.Builder builder, String where, LinkMessages linkMessages, String expression)
            throws CaptureException, CommandException, IOException {
        CaptureGroup group = CaptureGroup.builder(builder).workers(options.workers).open();
        linkMessages.onlyFrom(group.worker(0)); // every worker's socket sees the flap: say it once
        try {
            checkRejectsAll(expression, group.worker(0).linkType());
        } catch (CommandException e) {
            group.close();
            throw e;
        }
        session.source(group);
        PcapStreamServer server = null;
        try {
            server = openServer();
            dropPrivileges();
        } catch (CommandException e) {
            if (server != null) {
                server.close();
            }
            group.close();
            session.source(null);
            throw e;
        }
        if (options.verbose) {
            stderr.println("panatap: capture ready on " + where + " with " + group.workers() + " workers after "
                    + sinceLaunchMillis() + " ms");
        }
        new WorkerCapture(options, group, this::formatter, stdout, stderr, session, where).run(server);
        return Main.OK;
    }

    /**
     * The two stderr lines of a link flap: the interface went down (the capture waits) and is up again.
     * With {@code --workers}, every worker's socket sees the flap; only the first worker's are printed.
     */
    static final class LinkMessages implements PacketCapture.LinkListener {
        private final PrintStream stderr;
        private final String where;
        private volatile PacketCapture reporter;

        LinkMessages(PrintStream stderr, String where) {
            this.stderr = stderr;
            this.where = where;
        }

        void onlyFrom(PacketCapture capture) {
            this.reporter = capture;
        }

        @Override
        public void linkChanged(PacketCapture capture, boolean up) {
            PacketCapture only = reporter;
            if (only != null && only != capture) {
                return;
            }
            stderr.println(up ? "panatap: " + where + " is up again"
                    : "panatap: " + where + " went down; waiting for it to come back");
            stderr.flush();
        }
    }

    /**
     * tcpdump's "expression rejects all packets": an error for an expression that rejects everything by
     * itself, as in tcpdump; a warning (the capture goes on) when only the TCP-only test empties it.
     */
    private void checkRejectsAll(String expression, int linkType) throws CommandException {
        String warning = Filters.liveRejectsAll(expression, linkType, options.snapLength);
        if (Filters.REJECTS_ALL.equals(warning)) {
            throw new CommandException(warning);
        }
        if (warning != null) {
            stderr.println("panatap: " + warning);
            stderr.flush();
        }
    }

    /**
     * {@code --listen}: the PCAP-over-IP server, listening before the capture's first packet; null without the
     * option. Says on stderr where it listens (the port chosen when 0 was given).
     */
    private PcapStreamServer openServer() throws CommandException {
        if (options.listenPort == null) {
            return null;
        }
        String shown = options.listenHost + ":" + options.listenPort;
        PcapStreamServer server;
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(options.listenHost),
                    options.listenPort);
            server = PcapStreamServer.open(address, PcapStreamServer.DEFAULT_CLIENT_BUFFER, client -> {
                if (options.verbose) {
                    stderr.println("panatap: stream client " + hostPort(client) + " connected");
                }
            });
        } catch (IOException | RuntimeException e) {
            throw new CommandException("--listen " + shown + ": cannot listen (" + e.getMessage() + ")", e);
        }
        InetSocketAddress bound = server.address();
        stderr.println("panatap: serving a pcap stream on " + hostPort(bound));
        return server;
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** {@code --listen}: one line per client that connected, after tcpdump's statistics. */
    static void printStreamStats(PrintStream err, PcapStreamServer server) {
        if (server == null) {
            return;
        }
        for (PcapStreamServer.ClientStats c : server.clients()) {
            err.print(plural(c.sent()) + " sent to stream client " + hostPort(c.address()) + ", " + c.lost()
                    + " lost (client too slow)" + (c.disconnected() ? ", client disconnected" : "") + "\n");
        }
        err.flush();
    }

    /** {@code -Z USER}: after the sockets are open and before any file is created, like tcpdump. */
    private void dropPrivileges() throws CommandException {
        if (options.user == null) {
            return;
        }
        try {
            UserSwitch.Account account = UserSwitch.dropTo(options.user);
            if (options.verbose) {
                stderr.println("panatap: running as user " + account.name() + " (uid " + account.uid() + ", gid "
                        + account.gid() + ")");
            }
        } catch (CaptureException e) {
            throw new CommandException(e.getMessage(), e);
        }
    }

    /**
     * A failure to open the capture, with the command's advice for the reasons it has options for: the
     * library's message names the problem, the command knows its own options.
     */
    static String describeOpening(CaptureException e, String where) {
        return switch (e.reason()) {
            case NO_SUCH_INTERFACE -> e.getMessage() + " (see panatap -D)";
            case OUT_OF_MEMORY -> e.getMessage() + ": lower the ring size (-B)";
            default -> describe(e, where);
        };
    }

    static String describe(CaptureException e, String where) {
        return switch (e.reason()) {
            case NO_SUCH_INTERFACE, INTERFACE_DOWN, PERMISSION_DENIED, OUT_OF_MEMORY, NATIVE_ACCESS_DENIED -> e.getMessage();
            default -> e.getMessage() + " (capturing on " + where + ")";
        };
    }

    /** {@code -D}: tcpdump's list, numbered 1..N ({@code -i} accepts the number). */
    private void listInterfaces() throws IOException {
        TextOutput out = new TextOutput(stdout, 4096);
        out.append(InterfaceList.format(InterfaceList.ordered(NetworkInterfaces.list())));
        out.flush();
    }

    /**
     * A compiled packet loop from the first packet: the JIT warm-up runs before the socket opens. Run beside
     * open(), or after it on this thread with packets waiting in the ring, it reached "ready" sooner but the
     * live bench then lost more packets in 300,000 packets/s runs (bench/RESULTS.md, "Where the warm-up
     * runs"). Rows: the ring walk and the parser over a repeated frame (40-75 ms of CPU). {@code -w}: instead,
     * synthetic connections through a {@link PacketSink} with a writer of the file's kind that writes nowhere,
     * so that the JIT compiles the walk with the writer inlined. {@code --flows} and {@code --follow}: both,
     * the second through a flow table whose rows and streams go nowhere. Measured in bench/RESULTS.md,
     * "-w from the first packet" and "Flows from the first packet".
     */
    void warmUp() throws CommandException {
        if (options.writeFile == null && !options.flows && options.followDir == null) {
            PacketCapture.warmUp();
            return;
        }
        TextOutput nowhere = new TextOutput(OutputStream.nullOutputStream(), 64 * 1024);
        if (options.writeFile != null) {
            PacketCapture.warmUp(new PacketSink(formatter(), nowhere, Writers.forWarmUp(options), null, 0));
        } else {
            PacketCapture.warmUp(); // without it first the live bench lost more
            PacketCapture.warmUp(new PacketSink(formatter(), nowhere, null, null, 0)
                    .flows(FlowRows.forWarmUp(options, nowhere)).listener()); // batches, as the capture's
        }
    }

    private RowFormatter formatter() {
        return switch (options.format) {
            case TABLE -> new TableFormatter(TableFormatter.Clock.WALL);
            case LINE -> new LineFormatter(options.allInterfaces(), ZoneId.systemDefault(), options);
            case JSON -> new JsonFormatter(options);
        };
    }

    /** tcpdump's statistics lines, with its singular/plural. */
    static void printStats(PrintStream err, long captured, CaptureStats stats) {
        err.print(plural(captured) + " captured\n"
                + plural(stats.received()) + " received by filter\n"
                + plural(stats.dropped()) + " dropped by kernel\n");
        err.flush();
    }

    /**
     * After the statistics, when rows were left out because {@code -s} cut their packets before the TCP
     * ports: how many, so that a small snap length does not pass for a quiet link. Nothing when none was.
     */
    static void printCut(PrintStream err, long cut, int snapLength) {
        if (cut > 0) {
            err.print(plural(cut) + " cut by the snap length (-s " + snapLength + ") before the TCP ports, not shown\n");
            err.flush();
        }
    }

    static String plural(long n) {
        return n + (n == 1 ? " packet" : " packets");
    }

    /**
     * Milliseconds since the process started (the launcher script's {@code exec} keeps the process, so its time
     * counts too), or -1 if the system does not say. Read from {@code /proc}: the start time in clock ticks
     * since boot against {@code /proc/uptime}, both 10 ms exact; {@code ProcessHandle}'s start instant adds
     * the whole-second boot time and can be a second off.
     */
    static long sinceLaunchMillis() {
        try {
            String uptime = Files.readString(Path.of("/proc/uptime"));
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name in parentheses: state is field 3, starttime field 22.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(fields[22 - 3]);
            double upSeconds = Double.parseDouble(uptime.substring(0, uptime.indexOf(' ')));
            return Math.round(upSeconds * 1000) - startTicks * 1000 / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().info().startInstant()
                    .map(start -> Duration.between(start, Instant.now()).toMillis()).orElse(-1L);
        }
    }

    /** Longest wait of a poll that finds nothing: the wake-ups of an idle capture. */
    static final Duration IDLE_POLL_TIMEOUT = Duration.ofSeconds(1);
    /** Block timeout when only a file is written: latency is not watched there, wake-ups cost CPU. */
    static final Duration FILE_BLOCK_TIMEOUT = Duration.ofMillis(200);

    /** {@code sysconf(_SC_CLK_TCK)}: 100 on every Linux architecture's user ABI. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;
}
