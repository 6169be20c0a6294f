package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.parse.LinkType;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes classic pcap files, buffered; the file is valid up to the last whole record at any time it is
 * flushed.
 *
 * <p>Records collect in a heap buffer (64 KiB, grown for a larger record) and reach the file only as whole
 * records, so a process killed mid-capture leaves a file that ends at a record boundary. Writes go through
 * a {@link FileOutputStream}, which a thread interrupt does not close (unlike an interruptible
 * {@code FileChannel}), so {@link #close()} can still flush after an interrupt. The file is little-endian;
 * captured bytes beyond the snap length are cut. Not thread-safe.
 */
public final class PcapWriter extends BufferedCaptureWriter {

    /** Timestamp resolution of the file (magic 0xa1b2c3d4 or 0xa1b23c4d). */
    public enum Precision { MICRO, NANO }

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long MAX_SECONDS = 0xFFFFFFFFL;

    private final int linkType;
    private final int snapLength;
    private final Precision precision;

    /** Writes to {@code out} or to {@code file}, whichever is not null. */
    private PcapWriter(String name, OutputStream out, NativeFile file, int linkType, int snapLength,
                       Precision precision) {
        super(name, out, file);
        this.linkType = linkType;
        this.snapLength = snapLength;
        this.precision = precision;
    }

    /**
     * Creates (or truncates) {@code file} and writes the file header. {@code snapLength} must be positive;
     * {@code linkType} is a {@code LINKTYPE_*} number (0..65535).
     */
    public static PcapWriter create(Path file, int linkType, int snapLength, Precision precision) throws IOException {
        check(file.toString(), linkType, snapLength);
        FileOutputStream out = openFile(file);
        return start(new PcapWriter(file.toString(), out, null, linkType, snapLength, precision));
    }

    /**
     * Creates (or truncates) {@code file} as {@link #create(Path, int, int, Precision)} does, but opens and
     * writes it with the C library's {@code open(2)} and {@code writev(2)} through the FFM API, so that
     * {@link #writeInPlace} writes a live capture's frames from the capture's memory without copying them
     * (from a batch, {@link io.panatap.PacketBatchListener}): once compiled, about half the CPU per packet of a
     * live capture written with 1500-byte frames; the same with 64-byte frames; more JIT compiling at the
     * start (bench/RESULTS.md, "Writing from the ring"). Linux only, and it needs native access, as a capture
     * does; everything else is as with {@code create}.
     */
    public static PcapWriter createDirect(Path file, int linkType, int snapLength, Precision precision)
            throws IOException {
        check(file.toString(), linkType, snapLength);
        NativeFile direct = NativeFile.create(file, MAX_REFERRED);
        return start(new PcapWriter(file.toString(), null, direct, linkType, snapLength, precision));
    }

    /**
     * Writes a pcap stream to {@code out} (e.g. standard output for {@code -w -}), which {@link #close()}
     * closes; {@code name} is used in error messages. Whole records reach {@code out} in single writes.
     * For standard output pass {@code new FileOutputStream(FileDescriptor.out)}: {@code System.out} is a
     * {@code PrintStream}, which hides write errors such as a closed pipe.
     */
    public static PcapWriter create(OutputStream out, String name, int linkType, int snapLength, Precision precision)
            throws IOException {
        check(name, linkType, snapLength);
        return start(new PcapWriter(name, out, null, linkType, snapLength, precision));
    }

    /** Creates (or truncates) {@code file}, with the reason only in the message of a failure. */
    static FileOutputStream openFile(Path file) throws IOException {
        try {
            return new FileOutputStream(file.toFile());
        } catch (IOException e) {
            // FileOutputStream says "PATH (reason)"; keep the reason only.
            String reason = String.valueOf(e.getMessage());
            int open = reason.lastIndexOf(" (");
            if (open >= 0 && reason.endsWith(")")) {
                reason = reason.substring(open + 2, reason.length() - 1);
            }
            throw new IOException("cannot create " + file + ": " + reason, e);
        }
    }

    private static void check(String name, int linkType, int snapLength) throws IOException {
        if (snapLength <= 0) {
            throw new IOException("cannot write " + name + ": snap length must be positive, got " + snapLength);
        }
        if (linkType < 0 || linkType > 0xFFFF) {
            throw new IOException("cannot write " + name + ": link type " + linkType + " is out of range");
        }
    }

    private static PcapWriter start(PcapWriter writer) throws IOException {
        try {
            writer.writeFileHeader();
            writer.flush();
        } catch (IOException e) {
            writer.closeAfter(e);
            throw e;
        }
        return writer;
    }

    /** Link type written in the file header. */
    public int linkType() {
        return linkType;
    }

    /** Snap length written in the file header. */
    public int snapLength() {
        return snapLength;
    }

    private void writeFileHeader() {
        MemorySegment b = bufferSegment;
        b.set(INT_LE, PcapFormat.MAGIC_OFFSET,
                precision == Precision.NANO ? PcapFormat.MAGIC_NANOS : PcapFormat.MAGIC_MICROS);
        b.set(SHORT_LE, PcapFormat.VERSION_MAJOR_OFFSET, (short) PcapFormat.VERSION_MAJOR);
        b.set(SHORT_LE, PcapFormat.VERSION_MINOR_OFFSET, (short) PcapFormat.VERSION_MINOR);
        b.set(INT_LE, PcapFormat.THISZONE_OFFSET, 0);
        b.set(INT_LE, PcapFormat.SIGFIGS_OFFSET, 0);
        b.set(INT_LE, PcapFormat.SNAPLEN_OFFSET, snapLength);
        b.set(INT_LE, PcapFormat.LINKTYPE_OFFSET, linkType);
        used = PcapFormat.HEADER_LENGTH;
    }

    /** Writes one record of {@code captureLength} bytes at {@code offset} in {@code data}. */
    public void write(long timestampNanos, MemorySegment data, long offset, int captureLength, int originalLength)
            throws IOException {
        writeRecord(timestampNanos, data, offset, captureLength, originalLength, false);
    }

    /**
     * Writes one record of {@code captureLength} bytes at {@code offset} in {@code data}: copied into the
     * buffer, or, {@code inPlace}, referred to where they are (native {@code data}, on a {@link NativeFile}).
     */
    private void writeRecord(long timestampNanos, MemorySegment data, long offset, int captureLength,
                             int originalLength, boolean inPlace) throws IOException {
        if (captureLength < 0) {
            throw new IOException("cannot write to " + name + ": negative captured length " + captureLength);
        }
        int captured = Math.min(captureLength, snapLength);
        if (inPlace) {
            if (referred == MAX_REFERRED) {
                flush();
            }
            used = beginRecord(timestampNanos, captured, Math.max(originalLength, captureLength), 0);
            refer(data.address() + offset, captured);
            return;
        }
        int at = beginRecord(timestampNanos, captured, Math.max(originalLength, captureLength));
        // Segment to segment: a shorter path for the JIT than the copy into a Java array.
        MemorySegment.copy(data, offset, bufferSegment, at, captured);
        used = at + captured;
    }

    /**
     * Writes a packet; re-inserts a VLAN tag the kernel stripped (Ethernet only), as libpcap does. In a file
     * started with {@link LinkType#LINUX_SLL2}, a packet of a capture on all interfaces (it starts at the
     * network layer, {@link LinkType#RAW}, and carries the kernel's {@link Packet#hardwareType()}) is written
     * behind a cooked v2 header built from its metadata, as {@code tcpdump -i any} writes it.
     *
     * @throws LinkTypeMismatchException if the packet's {@link Packet#linkType()} is not the file's (a pcapng
     *                                   file may mix link types; a pcap file cannot): nothing is written
     */
    @Override
    public void write(Packet packet) throws IOException {
        int kind = RecordBody.kind(packet, linkType);
        if (packet.linkType() != linkType && kind != RecordBody.COOKED) {
            throw new LinkTypeMismatchException(name, packet.frameNumber(), packet.linkType(), linkType);
        }
        int length = packet.captureLength();
        if (kind == RecordBody.PLAIN) {
            write(packet.timestampNanos(), packet.segment(), packet.frameOffset(), length, packet.originalLength());
            return;
        }
        int extra = RecordBody.extra(packet, kind);
        int captured = Math.min(length + extra, snapLength);
        int at = beginRecord(packet.timestampNanos(), captured, Math.max(packet.originalLength(), length) + extra);
        RecordBody.copy(packet, kind, bufferSegment, at, captured);
        used = at + captured;
    }

    /**
     * Writes a packet as {@link #write(Packet)} does; on a file made by {@link #createDirect}, a packet whose
     * bytes are in native memory and go to the file unchanged is not copied: the next {@link #flush()} (or
     * {@link #close()}) writes them from where they are, so they must stay valid and unchanged until then.
     */
    @Override
    public void writeInPlace(Packet packet) throws IOException {
        MemorySegment segment = packet.segment();
        if (file == null || !segment.isNative() || packet.linkType() != linkType
                || RecordBody.kind(packet, linkType) != RecordBody.PLAIN) {
            write(packet);
            return;
        }
        writeRecord(packet.timestampNanos(), segment, packet.frameOffset(), packet.captureLength(),
                packet.originalLength(), true);
    }

    private int beginRecord(long timestampNanos, int captured, int original) throws IOException {
        return beginRecord(timestampNanos, captured, original, captured);
    }

    /**
     * Makes room for a record's header and {@code buffered} bytes of it (flushing earlier records first),
     * writes the header and returns where its bytes go.
     */
    private int beginRecord(long timestampNanos, int captured, int original, int buffered) throws IOException {
        if (closed) {
            throw new IOException("cannot write to " + name + ": writer is closed");
        }
        long seconds = timestampNanos / 1_000_000_000L;
        long nanos = timestampNanos - seconds * 1_000_000_000L;
        if (timestampNanos < 0 || seconds > MAX_SECONDS) {
            throw new IOException("cannot write to " + name + ": timestamp " + timestampNanos
                    + " ns is outside the pcap range (1970 to 2106)");
        }
        int at = reserve(PcapFormat.RECORD_HEADER_LENGTH + buffered);
        byte[] b = buffer;
        putIntLE(b, at + PcapFormat.RECORD_SECONDS, (int) seconds);
        putIntLE(b, at + PcapFormat.RECORD_FRACTION, (int) (precision == Precision.NANO ? nanos : nanos / 1000));
        putIntLE(b, at + PcapFormat.RECORD_CAPTURED_LENGTH, captured);
        putIntLE(b, at + PcapFormat.RECORD_ORIGINAL_LENGTH, original);
        return at + PcapFormat.RECORD_HEADER_LENGTH;
    }

    /**
     * Plain byte stores, which C2 merges into one 4-byte store: compiles to less than a segment or
     * {@code VarHandle} access, and the JIT compiles this path while the first packets wait in the ring.
     */
    private static void putIntLE(byte[] b, int at, int value) {
        b[at] = (byte) value;
        b[at + 1] = (byte) (value >>> 8);
        b[at + 2] = (byte) (value >>> 16);
        b[at + 3] = (byte) (value >>> 24);
    }
}
