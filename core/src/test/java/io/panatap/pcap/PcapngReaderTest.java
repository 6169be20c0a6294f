package io.panatap.pcap;

import io.panatap.PacketType;
import io.panatap.Packet;
import io.panatap.PacketSource;
import io.panatap.pcap.CaptureBytes.Option;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.panatap.pcap.CaptureBytes.frame;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PcapngReaderTest {
    private static final long T = 1_700_000_000_123_456L; // microseconds

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"LITTLE_ENDIAN", "BIG_ENDIAN"})
    void readsEnhancedPacketsInEitherByteOrder(String orderName) throws IOException {
        ByteOrder order = orderName.equals("BIG_ENDIAN") ? BIG_ENDIAN : LITTLE_ENDIAN;
        byte[] bytes = CaptureBytes.pcapng(order)
                .iface(1, 262144, Option.name("eth0"))
                .epb(0, T, frame(61, 1), 61)
                .epb(0, T + 1, frame(1514, 2), 1600).bytes();

        ReadResult r = ReadResult.of(dir, bytes);

        assertThat(r.error()).isNull();
        assertThat(r.packets()).hasSize(2);
        Packet p = r.packets().get(0);
        assertThat(p.frameNumber()).isEqualTo(1);
        assertThat(p.timestampNanos()).isEqualTo(T * 1000);
        assertThat(p.captureLength()).isEqualTo(61);
        assertThat(p.originalLength()).isEqualTo(61);
        assertThat(p.linkType()).isEqualTo(1);
        assertThat(p.interfaceIndex()).isZero();
        assertThat(p.interfaceName()).isEqualTo("eth0");
        assertThat(p.packetType()).isEqualTo(PacketType.UNKNOWN);
        assertThat(ReadResult.bytesOf(p)).isEqualTo(frame(61, 1));
        assertThat(ReadResult.bytesOf(r.packets().get(1))).isEqualTo(frame(1514, 2));
        assertThat(r.packets().get(1).originalLength()).isEqualTo(1600);
    }

    @Test
    void reportsTheFirstInterfaceAtOpen() throws IOException {
        Path file = dir.resolve("x.pcapng");
        Files.write(file, CaptureBytes.pcapng(BIG_ENDIAN).block(4, new byte[8]).iface(113, 96).iface(1, 0).bytes());
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            assertThat(reader.isPcapng()).isTrue();
            assertThat(reader.linkType()).isEqualTo(113);
            assertThat(reader.snapLength()).isEqualTo(96);
            assertThat(reader.poll(p -> { }, 10)).isEqualTo(PacketSource.END);
        }
    }

    @Test
    void reportsNoLinkTypeWhenNoInterfaceIsDescribed() throws IOException {
        Path file = dir.resolve("none.pcapng");
        Files.write(file, CaptureBytes.pcapng(LITTLE_ENDIAN).bytes());
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            assertThat(reader.linkType()).isEqualTo(-1);
            assertThat(reader.poll(p -> { }, 10)).isEqualTo(PacketSource.END);
        }
    }

    @Test
    void learnsTheFirstLinkTypeWhenAnInterfaceIsDescribedAfterTheFirstSection() throws IOException {
        Path file = dir.resolve("late.pcapng");
        Files.write(file, CaptureBytes.pcapng(LITTLE_ENDIAN).section(LITTLE_ENDIAN).iface(101, 128)
                .epb(0, 1, frame(20, 0), 20).bytes());
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            assertThat(reader.linkType()).isEqualTo(-1);
            assertThat(reader.snapLength()).isZero();
            int[] linkType = new int[1];
            assertThat(reader.poll(p -> linkType[0] = p.linkType(), 10)).isEqualTo(1);
            assertThat(linkType[0]).isEqualTo(101);
            assertThat(reader.linkType()).isEqualTo(101);
            assertThat(reader.snapLength()).isEqualTo(128);
        }
    }

    @Test
    void givesEachInterfaceItsOwnLinkTypeAndName() throws IOException {
        byte[] bytes = CaptureBytes.pcapng(LITTLE_ENDIAN)
                .iface(1, 65535, Option.name("eth0"))
                .iface(113, 65535, Option.name("any\0\0"))
                .iface(101, 65535)
                .epb(1, T, frame(40, 0), 40)
                .epb(0, T, frame(40, 0), 40)
                .epb(2, T, frame(40, 0), 40).bytes();
        ReadResult r = ReadResult.of(dir, bytes);
        assertThat(r.packets()).extracting(Packet::linkType).containsExactly(113, 1, 101);
        assertThat(r.packets()).extracting(Packet::interfaceIndex).containsExactly(1, 0, 2);
        assertThat(r.packets()).extracting(Packet::interfaceName).containsExactly("any", "eth0", null);
    }

    @Test
    void reusesOneInterfaceNameStringForAllItsPackets() throws IOException {
        Path file = dir.resolve("n.pcapng");
        Files.write(file, CaptureBytes.pcapng(LITTLE_ENDIAN).iface(1, 0, Option.name("veth-x"))
                .epb(0, T, frame(20, 0), 20).epb(0, T, frame(20, 0), 20).bytes());
        String[] names = new String[2];
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            reader.poll(p -> names[(int) p.frameNumber() - 1] = p.interfaceName(), 10);
        }
        assertThat(names[0]).isEqualTo("veth-x").isSameAs(names[1]);
    }

    @Test
    void startsAFreshInterfaceListInEachSectionAndFollowsItsByteOrder() throws IOException {
        byte[] bytes = CaptureBytes.pcapng(LITTLE_ENDIAN)
                .iface(1, 65535, Option.name("a"))
                .epb(0, T, frame(30, 0), 30)
                .section(BIG_ENDIAN)
                .iface(113, 65535, Option.name("b"))
                .epb(0, T, frame(31, 0), 31)
                .section(LITTLE_ENDIAN)
                .iface(101, 65535)
                .iface(228, 65535)
                .epb(1, T, frame(32, 0), 32).bytes();
        ReadResult r = ReadResult.of(dir, bytes);
        assertThat(r.error()).isNull();
        assertThat(r.packets()).extracting(Packet::frameNumber).containsExactly(1L, 2L, 3L);
        assertThat(r.packets()).extracting(Packet::linkType).containsExactly(1, 113, 228);
        assertThat(r.packets()).extracting(Packet::interfaceName).containsExactly("a", "b", null);
        assertThat(r.packets()).extracting(Packet::captureLength).containsExactly(30, 31, 32);
    }

    @Test
    void aPacketMayNotUseAnInterfaceOfAnEarlierSection() throws IOException {
        CaptureBytes b = CaptureBytes.pcapng(LITTLE_ENDIAN).iface(1, 0).iface(1, 0).epb(1, T, frame(20, 0), 20)
                .section(LITTLE_ENDIAN).iface(1, 0);
        long damaged = b.bytes().length;
        b.epb(1, T, frame(20, 0), 20);
        ReadResult r = ReadResult.of(dir, b.bytes());
        assertThat(r.packets()).hasSize(1);
        assertThat(r.error()).hasMessage("damaged enhanced packet block at byte " + damaged
                + ": it refers to interface 1, but its section describes 1");
        assertThat(r.error().offset()).isEqualTo(damaged);
    }

    @ParameterizedTest(name = "if_tsresol {0}: {1} units -> {2} ns")
    @CsvSource({
            "6, 1700000000123456, 1700000000123456000",
            "9, 1700000000123456789, 1700000000123456789",
            "3, 1700000000123, 1700000000123000000",
            "0, 1700000000, 1700000000000000000",
            "12, 1700000000123456789, 1700000000123456",
            "128, 1700000000, 1700000000000000000",
            // 2^-10 s: 1024 units per second; 512 units = 0.5 s
            "138, 1740800000512, 1700000000500000000",
            // 2^-32 s (NTP-like): 0x80000000 = 0.5 s
            "160, 7301444403200000000, 1700000000000000000",
            "160, 7301444405347483648, 1700000000500000000",
            // 2^-40 s: one unit is below a nanosecond
            "168, 1099511627776, 1000000000",
    })
    void convertsTimestampsWithTheInterfaceResolution(int tsresol, long units, long nanos) throws IOException {
        byte[] bytes = CaptureBytes.pcapng(LITTLE_ENDIAN)
                .iface(1, 0, Option.tsresol(tsresol))
                .epb(0, units, frame(20, 0), 20).bytes();
        assertThat(ReadResult.of(dir, bytes).packets().get(0).timestampNanos()).isEqualTo(nanos);
    }

    @Test
    void addsTheInterfaceTimestampOffset() throws IOException {
        byte[] bytes = CaptureBytes.pcapng(BIG_ENDIAN)
                .iface(1, 0, Option.tsresol(9), Option.u64(BIG_ENDIAN, 14, 1_000_000_000L))
                .epb(0, 700_000_000_000_000_005L, frame(20, 0), 20).bytes();
        assertThat(ReadResult.of(dir, bytes).packets().get(0).timestampNanos()).isEqualTo(1_700_000_000_000_000_005L);
    }

    @Test
    void readsSimplePacketBlocksOnInterfaceZero() throws IOException {
        byte[] bytes = CaptureBytes.pcapng(LITTLE_ENDIAN)
                .iface(1, 64, Option.name("lo"))
                .spb(42, frame(42, 5))
                .spb(1500, frame(64, 6))
                .spb(30, frame(20, 7)).bytes();
        ReadResult r = ReadResult.of(dir, bytes);
        assertThat(r.error()).isNull();
        assertThat(r.packets()).extracting(Packet::captureLength).containsExactly(42, 64, 20);
        assertThat(r.packets()).extracting(Packet::originalLength).containsExactly(42, 1500, 30);
        assertThat(r.packets()).extracting(Packet::interfaceName).containsOnly("lo");
        assertThat(r.packets()).extracting(Packet::timestampNanos).containsOnly(0L);
        assertThat(ReadResult.bytesOf(r.packets().get(0))).isEqualTo(frame(42, 5));
        assertThat(ReadResult.bytesOf(r.packets().get(1))).isEqualTo(frame(64, 6));
    }

    @Test
    void needsAnInterfaceForASimplePacketBlock() throws IOException {
        byte[] bytes = CaptureBytes.pcapng(LITTLE_ENDIAN).spb(20, frame(20, 0)).bytes();
        assertThat(ReadResult.of(dir, bytes).error())
                .hasMessage("damaged simple packet block at byte 28: it refers to interface 0, but its section describes 0");
    }

    @Test
    void readsObsoletePacketBlocks() throws IOException {
        byte[] bytes = CaptureBytes.pcapng(BIG_ENDIAN).iface(1, 0).iface(113, 0)
                .opb(1, T, frame(50, 3), 60).bytes();
        ReadResult r = ReadResult.of(dir, bytes);
        assertThat(r.error()).isNull();
        Packet p = r.packets().get(0);
        assertThat(p.linkType()).isEqualTo(113);
        assertThat(p.timestampNanos()).isEqualTo(T * 1000);
        assertThat(p.captureLength()).isEqualTo(50);
        assertThat(p.originalLength()).isEqualTo(60);
        assertThat(ReadResult.bytesOf(p)).isEqualTo(frame(50, 3));
    }

    @Test
    void countsOnlyPacketBlocksAsFramesAndSkipsEveryOtherBlock() throws IOException {
        byte[] bytes = CaptureBytes.pcapng(LITTLE_ENDIAN)
                .block(4, new byte[] {1, 0, 8, 0, 10, 0, 0, 1, 'h', 'o', 's', 't', 0, 0, 0, 0}) // name resolution
                .iface(1, 0)
                .block(5, new byte[20]) // interface statistics
                .epb(0, T, frame(20, 0), 20)
                .block(10, new byte[12]) // decryption secrets
                .block(0x00000BAD, new byte[7]) // custom
                .block(0x40000BAD, new byte[0]) // custom, not copyable
                .block(0x12345678, new byte[100]) // unknown
                .spb(20, frame(20, 0))
                .opb(0, T, frame(20, 0), 20).bytes();
        ReadResult r = ReadResult.of(dir, bytes);
        assertThat(r.error()).isNull();
        assertThat(r.packets()).extracting(Packet::frameNumber).containsExactly(1L, 2L, 3L);
    }

    @ParameterizedTest(name = "epb_flags {0} -> {1}")
    @CsvSource({"0, UNKNOWN", "1, HOST", "5, HOST", "9, MULTICAST", "13, BROADCAST", "17, OTHERHOST",
            "2, OUTGOING", "3, UNKNOWN"})
    void takesTheDirectionFromEpbFlags(int flags, PacketType expected) throws IOException {
        byte[] bytes = CaptureBytes.pcapng(BIG_ENDIAN).iface(1, 0)
                .epb(0, T, frame(21, 0), 21, new Option(1, "comment".getBytes()), Option.u32(BIG_ENDIAN, 2, flags))
                .opb(0, T, frame(21, 0), 21, Option.u32(BIG_ENDIAN, 2, flags)).bytes();
        ReadResult r = ReadResult.of(dir, bytes);
        assertThat(r.packets()).extracting(Packet::packetType).containsExactly(expected, expected);
    }

    @Test
    void ignoresDamagedPacketOptions() throws IOException {
        CaptureBytes b = CaptureBytes.pcapng(LITTLE_ENDIAN).iface(1, 0);
        // An option that claims more bytes than the block holds.
        byte[] head = java.nio.ByteBuffer.allocate(20).order(LITTLE_ENDIAN).putInt(0).putInt(0).putInt(0)
                .putInt(4).putInt(4).array();
        byte[] option = java.nio.ByteBuffer.allocate(8).order(LITTLE_ENDIAN).putShort((short) 2)
                .putShort((short) 400).putInt(2).array();
        b.block(6, CaptureBytes.concat(head, new byte[4], option));
        ReadResult r = ReadResult.of(dir, b.bytes());
        assertThat(r.error()).isNull();
        assertThat(r.packets().get(0).packetType()).isEqualTo(PacketType.UNKNOWN);
    }

    // ---------------------------------------------------------------------------------------------- damage

    private CaptureBytes twoPackets() {
        return CaptureBytes.pcapng(LITTLE_ENDIAN).iface(1, 0).epb(0, T, frame(40, 0), 40).epb(0, T, frame(40, 1), 40);
    }

    @Test
    void deliversEveryWholeBlockBeforeATruncatedLastBlock() throws IOException {
        CaptureBytes b = twoPackets();
        byte[] all = b.bytes();
        long last = b.boundaries().get(b.boundaries().size() - 1);
        ReadResult r = ReadResult.of(dir, Arrays.copyOf(all, all.length - 10));
        assertThat(r.packets()).hasSize(1);
        assertThat(r.error()).hasMessage("truncated block at byte " + last + ": header says 72 bytes, 62 left in file");
        assertThat(r.error().offset()).isEqualTo(last);
    }

    @Test
    void reportsABlockCutInsideItsHeader() throws IOException {
        byte[] all = twoPackets().bytes();
        ReadResult r = ReadResult.of(dir, Arrays.copyOf(all, all.length - 72 + 5));
        assertThat(r.packets()).hasSize(1);
        assertThat(r.error()).hasMessageContaining("truncated block header at byte").hasMessageContaining("5 bytes left");
    }

    @Test
    void reportsAZeroBlockLength() throws IOException {
        CaptureBytes b = twoPackets().rawBlock(6, 0, new byte[0], 0);
        ReadResult r = ReadResult.of(dir, b.bytes());
        assertThat(r.packets()).hasSize(2);
        assertThat(r.error()).hasMessageEndingWith(": length 0 is less than the 12-byte minimum");
    }

    @Test
    void reportsABlockLengthThatIsNotAMultipleOfFour() throws IOException {
        CaptureBytes b = twoPackets().rawBlock(4, 13, new byte[1], 13);
        ReadResult r = ReadResult.of(dir, b.bytes());
        assertThat(r.packets()).hasSize(2);
        assertThat(r.error()).hasMessageContaining("length 13 is not a multiple of 4");
    }

    @Test
    void reportsABlockLengthBeyondTheEndOfTheFile() throws IOException {
        CaptureBytes b = twoPackets().rawBlock(6, 0xFFFFFFF0L, new byte[40], 0xFFFFFFF0L);
        ReadResult r = ReadResult.of(dir, b.bytes());
        assertThat(r.packets()).hasSize(2);
        assertThat(r.error()).hasMessageContaining("header says 4294967280 bytes, 52 left in file");
    }

    @Test
    void reportsAMismatchedTrailingLength() throws IOException {
        CaptureBytes b = twoPackets().rawBlock(4, 16, new byte[4], 20);
        ReadResult r = ReadResult.of(dir, b.bytes());
        assertThat(r.packets()).hasSize(2);
        assertThat(r.error()).hasMessageContaining("trailing length 20 does not match the leading length 16");
    }

    @Test
    void reportsACapturedLengthBeyondTheBlock() throws IOException {
        CaptureBytes b = CaptureBytes.pcapng(LITTLE_ENDIAN).iface(1, 0);
        long at = b.bytes().length;
        b.packet(6, 0, T, 41, 41, frame(40, 0));
        ReadResult r = ReadResult.of(dir, b.bytes());
        assertThat(r.error()).hasMessage("damaged enhanced packet block at byte " + at
                + ": captured length 41 exceeds the 40 bytes of packet data in the block");
    }

    @Test
    void reportsAPacketBlockTooShortForItsFields() throws IOException {
        byte[] bytes = CaptureBytes.pcapng(LITTLE_ENDIAN).iface(1, 0).block(6, new byte[8]).bytes();
        assertThat(ReadResult.of(dir, bytes).error()).hasMessageContaining("is less than the 32-byte minimum");
    }

    @Test
    void reportsAnInterfaceOptionThatOverrunsItsBlock() throws IOException {
        byte[] body = java.nio.ByteBuffer.allocate(16).order(LITTLE_ENDIAN).putShort((short) 1).putShort((short) 0)
                .putInt(0).putShort((short) 2).putShort((short) 200).putInt(0).array();
        ReadResult r = ReadResult.of(dir, CaptureBytes.pcapng(LITTLE_ENDIAN).block(1, body).bytes());
        assertThat(r.error()).hasMessageContaining("option 2 at byte 44 runs past the end of the block");
    }

    @Test
    void reportsABadByteOrderMagicInALaterSection() throws IOException {
        CaptureBytes b = twoPackets();
        long at = b.bytes().length;
        b.block(0x0A0D0D0A, new byte[16]);
        ReadResult r = ReadResult.of(dir, b.bytes());
        assertThat(r.packets()).hasSize(2);
        assertThat(r.error()).hasMessage("damaged section header at byte " + at
                + ": byte-order magic 0x00000000, expected 0x1a2b3c4d in either byte order");
    }

    @Test
    void rejectsAnUnsupportedVersionAtOpen() throws IOException {
        byte[] body = java.nio.ByteBuffer.allocate(16).order(LITTLE_ENDIAN).putInt(0x1A2B3C4D).putShort((short) 2)
                .putShort((short) 0).putLong(-1).array();
        Path file = dir.resolve("v2.pcapng");
        Files.write(file, CaptureBytes.empty(LITTLE_ENDIAN).block(0x0A0D0D0A, body).bytes());
        assertThatThrownBy(() -> CaptureFileReader.open(file)).isInstanceOf(CaptureFileException.class)
                .hasMessageContaining("unsupported pcapng version 2.0");
    }

    @Test
    void rejectsATruncatedFirstSectionHeaderAtOpen() throws IOException {
        byte[] all = CaptureBytes.pcapng(BIG_ENDIAN).bytes();
        for (int n = 4; n < all.length; n++) {
            Path file = dir.resolve("shb" + n);
            Files.write(file, Arrays.copyOf(all, n));
            assertThatThrownBy(() -> CaptureFileReader.open(file)).isInstanceOf(CaptureFileException.class)
                    .hasMessageContaining("at byte 0");
        }
    }
}
