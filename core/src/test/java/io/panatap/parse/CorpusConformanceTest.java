package io.panatap.parse;

import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the parser against tshark's ground truth in {@code ../shared/corpus} (see its README) beside the
 * checkout; without it the test skips, or fails under {@code CI=true} ({@link Prerequisites#missingCorpusTest()}). A frame is listed when tshark would list it: the
 * ports were read ({@link PacketHeaders#hasPorts()}), with the flags only when {@link PacketHeaders#hasFlags()}.
 *
 * <p>The capture files are walked by a minimal pcap/pcapng record reader that lives in this test only.
 */
class CorpusConformanceTest {

    @TestFactory
    Stream<DynamicTest> agreesWithTsharkOnEveryCorpusCapture() throws IOException {
        Path dir = Prerequisites.corpus();
        if (dir == null) {
            return Prerequisites.missingCorpusTest();
        }
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path truth : files.filter(p -> p.toString().endsWith(".tsv")).sorted().toList()) {
                String base = truth.getFileName().toString().replaceFirst("\\.tsv$", "");
                Path capture = Files.exists(dir.resolve(base + ".pcap"))
                        ? dir.resolve(base + ".pcap") : dir.resolve(base + ".pcapng");
                tests.add(DynamicTest.dynamicTest(base, () -> {
                    List<String> expected = Files.readAllLines(truth, StandardCharsets.UTF_8).stream()
                            .filter(line -> !line.isEmpty()).toList();
                    assertThat(rows(capture)).isEqualTo(expected);
                }));
            }
        }
        assertThat(tests).as("ground-truth .tsv files in %s", dir).isNotEmpty();
        return tests.stream();
    }

    /** The ground-truth lines the parser produces for a capture. */
    static List<String> rows(Path capture) throws IOException {
        List<String> rows = new ArrayList<>();
        PacketHeaders headers = new PacketHeaders();
        RecordWalker.walk(Files.readAllBytes(capture), (frame, segment, offset, length, linkType) -> {
            headers.wrap(segment, offset, length, linkType);
            if (!headers.hasPorts()) {
                return;
            }
            StringBuilder row = new StringBuilder().append(frame).append('\t').append(headers.ipVersion()).append('\t');
            headers.appendSource(row).append('\t');
            headers.appendDestination(row).append('\t');
            row.append(headers.sourcePort()).append('\t').append(headers.destinationPort()).append('\t');
            if (headers.hasFlags()) {
                row.append(String.format("0x%03x", headers.flags())).append('\t').append(TcpFlags.columns(headers.flags()));
            } else {
                row.append('\t');
            }
            rows.add(row.toString());
        });
        return rows;
    }

    interface RecordHandler {
        void onRecord(long frameNumber, MemorySegment segment, long offset, long length, int linkType);
    }

    /** Just enough of pcap and pcapng to hand each packet record, numbered like tshark, to a handler. */
    static final class RecordWalker {
        static void walk(byte[] file, RecordHandler handler) {
            MemorySegment s = MemorySegment.ofArray(file);
            int magic = s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (magic == 0x0A0D0D0A) {
                walkPcapng(s, handler);
            } else {
                walkPcap(s, handler);
            }
        }

        private static void walkPcap(MemorySegment s, RecordHandler handler) {
            ValueLayout.OfInt le = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            int magic = s.get(le, 0);
            boolean little = magic == 0xA1B2C3D4 || magic == 0xA1B23C4D;
            ValueLayout.OfInt u32 = little ? le : ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
            assertThat(little || Integer.reverseBytes(magic) == 0xA1B2C3D4 || Integer.reverseBytes(magic) == 0xA1B23C4D)
                    .as("pcap magic").isTrue();
            int linkType = s.get(u32, 20) & 0x0FFFFFFF;
            long pos = 24;
            long frame = 0;
            while (pos + 16 <= s.byteSize()) {
                long captured = s.get(u32, pos + 8) & 0xFFFFFFFFL;
                long length = Math.min(captured, s.byteSize() - pos - 16);
                handler.onRecord(++frame, s, pos + 16, length, linkType);
                pos += 16 + captured;
            }
        }

        private static void walkPcapng(MemorySegment s, RecordHandler handler) {
            ValueLayout.OfInt u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            List<Integer> linkTypes = new ArrayList<>();
            long pos = 0;
            long frame = 0;
            while (pos + 12 <= s.byteSize()) {
                if (s.get(u32, pos) == 0x0A0D0D0A) {
                    boolean little = s.get(u32, pos + 8) == 0x1A2B3C4D;
                    ByteOrder order = little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
                    u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
                    u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
                    linkTypes.clear();
                }
                int type = s.get(u32, pos);
                long blockLength = s.get(u32, pos + 4) & 0xFFFFFFFFL;
                if (blockLength < 12) {
                    break;
                }
                switch (type) {
                    case 1 -> linkTypes.add(s.get(u16, pos + 8) & 0xFFFF);
                    case 6 -> handler.onRecord(++frame, s, pos + 28, s.get(u32, pos + 20) & 0xFFFFFFFFL,
                            linkTypes.get(s.get(u32, pos + 8)));
                    case 3 -> handler.onRecord(++frame, s, pos + 12,
                            Math.min(blockLength - 16, s.get(u32, pos + 8) & 0xFFFFFFFFL), linkTypes.get(0));
                    case 2 -> handler.onRecord(++frame, s, pos + 28, s.get(u32, pos + 20) & 0xFFFFFFFFL,
                            linkTypes.get(s.get(u16, pos + 8) & 0xFFFF));
                    default -> {
                    }
                }
                pos += blockLength;
            }
        }
    }
}
