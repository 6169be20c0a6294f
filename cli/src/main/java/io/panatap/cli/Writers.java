package io.panatap.cli;

import io.panatap.parse.LinkType;
import io.panatap.pcap.CaptureFileWriter;
import io.panatap.pcap.PcapWriter;
import io.panatap.pcap.PcapngWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Locale;

/**
 * Opens the {@code -w} output: the one place that picks its format, and with {@code -C}/{@code -G} the
 * {@link RotatingWriter} whose every file is opened by {@link #create} too; also the pcap stream of
 * {@code --listen}. pcapng for a name ending in {@code .pcapng} or with {@code --pcapng}, classic pcap
 * otherwise; a classic file of a capture on all interfaces (whose frames start at the network layer) is
 * {@code LINKTYPE_LINUX_SLL2}, as {@code tcpdump -i any} writes it, so that interface, direction and
 * link-layer address survive.
 */
final class Writers {
    private Writers() {
    }

    /** The precision {@code -w} pcap files get: nanoseconds with {@code --time-stamp-precision nano} or {@code --nano}. */
    static PcapWriter.Precision precision(Options options) {
        return options.nanoPrecision ? PcapWriter.Precision.NANO : PcapWriter.Precision.MICRO;
    }

    /**
     * The link type of a classic pcap file or stream: the source's, except for a live capture on all
     * interfaces (frames from the network layer on), which is written as Linux cooked v2.
     */
    private static int classicLinkType(int linkType, boolean allInterfaces) {
        return allInterfaces && linkType == LinkType.RAW ? LinkType.LINUX_SLL2 : linkType;
    }

    /** True when {@code -w name} writes pcapng. */
    static boolean pcapng(Options options, String name) {
        return options.pcapng || name.toLowerCase(Locale.ROOT).endsWith(".pcapng");
    }

    /**
     * The {@code -w} output named {@code name} (the option's, or a worker's): one file, or rotated files
     * when the options ask for it, then with {@code -z} the command run on each finished file ({@code stderr}
     * hears when it cannot start). The other arguments are those of {@link #create}.
     */
    static CaptureFileWriter open(Options options, String name, int linkType, int snapLength,
                                  boolean allInterfaces, OutputStream stdout, PrintStream stderr)
            throws CommandException {
        RotatingWriter.Limits limits = options.rotation();
        if (!limits.rotates()) {
            return create(options, name, linkType, snapLength, allInterfaces, stdout);
        }
        RotatingWriter.Factory factory = file -> {
            try {
                return create(options, file, linkType, snapLength, allInterfaces, stdout);
            } catch (CommandException e) {
                throw new IOException(e.getMessage(), e);
            }
        };
        try {
            RotatingWriter writer = new RotatingWriter(name, limits, factory, () -> System.currentTimeMillis() / 1000,
                    ZoneId.systemDefault());
            if (options.postRotateCommand != null) {
                writer.onFinished(new PostRotateCommand(options.postRotateCommand, stderr)::run);
            }
            return writer;
        } catch (IOException e) {
            throw new CommandException(e.getMessage(), e);
        }
    }

    /**
     * A classic pcap stream to {@code out} (the {@code --listen} server's), little-endian, microseconds; on all
     * interfaces Linux cooked v2, as a {@code -w} file.
     */
    static CaptureFileWriter stream(OutputStream out, int linkType, int snapLength, boolean allInterfaces)
            throws CommandException {
        try {
            return PcapWriter.create(out, "the --listen stream", classicLinkType(linkType, allInterfaces), snapLength,
                    PcapWriter.Precision.MICRO);
        } catch (IOException e) {
            throw new CommandException("cannot start the --listen stream (" + e.getMessage() + ")", e);
        }
    }

    /**
     * For the JIT warm-up before a live {@code -w} capture: a writer of the kind the file gets (pcap or
     * pcapng, for an Ethernet capture) that writes nowhere.
     */
    static CaptureFileWriter forWarmUp(Options options) throws CommandException {
        try {
            return onStream(options, pcapng(options, options.writeFile), LinkType.ETHERNET, options.snapLength,
                    false, OutputStream.nullOutputStream(), "the warm-up");
        } catch (IOException e) {
            throw new CommandException("cannot start the warm-up writer (" + e.getMessage() + ")", e);
        }
    }

    private static CaptureFileWriter onStream(Options options, boolean pcapng, int linkType, int snapLength,
                                              boolean allInterfaces, OutputStream out, String outName)
            throws IOException {
        return pcapng ? PcapngWriter.create(out, outName, snapLength, allInterfaces, application())
                : PcapWriter.create(out, outName, classicLinkType(linkType, allInterfaces), snapLength,
                precision(options));
    }

    /** The pcapng section header's {@code shb_userappl}. */
    private static String application() {
        return "panatap " + Main.version();
    }

    /**
     * One writer for {@code name}, {@code -} meaning standard output. {@code linkType} is the source's link
     * type (pcapng describes each packet's own interface instead); {@code allInterfaces} is true for a live
     * capture on all interfaces.
     */
    static CaptureFileWriter create(Options options, String name, int linkType, int snapLength,
                                    boolean allInterfaces, OutputStream stdout) throws CommandException {
        boolean pcapng = pcapng(options, name);
        int fileLinkType = classicLinkType(linkType, allInterfaces);
        // A cooked header makes each record 20 bytes longer: the snap length covers it, as libpcap's does.
        if (name.equals("-")) {
            try {
                return onStream(options, pcapng, linkType, snapLength, allInterfaces, stdout, "standard output");
            } catch (IOException e) {
                throw new CommandException("cannot write the " + (pcapng ? "pcapng" : "pcap")
                        + " header to standard output (" + e.getMessage() + ")", e);
            }
        }
        Path path;
        try {
            path = Path.of(name).toAbsolutePath();
        } catch (RuntimeException e) {
            throw new CommandException(name + ": not a usable file name for -w", e);
        }
        Path parent = path.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new CommandException(name + ": directory " + parent + " does not exist; create it or choose "
                    + "another path for -w");
        }
        try {
            return pcapng ? PcapngWriter.create(path, snapLength, allInterfaces, application())
                    : PcapWriter.create(path, fileLinkType, snapLength, precision(options));
        } catch (IOException | RuntimeException e) {
            throw new CommandException(name + ": cannot create the -w file (" + e.getMessage()
                    + "); choose a writable path", e);
        }
    }
}
