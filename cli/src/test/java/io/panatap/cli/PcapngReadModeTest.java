package io.panatap.cli;

import io.panatap.PacketSource;
import io.panatap.cli.CommandRunner.Result;
import io.panatap.cli.TestFrames.Segment;
import io.panatap.pcap.CaptureFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static io.panatap.parse.TcpFlags.ACK;
import static io.panatap.parse.TcpFlags.PSH;
import static io.panatap.parse.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code panatap -r} on pcapng files whose interfaces have different link types, or whose first section
 * describes no interface: filters are compiled per link type, and {@code -w} never writes a packet under
 * a link type that is not its own.
 */
class PcapngReadModeTest {
    /** 2025-11-25T08:52:28Z in microseconds. */
    private static final long T0 = 1_764_060_748_000_000L;

    private static final byte[] SYN_22 = new Segment("10.0.0.1", "10.0.0.2", 51167, 22, SYN)
            .numbers(100, 0, 64240).frame();
    private static final byte[] DATA_22 = new Segment("10.0.0.1", "10.0.0.2", 51167, 22, PSH | ACK)
            .numbers(101, 901, 502).payload(10).frame();
    private static final byte[] SYN_80 = new Segment("10.0.0.3", "10.0.0.4", 40000, 80, SYN)
            .numbers(7, 0, 1000).frame();

    @TempDir
    Path dir;

    /** Interface 0 Ethernet, interface 1 raw IP; records 1, 2 and 4 Ethernet, record 3 raw IP. */
    private Path mixed() throws IOException {
        byte[] bytes = new TestFrames.Pcapng().section().iface(1, 65535).iface(101, 65535)
                .epb(0, T0, SYN_22)
                .epb(0, T0 + 1, TestFrames.udpFrame())
                .epb(1, T0 + 2, TestFrames.rawIp(SYN_80))
                .epb(0, T0 + 3, DATA_22)
                .bytes();
        Path file = dir.resolve("mixed.pcapng");
        Files.write(file, bytes);
        return file;
    }

    /** An empty first section, then a section with an Ethernet interface and two records. */
    private Path interfaceInTheSecondSection() throws IOException {
        byte[] bytes = new TestFrames.Pcapng().section().section().iface(1, 65535)
                .epb(0, T0, SYN_22)
                .epb(0, T0 + 1, TestFrames.udpFrame())
                .bytes();
        Path file = dir.resolve("late.pcapng");
        Files.write(file, bytes);
        return file;
    }

    /** Each record of a capture file as "LINKTYPE hex". */
    private static List<String> records(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            while (reader.poll(p -> {
                byte[] b = new byte[p.captureLength()];
                MemorySegment.copy(p.segment(), ValueLayout.JAVA_BYTE, p.frameOffset(), b, 0, b.length);
                out.add(p.linkType() + " " + HexFormat.of().formatHex(b));
            }, 100) != PacketSource.END) {
                // keep reading
            }
        }
        return out;
    }

    private static String hex(byte[] frame) {
        return HexFormat.of().formatHex(frame);
    }

    @Test
    void refusesToWriteARecordOfAnotherLinkTypeIntoThePcapFile() throws Exception {
        Path out = dir.resolve("out.pcap");
        Result r = CommandRunner.run("-r", mixed().toString(), "-w", out.toString());
        assertThat(r.err()).isEqualTo("panatap: -w " + out + ": record 3 has link type RAW (101) but the pcap file"
                + " was started with EN10MB (1); a pcap file holds one link type: write pcapng (-w FILE.pcapng or"
                + " --pcapng) to keep every packet under its own interface\n");
        assertThat(r.status()).isEqualTo(1);
        assertThat(records(out)).as("a valid pcap of the records before it")
                .containsExactly("1 " + hex(SYN_22), "1 " + hex(TestFrames.udpFrame()));
    }

    @Test
    void writingPcapngKeepsEveryPacketUnderItsOwnInterfaceAndReadsBackToTheSameRows() throws Exception {
        for (List<String> how : List.of(List.of("-w", dir.resolve("out.pcapng").toString()),
                List.of("--pcapng", "-w", dir.resolve("out.cap").toString()))) {
            Path out = Path.of(how.getLast());
            List<String> args = new ArrayList<>(List.of("-r", mixed().toString()));
            args.addAll(how);
            Result r = CommandRunner.run(args.toArray(String[]::new));
            assertThat(r.err()).isEmpty();
            assertThat(r.status()).isZero();
            assertThat(records(out)).containsExactly("1 " + hex(SYN_22), "1 " + hex(TestFrames.udpFrame()),
                    "101 " + hex(TestFrames.rawIp(SYN_80)), "1 " + hex(DATA_22));
            try (CaptureFileReader reader = CaptureFileReader.open(out)) {
                assertThat(reader.isPcapng()).isTrue();
            }
            for (String format : List.of("json", "line", "table")) {
                Result original = CommandRunner.run("-r", mixed().toString(), "--format", format);
                Result copy = CommandRunner.run("-r", out.toString(), "--format", format);
                assertThat(copy.out()).as(format).isEqualTo(original.out()).isNotEmpty();
            }
        }
    }

    @Test
    void writesTheRecordsAFilterSelectsWhenTheyShareOneLinkType() throws Exception {
        Path out = dir.resolve("port22.pcap");
        Result r = CommandRunner.run("-r", mixed().toString(), "-w", out.toString(), "tcp", "port", "22");
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(records(out)).containsExactly("1 " + hex(SYN_22), "1 " + hex(DATA_22));
    }

    @Test
    void filtersEveryLinkTypeOfTheFile() throws Exception {
        Result r = CommandRunner.run("-r", mixed().toString(), "--format", "line", "tcp[tcpflags] & tcp-syn != 0");
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.lines()).hasSize(2);
        assertThat(r.lines().get(0)).contains("10.0.0.1.51167 > 10.0.0.2.22: Flags [S]");
        assertThat(r.lines().get(1)).contains("10.0.0.3.40000 > 10.0.0.4.80: Flags [S]");
    }

    @Test
    void filtersAFileWhoseFirstSectionDescribesNoInterface() throws Exception {
        Result r = CommandRunner.run("-r", interfaceInTheSecondSection().toString(), "--format", "line", "tcp");
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.lines()).hasSize(1);
        assertThat(r.lines().get(0)).contains("10.0.0.1.51167 > 10.0.0.2.22: Flags [S]");
    }

    @Test
    void copiesAFileWhoseFirstSectionDescribesNoInterface() throws Exception {
        Path out = dir.resolve("late.pcap");
        Result r = CommandRunner.run("-r", interfaceInTheSecondSection().toString(), "-w", out.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(records(out)).containsExactly("1 " + hex(SYN_22), "1 " + hex(TestFrames.udpFrame()));
    }

    @Test
    void aSyntaxErrorIsReportedEvenBeforeTheFirstInterfaceIsKnown() throws Exception {
        Result r = CommandRunner.run("-r", interfaceInTheSecondSection().toString(), "tcp", "prot", "22");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("panatap: filter 'tcp prot 22': syntax error");
    }
}
