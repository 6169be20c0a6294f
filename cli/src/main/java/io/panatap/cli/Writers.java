package io.panatap.cli;

import io.panatap.pcap.PcapWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the {@code -w} file. */
final class Writers {
    private Writers() {
    }

    /** The precision {@code -w} files get: nanoseconds with {@code --time-stamp-precision nano} or {@code --nano}. */
    static PcapWriter.Precision precision(Options options) {
        return options.nanoPrecision ? PcapWriter.Precision.NANO : PcapWriter.Precision.MICRO;
    }

    /** A microsecond pcap writer for {@code name}, {@code -} meaning standard output. */
    static PcapWriter create(String name, int linkType, int snapLength, OutputStream stdout) throws CommandException {
        return create(name, linkType, snapLength, stdout, PcapWriter.Precision.MICRO);
    }

    /** A pcap writer for {@code name} with timestamps of {@code precision} (nanoseconds: magic 0xa1b23c4d). */
    static PcapWriter create(String name, int linkType, int snapLength, OutputStream stdout,
                             PcapWriter.Precision precision) throws CommandException {
        if (name.equals("-")) {
            try {
                return PcapWriter.create(stdout, "standard output", linkType, snapLength, precision);
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
            return PcapWriter.create(path, linkType, snapLength, precision);
        } catch (IOException | RuntimeException e) {
            throw new CommandException(name + ": cannot create the -w file (" + e.getMessage()
                    + "); choose a writable path", e);
        }
    }
}
