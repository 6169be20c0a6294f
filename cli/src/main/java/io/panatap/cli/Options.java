package io.panatap.cli;

import io.panatap.Direction;

import java.util.ArrayList;
import java.util.List;

/**
 * The parsed command line. Parsing follows getopt as tcpdump uses it: short options may be grouped
 * ({@code -nv}), a value may be attached ({@code -c5}) or follow ({@code -c 5}), options and the filter
 * expression may come in any order, and {@code --} ends the options.
 */
final class Options {
    /** tcpdump's default and maximum snap length; {@code -s 0} means this. */
    static final int MAX_SNAPLEN = io.panatap.PacketSource.DEFAULT_SNAP_LENGTH;
    /** Largest {@code -B} value accepted (4 GiB of ring). */
    static final int MAX_BUFFER_KIB = 4 * 1024 * 1024;
    /** Largest {@code --workers} value accepted. */
    static final int MAX_WORKERS = io.panatap.capture.CaptureGroup.Builder.MAX_WORKERS;
    /** The PCAP-over-IP convention's port, documented for {@code --listen}. */
    static final int PCAP_OVER_IP_PORT = 57012;
    /** Option codes of the long options that have no short form ({@code -W} is tcpdump's file count). */
    private static final char WORKERS = '\u0100';
    private static final char LISTEN = '\u0101';
    /** Stands for {@code --pcapng}, which has no short form. */
    private static final char PCAPNG = '\u0102';
    /** Stand for {@code --flows} and {@code --follow}, which have no short form. */
    private static final char FLOWS = '\u0103';
    private static final char FOLLOW = '\u0104';
    /** Stand for {@code --flow-limit} and {@code --flow-timeout}. */
    private static final char FLOW_LIMIT = '\u0105';
    private static final char FLOW_TIMEOUT = '\u0106';
    /** The most flows {@code --flow-limit} accepts: some 4 GB of table (about 250 bytes per flow). */
    static final int MAX_FLOW_LIMIT = 1 << 24;
    /** The longest {@code --flow-timeout}: a year. */
    static final long MAX_FLOW_TIMEOUT_SECONDS = 365L * 24 * 3600;

    static final String HELP = """
            Usage: panatap [options] [expression]
            Captures TCP segments (IPv4 and IPv6) from a Linux AF_PACKET socket, or reads a capture file.

              -i, --interface IFACE   capture on IFACE, or on number IFACE of -D (default: all interfaces;
                                      "any" also means all)
              -D, --list-interfaces   list the interfaces that can be captured on, then exit
              -Q, --direction DIR     in, out or inout (default: in, received segments only, for rows;
                                      inout, both directions, with -w and --listen, as tcpdump writes)
              -c, --count N           stop after N segments (with -w: after N packets written)
              -s, --snapshot-length N bytes kept per packet (0 or default: 262144)
              -B, --buffer-size KiB   size of the kernel ring buffer
              -p, --no-promiscuous-mode  do not put the interface into promiscuous mode
              --flows                 one row per TCP connection when it ends (closed, reset, timed out or
                                      still open at the end) instead of one per segment: addresses, ports,
                                      how it ended, duration, handshake RTT, packets, bytes and
                                      retransmissions each way; -c counts segments
              --follow DIR            write each connection's reassembled byte streams to files in DIR (made
                                      if missing), one per direction, named SRC.PORT-DST.PORT as tcpflow
                                      does; without --flows nothing is printed
              --flow-limit N          with --flows or --follow: the most connections tracked at once, per
                                      worker (default 65536); a new one then evicts the least recently active
              --flow-timeout SECONDS  with --flows or --follow: a connection idle this long (capture time)
                                      ends as timed out (default 300)
              -w FILE                 write packets to a pcap FILE ("-" = standard output), print no rows;
                                      pcapng when FILE ends in .pcapng; on all interfaces a pcap file is
                                      Linux cooked v2 (SLL2), as tcpdump -i any writes
              --pcapng                write -w as pcapng whatever its name (interfaces, directions and
                                      statistics recorded)
              -C SIZE                 with -w: start a new file when the current one is larger than SIZE
                                      million bytes (SIZEk/m/g: KiB, MiB, GiB); files FILE, FILE1, FILE2, ...
              -G SECONDS              with -w: start a new file every SECONDS (on the first packet after
                                      them); FILE may hold strftime conversions %Y %m %d %H %M %S %s %j %y
                                      %b %a %F %T %%, expanded at the local time each file starts
              -W COUNT                with -C: a ring of COUNT files, FILE0 .. FILE<COUNT-1> (numbers zero-
                                      padded to the same width), the oldest overwritten; with -G alone:
                                      stop after COUNT files
              -z COMMAND              with -C or -G: run COMMAND FILE (no shell, not waited for, at the
                                      lowest priority, as the -Z user) on each file a rotation finished,
                                      as tcpdump does (not on the file open at the stop)
              --listen [ADDR:]PORT    serve the capture as a pcap stream (PCAP-over-IP, conventionally port
                                      57012; 0 picks a free port) to every client that connects, on
                                      127.0.0.1 unless ADDR is given; with rows or -w. A slow client loses
                                      packets (reported at the end), never slows the capture; on all
                                      interfaces the stream is Linux cooked v2 (SLL2), as -w
              --workers N             capture with N threads, packets spread by flow (default 1); rows of
                                      different workers never mix inside a line; with -w, one file per
                                      worker: -w out.pcap writes out-0.pcap, out-1.pcap, ... (rotated:
                                      out-0.pcap1, ...)
              -Z, --relinquish-privileges USER
                                      once the capture is open, switch to USER (needs root): capture
                                      continues without privileges and -w files belong to USER
              -r FILE                 read packets from a pcap or pcapng FILE ("-" = standard input) instead
                                      of capturing; a pipe is read as its records arrive; -r tcp://HOST:PORT
                                      reads a PCAP-over-IP stream (panatap --listen, Arkime's convention)
              -F FILE                 read the filter expression from FILE
              -d, -dd, -ddd           print the compiled filter program (listing, C array, decimal numbers,
                                      as tcpdump), then exit
              -n, -N, -f              accepted for tcpdump compatibility (output is always numeric)
              -U, --packet-buffered, -l, --immediate-mode
                                      with -w, write packets as they arrive (otherwise up to 200 ms
                                      later); rows are always flushed per batch (about 10 ms)
              -S, --absolute-tcp-sequence-numbers
                                      accepted for tcpdump compatibility (sequence numbers are absolute)
              -K, --dont-verify-checksums
                                      with -v, do not check IP and TCP checksums (--format line)
              -q                      --format line: tcpdump's short line (IP a.p > b.q: tcp N)
              --format FORMAT         table (default), line (tcpdump style) or json (one object per line)
              -e                      line: print the link-level header (MAC addresses, EtherType, VLAN
                                      tags, Linux cooked header fields); json: srcMac, dstMac, etherType,
                                      vlans, wireLength
              -x, -xx                 line: hex dump of each packet from the IP header (-xx: whole frame)
              -X, -XX                 line: hex and ASCII dump (-XX: whole frame)
              -A                      line: ASCII dump from the IP header (-AA: whole frame)
              -t, -tt, -ttt, -tttt, -ttttt
                                      line: no time, epoch seconds, delta from the previous row, date and
                                      time, delta from the first row
              --time-stamp-precision micro|nano, --micro, --nano
                                      timestamp digits of line and json rows; with -w a nanosecond pcap
              -#, --number            line: number the rows; json: a "number" key
                                      (-e, -x, -X, -A, -t, -# and the precision select --format line
                                      when no --format is given; the table refuses them)
              -v, --verbose           say when the capture is ready (stderr); --format line: tcpdump -v's
                                      IP header fields and TCP checksum check (-vv: more)
              -h, --help              print this help
              --version               print the version
              expression              a tcpdump filter expression, e.g. "tcp port 22"
            Other tcpdump options are refused with one line naming the closest panatap option.

            Exit status: 0 after a normal stop, 1 on a capture error, 2 on a usage error.""";

    boolean listInterfaces;
    int workers = 1;
    String user;
    String interfaceName;
    /** {@code -Q}: the directions captured, as {@code PacketCapture.Builder.directions} takes them. */
    List<Direction> directions = List.of(Direction.IN);
    /** Rows show received segments only although both directions are captured (rows beside {@code --listen}). */
    boolean receivedRowsOnly;
    long count;
    int snapLength = MAX_SNAPLEN;
    int bufferKiB;
    boolean promiscuous = true;
    String writeFile;
    /** {@code --pcapng}: write {@code -w} as pcapng whatever its name. */
    boolean pcapng;
    /** {@code -C}: bytes; 0 when not given. */
    long rotateBytes;
    /** {@code -G}: seconds; 0 when not given. */
    int rotateSeconds;
    /** {@code -W}: 0 when not given. */
    int fileCount;
    /** {@code -z}: the program run on each file a rotation finished, null when not given. */
    String postRotateCommand;
    /** {@code --listen}: the address to bind ({@code 127.0.0.1} unless given) and port; null port when not given. */
    String listenHost;
    Integer listenPort;
    /** -U, -l, --immediate-mode: with -w, hand each packet to the file promptly (else the kernel may hold it 200 ms). */
    boolean packetBuffered;
    String readFile;
    String filterFile;
    String filterExpression;
    boolean dumpFilter;
    /** How often {@code -d} was given: 1 the listing, 2 a C array ({@code -dd}), 3 decimal numbers ({@code -ddd}). */
    int dumpLevel;
    /** {@code --flows}: connection rows instead of segment rows. */
    boolean flows;
    /** {@code --follow DIR}: reassembled streams to files in DIR; null when not given. */
    String followDir;
    /** {@code --flow-limit N}: the flow table's size; 0 when not given (the table's default). */
    int flowLimit;
    /** {@code --flow-timeout SECONDS}: the flows' idle timeout; 0 when not given (the table's default). */
    long flowTimeoutSeconds;
    OutputFormat format = OutputFormat.TABLE;
    boolean formatGiven;
    boolean verbose;
    /** How many {@code -v} were given (tcpdump's detail in {@code --format line}). */
    int verbosity;
    /** {@code -q}: tcpdump's short line ({@code tcp N}). */
    boolean quiet;
    /** {@code -K}: no checksum checks with {@code -v}. */
    boolean noChecksums;
    /** {@code -e}, {@code -t} (times given: tcpdump's timestamp mode 0..5), {@code -#}. */
    boolean linkHeader;
    int timestampMode;
    boolean packetNumbers;
    /** How often {@code -x}, {@code -X} and {@code -A} were given (2 or more: dump the link header too). */
    int hexCount;
    int hexAsciiCount;
    int asciiCount;
    /** {@code --time-stamp-precision nano} or {@code --nano}: nanosecond timestamps (and -w file). */
    boolean nanoPrecision;
    /** A precision option was given (JSON then prints the time with that many digits). */
    boolean precisionGiven;
    /** The first line view option given (for messages), null when none. */
    String viewOption;
    boolean help;
    boolean version;

    private Options() {
    }

    /** True when every interface is captured ({@code -i} absent or {@code any}). */
    boolean allInterfaces() {
        return interfaceName == null || interfaceName.equals("any");
    }

    static Options parse(String... args) throws UsageException {
        Options o = new Options();
        List<String> expression = new ArrayList<>();
        boolean interfaceGiven = false;
        boolean directionGiven = false;
        boolean captureOnly = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                expression.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
                char option = longToShort(name);
                TcpdumpOptions.Unsupported unsupported = option == 0 ? TcpdumpOptions.ofLong(name) : null;
                if (unsupported != null) {
                    if (unsupported.takesValue() && eq < 0 && i + 1 < args.length) {
                        i++; // tcpdump's value, so that it is not taken for the expression
                    }
                    throw new UsageException(unsupported.message("--" + name));
                }
                if (option == 0) {
                    throw new UsageException("unknown option '" + (eq < 0 ? arg : arg.substring(0, eq)) + "'");
                }
                String value = null;
                if (takesValue(option)) {
                    if (eq >= 0) {
                        value = arg.substring(eq + 1);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new UsageException("option --" + name + " needs a value");
                    }
                } else if (eq >= 0) {
                    throw new UsageException("option --" + name + " takes no value");
                }
                o.apply(option, value, "--" + name);
                o.noteView(option, "--" + name);
                interfaceGiven |= option == 'i';
                directionGiven |= option == 'Q';
                captureOnly |= option == 'B' || option == 'p' || option == WORKERS || option == 'Z'
                        || option == LISTEN;
                continue;
            }
            if (arg.length() < 2 || arg.charAt(0) != '-') {
                expression.add(arg);
                continue;
            }
            for (int j = 1; j < arg.length(); j++) {
                char option = arg.charAt(j);
                TcpdumpOptions.Unsupported unsupported = isShort(option) ? null : TcpdumpOptions.ofShort(option);
                if (unsupported != null) {
                    throw new UsageException(unsupported.message("-" + option));
                }
                if (!isShort(option)) {
                    throw new UsageException("unknown option '-" + option + "'");
                }
                String value = null;
                if (takesValue(option)) {
                    if (j + 1 < arg.length()) {
                        value = arg.substring(j + 1);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new UsageException("option -" + option + " needs a value");
                    }
                    j = arg.length();
                }
                o.apply(option, value, "-" + option);
                o.noteView(option, "-" + option);
                interfaceGiven |= option == 'i';
                directionGiven |= option == 'Q';
                captureOnly |= option == 'B' || option == 'p' || option == WORKERS || option == 'Z'
                        || option == LISTEN;
            }
        }
        if (!expression.isEmpty()) {
            o.filterExpression = String.join(" ", expression);
        }
        if (o.help || o.version) {
            return o;
        }
        if (o.readFile != null && (interfaceGiven || directionGiven || captureOnly || o.listInterfaces)) {
            throw new UsageException("-r reads a file: -i, -Q, -B, -p, -D, -Z, --workers and --listen apply to live"
                    + " capture only");
        }
        if ((o.writeFile != null || o.listenPort != null) && !directionGiven) {
            // A file and a --listen stream keep both halves, as tcpdump's file; rows printed beside a stream
            // keep their default of received segments.
            o.directions = List.of(Direction.IN, Direction.OUT);
            o.receivedRowsOnly = o.writeFile == null;
        }
        if (o.pcapng && o.writeFile == null) {
            throw new UsageException("--pcapng sets the format of the -w file: give -w FILE too");
        }
        checkRotation(o);
        o.checkViews();
        if (o.writeFile != null && o.formatGiven) {
            throw new UsageException("-w writes packets, not rows: --format cannot be used with -w");
        }
        if (o.workers > 1 && "-".equals(o.writeFile)) {
            throw new UsageException("with --workers, -w writes one file per worker: give it a file name, not - (standard output)");
        }
        if (o.writeFile != null && (o.flows || o.followDir != null)) {
            throw new UsageException("-w writes packets: --flows and --follow cannot be used with -w");
        }
        if ((o.flowLimit != 0 || o.flowTimeoutSeconds != 0) && !o.flows && o.followDir == null) {
            throw new UsageException((o.flowLimit != 0 ? "--flow-limit" : "--flow-timeout")
                    + " sets up the flow table: it applies with --flows or --follow");
        }
        if (o.followDir != null && !o.flows && o.formatGiven) {
            throw new UsageException("--follow alone prints nothing: --format applies with --flows");
        }
        if (o.filterFile != null && o.filterExpression != null) {
            throw new UsageException("give the filter either with -F or on the command line, not both");
        }
        return o;
    }

    /** {@code -C}, {@code -G} and {@code -W} as tcpdump takes them. */
    private static void checkRotation(Options o) throws UsageException {
        if (o.rotateBytes == 0 && o.rotateSeconds == 0 && o.fileCount == 0) {
            return;
        }
        if (o.writeFile == null || o.writeFile.equals("-")) {
            throw new UsageException("-C, -G and -W rotate -w files: give -w a file name");
        }
        if (o.fileCount > 0 && o.rotateBytes == 0 && o.rotateSeconds == 0) {
            throw new UsageException("-W counts rotated files: use it with -C or -G");
        }
        if (o.rotateSeconds > 0) {
            String problem = FileNames.check(o.writeFile);
            if (problem != null) {
                throw new UsageException("-w " + o.writeFile + ": " + problem);
            }
        }
    }

    /** The rotation options for {@link RotatingWriter}. */
    RotatingWriter.Limits rotation() {
        return new RotatingWriter.Limits(rotateBytes, rotateSeconds, fileCount);
    }

    private static boolean isShort(char c) {
        return "DdhlnNfpUSKqvicsBwrFQZCGWzexXAt#".indexOf(c) >= 0;
    }

    private static boolean takesValue(char c) {
        return c == WORKERS || c == LISTEN || c == FOLLOW || c == FLOW_LIMIT || c == FLOW_TIMEOUT
                || "icsBwrFQoZCGWz1".indexOf(c) >= 0;
    }

    /**
     * Long option names; {@code 'o'} stands for {@code --format}, {@link #WORKERS} for {@code --workers} and
     * {@link #LISTEN} for {@code --listen}, {@link #FLOWS} and {@link #FOLLOW} for {@code --flows} and
     * {@code --follow}, {@link #FLOW_LIMIT} and {@link #FLOW_TIMEOUT} for {@code --flow-limit} and
     * {@code --flow-timeout}, {@link #PCAPNG} for
     * {@code --pcapng}, and {@code '1'}, {@code '2'}, {@code '3'} for {@code --time-stamp-precision}, {@code --micro}
     * and {@code --nano}, which have no short form ({@code -f} and {@code -W} are tcpdump's).
     */
    private static char longToShort(String name) {
        return switch (name) {
            case "interface" -> 'i';
            case "list-interfaces" -> 'D';
            case "direction" -> 'Q';
            case "count" -> 'c';
            case "snapshot-length" -> 's';
            case "buffer-size" -> 'B';
            case "no-promiscuous-mode" -> 'p';
            case "format" -> 'o';
            case "workers" -> WORKERS;
            case "listen" -> LISTEN;
            case "flows" -> FLOWS;
            case "follow" -> FOLLOW;
            case "flow-limit" -> FLOW_LIMIT;
            case "flow-timeout" -> FLOW_TIMEOUT;
            case "relinquish-privileges" -> 'Z';
            case "verbose" -> 'v';
            case "help" -> 'h';
            case "packet-buffered" -> 'U';
            case "immediate-mode" -> 'l';
            case "absolute-tcp-sequence-numbers" -> 'S';
            case "dont-verify-checksums" -> 'K';
            case "version" -> 'V';
            case "pcapng" -> PCAPNG;
            case "number" -> '#';
            case "time-stamp-precision" -> '1';
            case "micro" -> '2';
            case "nano" -> '3';
            default -> 0;
        };
    }

    private void apply(char option, String value, String shown) throws UsageException {
        switch (option) {
            case 'D' -> listInterfaces = true;
            case PCAPNG -> pcapng = true;
            case 'd' -> {
                dumpFilter = true;
                dumpLevel++;
            }
            case 'h' -> help = true;
            case 'V' -> version = true;
            case 'v' -> {
                verbose = true;
                verbosity++;
            }
            case 'q' -> quiet = true;
            case 'K' -> noChecksums = true;
            case 'p' -> promiscuous = false;
            case 'U', 'l' -> packetBuffered = true; // -l, --immediate-mode: the lowest latency, also with -w
            case 'n', 'N', 'f', 'S' -> {
                // tcpdump options that are always in effect here.
            }
            case 'e' -> linkHeader = true;
            case 'x' -> hexCount++;
            case 'X' -> hexAsciiCount++;
            case 'A' -> asciiCount++;
            case 't' -> timestampMode++;
            case '#' -> packetNumbers = true;
            case '2' -> {
                nanoPrecision = false;
                precisionGiven = true;
            }
            case '3' -> {
                nanoPrecision = true;
                precisionGiven = true;
            }
            case '1' -> {
                precisionGiven = true;
                // tcpdump compares the prefix: "nanoseconds" is nano too.
                if (value.startsWith("nano")) {
                    nanoPrecision = true;
                } else if (value.startsWith("micro")) {
                    nanoPrecision = false;
                } else {
                    throw new UsageException(shown + " takes micro or nano, not '" + value + "'");
                }
            }
            case 'i' -> {
                if (value.isEmpty()) {
                    throw new UsageException(shown + " needs an interface name");
                }
                interfaceName = value;
            }
            case 'Q' -> directions = switch (value) {
                case "in" -> List.of(Direction.IN);
                case "out" -> List.of(Direction.OUT);
                case "inout" -> List.of(Direction.IN, Direction.OUT);
                default -> throw new UsageException(shown + " takes in, out or inout, not '" + value + "'");
            };
            case 'c' -> {
                count = number(value, shown, 1, Long.MAX_VALUE);
            }
            case 's' -> {
                long s = number(value, shown, 0, MAX_SNAPLEN);
                snapLength = s == 0 ? MAX_SNAPLEN : (int) s;
            }
            case 'B' -> bufferKiB = (int) number(value, shown, 4, MAX_BUFFER_KIB); // the ring needs a page
            case 'w' -> writeFile = nonEmpty(value, shown);
            case WORKERS -> workers = (int) number(value, shown, 1, MAX_WORKERS);
            case LISTEN -> listen(value, shown);
            case 'C' -> rotateBytes = fileSize(value, shown);
            case 'G' -> rotateSeconds = (int) number(value, shown, 1, Integer.MAX_VALUE);
            case 'W' -> fileCount = (int) number(value, shown, 1, Integer.MAX_VALUE);
            case 'z' -> {
                if (value.isEmpty()) {
                    throw new UsageException(shown + " needs a command");
                }
                postRotateCommand = value;
            }
            case 'Z' -> {
                if (value.isEmpty()) {
                    throw new UsageException(shown + " needs a user name");
                }
                user = value;
            }
            case 'r' -> readFile = nonEmpty(value, shown);
            case FLOWS -> flows = true;
            case FOLLOW -> {
                if (value.isEmpty()) {
                    throw new UsageException(shown + " needs a directory name");
                }
                followDir = value;
            }
            case FLOW_LIMIT -> flowLimit = (int) number(value, shown, 1, MAX_FLOW_LIMIT);
            case FLOW_TIMEOUT -> flowTimeoutSeconds = number(value, shown, 1, MAX_FLOW_TIMEOUT_SECONDS);
            case 'F' -> filterFile = nonEmpty(value, shown);
            case 'o' -> {
                format = switch (value) {
                    case "table" -> OutputFormat.TABLE;
                    case "line" -> OutputFormat.LINE;
                    case "json" -> OutputFormat.JSON;
                    default -> throw new UsageException(shown + " takes table, line or json, not '" + value + "'");
                };
                formatGiven = true;
            }
            default -> throw new UsageException("unknown option '" + shown + "'");
        }
    }

    /**
     * {@code -C}: millions of bytes, or with a suffix k/K, m/M, g/G KiB, MiB or GiB, as tcpdump (4.99.4 and
     * later) reads it.
     */
    private static long fileSize(String value, String shown) throws UsageException {
        long unit = 1_000_000;
        String digits = value;
        if (!value.isEmpty()) {
            char last = Character.toLowerCase(value.charAt(value.length() - 1));
            long suffixUnit = switch (last) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                default -> 0;
            };
            if (suffixUnit > 0) {
                unit = suffixUnit;
                digits = value.substring(0, value.length() - 1);
            }
        }
        try {
            long n = Long.parseLong(digits);
            if (n >= 1 && n <= Long.MAX_VALUE / unit) {
                return n * unit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(shown + " takes a file size in millions of bytes (or with k, m or g: KiB, MiB,"
                + " GiB), a whole number from 1, not '" + value + "'");
    }

    /** {@code --listen [ADDR:]PORT}; an IPv6 address in brackets ({@code [::1]:57012}). */
    private void listen(String value, String shown) throws UsageException {
        String host = "127.0.0.1";
        String port = value;
        int colon = value.lastIndexOf(':');
        if (colon >= 0) {
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw new UsageException(shown + ": write an IPv6 address in brackets, e.g. [::1]:"
                        + PCAP_OVER_IP_PORT);
            }
            if (host.isEmpty()) {
                throw new UsageException(shown + " takes [ADDR:]PORT, e.g. " + PCAP_OVER_IP_PORT
                        + " or 0.0.0.0:" + PCAP_OVER_IP_PORT + ", not '" + value + "'");
            }
        }
        listenHost = host;
        listenPort = (int) number(port, shown + " port", 0, 65535);
    }

    /** Remembers the first view option given (-e, -x, -X, -A, -t, -#, the precision options). */
    private void noteView(char option, String shown) {
        if (viewOption == null && "exXAt#123".indexOf(option) >= 0) {
            viewOption = shown;
        }
    }

    /**
     * The views are tcpdump's line options: given without {@code --format} they select the line format, the
     * table refuses them, and JSON takes those that add keys. Without rows ({@code -w}) only the precision
     * matters, as in tcpdump.
     */
    private void checkViews() throws UsageException {
        if (timestampMode > 5) {
            throw new UsageException("only -t, -tt, -ttt, -tttt and -ttttt are supported");
        }
        if (viewOption == null || writeFile != null) {
            return;
        }
        if (!formatGiven) {
            format = OutputFormat.LINE;
        } else if (format == OutputFormat.TABLE) {
            throw new UsageException(viewOption + " applies to --format line (and json); the table has fixed columns");
        } else if (format == OutputFormat.JSON && timestampMode > 0) {
            throw new UsageException("-t applies to --format line; --format json always prints the RFC 3339 time");
        }
    }

    /** True when a dump follows each line ({@code -x}, {@code -X}, {@code -A}). */
    boolean dumps() {
        return hexCount + hexAsciiCount + asciiCount > 0;
    }

    private static String nonEmpty(String value, String shown) throws UsageException {
        if (value.isEmpty()) {
            throw new UsageException(shown + " needs a file name");
        }
        return value;
    }

    private static long number(String value, String shown, long min, long max) throws UsageException {
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(shown + " takes a whole number from " + min + " to " + max + ", not '" + value + "'");
    }
}
