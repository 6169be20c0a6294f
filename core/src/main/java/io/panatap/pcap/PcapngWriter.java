package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.PacketType;
import io.panatap.parse.LinkType;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

import static io.panatap.pcap.PcapngFormat.OPTION_HEADER_LENGTH;

/**
 * Writes pcapng files ({@link PcapngFormat}), buffered like {@link PcapWriter}: blocks reach the file only
 * whole, so the file is valid up to its last whole block at any time it is flushed.
 *
 * <p>One section, little-endian, whose header names the program ({@code shb_userappl}) and the operating
 * system ({@code shb_os}). Each interface that packets arrive on is described by an interface description
 * block when its first packet is written: its link type, {@code if_name} (when the packet knows it),
 * {@code if_tsresol} 9 (nanoseconds) and the snap length. An interface is told by the packet's interface
 * index, link type and name, so packets of a file read with several link types or sections keep their own
 * interfaces. Packets are enhanced packet blocks with nanosecond timestamps and, when the packet type is
 * known, {@code epb_flags} recording the direction (inbound or outbound) and the reception type; a VLAN tag
 * the kernel stripped is put back, as {@link PcapWriter} does. {@link #writeStatistics} adds one interface
 * statistics block per interface.
 *
 * <p>A capture on all interfaces delivers frames that start at the network layer ({@link LinkType#RAW}).
 * With {@code cookNetworkLayer}, such a frame that carries the kernel's metadata ({@link Packet#hardwareType()}
 * at least 0) is written under an interface of its device's own link type when the frame has that
 * link-layer header in front of it ({@link Packet#linkHeaderLength()}; {@link LinkType#ETHERNET} for
 * Ethernet, veth and loopback devices) or needs none ({@link LinkType#RAW} for tun and other devices
 * without one), the frame from its link-layer header on. Any other is written behind a Linux cooked v2
 * header, under an interface of link type {@link LinkType#LINUX_SLL2} named after the real interface: the
 * interface index, packet type, hardware type and link-layer address survive, and no header is invented.
 * Not thread-safe.
 */
public final class PcapngWriter extends BufferedCaptureWriter {
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** An enhanced packet block without data or options: header and trailing length. */
    private static final int EPB_OVERHEAD = PcapngFormat.EPB_MIN_LENGTH;
    /**
     * {@code epb_flags}, the packet block's only option, without {@code opt_endofopt}: the block's end ends
     * the list, which the format allows (readers must not expect the end option) and saves 4 bytes a packet.
     */
    private static final int FLAGS_OPTION_LENGTH = OPTION_HEADER_LENGTH + 4;
    /** {@code epb_flags} per packet type, by ordinal. */
    private static final int[] FLAGS = flagsByType();

    private final int snapLength;
    private final boolean cookNetworkLayer;
    private final long createdNanos;

    // Interfaces described so far, by id; and the last one looked up, which nearly every packet hits.
    private int interfaceCount;
    private int[] ifIndexes = new int[4];
    private int[] ifLinkTypes = new int[4];
    private String[] ifNames = new String[4];
    private long[] ifPackets = new long[4];
    private int lastIndex = Integer.MIN_VALUE;
    private int lastLinkType = -1;
    private String lastName;
    private int lastId = -1;

    /** Writes to {@code out} or to {@code file}, whichever is not null. */
    private PcapngWriter(String name, OutputStream out, NativeFile file, int snapLength, boolean cookNetworkLayer) {
        super(name, out, file);
        this.snapLength = snapLength;
        this.cookNetworkLayer = cookNetworkLayer;
        this.createdNanos = nowNanos();
    }

    /**
     * Creates (or truncates) {@code file} and writes the section header. {@code snapLength} must be
     * positive; {@code application} is recorded as {@code shb_userappl} (e.g. "panatap 1.0"); see the class
     * comment for {@code cookNetworkLayer}.
     */
    public static PcapngWriter create(Path file, int snapLength, boolean cookNetworkLayer, String application)
            throws IOException {
        check(file.toString(), snapLength);
        return start(new PcapngWriter(file.toString(), PcapWriter.openFile(file), null, snapLength,
                cookNetworkLayer), application);
    }

    /**
     * Creates (or truncates) {@code file} as {@link #create(Path, int, boolean, String)} does, but writes it
     * with {@code writev(2)}, so that {@link #writeInPlace} does not copy a live capture's frames, as
     * {@link PcapWriter#createDirect} does for classic pcap (Linux only, needs native access).
     */
    public static PcapngWriter createDirect(Path file, int snapLength, boolean cookNetworkLayer, String application)
            throws IOException {
        check(file.toString(), snapLength);
        return start(new PcapngWriter(file.toString(), null, NativeFile.create(file, MAX_REFERRED), snapLength,
                cookNetworkLayer), application);
    }

    /**
     * Writes a pcapng stream to {@code out} (e.g. standard output), which {@link #close()} closes;
     * {@code name} is used in error messages. As {@link PcapWriter#create(OutputStream, String, int, int,
     * PcapWriter.Precision)}, pass a {@code FileOutputStream} rather than {@code System.out}.
     */
    public static PcapngWriter create(OutputStream out, String name, int snapLength, boolean cookNetworkLayer,
                                      String application) throws IOException {
        check(name, snapLength);
        return start(new PcapngWriter(name, out, null, snapLength, cookNetworkLayer), application);
    }

    private static void check(String name, int snapLength) throws IOException {
        if (snapLength <= 0) {
            throw new IOException("cannot write " + name + ": snap length must be positive, got " + snapLength);
        }
    }

    private static PcapngWriter start(PcapngWriter writer, String application) throws IOException {
        try {
            writer.writeSectionHeader(application);
            writer.flush();
        } catch (IOException e) {
            writer.closeAfter(e);
            throw e;
        }
        return writer;
    }

    /** Snap length written in every interface description. */
    public int snapLength() {
        return snapLength;
    }

    /** Interfaces described so far. */
    public int interfaceCount() {
        return interfaceCount;
    }

    private void writeSectionHeader(String application) throws IOException {
        String os = System.getProperty("os.name", "") + " " + System.getProperty("os.version", "");
        byte[] osBytes = os.strip().getBytes(StandardCharsets.UTF_8);
        byte[] appBytes = Objects.requireNonNullElse(application, "").getBytes(StandardCharsets.UTF_8);
        int length = PcapngFormat.SHB_OPTIONS_OFFSET + optionLength(osBytes.length) + optionLength(appBytes.length)
                + OPTION_HEADER_LENGTH + 4;
        int at = reserve(length);
        MemorySegment b = bufferSegment;
        startBlock(at, PcapngFormat.SHB, length);
        b.set(INT_LE, at + PcapngFormat.SHB_BOM_OFFSET, PcapngFormat.BYTE_ORDER_MAGIC);
        b.set(SHORT_LE, at + PcapngFormat.SHB_MAJOR_OFFSET, (short) PcapngFormat.VERSION_MAJOR);
        b.set(SHORT_LE, at + PcapngFormat.SHB_MINOR_OFFSET, (short) PcapngFormat.VERSION_MINOR);
        b.set(LONG_LE, at + PcapngFormat.SHB_SECTION_LENGTH_OFFSET, -1L); // not known while writing
        int o = at + PcapngFormat.SHB_OPTIONS_OFFSET;
        o = putOption(o, PcapngFormat.OPT_SHB_OS, osBytes);
        o = putOption(o, PcapngFormat.OPT_SHB_USERAPPL, appBytes);
        endBlock(at, o, length);
        used = at + length;
    }

    /**
     * Writes a packet as an enhanced packet block, describing its interface first if it is the first packet
     * of that interface. The packet's bytes beyond the snap length are cut.
     */
    @Override
    public void write(Packet packet) throws IOException {
        write(packet, false);
    }

    /**
     * Writes a packet as {@link #write(Packet)} does; on a file made by {@link #createDirect}, a packet whose
     * bytes are in native memory and go to the file unchanged is not copied: the next {@link #flush()} (or
     * {@link #close()}) writes them from where they are, so they must stay valid and unchanged until then.
     */
    @Override
    public void writeInPlace(Packet packet) throws IOException {
        write(packet, file != null && packet.segment().isNative());
    }

    private void write(Packet packet, boolean inPlace) throws IOException {
        if (closed) {
            throw new IOException("cannot write to " + name + ": writer is closed");
        }
        long ts = packet.timestampNanos();
        if (ts < 0) {
            throw new IOException("cannot write to " + name + ": timestamp " + ts + " ns is before 1970");
        }
        int linkType = packet.linkType();
        if (cookNetworkLayer && linkType == LinkType.RAW && packet.hardwareType() >= 0) {
            linkType = RecordBody.deviceLinkType(packet);
        }
        int id = interfaceId(packet, linkType);
        int kind = RecordBody.kind(packet, linkType);
        int length = packet.captureLength();
        int extra = RecordBody.extra(packet, kind);
        int captured = Math.min(length + extra, snapLength);
        int original = Math.max(packet.originalLength(), length) + extra;
        int flags = FLAGS[packet.packetType().ordinal()];
        int padded = (captured + 3) & ~3;
        int blockLength = EPB_OVERHEAD + padded + (flags != 0 ? FLAGS_OPTION_LENGTH : 0);
        boolean refer = inPlace && kind == RecordBody.PLAIN;
        if (refer && referred == MAX_REFERRED) {
            flush();
        }
        int at = reserve(refer ? blockLength - captured : blockLength);
        // Plain stores into the array, as PcapWriter's record headers: less compiled code than segment access.
        byte[] b = buffer;
        // Two fields per 8-byte store: type and length, interface and timestamp high, timestamp low and
        // captured length; then the original length.
        putLongLE(b, at, PcapngFormat.EPB & 0xFFFFFFFFL | (long) blockLength << 32);
        putLongLE(b, at + PcapngFormat.EPB_IFID_OFFSET, id & 0xFFFFFFFFL | (ts >>> 32) << 32);
        putLongLE(b, at + PcapngFormat.EPB_TS_LOW_OFFSET, ts & 0xFFFFFFFFL | (long) captured << 32);
        putIntLE(b, at + PcapngFormat.EPB_ORIGLEN_OFFSET, original);
        int data = at + PcapngFormat.EPB_DATA_OFFSET;
        int o;
        if (refer) { // the data where it is, then the padding and the rest of the block
            used = data;
            refer(packet.segment().address() + packet.frameOffset(), captured);
            putIntLE(b, data, 0); // room for 4 bytes: at least the block length follows
            o = data + padded - captured;
        } else {
            if (padded > 0) {
                putIntLE(b, data + padded - 4, 0); // the padding; the data then overwrites what is not padding
            }
            RecordBody.copy(packet, kind, bufferSegment, data, captured);
            o = data + padded;
        }
        if (flags != 0) {
            putLongLE(b, o, PcapngFormat.OPT_EPB_FLAGS | 4 << 16 | (long) flags << 32); // code 2, length 4, value
            o += FLAGS_OPTION_LENGTH;
        }
        putIntLE(b, o, blockLength);
        used = o + 4;
        ifPackets[id]++;
    }

    /** The id of the packet's interface, described now if it is new. */
    private int interfaceId(Packet packet, int linkType) throws IOException {
        int index = packet.interfaceIndex();
        String ifName = packet.interfaceName();
        if (index == lastIndex && linkType == lastLinkType && (ifName == lastName || Objects.equals(ifName, lastName))) {
            return lastId;
        }
        int id = -1;
        for (int i = 0; i < interfaceCount; i++) {
            if (ifIndexes[i] == index && ifLinkTypes[i] == linkType && Objects.equals(ifNames[i], ifName)) {
                id = i;
                break;
            }
        }
        if (id < 0) {
            id = describeInterface(index, linkType, ifName);
        }
        lastIndex = index;
        lastLinkType = linkType;
        lastName = ifName;
        lastId = id;
        return id;
    }

    private int describeInterface(int index, int linkType, String ifName) throws IOException {
        if (linkType < 0 || linkType > 0xFFFF) {
            throw new IOException("cannot write to " + name + ": link type " + linkType + " is out of range");
        }
        byte[] nameBytes = ifName == null ? null : ifName.getBytes(StandardCharsets.UTF_8);
        int length = PcapngFormat.IDB_OPTIONS_OFFSET + (nameBytes == null ? 0 : optionLength(nameBytes.length))
                + optionLength(1) + OPTION_HEADER_LENGTH + 4;
        int at = reserve(length);
        MemorySegment b = bufferSegment;
        startBlock(at, PcapngFormat.IDB, length);
        b.set(SHORT_LE, at + PcapngFormat.IDB_LINKTYPE_OFFSET, (short) linkType);
        b.set(SHORT_LE, at + PcapngFormat.IDB_LINKTYPE_OFFSET + 2, (short) 0);
        b.set(INT_LE, at + PcapngFormat.IDB_SNAPLEN_OFFSET, snapLength);
        int o = at + PcapngFormat.IDB_OPTIONS_OFFSET;
        if (nameBytes != null) {
            o = putOption(o, PcapngFormat.OPT_IF_NAME, nameBytes);
        }
        o = putOption(o, PcapngFormat.OPT_IF_TSRESOL, new byte[] {PcapngFormat.TSRESOL_NANOS});
        endBlock(at, o, length);
        used = at + length;
        int id = interfaceCount++;
        if (id == ifIndexes.length) {
            ifIndexes = Arrays.copyOf(ifIndexes, id * 2);
            ifLinkTypes = Arrays.copyOf(ifLinkTypes, id * 2);
            ifNames = Arrays.copyOf(ifNames, id * 2);
            ifPackets = Arrays.copyOf(ifPackets, id * 2);
        }
        ifIndexes[id] = index;
        ifLinkTypes[id] = linkType;
        ifNames[id] = ifName;
        return id;
    }

    /**
     * Writes one interface statistics block per interface described: {@code isb_starttime} (when the writer
     * was created), {@code isb_endtime} (now), {@code isb_usrdeliv} (packets written for the interface) and,
     * when the file describes one interface, {@code isb_ifrecv} and {@code isb_ifdrop} from {@code received}
     * and {@code dropped}. The counts of a socket on all interfaces cannot be told apart per interface, so a
     * file of several interfaces does not record them rather than misattribute them. A negative count is
     * not recorded.
     */
    @Override
    public void writeStatistics(long received, long dropped) throws IOException {
        if (closed) {
            throw new IOException("cannot write to " + name + ": writer is closed");
        }
        long now = nowNanos();
        boolean counts = interfaceCount == 1;
        for (int id = 0; id < interfaceCount; id++) {
            boolean recv = counts && received >= 0;
            boolean drop = counts && dropped >= 0;
            int options = 3 + (recv ? 1 : 0) + (drop ? 1 : 0);
            int length = PcapngFormat.ISB_OPTIONS_OFFSET + options * optionLength(8) + OPTION_HEADER_LENGTH + 4;
            int at = reserve(length);
            MemorySegment b = bufferSegment;
            startBlock(at, PcapngFormat.ISB, length);
            b.set(INT_LE, at + PcapngFormat.ISB_IFID_OFFSET, id);
            b.set(INT_LE, at + PcapngFormat.ISB_TS_HIGH_OFFSET, (int) (now >>> 32));
            b.set(INT_LE, at + PcapngFormat.ISB_TS_LOW_OFFSET, (int) now);
            int o = at + PcapngFormat.ISB_OPTIONS_OFFSET;
            o = putTimestampOption(o, PcapngFormat.OPT_ISB_STARTTIME, createdNanos);
            o = putTimestampOption(o, PcapngFormat.OPT_ISB_ENDTIME, now);
            if (recv) {
                o = putLongOption(o, PcapngFormat.OPT_ISB_IFRECV, received);
            }
            if (drop) {
                o = putLongOption(o, PcapngFormat.OPT_ISB_IFDROP, dropped);
            }
            o = putLongOption(o, PcapngFormat.OPT_ISB_USRDELIV, ifPackets[id]);
            endBlock(at, o, length);
            used = at + length;
        }
    }

    private static int[] flagsByType() {
        PacketType[] types = PacketType.values();
        int[] flags = new int[types.length];
        for (PacketType t : types) {
            flags[t.ordinal()] = PcapngFormat.epbFlags(t);
        }
        return flags;
    }

    private static void putIntLE(byte[] b, int at, int value) {
        b[at] = (byte) value;
        b[at + 1] = (byte) (value >>> 8);
        b[at + 2] = (byte) (value >>> 16);
        b[at + 3] = (byte) (value >>> 24);
    }

    private static void putLongLE(byte[] b, int at, long value) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (value >>> (8 * i));
        }
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static int optionLength(int valueLength) {
        return OPTION_HEADER_LENGTH + ((valueLength + 3) & ~3);
    }

    private void startBlock(int at, int type, int length) {
        bufferSegment.set(INT_LE, at, type);
        bufferSegment.set(INT_LE, at + PcapngFormat.BLOCK_LENGTH_OFFSET, length);
    }

    /** Writes {@code opt_endofopt} at {@code o} and the trailing length, which must end the block. */
    private void endBlock(int at, int o, int length) {
        bufferSegment.set(INT_LE, o, PcapngFormat.OPT_END);
        if (o + OPTION_HEADER_LENGTH + 4 != at + length) {
            throw new IllegalStateException("pcapng block length mismatch"); // a bug in this class
        }
        bufferSegment.set(INT_LE, at + length - 4, length);
    }

    private int putOption(int o, int code, byte[] value) {
        MemorySegment b = bufferSegment;
        b.set(SHORT_LE, o, (short) code);
        b.set(SHORT_LE, o + 2, (short) value.length);
        int padded = optionLength(value.length);
        for (int i = OPTION_HEADER_LENGTH; i < padded; i++) {
            buffer[o + i] = 0;
        }
        MemorySegment.copy(value, 0, b, ValueLayout.JAVA_BYTE, o + OPTION_HEADER_LENGTH, value.length);
        return o + padded;
    }

    /** A timestamp option: high and low 32 bits in the resolution of the interface (nanoseconds). */
    private int putTimestampOption(int o, int code, long nanos) {
        MemorySegment b = bufferSegment;
        b.set(SHORT_LE, o, (short) code);
        b.set(SHORT_LE, o + 2, (short) 8);
        b.set(INT_LE, o + 4, (int) (nanos >>> 32));
        b.set(INT_LE, o + 8, (int) nanos);
        return o + 12;
    }

    private int putLongOption(int o, int code, long value) {
        MemorySegment b = bufferSegment;
        b.set(SHORT_LE, o, (short) code);
        b.set(SHORT_LE, o + 2, (short) 8);
        b.set(LONG_LE, o + 4, value);
        return o + 12;
    }
}
