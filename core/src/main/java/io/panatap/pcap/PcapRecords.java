package io.panatap.pcap;

import io.panatap.PacketListener;
import io.panatap.PacketType;

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
        snapLength = i32(PcapFormat.SNAPLEN_OFFSET);
        linkType = i32(PcapFormat.LINKTYPE_OFFSET) & PcapFormat.LINKTYPE_MASK;
        position = HEADER_LENGTH;
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
            }
            position = p + headerLength + captured;
            delivering = p;
            record.set(++frames, ts, p + headerLength, (int) captured,
                    clamp(u32(p + PcapFormat.RECORD_ORIGINAL_LENGTH)), linkType, ifIndex, null, packetType);
            delivered++;
            listener.onPacket(record);
            delivering = -1;
        }
        return delivered;
    }
}
