package io.panatap.cli;

import io.panatap.pcap.PcapWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opens the {@code -w} file. */
final class Writers {
    private Writers() {
    }

    /** A pcap writer for {@code name}, {@code -} meaning standard output. */
    static PcapWriter create(String name, int linkType, int snapLength, OutputStream stdout) throws CommandException {
        Path path = Path.of(name.equals("-") ? "/dev/stdout" : name);
        try {
            return PcapWriter.create(path, linkType, snapLength, PcapWriter.Precision.MICRO);
        } catch (NoSuchFileException e) {
            throw new CommandException(name + ": no such directory; check the path given to -w", e);
        } catch (AccessDeniedException e) {
            throw new CommandException(name + ": permission denied; choose a writable path for -w", e);
        } catch (IOException | RuntimeException e) {
            throw new CommandException(name + ": cannot create: " + e.getMessage(), e);
        }
    }
}
