package io.panatap.pcap;

import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Headers that tcpdump and tshark refuse are refused, from a file and from a stream, with the offset of the
 * field in error: classic pcap versions other than 2.0-2.4 (libpcap's {@code pcap-invalid-version-1} and
 * {@code -2} are 1.4 and 2.5), pcapng sections other than 1.0 (1.2 is accepted, as by libpcap and tshark),
 * and a link-type field with reserved bits set, while its FCS bits are accepted as libpcap accepts them.
 */
class HeaderRefusalTest {
    @TempDir
    Path dir;

    static byte[] pcapHeader(ByteOrder order, int major, int minor, int linkTypeField) {
        return CaptureBytes.empty(order).u32(0xa1b2c3d4).u16(major).u16(minor).u32(0).u32(0).u32(65535)
                .u32(linkTypeField).record(1, 0, Frames.ethernetIpv4Tcp(40000, 80, 0x002, 0), 54).bytes();
    }

    static byte[] pcapng(ByteOrder order, int major, int minor) {
        byte[] body = ByteBuffer.allocate(16).order(order).putInt(0x1A2B3C4D).putShort((short) major)
                .putShort((short) minor).putLong(-1).array();
        CaptureBytes b = CaptureBytes.empty(order).block(0x0A0D0D0A, body).iface(1, 65535);
        return b.epb(0, 1, Frames.ethernetIpv4Tcp(40000, 80, 0x002, 0), 54).bytes();
    }

    private CaptureFileException refusedFromFileAndStream(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        CaptureFileException fromFile = null;
        try {
            CaptureFileReader.open(file).close();
        } catch (CaptureFileException e) {
            fromFile = e;
        }
        assertThat(fromFile).as("refused from a file").isNotNull();
        CaptureFileException fromStream = null;
        try {
            CaptureFileReader.open(Channels.newChannel(new ByteArrayInputStream(bytes))).close();
        } catch (CaptureFileException e) {
            fromStream = e;
        }
        assertThat(fromStream).as("refused from a stream").isNotNull();
        assertThat(fromStream.getMessage()).isEqualTo(fromFile.getMessage());
        assertThat(fromStream.offset()).isEqualTo(fromFile.offset());
        return fromFile;
    }

    @ParameterizedTest
    @CsvSource({"1, 4", "2, 5", "3, 0", "543, 0", "0, 0", "65535, 4"})
    void refusesClassicVersionsOtherThan2Point0To2Point4(int major, int minor) throws Exception {
        for (ByteOrder order : new ByteOrder[] {LITTLE_ENDIAN, BIG_ENDIAN}) {
            byte[] bytes = pcapHeader(order, major, minor, 1);
            CaptureFileException e = refusedFromFileAndStream("v" + major + "." + minor + ".pcap", bytes);
            assertThat(e).hasMessage("unsupported pcap version " + major + "." + minor + " in the file header at byte 4:"
                    + " not a pcap file panatap can read (versions 2.0 to 2.4 are)");
            assertThat(e.offset()).isEqualTo(4);
            if (major != 543) { // libpcap reads DG/UX's 543.0, with lengths panatap does not swap back
                assertRefusedBy("tcpdump", bytes, "-nr");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void readsClassicVersions2Point0To2Point4(int minor) throws Exception {
        ReadResult r = ReadResult.of(dir, pcapHeader(BIG_ENDIAN, 2, minor, 1));
        assertThat(r.error()).isNull();
        assertThat(r.packets()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00010001, 0x03FF0001, 0x02000001, 0x00400071})
    void refusesALinkTypeFieldWithReservedBitsSet(int field) throws Exception {
        byte[] bytes = pcapHeader(LITTLE_ENDIAN, 2, 4, field);
        CaptureFileException e = refusedFromFileAndStream("reserved.pcap", bytes);
        assertThat(e).hasMessage(String.format("damaged pcap file header at byte 20: the link-type field 0x%08x has"
                + " reserved bits set (0x%08x), which must be zero", field, field & 0x03FF0000));
        assertThat(e.offset()).isEqualTo(20);
        assertRefusedBy("tcpdump", bytes, "-nr");
    }

    /** libpcap keeps bits 26-31 (FCS present, FCS length) apart from the link type and reads on; so does panatap. */
    @ParameterizedTest
    @ValueSource(ints = {0x30000001, 0x04000001, 0xF4000001, 0xFC000001})
    void acceptsTheFcsBitsOfTheLinkTypeField(int field) throws Exception {
        Path file = dir.resolve("fcs.pcap");
        Files.write(file, pcapHeader(BIG_ENDIAN, 2, 4, field));
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            assertThat(reader.linkType()).isEqualTo(1);
        }
        ReadResult r = ReadResult.read(file);
        assertThat(r.error()).isNull();
        assertThat(r.packets()).hasSize(1);
        assertThat(r.packets().get(0).headers().hasPorts()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "1, 3", "2, 0", "0, 0", "1, 65535"})
    void refusesPcapngSectionsOtherThan1Point0(int major, int minor) throws Exception {
        for (ByteOrder order : new ByteOrder[] {LITTLE_ENDIAN, BIG_ENDIAN}) {
            byte[] bytes = pcapng(order, major, minor);
            CaptureFileException e = refusedFromFileAndStream("v" + major + "." + minor + ".pcapng", bytes);
            assertThat(e).hasMessage("unsupported pcapng version " + major + "." + minor + " in the section header at"
                    + " byte 0: not a pcapng section panatap can read (version 1.0 is)");
            assertThat(e.offset()).isEqualTo(0);
            assertRefusedBy("tcpdump", bytes, "-nr");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void readsPcapngSections1Point0And1Point2(int minor) throws Exception {
        ReadResult r = ReadResult.of(dir, pcapng(BIG_ENDIAN, 1, minor));
        assertThat(r.error()).isNull();
        assertThat(r.packets()).hasSize(1);
    }

    @Test
    void refusesALaterSectionOfAnotherVersionAsDamageAfterTheRecordsBeforeIt() throws Exception {
        byte[] first = pcapng(LITTLE_ENDIAN, 1, 0);
        byte[] second = pcapng(LITTLE_ENDIAN, 1, 1);
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        ReadResult r = ReadResult.of(dir, both);
        assertThat(r.packets()).hasSize(1);
        assertThat(r.error()).hasMessage("unsupported pcapng version 1.1 in the section header at byte "
                + first.length + ": not a pcapng section panatap can read (version 1.0 is)");
        assertThat(r.error().offset()).isEqualTo(first.length);
        ReadResult streamed = ReadResult.streamed(both, () -> 5);
        assertThat(streamed.described()).isEqualTo(r.described());
    }

    /** The same bytes make {@code tool} fail, when it is installed (always under CI=true). */
    private void assertRefusedBy(String tool, byte[] bytes, String... options) throws Exception {
        Path path = Prerequisites.optionalTool(tool);
        if (path == null) {
            return;
        }
        Path file = Files.createTempFile(dir, "refused", ".cap");
        Files.write(file, bytes);
        String[] command = new String[options.length + 2];
        command[0] = path.toString();
        System.arraycopy(options, 0, command, 1, options.length);
        command[command.length - 1] = file.toString();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(tool + " on the same bytes: " + output).isNotZero();
    }
}
