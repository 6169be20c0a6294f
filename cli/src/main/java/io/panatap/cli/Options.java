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

    static final String HELP = """
            Usage: panatap [options] [expression]
            Captures TCP segments (IPv4 and IPv6) from a Linux AF_PACKET socket, or reads a capture file.

              -i, --interface IFACE   capture on IFACE, or on number IFACE of -D (default: all interfaces;
                                      "any" also means all)
              -D, --list-interfaces   list the interfaces that can be captured on, then exit
              -Q, --direction DIR     in, out or inout (default: in, received segments only)
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
              -w FILE                 write packets to a pcap FILE ("-" = standard output), print no rows
              --workers N             capture with N threads, packets spread by flow (default 1); rows of
                                      different workers never mix inside a line; with -w, one file per
                                      worker: -w out.pcap writes out-0.pcap, out-1.pcap, ...
              -Z, --relinquish-privileges USER
                                      once the capture is open, switch to USER (needs root): capture
                                      continues without privileges and -w files belong to USER
              -r FILE                 read packets from a pcap or pcapng FILE ("-" = standard input) instead
                                      of capturing; a pipe is read as its records arrive
              -F FILE                 read the filter expression from FILE
              -d                      print the compiled filter program, then exit
              -n, -N, -f              accepted for tcpdump compatibility (output is always numeric)
              -l, -U, --immediate-mode, --packet-buffered
                                      accepted for tcpdump compatibility (output is flushed per batch)
              -S, --absolute-tcp-sequence-numbers
                                      accepted for tcpdump compatibility (sequence numbers are absolute)
              -K, --dont-verify-checksums
                                      accepted for tcpdump compatibility (checksums are not verified)
              -q                      accepted, no effect
              --format FORMAT         table (default), line (tcpdump style) or json (one object per line)
              -v, --verbose           report start-up time and more detail on errors
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
    long count;
    int snapLength = MAX_SNAPLEN;
    int bufferKiB;
    boolean promiscuous = true;
    String writeFile;
    String readFile;
    String filterFile;
    String filterExpression;
    boolean dumpFilter;
    /** {@code --flows}: connection rows instead of segment rows. */
    boolean flows;
    /** {@code --follow DIR}: reassembled streams to files in DIR; null when not given. */
    String followDir;
    OutputFormat format = OutputFormat.TABLE;
    boolean formatGiven;
    boolean verbose;
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
                interfaceGiven |= option == 'i';
                directionGiven |= option == 'Q';
                captureOnly |= option == 'B' || option == 'p' || option == 'W' || option == 'Z';
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
                interfaceGiven |= option == 'i';
                directionGiven |= option == 'Q';
                captureOnly |= option == 'B' || option == 'p' || option == 'W' || option == 'Z';
            }
        }
        if (!expression.isEmpty()) {
            o.filterExpression = String.join(" ", expression);
        }
        if (o.help || o.version) {
            return o;
        }
        if (o.readFile != null && (interfaceGiven || directionGiven || captureOnly || o.listInterfaces)) {
            throw new UsageException("-r reads a file: -i, -Q, -B, -p, -D, -Z and --workers apply to live capture only");
        }
        if (o.writeFile != null && o.formatGiven) {
            throw new UsageException("-w writes packets, not rows: --format cannot be used with -w");
        }
        if (o.workers > 1 && "-".equals(o.writeFile)) {
            throw new UsageException("with --workers, -w writes one file per worker: give it a file name, not - (standard output)");
        }
        if (o.writeFile != null && (o.flows || o.followDir != null)) {
            throw new UsageException("-w writes packets: --flows and --follow cannot be used with -w");
        }
        if (o.followDir != null && !o.flows && o.formatGiven) {
            throw new UsageException("--follow alone prints nothing: --format applies with --flows");
        }
        if (o.filterFile != null && o.filterExpression != null) {
            throw new UsageException("give the filter either with -F or on the command line, not both");
        }
        return o;
    }

    private static boolean isShort(char c) {
        return "DdhlnNfpUSKqvicsBwrFQZ".indexOf(c) >= 0;
    }

    private static boolean takesValue(char c) {
        return "icsBwrFQoWZg".indexOf(c) >= 0;
    }

    /**
     * Long option names; {@code 'o'} stands for {@code --format}, {@code 'W'} for {@code --workers}, {@code 'G'}
     * for {@code --flows} and {@code 'g'} for {@code --follow}, which have no short form ({@code -f} and
     * {@code -W} are tcpdump's).
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
            case "workers" -> 'W';
            case "flows" -> 'G';
            case "follow" -> 'g';
            case "relinquish-privileges" -> 'Z';
            case "verbose" -> 'v';
            case "help" -> 'h';
            case "packet-buffered" -> 'U';
            case "immediate-mode" -> 'l';
            case "absolute-tcp-sequence-numbers" -> 'S';
            case "dont-verify-checksums" -> 'K';
            case "version" -> 'V';
            default -> 0;
        };
    }

    private void apply(char option, String value, String shown) throws UsageException {
        switch (option) {
            case 'D' -> listInterfaces = true;
            case 'd' -> dumpFilter = true;
            case 'h' -> help = true;
            case 'V' -> version = true;
            case 'v' -> verbose = true;
            case 'p' -> promiscuous = false;
            case 'n', 'N', 'f', 'l', 'U', 'S', 'K', 'q' -> {
                // tcpdump options that are always in effect here (-q: accepted, no effect).
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
            case 'W' -> workers = (int) number(value, shown, 1, MAX_WORKERS);
            case 'Z' -> {
                if (value.isEmpty()) {
                    throw new UsageException(shown + " needs a user name");
                }
                user = value;
            }
            case 'r' -> readFile = nonEmpty(value, shown);
            case 'G' -> flows = true;
            case 'g' -> {
                if (value.isEmpty()) {
                    throw new UsageException(shown + " needs a directory name");
                }
                followDir = value;
            }
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
