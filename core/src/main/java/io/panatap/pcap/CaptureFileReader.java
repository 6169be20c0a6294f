package io.panatap.pcap;

import io.panatap.PacketType;
import io.panatap.PacketListener;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads classic pcap and pcapng files, memory-mapped, delivering every record as a {@link io.panatap.Packet}
 * flyweight over the mapped bytes: nothing is copied or allocated per record, and files larger than memory
 * or than 2 GiB work (all offsets are longs).
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
 *       {@code if_tsoffset}. Enhanced, Simple and obsolete Packet blocks are delivered (the direction comes
 *       from {@code epb_flags}/{@code pack_flags} when present); every other block is skipped by its length.
 *       Simple packet blocks use interface 0, carry no timestamp (0 is delivered) and are captured up to the
 *       interface's snap length.
 * </ul>
 * Records of every link type are delivered, including ones the parser does not know: their
 * {@code headers()} then report {@code NOT_TCP}. Frame numbers are 1-based and count every packet record
 * (in pcapng: packet blocks of all sections and interfaces), as tshark numbers frames.
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
 * reader opened on one thread may be polled on another; {@link #close()} unmaps the file and must not run
 * while a {@code poll} is in progress (that poll would fail with {@link IllegalStateException}). Packets
 * handed to the listener are valid only during the callback, as for live capture.
 *
 * <p>The file must not be truncated by another process while it is mapped (the JVM reports such access
 * as an {@link InternalError}). A stream's reader may instead be stopped from another thread by closing its
 * channel, which ends a blocked {@code poll} with a {@link CaptureFileException}.
 */
public final class CaptureFileReader implements AutoCloseable {

    /** Largest captured length of a classic pcap record that is not treated as damage (256 MiB). */
    public static final int MAX_CAPTURE_LENGTH = 256 << 20;

    /**
     * Longest pcapng block read from a stream (257 MiB: a packet of {@value #MAX_CAPTURE_LENGTH} bytes with
     * room for its header and options); a longer one is damage, since its bytes would have to be buffered.
     */
    public static final int MAX_STREAM_BLOCK_LENGTH = MAX_CAPTURE_LENGTH + (1 << 20);

    /** How far a stream's first pcapng section is searched for an interface description at open time. */
    private static final long STREAM_LOOKAHEAD = 1 << 20;

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /*
     * Classic pcap file header (24 bytes) and record header (16 bytes), in the writer's byte order:
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +---------------------------------------------------------------+
     * |                  Magic (a1b2c3d4 or a1b23c4d)                  |  0
     * +-------------------------------+-------------------------------+
     * |         Major version         |         Minor version         |  4
     * +-------------------------------+-------------------------------+
     * |                    Reserved (thiszone)                        |  8
     * |                    Reserved (sigfigs)                         | 12
     * |                        Snap length                            | 16
     * |          FCS info / reserved  |        Link type              | 20
     * +---------------------------------------------------------------+
     *
     * +---------------------------------------------------------------+
     * |                   Timestamp (seconds)                         |  0
     * |           Timestamp (microseconds or nanoseconds)             |  4
     * |                    Captured length                            |  8
     * |                    Original length                            | 12
     * +---------------------------------------------------------------+
     * /                    Captured bytes ...                         / 16
     *
     * Modified pcap (0xa1b2cd34) records have 8 more header bytes before the captured bytes: interface
     * index (16), protocol (20, 2 bytes), packet type (22, 1 byte), padding (23).
     */
    static final int PCAP_MAGIC_MICROS = 0xa1b2c3d4;
    static final int PCAP_MAGIC_NANOS = 0xa1b23c4d;
    /** Alexey Kuznetzov's modified pcap: 24-byte records that add ifindex, protocol and packet type. */
    static final int PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
    private static final int MODIFIED_RECORD_HEADER_LENGTH = 24;
    private static final int REC_MODIFIED_IFINDEX = 16;
    private static final int REC_MODIFIED_PKTTYPE = 22;
    static final int PCAP_HEADER_LENGTH = 24;
    private static final int PCAP_SNAPLEN_OFFSET = 16;
    private static final int PCAP_LINKTYPE_OFFSET = 20;
    static final int PCAP_RECORD_HEADER_LENGTH = 16;
    private static final int REC_TS_SEC = 0;
    private static final int REC_TS_FRAC = 4;
    private static final int REC_CAPLEN = 8;
    private static final int REC_ORIGLEN = 12;

    /*
     * pcapng general block (every field in the byte order of its section):
     *
     * +---------------------------------------------------------------+
     * |                       Block type                              |  0
     * |                   Block total length                          |  4
     * /                       Block body                              /  8
     * |                   Block total length                          |  length - 4
     * +---------------------------------------------------------------+
     *
     * Section header body: byte-order magic 1a2b3c4d (8), major (12), minor (14), section length (16),
     * options (24). Interface description body: link type u16 (8), reserved (10), snap length (12),
     * options (16). Enhanced packet body: interface id (8), timestamp high (12), low (16), captured length
     * (20), original length (24), data (28), options. Obsolete packet: interface id u16 (8), drops u16 (10),
     * then as enhanced. Simple packet: original length (8), data (12).
     */
    static final int SHB = 0x0A0D0D0A;
    static final int IDB = 1;
    static final int OPB = 2;
    static final int SPB = 3;
    static final int EPB = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int BLOCK_LENGTH_OFFSET = 4;
    private static final int BLOCK_BODY_OFFSET = 8;
    private static final int MIN_BLOCK_LENGTH = 12;
    private static final int SHB_MIN_LENGTH = 28;
    private static final int SHB_BOM_OFFSET = 8;
    private static final int SHB_MAJOR_OFFSET = 12;
    private static final int IDB_MIN_LENGTH = 20;
    private static final int IDB_LINKTYPE_OFFSET = 8;
    private static final int IDB_SNAPLEN_OFFSET = 12;
    private static final int IDB_OPTIONS_OFFSET = 16;
    private static final int EPB_MIN_LENGTH = 32;
    private static final int EPB_IFID_OFFSET = 8;
    private static final int EPB_TS_HIGH_OFFSET = 12;
    private static final int EPB_TS_LOW_OFFSET = 16;
    private static final int EPB_CAPLEN_OFFSET = 20;
    private static final int EPB_ORIGLEN_OFFSET = 24;
    private static final int EPB_DATA_OFFSET = 28;
    private static final int SPB_MIN_LENGTH = 16;
    private static final int SPB_ORIGLEN_OFFSET = 8;
    private static final int SPB_DATA_OFFSET = 12;
    private static final int OPT_END = 0;
    private static final int OPT_IF_NAME = 2;
    private static final int OPT_IF_TSRESOL = 9;
    private static final int OPT_IF_TSOFFSET = 14;
    private static final int OPT_EPB_FLAGS = 2;

    private final Arena arena;
    private final boolean pcapng;
    private final int firstLinkType;
    private final int firstSnapLength;
    /** Null for a mapped file; for a stream, the window that {@link #data} shows. */
    private final StreamWindow window;

    // The bytes parsed: the whole mapped file, or a stream's window. Offsets below are into data;
    // base is the stream offset of data's first byte (always 0 for a file) and only matters for messages.
    private MemorySegment data;
    private long size;
    private long base;
    /** True when data holds every byte up to the end of the input: always for a file. */
    private boolean eof;
    private FileRecord record;

    private long position;
    private long frames;
    private boolean bigEndian;
    private CaptureFileException failure;
    private boolean closed;

    // Classic pcap.
    private int pcapLinkType;
    private long fractionNanos;
    private int recordHeaderLength;
    private boolean modified;

    // pcapng: interfaces of the current section.
    private Interface[] interfaces = new Interface[4];
    private int interfaceCount;

    private CaptureFileReader(Arena arena, MemorySegment mapped, StreamWindow window) throws CaptureFileException {
        this.arena = arena;
        this.window = window;
        if (window == null) {
            this.data = mapped;
            this.size = mapped.byteSize();
            this.record = new FileRecord(mapped);
            this.eof = true;
        } else {
            takeWindow();
            while (size < PCAP_HEADER_LENGTH && more(true)) {
                // the magic, and a classic header if that is what comes
            }
        }
        if (size == 0) {
            throw new CaptureFileException("empty file (0 bytes): not a pcap or pcapng capture", 0);
        }
        if (size < 4) {
            throw new CaptureFileException("file too short to be a capture: " + size + " bytes", 0);
        }
        int magicLe = data.get(INT_LE, 0);
        if (magicLe == SHB) {
            pcapng = true;
            readBlock(0, Long.MAX_VALUE);
            long length = checkSectionHeader(0);
            position = 0;
            int[] first = scanFirstInterface(length);
            firstLinkType = first[0];
            firstSnapLength = first[1];
        } else {
            pcapng = false;
            if (isPcapMagic(magicLe)) {
                bigEndian = false;
            } else if (isPcapMagic(Integer.reverseBytes(magicLe))) {
                bigEndian = true;
            } else {
                throw new CaptureFileException(String.format(
                        "not a pcap or pcapng file: it starts with 0x%08x", Integer.reverseBytes(magicLe)), 0);
            }
            if (size < PCAP_HEADER_LENGTH) {
                throw new CaptureFileException("file too short for a pcap header: " + size + " bytes, need "
                        + PCAP_HEADER_LENGTH, 0);
            }
            fractionNanos = i32(0) == PCAP_MAGIC_NANOS ? 1 : 1000;
            modified = i32(0) == PCAP_MAGIC_MODIFIED;
            recordHeaderLength = modified ? MODIFIED_RECORD_HEADER_LENGTH : PCAP_RECORD_HEADER_LENGTH;
            firstSnapLength = i32(PCAP_SNAPLEN_OFFSET);
            // The upper bits carry FCS information; the link type is the low 16 bits (as in libpcap).
            pcapLinkType = i32(PCAP_LINKTYPE_OFFSET) & 0xFFFF;
            firstLinkType = pcapLinkType;
            position = PCAP_HEADER_LENGTH;
        }
    }

    private static boolean isPcapMagic(int magic) {
        return magic == PCAP_MAGIC_MICROS || magic == PCAP_MAGIC_NANOS || magic == PCAP_MAGIC_MODIFIED;
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
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new CaptureFileReader(arena, data, null);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
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
            return new CaptureFileReader(null, null, window);
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

    /**
     * Delivers up to {@code limit} records to {@code listener}; returns how many were delivered, 0 at the end
     * of the file. Throws {@link CaptureFileException} when the next record is damaged, after every complete
     * record before it was delivered.
     *
     * <p>For a stream, a poll blocks until at least one record has arrived or the input ends, and returns
     * fewer than {@code limit} records rather than wait for more once it has delivered some; it still
     * returns 0 only at the end of the input. A read error of the channel is a {@code CaptureFileException}
     * whose cause is the {@link IOException}.
     */
    public long poll(PacketListener listener, long limit) throws CaptureFileException {
        if (closed) {
            throw new IllegalStateException("capture file reader is closed");
        }
        if (failure != null) {
            throw failure;
        }
        try {
            return pcapng ? pollPcapng(listener, limit) : pollPcap(listener, limit);
        } catch (CaptureFileException e) {
            failure = e;
            throw e;
        }
    }

    /**
     * Link type of the first interface (pcap: the file's link type); -1 if a pcapng file has none before its
     * first packet (or, for a stream, none in its first MiB).
     */
    public int linkType() {
        return firstLinkType;
    }

    /** Snap length from the file header (pcap) or first interface (pcapng); 0 means unlimited in pcapng. */
    public int snapLength() {
        return firstSnapLength;
    }

    /** True for pcapng, false for classic pcap. */
    public boolean isPcapng() {
        return pcapng;
    }

    /** Size of the file in bytes; -1 for a stream, whose size is not known. */
    public long fileSize() {
        return window == null ? size : -1;
    }

    /** Byte offset of the next record or block to read (for a stream: counted from its first byte read). */
    public long position() {
        return base + position;
    }

    /** Number of records delivered so far (the frame number of the last one). */
    public long frameCount() {
        return frames;
    }

    /** Unmaps the file, or frees a stream's buffer and closes its channel; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (window != null) {
                window.close();
            } else {
                arena.close();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- pcap

    private long pollPcap(PacketListener listener, long limit) throws CaptureFileException {
        long delivered = 0;
        int headerLength = recordHeaderLength;
        while (delivered < limit) {
            long p = position;
            long left = size - p;
            if (left < headerLength) {
                if (more(delivered == 0)) {
                    continue;
                }
                if (left == 0 || !eof) {
                    break;
                }
                throw new CaptureFileException("truncated record header at byte " + (base + p) + ": "
                        + left + " bytes left in file, a record header needs " + headerLength, base + p);
            }
            long captured = u32(p + REC_CAPLEN);
            if (captured > MAX_CAPTURE_LENGTH) {
                throw new CaptureFileException("damaged record at byte " + (base + p) + ": header says " + captured
                        + " captured bytes, more than the " + MAX_CAPTURE_LENGTH + "-byte limit", base + p);
            }
            if (captured > left - headerLength) {
                if (more(delivered == 0)) {
                    continue;
                }
                if (!eof) {
                    break;
                }
                throw new CaptureFileException("truncated record at byte " + (base + p) + ": header says " + captured
                        + " captured bytes, " + (left - headerLength) + " left in file", base + p);
            }
            long ts = u32(p + REC_TS_SEC) * 1_000_000_000L + u32(p + REC_TS_FRAC) * fractionNanos;
            int ifIndex = -1;
            PacketType packetType = PacketType.UNKNOWN;
            if (modified) {
                ifIndex = i32(p + REC_MODIFIED_IFINDEX);
                packetType = PacketType.ofLinux(data.get(ValueLayout.JAVA_BYTE, p + REC_MODIFIED_PKTTYPE));
            }
            position = p + headerLength + captured;
            record.set(++frames, ts, p + headerLength, (int) captured, clamp(u32(p + REC_ORIGLEN)),
                    pcapLinkType, ifIndex, null, packetType);
            delivered++;
            listener.onPacket(record);
        }
        return delivered;
    }

    // -------------------------------------------------------------------------------------------- pcapng

    private long pollPcapng(PacketListener listener, long limit) throws CaptureFileException {
        long delivered = 0;
        while (delivered < limit) {
            long p = position;
            if (!eof && blockNeeds(p) > size - p) {
                if (delivered > 0) {
                    break; // hand these over rather than wait for more input
                }
                readBlock(0, Long.MAX_VALUE);
                continue;
            }
            if (p == size) {
                break;
            }
            long length = checkBlock(p);
            int type = i32(p);
            switch (type) {
                case SHB -> {
                    interfaceCount = 0;
                    position = p + length;
                }
                case IDB -> {
                    addInterface(p, length);
                    position = p + length;
                }
                case EPB, OPB -> {
                    deliverPacketBlock(listener, p, length, type);
                    delivered++;
                }
                case SPB -> {
                    deliverSimplePacket(listener, p, length);
                    delivered++;
                }
                default -> position = p + length;
            }
        }
        return delivered;
    }

    /**
     * Streaming: how many bytes from {@code p} the window must hold before {@link #checkBlock} can judge the
     * block there: 12 for its header, then its length; 0 when the header is damaged (checkBlock reports it
     * as a file would).
     */
    private long blockNeeds(long p) {
        long left = size - p;
        if (left < MIN_BLOCK_LENGTH) {
            return MIN_BLOCK_LENGTH;
        }
        long length;
        long minimum = MIN_BLOCK_LENGTH;
        if (data.get(INT_LE, p) == SHB) {
            int magic = data.get(INT_LE, p + SHB_BOM_OFFSET);
            ValueLayout.OfInt order = magic == BYTE_ORDER_MAGIC ? INT_LE
                    : Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC ? INT_BE : null;
            if (order == null) {
                return 0;
            }
            length = data.get(order, p + BLOCK_LENGTH_OFFSET) & 0xFFFFFFFFL;
            minimum = SHB_MIN_LENGTH;
        } else {
            length = u32(p + BLOCK_LENGTH_OFFSET);
        }
        if (length < minimum || (length & 3) != 0) {
            return 0;
        }
        return length;
    }

    /**
     * Streaming: reads until the window holds the whole block that starts {@code ahead} bytes after
     * {@link #position} (or its part within {@code within} bytes of position), or the input ends.
     */
    private void readBlock(long ahead, long within) throws CaptureFileException {
        long need;
        while (!eof && (need = blockNeeds(position + ahead)) > size - position - ahead && ahead + need <= within) {
            if (need > MAX_STREAM_BLOCK_LENGTH) {
                throw tooLongToBuffer(position + ahead, need);
            }
            more(true);
        }
    }

    /**
     * A block too long to buffer: its bytes are counted to the end of the input, and it is reported as a file
     * of the same bytes reports it when it is cut short; otherwise as too long for a stream.
     */
    private CaptureFileException tooLongToBuffer(long p, long length) throws CaptureFileException {
        long at = base + p;
        String what = data.get(INT_LE, p) == SHB ? "section header" : "block";
        long have = size - p;
        while (have < length && !eof) {
            position = size; // nothing here can be delivered: drop it and keep counting
            more(true);
            have += size;
        }
        base = at; // position() stays at the block, as for a file
        position = 0;
        size = 0;
        if (have < length) {
            return new CaptureFileException("truncated " + what + " at byte " + at + ": header says " + length
                    + " bytes, " + have + " left in file", at);
        }
        return new CaptureFileException("damaged " + what + " at byte " + at + ": length " + length + " is more than the "
                + MAX_STREAM_BLOCK_LENGTH + " bytes a block read from a stream may have", at);
    }

    /**
     * Streaming: reads more input into the window, first dropping the bytes before {@link #position}.
     * Returns true when the caller should look again (bytes arrived, or the end of the input was just
     * found); false for a file, at the end of the input, or when {@code mayBlock} is false (the caller
     * returns the records it has rather than wait for more).
     */
    private boolean more(boolean mayBlock) throws CaptureFileException {
        if (eof || !mayBlock) {
            return false;
        }
        long shift = position;
        try {
            window.refill(shift);
        } catch (IOException e) {
            long at = base + size;
            CaptureFileException x = new CaptureFileException("cannot read the input: "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), at);
            x.initCause(e);
            throw x;
        }
        base += shift;
        position = 0;
        takeWindow();
        return true;
    }

    /** Points the parser at the window's current buffer (a new one after it grew) and fill level. */
    private void takeWindow() {
        if (data != window.segment()) {
            data = window.segment();
            record = new FileRecord(data);
        }
        size = window.filled();
        eof = window.eof();
    }

    /**
     * Checks the block at {@code p} (a section header switches the byte order first) and returns its
     * length: at least 12, a multiple of 4, within the file, with a matching trailing length.
     */
    private long checkBlock(long p) throws CaptureFileException {
        long left = size - p;
        if (left < MIN_BLOCK_LENGTH) {
            throw new CaptureFileException("truncated block header at byte " + (base + p) + ": " + left
                    + " bytes left in file, a block needs at least " + MIN_BLOCK_LENGTH, base + p);
        }
        if (data.get(INT_LE, p) == SHB) {
            return checkSectionHeader(p);
        }
        long length = u32(p + BLOCK_LENGTH_OFFSET);
        checkBlockLength(p, length, MIN_BLOCK_LENGTH, "block");
        return length;
    }

    private void checkBlockLength(long p, long length, int minimum, String what) throws CaptureFileException {
        long left = size - p;
        if (length < minimum) {
            throw new CaptureFileException("damaged " + what + " at byte " + (base + p) + ": length " + length
                    + " is less than the " + minimum + "-byte minimum", base + p);
        }
        if ((length & 3) != 0) {
            throw new CaptureFileException("damaged " + what + " at byte " + (base + p) + ": length " + length
                    + " is not a multiple of 4", base + p);
        }
        if (length > left) {
            throw new CaptureFileException("truncated " + what + " at byte " + (base + p) + ": header says " + length
                    + " bytes, " + left + " left in file", base + p);
        }
        long trailer = u32(p + length - 4);
        if (trailer != length) {
            throw new CaptureFileException("damaged " + what + " at byte " + (base + p) + ": trailing length " + trailer
                    + " does not match the leading length " + length, base + p);
        }
    }

    /** Sets the byte order from the section header at {@code p}, checks it and returns its length. */
    private long checkSectionHeader(long p) throws CaptureFileException {
        long left = size - p;
        if (left < MIN_BLOCK_LENGTH) {
            throw new CaptureFileException("truncated section header at byte " + (base + p) + ": " + left
                    + " bytes left in file", base + p);
        }
        int magic = data.get(INT_LE, p + SHB_BOM_OFFSET);
        if (magic == BYTE_ORDER_MAGIC) {
            bigEndian = false;
        } else if (Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC) {
            bigEndian = true;
        } else {
            throw new CaptureFileException(String.format("damaged section header at byte %d: byte-order magic "
                    + "0x%08x, expected 0x1a2b3c4d in either byte order", base + p, Integer.reverseBytes(magic)), base + p);
        }
        long length = u32(p + BLOCK_LENGTH_OFFSET);
        checkBlockLength(p, length, SHB_MIN_LENGTH, "section header");
        int major = u16(p + SHB_MAJOR_OFFSET);
        if (major != 1) {
            throw new CaptureFileException("unsupported pcapng version " + major + "." + u16(p + SHB_MAJOR_OFFSET + 2)
                    + " in section header at byte " + (base + p) + " (only 1.x is defined)", base + p);
        }
        return length;
    }

    /**
     * Walks the first section up to its first interface description, without delivering anything, so the
     * first link type and snap length are known at open time. Damage is left for {@link #poll} to report.
     */
    private int[] scanFirstInterface(long shbLength) {
        long p = shbLength;
        while (true) {
            long length;
            try {
                readBlock(p, STREAM_LOOKAHEAD);
                if (p >= size) {
                    break;
                }
                length = checkBlock(p);
            } catch (CaptureFileException e) {
                break;
            }
            int type = i32(p);
            if (type == IDB && length >= IDB_MIN_LENGTH) {
                return new int[] {u16(p + IDB_LINKTYPE_OFFSET), i32(p + IDB_SNAPLEN_OFFSET)};
            }
            if (type == SHB || type == EPB || type == OPB || type == SPB) {
                break;
            }
            p += length;
        }
        // checkBlock may have switched the byte order; the first section header sets it again.
        bigEndian = Integer.reverseBytes(data.get(INT_LE, SHB_BOM_OFFSET)) == BYTE_ORDER_MAGIC;
        return new int[] {-1, 0};
    }

    private void addInterface(long p, long length) throws CaptureFileException {
        if (length < IDB_MIN_LENGTH) {
            throw new CaptureFileException("damaged interface description block at byte " + (base + p) + ": length "
                    + length + " is less than the " + IDB_MIN_LENGTH + "-byte minimum", base + p);
        }
        Interface ifc = new Interface(u16(p + IDB_LINKTYPE_OFFSET), i32(p + IDB_SNAPLEN_OFFSET));
        long end = p + length - 4;
        long o = p + IDB_OPTIONS_OFFSET;
        while (o + 4 <= end) {
            int code = u16(o);
            int optionLength = u16(o + 2);
            if (code == OPT_END) {
                break;
            }
            long value = o + 4;
            if (value + optionLength > end) {
                throw new CaptureFileException("damaged interface description block at byte " + (base + p) + ": option "
                        + code + " at byte " + (base + o) + " runs past the end of the block", base + p);
            }
            switch (code) {
                case OPT_IF_NAME -> ifc.name = readName(value, optionLength);
                case OPT_IF_TSRESOL -> {
                    if (optionLength >= 1) {
                        ifc.setResolution(data.get(ValueLayout.JAVA_BYTE, value) & 0xFF);
                    }
                }
                case OPT_IF_TSOFFSET -> {
                    if (optionLength >= 8) {
                        ifc.offsetNanos = i64(value) * 1_000_000_000L;
                    }
                }
                default -> {
                }
            }
            o = value + ((optionLength + 3L) & ~3L);
        }
        if (interfaceCount == interfaces.length) {
            interfaces = Arrays.copyOf(interfaces, interfaceCount * 2);
        }
        interfaces[interfaceCount++] = ifc;
    }

    private String readName(long value, int length) {
        byte[] bytes = new byte[length];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, value, bytes, 0, length);
        int n = length;
        while (n > 0 && bytes[n - 1] == 0) {
            n--;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8).intern();
    }

    private Interface interfaceFor(long p, long id, String what) throws CaptureFileException {
        if (id >= interfaceCount) {
            throw new CaptureFileException("damaged " + what + " at byte " + (base + p) + ": it refers to interface " + id
                    + ", but its section describes " + interfaceCount, base + p);
        }
        return interfaces[(int) id];
    }

    private void deliverPacketBlock(PacketListener listener, long p, long length, int type)
            throws CaptureFileException {
        String what = type == EPB ? "enhanced packet block" : "packet block";
        if (length < EPB_MIN_LENGTH) {
            throw new CaptureFileException("damaged " + what + " at byte " + (base + p) + ": length " + length
                    + " is less than the " + EPB_MIN_LENGTH + "-byte minimum", base + p);
        }
        long id = type == EPB ? u32(p + EPB_IFID_OFFSET) : u16(p + EPB_IFID_OFFSET);
        Interface ifc = interfaceFor(p, id, what);
        long captured = u32(p + EPB_CAPLEN_OFFSET);
        long body = length - EPB_MIN_LENGTH;
        if (captured > body) {
            throw new CaptureFileException("damaged " + what + " at byte " + (base + p) + ": captured length " + captured
                    + " exceeds the " + body + " bytes of packet data in the block", base + p);
        }
        long units = (u32(p + EPB_TS_HIGH_OFFSET) << 32) | u32(p + EPB_TS_LOW_OFFSET);
        long dataAt = p + EPB_DATA_OFFSET;
        PacketType packetType = flagsPacketType(dataAt + ((captured + 3) & ~3L), p + length - 4);
        position = p + length;
        record.set(++frames, ifc.toNanos(units), dataAt, (int) captured, clamp(u32(p + EPB_ORIGLEN_OFFSET)),
                ifc.linkType, (int) id, ifc.name, packetType);
        listener.onPacket(record);
    }

    /** The packet type from an {@code epb_flags} option between {@code o} and {@code end}; options in error are ignored. */
    private PacketType flagsPacketType(long o, long end) {
        while (o + 4 <= end) {
            int code = u16(o);
            int optionLength = u16(o + 2);
            if (code == OPT_END || o + 4 + optionLength > end) {
                break;
            }
            if (code == OPT_EPB_FLAGS && optionLength == 4) {
                int flags = i32(o + 4);
                return switch (flags & 3) {
                    case 1 -> switch ((flags >>> 2) & 7) {
                        case 2 -> PacketType.MULTICAST;
                        case 3 -> PacketType.BROADCAST;
                        case 4 -> PacketType.OTHERHOST;
                        default -> PacketType.HOST;
                    };
                    case 2 -> PacketType.OUTGOING;
                    default -> PacketType.UNKNOWN;
                };
            }
            o += 4 + ((optionLength + 3L) & ~3L);
        }
        return PacketType.UNKNOWN;
    }

    private void deliverSimplePacket(PacketListener listener, long p, long length) throws CaptureFileException {
        if (length < SPB_MIN_LENGTH) {
            throw new CaptureFileException("damaged simple packet block at byte " + (base + p) + ": length " + length
                    + " is less than the " + SPB_MIN_LENGTH + "-byte minimum", base + p);
        }
        Interface ifc = interfaceFor(p, 0, "simple packet block");
        long original = u32(p + SPB_ORIGLEN_OFFSET);
        long captured = Math.min(original, length - SPB_MIN_LENGTH);
        if (ifc.snapLength > 0) {
            captured = Math.min(captured, ifc.snapLength & 0xFFFFFFFFL);
        }
        position = p + length;
        record.set(++frames, 0, p + SPB_DATA_OFFSET, (int) captured, clamp(original), ifc.linkType, 0, ifc.name,
                PacketType.UNKNOWN);
        listener.onPacket(record);
    }

    // ------------------------------------------------------------------------------------- field access

    private int i32(long offset) {
        return data.get(bigEndian ? INT_BE : INT_LE, offset);
    }

    private long u32(long offset) {
        return i32(offset) & 0xFFFFFFFFL;
    }

    private int u16(long offset) {
        return data.get(bigEndian ? SHORT_BE : SHORT_LE, offset) & 0xFFFF;
    }

    /** Original lengths are unsigned 32-bit; the rare absurd one is capped rather than turned negative. */
    private static int clamp(long unsigned) {
        return (int) Math.min(unsigned, Integer.MAX_VALUE);
    }

    private long i64(long offset) {
        return data.get(bigEndian ? LONG_BE : LONG_LE, offset);
    }

    /** One pcapng interface description: link type, snap length, name and timestamp conversion. */
    private static final class Interface {
        final int linkType;
        final int snapLength;
        String name;
        long offsetNanos;
        // units * multiplier / divisor for decimal resolutions; binary ones shift.
        long multiplier = 1000;
        long divisor = 1;
        int binaryShift = -1;

        Interface(int linkType, int snapLength) {
            this.linkType = linkType;
            this.snapLength = snapLength;
        }

        /** {@code if_tsresol}: high bit clear = 10^-n seconds, set = 2^-n seconds. */
        void setResolution(int value) {
            int n = value & 0x7F;
            multiplier = 1;
            divisor = 1;
            binaryShift = -1;
            if ((value & 0x80) != 0) {
                binaryShift = n;
            } else if (n <= 9) {
                for (int i = n; i < 9; i++) {
                    multiplier *= 10;
                }
            } else {
                // Beyond 10^-27 every 64-bit count is below one nanosecond.
                divisor = n - 9 <= 18 ? pow10(n - 9) : 0;
            }
        }

        private static long pow10(int n) {
            long v = 1;
            for (int i = 0; i < n; i++) {
                v *= 10;
            }
            return v;
        }

        long toNanos(long units) {
            long nanos;
            if (binaryShift >= 0) {
                int s = binaryShift;
                if (s == 0) {
                    nanos = units * 1_000_000_000L;
                } else if (s >= 64) {
                    nanos = 0;
                } else {
                    long seconds = units >>> s;
                    long fraction = units & ((1L << s) - 1);
                    // fraction * 1e9 / 2^s, with a 128-bit product.
                    long high = Math.unsignedMultiplyHigh(fraction, 1_000_000_000L);
                    long low = fraction * 1_000_000_000L;
                    long fractionNanos = (low >>> s) | (s == 0 ? 0 : high << (64 - s));
                    nanos = seconds * 1_000_000_000L + fractionNanos;
                }
            } else if (divisor == 1) {
                nanos = units * multiplier;
            } else {
                nanos = divisor == 0 ? 0 : Long.divideUnsigned(units, divisor);
            }
            return nanos + offsetNanos;
        }
    }
}
