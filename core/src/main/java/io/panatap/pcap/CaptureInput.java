package io.panatap.pcap;

import io.panatap.PacketListener;
import io.panatap.PacketType;
import io.panatap.parse.LinkType;
import io.panatap.parse.LinuxSllHeader;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * The bytes a format reader parses and its cursor over them: either a whole memory-mapped file, or a
 * stream's {@link StreamWindow}, refilled as the parser asks for more. Both formats ({@link PcapRecords},
 * {@link PcapngBlocks}) extend it, so the mapped and the stream path run the same parsing code, and the
 * per-record loop reads its fields from {@code this} as a single class would.
 *
 * <p>Offsets the parsers use are into {@link #data}; {@link #base} is the input offset of its first byte
 * (always 0 for a file), used only in messages and {@code position()}.
 */
abstract class CaptureInput {
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The mapping of a file; null for a stream. */
    private final Arena arena;
    /** The mapped file, kept open to see its current size; null for a stream. */
    private final FileChannel file;
    /** Null for a mapped file; for a stream, the window that {@link #data} shows. */
    final StreamWindow window;

    /** The bytes parsed: the whole mapped file, or a stream's window. */
    MemorySegment data;
    /** Bytes of {@link #data} that hold input. */
    long size;
    /** Input offset of {@code data}'s first byte. */
    long base;
    /** True when data holds every byte up to the end of the input: always for a file. */
    boolean eof;
    FileRecord record;

    /** Offset in {@link #data} of the next record or block. */
    long position;
    /** Records delivered so far. */
    long frames;
    /** Records delivered so far of link types the parser does not decode, per link type. */
    final LinkTypeCounts undecoded = new LinkTypeCounts();
    boolean bigEndian;
    /** Offset in {@link #data} of the record being handed to the listener; -1 between records. */
    long delivering = -1;
    /** The size a mapped file was found truncated to while it was read; -1 while it was not. */
    private long truncatedTo = -1;

    /** A mapped file ({@code window} null) or a stream ({@code arena}, {@code file} and {@code mapped} null). */
    CaptureInput(Arena arena, FileChannel file, MemorySegment mapped, StreamWindow window) {
        this.arena = arena;
        this.file = file;
        this.window = window;
        if (window == null) {
            this.data = mapped;
            this.size = mapped.byteSize();
            this.record = new FileRecord(mapped);
            this.eof = true;
        } else {
            takeWindow();
        }
    }

    /**
     * Delivers up to {@code limit} (positive) records; returns how many, 0 only at the end of the input.
     * Throws for the first damaged record, after every complete record before it was delivered.
     */
    abstract int pollRecords(PacketListener listener, int limit) throws CaptureFileException;

    /**
     * {@link #pollRecords}, and for a mapped file the check that it was not truncated by another process
     * while it is read. Such a truncation would otherwise show in two ways: the bytes of the last page after
     * the new end read as zeros, and pages wholly beyond it fault (the JVM raises an {@link InternalError}
     * for the SIGBUS, soon after the access). So the file's size is checked once per poll (one
     * {@code fstat}) and the parser stops at it; a truncation during a poll is caught by the fault it causes.
     * Either way it ends as damage: a {@link CaptureFileException} naming the new size and an offset. Noticed
     * at the start of a poll, that is the first record that is no longer whole, after every record before
     * it; noticed by a fault, it is the record being read when the fault surfaced (the listener's, if it was
     * reading one), and records read from the zeros before it cannot be taken back.
     */
    final int poll(PacketListener listener, int limit) throws CaptureFileException {
        if (file == null) {
            return pollRecords(listener, limit);
        }
        delivering = -1;
        try {
            int delivered;
            try {
                noticeTruncation();
                delivered = pollRecords(listener, limit);
            } catch (CaptureFileException e) {
                noticeTruncation();
                throw truncatedTo < 0 ? e : truncated(e.offset(), e);
            }
            if (delivered == 0 && truncatedTo >= 0) {
                throw truncated(base + position, null); // cut at a record boundary: still not the file it was
            }
            return delivered;
        } catch (InternalError e) {
            // A fault in the mapping: while reading a record header, or in the listener reading a record.
            noticeTruncation();
            if (truncatedTo < 0) {
                throw e;
            }
            throw truncated(base + (delivering >= 0 ? delivering : position), e);
        }
    }

    /** Lowers {@link #size} to the mapped file's current size when it shrank. */
    private void noticeTruncation() {
        long now;
        try {
            now = file.size();
        } catch (IOException e) {
            return; // e.g. closed by an interrupt: nothing to learn; the fault, if any, is reported as it is
        }
        if (now < size) {
            size = now;
            truncatedTo = now;
        }
    }

    private CaptureFileException truncated(long at, Throwable cause) {
        position = at - base; // position() stays at the damage, as for any other
        delivering = -1;
        CaptureFileException e = new CaptureFileException("the file was truncated to " + truncatedTo
                + " bytes while being read, at byte " + at, at);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /** Link type of the first interface (pcap: of the file); -1 while none is known. */
    abstract int linkType();

    /** Snap length of the file header (pcap) or of the first interface (pcapng; 0 = unlimited). */
    abstract int snapLength();

    /** Size of the file; -1 for a stream. */
    final long fileSize() {
        return window == null ? size : -1;
    }

    /** Unmaps the file and closes it, or frees a stream's buffer and closes its channel. */
    final void close() {
        if (window != null) {
            window.close();
            return;
        }
        arena.close();
        try {
            file.close();
        } catch (IOException e) {
            // A read-only file: nothing was written that a failing close could lose.
        }
    }

    // ------------------------------------------------------------------------------------------ streams

    /**
     * Streaming: reads more input into the window, first dropping the bytes before {@link #position}.
     * Returns true when the caller should look again (bytes arrived, or the end of the input was just
     * found); false for a file, at the end of the input, or when {@code mayBlock} is false (the caller
     * returns the records it has rather than wait for more).
     */
    final boolean more(boolean mayBlock) throws CaptureFileException {
        if (eof || !mayBlock) {
            return false;
        }
        long shift = position;
        try {
            window.refill(shift);
        } catch (IOException e) {
            throw readError(e, base + size);
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

    /** Reads until {@code window} holds at least {@code bytes} bytes or the input ends. */
    static void fill(StreamWindow window, long bytes) throws CaptureFileException {
        while (window.filled() < bytes && !window.eof()) {
            try {
                window.refill(0);
            } catch (IOException e) {
                throw readError(e, window.filled());
            }
        }
    }

    private static CaptureFileException readError(IOException e, long at) {
        CaptureFileException x = new CaptureFileException("cannot read the input: "
                + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), at);
        x.initCause(e);
        return x;
    }

    // ------------------------------------------------------------------------------------- field access

    final int i32(long offset) {
        return data.get(bigEndian ? INT_BE : INT_LE, offset);
    }

    final long u32(long offset) {
        return i32(offset) & 0xFFFFFFFFL;
    }

    final int u16(long offset) {
        return data.get(bigEndian ? SHORT_BE : SHORT_LE, offset) & 0xFFFF;
    }

    final long i64(long offset) {
        return data.get(bigEndian ? LONG_BE : LONG_LE, offset);
    }

    final int u8(long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    // ---------------------------------------------------------------------------- Linux cooked headers

    /**
     * The packet type a Linux cooked header (SLL or SLL2, in network byte order whatever the file's order)
     * at {@code frame} records; {@link PacketType#UNKNOWN} for other link types or a frame cut before it.
     */
    final PacketType cookedPacketType(int linkType, long frame, long captured) {
        if (linkType == LinkType.LINUX_SLL && captured >= LinuxSllHeader.SLL_PACKET_TYPE_OFFSET + 2) {
            return PacketType.ofLinux(data.get(SHORT_BE, frame + LinuxSllHeader.SLL_PACKET_TYPE_OFFSET) & 0xFFFF);
        }
        if (linkType == LinkType.LINUX_SLL2 && captured > LinuxSllHeader.SLL2_PACKET_TYPE_OFFSET) {
            return PacketType.ofLinux(u8(frame + LinuxSllHeader.SLL2_PACKET_TYPE_OFFSET));
        }
        return PacketType.UNKNOWN;
    }

    /** The interface index an SLL2 header at {@code frame} records; {@code otherwise} when there is none. */
    final int cookedInterfaceIndex(int linkType, long frame, long captured, int otherwise) {
        if (linkType == LinkType.LINUX_SLL2 && captured >= LinuxSllHeader.SLL2_IFINDEX_OFFSET + 4) {
            return data.get(INT_BE, frame + LinuxSllHeader.SLL2_IFINDEX_OFFSET);
        }
        return otherwise;
    }

    /** Original lengths are unsigned 32-bit; the rare absurd one is capped rather than turned negative. */
    static int clamp(long unsigned) {
        return (int) Math.min(unsigned, Integer.MAX_VALUE);
    }
}
