package io.panatap.pcap;

import io.panatap.PacketListener;
import io.panatap.PacketType;
import io.panatap.parse.LinkLayer;
import io.panatap.parse.LinkType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;

import static io.panatap.pcap.PcapFormat.HEADER_LENGTH;

/**
 * Classic pcap records ({@link PcapFormat}), either byte order, microsecond or nanosecond timestamps, and
 * the modified format whose records add an interface index and a Linux packet type. libpcap's
 * {@code sf-pcap.c} to {@link PcapngBlocks}' {@code sf-pcapng.c}.
 */
final class PcapRecords extends CaptureInput {
    private final int linkType;
    private final int snapLength;
    /** Nanoseconds per unit of the record's sub-second field. */
    private final long fractionNanos;
    private final int recordHeaderLength;
    private final boolean modified;
    /** False when the parser does not decode the file's link type: every record is counted as undecoded. */
    private final boolean decoded;
    /** Linux cooked headers (SLL, SLL2) record the packet type (and SLL2 the interface index) per frame. */
    private final boolean cooked;

    /** The input starts with a pcap magic number in either byte order and holds at least 4 bytes. */
    PcapRecords(Arena arena, FileChannel file, MemorySegment mapped, StreamWindow window) throws CaptureFileException {
        super(arena, file, mapped, window);
        bigEndian = !PcapFormat.isMagic(data.get(INT_LE, PcapFormat.MAGIC_OFFSET));
        if (size < HEADER_LENGTH) {
            throw new CaptureFileException("file too short for a pcap header: " + size + " bytes, need "
                    + HEADER_LENGTH, 0);
        }
        int magic = i32(PcapFormat.MAGIC_OFFSET);
        fractionNanos = magic == PcapFormat.MAGIC_NANOS ? 1 : 1000;
        modified = magic == PcapFormat.MAGIC_MODIFIED;
        recordHeaderLength = modified ? PcapFormat.MODIFIED_RECORD_HEADER_LENGTH : PcapFormat.RECORD_HEADER_LENGTH;
        checkVersion();
        snapLength = i32(PcapFormat.SNAPLEN_OFFSET);
        linkType = checkedLinkType();
        decoded = LinkLayer.isDecoded(linkType);
        cooked = linkType == LinkType.LINUX_SLL || linkType == LinkType.LINUX_SLL2;
        position = HEADER_LENGTH;
    }

    /**
     * Refuses a version other than 2.0 to 2.4, as libpcap ({@code sf-pcap.c}) and tshark do: such a header
     * is not a pcap file panatap knows how to read (libpcap's {@code pcap-invalid-version-1} and {@code -2}
     * tests are 1.4 and 2.5). libpcap also accepts 543.0, written by DG/UX tcpdump with the captured and
     * original lengths in the order of versions before 2.3; panatap does not read that order, so it refuses
     * 543.0 rather than misread every record. (Versions 2.0 to 2.2 are read with the 2.3 order, as panatap
     * always did; libpcap swaps their lengths back. No such file is in the test corpora.)
     */
    private void checkVersion() throws CaptureFileException {
        int major = u16(PcapFormat.VERSION_MAJOR_OFFSET);
        int minor = u16(PcapFormat.VERSION_MINOR_OFFSET);
        if (major != PcapFormat.VERSION_MAJOR || minor > PcapFormat.VERSION_MINOR) {
            throw new CaptureFileException("unsupported pcap version " + major + "." + minor + " in the file header"
                    + " at byte " + (base + PcapFormat.VERSION_MAJOR_OFFSET) + ": not a pcap file panatap can read"
                    + " (versions 2.0 to 2.4 are)", base + PcapFormat.VERSION_MAJOR_OFFSET);
        }
    }

    /**
     * The link type from the header's link-type field, refusing a field whose reserved bits are set, as
     * libpcap does ({@code linktype-reserved-field-not-zero}): bits 0-15 are the link type, bits 16-25
     * are reserved and must be 0. Bits 26-31 say whether the frames end with a frame check sequence (bit 26)
     * and its length in 16-bit words (bits 28-31); libpcap accepts them and keeps them apart from the link
     * type, and so does panatap (it ignores them: a frame's trailing FCS is never part of a TCP segment),
     * deliberately, since real captures set them (tcpdump's own test captures carry 0x30000001).
     */
    private int checkedLinkType() throws CaptureFileException {
        int field = i32(PcapFormat.LINKTYPE_OFFSET);
        int reserved = field & PcapFormat.LINKTYPE_RESERVED_MASK;
        if (reserved != 0) {
            throw new CaptureFileException(String.format("damaged pcap file header at byte %d: the link-type field"
                    + " 0x%08x has reserved bits set (0x%08x), which must be zero", base + PcapFormat.LINKTYPE_OFFSET,
                    field, reserved), base + PcapFormat.LINKTYPE_OFFSET);
        }
        return field & PcapFormat.LINKTYPE_MASK;
    }

    @Override
    int linkType() {
        return linkType;
    }

    @Override
    int snapLength() {
        return snapLength;
    }

    @Override
    int pollRecords(PacketListener listener, int limit) throws CaptureFileException {
        int delivered = 0;
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
            long captured = u32(p + PcapFormat.RECORD_CAPTURED_LENGTH);
            if (captured > CaptureFileReader.MAX_CAPTURE_LENGTH) {
                throw new CaptureFileException("damaged record at byte " + (base + p) + ": header says " + captured
                        + " captured bytes, more than the " + CaptureFileReader.MAX_CAPTURE_LENGTH + "-byte limit",
                        base + p);
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
            long ts = u32(p + PcapFormat.RECORD_SECONDS) * 1_000_000_000L
                    + u32(p + PcapFormat.RECORD_FRACTION) * fractionNanos;
            int ifIndex = -1;
            PacketType packetType = PacketType.UNKNOWN;
            if (modified) {
                ifIndex = i32(p + PcapFormat.MODIFIED_IFINDEX);
                packetType = PacketType.ofLinux(u8(p + PcapFormat.MODIFIED_PKTTYPE));
            } else if (cooked) {
                packetType = cookedPacketType(linkType, p + headerLength, captured);
                ifIndex = cookedInterfaceIndex(linkType, p + headerLength, captured, -1);
            }
            position = p + headerLength + captured;
            delivering = p;
            if (!decoded) {
                undecoded.add(linkType);
            }
            record.set(++frames, ts, p + headerLength, (int) captured,
                    clamp(u32(p + PcapFormat.RECORD_ORIGINAL_LENGTH)), linkType, ifIndex, null, packetType);
            delivered++;
            listener.onPacket(record);
            delivering = -1;
        }
        return delivered;
    }
}
