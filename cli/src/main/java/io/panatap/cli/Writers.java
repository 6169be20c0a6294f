package io.panatap.cli;

import io.panatap.pcap.PcapWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;

/**
 * Opens the {@code -w} file, or with {@code -C}/{@code -G} the {@link RotatingWriter} whose every file is
 * opened by {@link #create} too, and the pcap stream of {@code --listen}.
 */
final class Writers {
    private Writers() {
    }

    /**
     * The {@code -w} output named {@code name} (the option's, or a worker's): one file, or rotated files
     * when the options ask for it.
     */
    static PacketWriter open(Options options, String name, int linkType, int snapLength, OutputStream stdout)
            throws CommandException {
        PacketWriter.Factory factory = file -> {
            try {
                return PacketWriter.of(create(file, linkType, snapLength, stdout));
            } catch (CommandException e) {
                throw new IOException(e.getMessage(), e);
            }
        };
        RotatingWriter.Limits limits = options.rotation();
        if (!limits.rotates()) {
            return PacketWriter.of(create(name, linkType, snapLength, stdout));
        }
        try {
            return new RotatingWriter(name, limits, factory, () -> System.currentTimeMillis() / 1000,
                    ZoneId.systemDefault());
        } catch (IOException e) {
            throw new CommandException(e.getMessage(), e);
        }
    }

    /** A classic pcap stream to {@code out} (the {@code --listen} server's), little-endian, microseconds. */
    static PacketWriter stream(OutputStream out, int linkType, int snapLength) throws CommandException {
        try {
            return PacketWriter.of(PcapWriter.create(out, "the --listen stream", linkType, snapLength,
                    PcapWriter.Precision.MICRO));
        } catch (IOException e) {
            throw new CommandException("cannot start the --listen stream (" + e.getMessage() + ")", e);
        }
    }

    /** A pcap writer for {@code name}, {@code -} meaning standard output. */
    static PcapWriter create(String name, int linkType, int snapLength, OutputStream stdout) throws CommandException {
        if (name.equals("-")) {
            try {
                return PcapWriter.create(stdout, "standard output", linkType, snapLength, PcapWriter.Precision.MICRO);
            } catch (IOException e) {
                throw new CommandException("cannot write the pcap header to standard output (" + e.getMessage() + ")", e);
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
            return PcapWriter.create(path, linkType, snapLength, PcapWriter.Precision.MICRO);
        } catch (IOException | RuntimeException e) {
            throw new CommandException(name + ": cannot create the -w file (" + e.getMessage()
                    + "); choose a writable path", e);
        }
    }
}
