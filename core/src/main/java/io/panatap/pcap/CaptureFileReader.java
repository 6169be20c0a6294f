package io.panatap.pcap;

import io.panatap.PacketListener;
import io.panatap.PacketSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads classic pcap and pcapng files, memory-mapped, delivering every record as a {@link io.panatap.Packet}
 * flyweight over the mapped bytes: nothing is copied or allocated per record, and files larger than memory
 * or than 2 GiB work (all offsets are longs). A {@link PacketSource}: {@link #poll} returns how many records
 * it delivered, and {@link PacketSource#END} once every record was delivered.
 *
 * <h2>Streams</h2>
 * Pipes, standard input and other inputs that cannot be mapped are read with
 * {@link #open(ReadableByteChannel)} (and by {@link #open(Path)} for anything but a regular file): the same
 * parsing runs over a native buffer that holds whole records and is refilled from the channel, so records
 * are delivered as they arrive, with the same results, errors and byte offsets as for a file of the same
 * bytes. A stream's packets point into that buffer; {@link #fileSize()} is -1 for a stream.
 *
 * <h2>Formats</h2>
 * <ul>
 *   <li>Classic pcap, either byte order, microsecond ({@code 0xa1b2c3d4}) or nanosecond ({@code 0xa1b23c4d})
 *       timestamps; also the modified format ({@code 0xa1b2cd34}, 24-byte records whose interface index and
 *       packet type are reported).
 *   <li>pcapng, several sections (each with its own byte order and interfaces), several interfaces with
 *       different link types, {@code if_name}, {@code if_tsresol} (powers of 10 and of 2),
 *       {@code if_tsoffset}. Enhanced, Simple and obsolete Packet blocks are delivered (the packet type
 *       comes from {@code epb_flags}/{@code pack_flags} when present); every other block is skipped by its
 *       length. Simple packet blocks use interface 0, carry no timestamp (0 is delivered) and are captured
 *       up to the interface's snap length.
 *   <li>Linux cooked headers ({@code LINKTYPE_LINUX_SLL}, {@code LINKTYPE_LINUX_SLL2}), in either format,
 *       give the packet type where nothing else records it (as in a {@code tcpdump -i any} file), and an
 *       SLL2 header in a classic file gives the interface index.
 * </ul>
 * Records of every link type are delivered, including ones the parser does not know: their
 * {@code headers()} then report {@code NOT_TCP}, and {@link #undecodedCount} counts them per link type. Each packet's {@link io.panatap.Packet#linkType()} is its
 * own interface's; {@link #linkType()} is only the first. Frame numbers are 1-based and count every packet
 * record (in pcapng: packet blocks of all sections and interfaces), as tshark numbers frames.
 *
 * <h2>Damage</h2>
 * Every complete record before a damaged one is delivered; then {@link #poll} throws a
 * {@link CaptureFileException} naming the problem and its byte offset, and keeps throwing it on later calls.
 * Nothing is read outside the file. Lenient like libpcap and tshark where real files differ from the
 * letter of the formats: a captured length above the snap length, a sub-second field of a second or more,
 * or an original length below the captured length are delivered as they are. A classic record claiming
 * more than {@value #MAX_CAPTURE_LENGTH} captured bytes is damage (no capture tool writes such records;
 * it is almost surely a corrupt header).
 *
 * <h2>Threading</h2>
 * Not thread-safe: one thread at a time may call {@link #poll}. The mapping lives in a shared arena, so a
 * reader opened on one thread may be polled on another. {@link #close()} is not for another thread: it
 * unmaps the file and must not run while a {@code poll} is in progress (that poll would fail with
 * {@link IllegalStateException}); a poll after close throws {@code IllegalStateException}. Packets handed
 * to the listener are valid only during the callback, as for live capture.
 *
 * <p>A file that another process truncates while it is read ends as damage too: a
 * {@code CaptureFileException} ("the file was truncated to N bytes while being read, at byte X"), after the
 * records before byte X. The size is checked once per poll; a truncation in the middle of a poll is noticed
 * by the fault it causes in the mapping, and records of the part that vanished which that poll already
 * delivered (the rest of the last page reads as zeros) cannot be taken back. A stream's reader may be
 * stopped from another thread by closing its channel, which ends a blocked {@code poll} with a
 * {@link CaptureFileException}.
 */
public final class CaptureFileReader implements PacketSource {

    /** Largest captured length of a classic pcap record that is not treated as damage (256 MiB). */
    public static final int MAX_CAPTURE_LENGTH = 256 << 20;

    /**
     * Longest pcapng block read from a stream (257 MiB: a packet of {@value #MAX_CAPTURE_LENGTH} bytes with
     * room for its header and options); a longer one is damage, since its bytes would have to be buffered.
     */
    public static final int MAX_STREAM_BLOCK_LENGTH = MAX_CAPTURE_LENGTH + (1 << 20);

    /** The format reader over the mapped file or the stream. */
    private final CaptureInput input;
    private final boolean pcapng;
    private CaptureFileException failure;
    private boolean closed;

    private CaptureFileReader(CaptureInput input) {
        this.input = input;
        this.pcapng = input instanceof PcapngBlocks;
    }

    /**
     * Opens {@code file} and checks its header. A regular file is memory-mapped; anything else that can be
     * opened for reading (a named pipe, {@code /dev/stdin}, a character device) is read as a stream, as
     * {@link #open(ReadableByteChannel)} does, and this blocks until the header arrives (opening a named
     * pipe also waits for a writer). A file that is not a capture, or a directory, gives a
     * {@link CaptureFileException}; a missing or unreadable file the usual {@link IOException} subclasses
     * ({@code NoSuchFileException}, {@code AccessDeniedException}).
     */
    public static CaptureFileReader open(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new CaptureFileException("is a directory, not a capture file", -1);
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            return open(FileChannel.open(file, StandardOpenOption.READ));
        }
        Arena arena = Arena.ofShared();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new CaptureFileReader(detect(arena, channel, data, null));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * Reads a capture from {@code channel} as its bytes arrive (standard input, a pipe, a socket), without
     * mapping or spooling it: {@link #poll} delivers each record as soon as all of its bytes have been read.
     * Blocks until the file header (pcap) or the first section header and the blocks up to the first
     * interface description (pcapng) have been read. Records and blocks are delivered exactly as
     * {@link #open(Path)} delivers them from a file holding the same bytes, with the same errors and byte
     * offsets (counted from the first byte read from the channel), except that a pcapng block longer than
     * {@value #MAX_STREAM_BLOCK_LENGTH} bytes is reported as damage instead of being buffered.
     *
     * <p>The channel must be in blocking mode. The reader keeps a native buffer of whole records (it grows
     * to hold the largest record seen) and owns the channel: {@link #close()} closes it, and so does a failed
     * open. Closing the channel from another thread ends a blocked {@link #poll} with a
     * {@link CaptureFileException}.
     */
    public static CaptureFileReader open(ReadableByteChannel channel) throws IOException {
        StreamWindow window = null;
        try {
            window = new StreamWindow(channel);
            // The magic, and a classic header if that is what comes.
            CaptureInput.fill(window, PcapFormat.HEADER_LENGTH);
            return new CaptureFileReader(detect(null, null, null, window));
        } catch (IOException | RuntimeException | Error e) {
            if (window != null) {
                window.close();
            }
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The format reader for the magic number the input starts with. */
    private static CaptureInput detect(Arena arena, FileChannel file, MemorySegment mapped, StreamWindow window)
            throws CaptureFileException {
        MemorySegment first = window == null ? mapped : window.segment();
        long size = window == null ? mapped.byteSize() : window.filled();
        if (size == 0) {
            throw new CaptureFileException("empty file (0 bytes): not a pcap or pcapng capture", 0);
        }
        if (size < 4) {
            throw new CaptureFileException("file too short to be a capture: " + size + " bytes", 0);
        }
        int magicLe = first.get(CaptureInput.INT_LE, 0);
        if (magicLe == PcapngFormat.SHB) {
            return new PcapngBlocks(arena, file, mapped, window);
        }
        if (PcapFormat.isMagic(magicLe) || PcapFormat.isMagic(Integer.reverseBytes(magicLe))) {
            return new PcapRecords(arena, file, mapped, window);
        }
        throw new CaptureFileException(String.format(
                "not a pcap or pcapng file: it starts with 0x%08x", Integer.reverseBytes(magicLe)), 0);
    }

    /**
     * Delivers up to {@code limit} records to {@code listener}; returns how many were delivered, and
     * {@link PacketSource#END} once every record of the file was delivered (0 only for a {@code limit} of 0
     * or less). Throws {@link CaptureFileException} when the next record is damaged, after every complete
     * record before it was delivered.
     *
     * <p>For a stream, a poll blocks until at least one record has arrived or the input ends, and returns
     * fewer than {@code limit} records rather than wait for more once it has delivered some. A read error
     * of the channel is a {@code CaptureFileException} whose cause is the {@link IOException}.
     *
     * @throws IllegalStateException if the reader was closed
     */
    @Override
    public int poll(PacketListener listener, int limit) throws CaptureFileException {
        if (closed) {
            throw new IllegalStateException("capture file reader is closed");
        }
        if (failure != null) {
            throw failure;
        }
        if (limit <= 0) {
            return 0;
        }
        try {
            int delivered = input.poll(listener, limit);
            return delivered == 0 ? END : delivered;
        } catch (CaptureFileException e) {
            failure = e;
            throw e;
        }
    }

    /**
     * Link type of the first interface (pcap: the file's link type). -1 while a pcapng file has described
     * none: at open when its first section has no interface before its first packet (or, for a stream, none
     * in its first MiB); once a poll has read an interface description, that first one. A packet's own link
     * type is {@link io.panatap.Packet#linkType()}.
     */
    @Override
    public int linkType() {
        return input.linkType();
    }

    /**
     * Snap length from the file header (pcap) or first interface (pcapng, as {@link #linkType()}); 0 means
     * unlimited in pcapng, and is also returned while no interface is known.
     */
    @Override
    public int snapLength() {
        return input.snapLength();
    }

    /**
     * The byte order the file's headers are written in (the order of the host that wrote it; for pcapng, of
     * the section being read). Filters need it for BSD loopback captures ({@code LINKTYPE_NULL}), whose
     * address family is in that order: see {@code FilterCompiler.compile(String, int, int, ByteOrder)}.
     */
    public java.nio.ByteOrder byteOrder() {
        return input.bigEndian ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN;
    }

    /** True for pcapng, false for classic pcap. */
    public boolean isPcapng() {
        return pcapng;
    }

    /** Size of the file in bytes; -1 for a stream, whose size is not known. */
    public long fileSize() {
        return input.fileSize();
    }

    /** Byte offset of the next record or block to read (for a stream: counted from its first byte read). */
    public long position() {
        return input.base + input.position;
    }

    /** Number of records delivered so far (the frame number of the last one). */
    public long frameCount() {
        return input.frames;
    }

    /**
     * How many of the records delivered so far have link type {@code linkType} although the parser does not
     * decode it ({@link io.panatap.parse.LinkLayer#isDecoded}): records whose {@code headers()} say
     * {@code NOT_TCP} whatever they hold. They are still delivered, so that a copy of the file keeps them;
     * this count is what a program should report so that a capture of another link type does not look like
     * one without TCP. 0 for link types that are decoded.
     */
    public long undecodedCount(int linkType) {
        return input.undecoded.count(linkType);
    }

    /**
     * The link types of which {@link #undecodedCount} is not 0, in ascending order; empty when every record
     * delivered so far is of a link type the parser decodes. A new array on each call.
     */
    public int[] undecodedLinkTypes() {
        return input.undecoded.linkTypes();
    }

    /**
     * Unmaps the file, or frees a stream's buffer and closes its channel; idempotent. Not for another
     * thread while a {@link #poll} runs (see the class comment); a stream is stopped by closing its channel.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            input.close();
        }
    }
}
