package io.panatap.pcap;

import io.panatap.PacketListener;
import io.panatap.PacketType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.panatap.pcap.PcapngFormat.BLOCK_LENGTH_OFFSET;
import static io.panatap.pcap.PcapngFormat.BYTE_ORDER_MAGIC;
import static io.panatap.pcap.PcapngFormat.EPB;
import static io.panatap.pcap.PcapngFormat.EPB_MIN_LENGTH;
import static io.panatap.pcap.PcapngFormat.IDB;
import static io.panatap.pcap.PcapngFormat.IDB_MIN_LENGTH;
import static io.panatap.pcap.PcapngFormat.MIN_BLOCK_LENGTH;
import static io.panatap.pcap.PcapngFormat.OPB;
import static io.panatap.pcap.PcapngFormat.OPTION_HEADER_LENGTH;
import static io.panatap.pcap.PcapngFormat.OPT_END;
import static io.panatap.pcap.PcapngFormat.SHB;
import static io.panatap.pcap.PcapngFormat.SHB_BOM_OFFSET;
import static io.panatap.pcap.PcapngFormat.SHB_MIN_LENGTH;
import static io.panatap.pcap.PcapngFormat.SPB;
import static io.panatap.pcap.PcapngFormat.SPB_MIN_LENGTH;
import static io.panatap.pcap.PcapngFormat.padded;

/**
 * pcapng blocks ({@link PcapngFormat}): several sections, each with its own byte order and interfaces;
 * Enhanced, Simple and obsolete Packet blocks are delivered, interface descriptions are kept, every other
 * block is skipped by its length. Streams are read block by block: a block is parsed once all of its bytes
 * are in the window.
 */
final class PcapngBlocks extends CaptureInput {
    /** How far a stream's first section is searched for an interface description at open time. */
    private static final long STREAM_LOOKAHEAD = 1 << 20;

    private int firstLinkType = -1;
    private int firstSnapLength;

    /** Interfaces of the current section. */
    private PcapngInterface[] interfaces = new PcapngInterface[4];
    private int interfaceCount;

    /**
     * The input starts with a section header block type and holds at least 4 bytes. Walks the first section
     * up to its first interface description, without delivering anything, so the first link type and snap
     * length are known at open time.
     */
    PcapngBlocks(Arena arena, FileChannel file, MemorySegment mapped, StreamWindow window) throws CaptureFileException {
        super(arena, file, mapped, window);
        readBlock(0, Long.MAX_VALUE);
        long length = checkSectionHeader(0);
        position = 0;
        scanFirstInterface(length);
    }

    @Override
    int linkType() {
        return firstLinkType;
    }

    @Override
    int snapLength() {
        return firstSnapLength;
    }

    @Override
    int pollRecords(PacketListener listener, int limit) throws CaptureFileException {
        int delivered = 0;
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

    // ------------------------------------------------------------------------------------------ streams

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
            if (need > CaptureFileReader.MAX_STREAM_BLOCK_LENGTH) {
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
                + CaptureFileReader.MAX_STREAM_BLOCK_LENGTH + " bytes a block read from a stream may have", at);
    }

    // ------------------------------------------------------------------------------------------- blocks

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
        int major = u16(p + PcapngFormat.SHB_MAJOR_OFFSET);
        int minor = u16(p + PcapngFormat.SHB_MINOR_OFFSET);
        // Version 1.0 is the only one defined. 1.2 is accepted too, deliberately, as libpcap (sf-pcapng.c) and
        // tshark do: some programs wrote it for files that are 1.0 with more block types, which are skipped.
        if (major != PcapngFormat.VERSION_MAJOR
                || (minor != PcapngFormat.VERSION_MINOR && minor != PcapngFormat.VERSION_MINOR_TOLERATED)) {
            throw new CaptureFileException("unsupported pcapng version " + major + "." + minor
                    + " in the section header at byte " + (base + p) + ": not a pcapng section panatap can read"
                    + " (version 1.0 is)", base + p);
        }
        return length;
    }

    /**
     * Walks the first section up to its first interface description, without delivering anything, so the
     * first link type and snap length are known at open time. Damage is left for {@link #pollRecords} to
     * report.
     */
    private void scanFirstInterface(long shbLength) {
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
                firstLinkType = u16(p + PcapngFormat.IDB_LINKTYPE_OFFSET);
                firstSnapLength = i32(p + PcapngFormat.IDB_SNAPLEN_OFFSET);
                return;
            }
            if (type == SHB || type == EPB || type == OPB || type == SPB) {
                break;
            }
            p += length;
        }
        // checkBlock may have switched the byte order; the first section header sets it again.
        bigEndian = Integer.reverseBytes(data.get(INT_LE, SHB_BOM_OFFSET)) == BYTE_ORDER_MAGIC;
    }

    // --------------------------------------------------------------------------------------- interfaces

    private void addInterface(long p, long length) throws CaptureFileException {
        if (length < IDB_MIN_LENGTH) {
            throw new CaptureFileException("damaged interface description block at byte " + (base + p) + ": length "
                    + length + " is less than the " + IDB_MIN_LENGTH + "-byte minimum", base + p);
        }
        PcapngInterface ifc = new PcapngInterface(u16(p + PcapngFormat.IDB_LINKTYPE_OFFSET),
                i32(p + PcapngFormat.IDB_SNAPLEN_OFFSET));
        long end = p + length - 4;
        long o = p + PcapngFormat.IDB_OPTIONS_OFFSET;
        while (o + OPTION_HEADER_LENGTH <= end) {
            int code = u16(o);
            int optionLength = u16(o + 2);
            if (code == OPT_END) {
                break;
            }
            long value = o + OPTION_HEADER_LENGTH;
            if (value + optionLength > end) {
                throw new CaptureFileException("damaged interface description block at byte " + (base + p) + ": option "
                        + code + " at byte " + (base + o) + " runs past the end of the block", base + p);
            }
            switch (code) {
                case PcapngFormat.OPT_IF_NAME -> ifc.name = readName(value, optionLength);
                case PcapngFormat.OPT_IF_TSRESOL -> {
                    if (optionLength >= 1) {
                        ifc.setResolution(u8(value));
                    }
                }
                case PcapngFormat.OPT_IF_TSOFFSET -> {
                    if (optionLength >= 8) {
                        ifc.offsetNanos = i64(value) * 1_000_000_000L;
                    }
                }
                default -> {
                }
            }
            o = value + padded(optionLength);
        }
        if (firstLinkType < 0) {
            // None before the first packet of the first section: the first one described is the first.
            firstLinkType = ifc.linkType;
            firstSnapLength = ifc.snapLength;
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

    private PcapngInterface interfaceFor(long p, long id, String what) throws CaptureFileException {
        if (id >= interfaceCount) {
            throw new CaptureFileException("damaged " + what + " at byte " + (base + p) + ": it refers to interface " + id
                    + ", but its section describes " + interfaceCount, base + p);
        }
        return interfaces[(int) id];
    }

    // ------------------------------------------------------------------------------------------ packets

    private void deliverPacketBlock(PacketListener listener, long p, long length, int type)
            throws CaptureFileException {
        String what = type == EPB ? "enhanced packet block" : "packet block";
        if (length < EPB_MIN_LENGTH) {
            throw new CaptureFileException("damaged " + what + " at byte " + (base + p) + ": length " + length
                    + " is less than the " + EPB_MIN_LENGTH + "-byte minimum", base + p);
        }
        long id = type == EPB ? u32(p + PcapngFormat.EPB_IFID_OFFSET) : u16(p + PcapngFormat.EPB_IFID_OFFSET);
        PcapngInterface ifc = interfaceFor(p, id, what);
        long captured = u32(p + PcapngFormat.EPB_CAPLEN_OFFSET);
        long body = length - EPB_MIN_LENGTH;
        if (captured > body) {
            throw new CaptureFileException("damaged " + what + " at byte " + (base + p) + ": captured length " + captured
                    + " exceeds the " + body + " bytes of packet data in the block", base + p);
        }
        long units = (u32(p + PcapngFormat.EPB_TS_HIGH_OFFSET) << 32) | u32(p + PcapngFormat.EPB_TS_LOW_OFFSET);
        long dataAt = p + PcapngFormat.EPB_DATA_OFFSET;
        PacketType packetType = flagsPacketType(dataAt + padded(captured), p + length - 4);
        if (packetType == PacketType.UNKNOWN) {
            packetType = cookedPacketType(ifc.linkType, dataAt, captured);
        }
        position = p + length;
        delivering = p;
        if (!ifc.decoded) {
            undecoded.add(ifc.linkType);
        }
        record.set(++frames, ifc.toNanos(units), dataAt, (int) captured,
                clamp(u32(p + PcapngFormat.EPB_ORIGLEN_OFFSET)), ifc.linkType, (int) id, ifc.name, packetType);
        listener.onPacket(record);
        delivering = -1;
    }

    /** The packet type from an {@code epb_flags} option between {@code o} and {@code end}; options in error are ignored. */
    private PacketType flagsPacketType(long o, long end) {
        while (o + OPTION_HEADER_LENGTH <= end) {
            int code = u16(o);
            int optionLength = u16(o + 2);
            if (code == OPT_END || o + OPTION_HEADER_LENGTH + optionLength > end) {
                break;
            }
            if (code == PcapngFormat.OPT_EPB_FLAGS && optionLength == 4) {
                return PcapngFormat.packetType(i32(o + OPTION_HEADER_LENGTH));
            }
            o += OPTION_HEADER_LENGTH + padded(optionLength);
        }
        return PacketType.UNKNOWN;
    }

    private void deliverSimplePacket(PacketListener listener, long p, long length) throws CaptureFileException {
        if (length < SPB_MIN_LENGTH) {
            throw new CaptureFileException("damaged simple packet block at byte " + (base + p) + ": length " + length
                    + " is less than the " + SPB_MIN_LENGTH + "-byte minimum", base + p);
        }
        PcapngInterface ifc = interfaceFor(p, 0, "simple packet block");
        long original = u32(p + PcapngFormat.SPB_ORIGLEN_OFFSET);
        long captured = Math.min(original, length - SPB_MIN_LENGTH);
        if (ifc.snapLength > 0) {
            captured = Math.min(captured, ifc.snapLength & 0xFFFFFFFFL);
        }
        position = p + length;
        delivering = p;
        if (!ifc.decoded) {
            undecoded.add(ifc.linkType);
        }
        record.set(++frames, 0, p + PcapngFormat.SPB_DATA_OFFSET, (int) captured, clamp(original), ifc.linkType, 0,
                ifc.name, PacketType.UNKNOWN);
        listener.onPacket(record);
        delivering = -1;
    }
}
