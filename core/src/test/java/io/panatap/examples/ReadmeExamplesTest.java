package io.panatap.examples;

import io.panatap.parse.LinkType;
import io.panatap.parse.TcpFlags;
import io.panatap.pcap.PcapWriter;
import io.panatap.testing.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's Java snippets are the marked regions of the example sources in this package, which the build
 * compiles: every {@code ```java} block of the README must be one such region, to the character, and every
 * region must be in the README. The file example also runs here on a capture the test writes.
 */
class ReadmeExamplesTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path EXAMPLES = Path.of("src", "test", "java", "io", "panatap", "examples");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern REGION =
            Pattern.compile("// README:begin (\\w+)\\n(.*?)// README:end \\1\\n", Pattern.DOTALL);

    @Test
    void everyJavaSnippetInTheReadmeIsACompiledExampleAndEveryExampleIsInTheReadme() throws IOException {
        Map<String, String> regions = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().endsWith("Test.java")).toList()) {
                Matcher m = REGION.matcher(Files.readString(file));
                while (m.find()) {
                    regions.put(file.getFileName() + ":" + m.group(1), m.group(2));
                }
            }
        }
        List<String> blocks = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(Files.readString(README));
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertThat(regions).as("example regions").hasSizeGreaterThanOrEqualTo(2);
        assertThat(blocks).as("README java blocks that are not an example region")
                .allSatisfy(block -> assertThat(regions.values()).contains(block));
        assertThat(regions.keySet()).as("example regions missing from the README")
                .allSatisfy(name -> assertThat(blocks).contains(regions.get(name)));
    }

    @Test
    void theFileExamplePrintsEverySegmentWithBracketedIpv6Endpoints(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trace.pcap");
        try (PcapWriter w = PcapWriter.create(file, LinkType.ETHERNET, 65535, PcapWriter.Precision.MICRO)) {
            write(w, 1, Frames.ethernetIpv4Tcp("10.0.0.1", "10.0.0.2", 40000, 80, TcpFlags.SYN, 0));
            write(w, 2, Frames.ethernetIpv6Tcp("fd00::1", "fd00::2", 53402, 22, TcpFlags.PSH | TcpFlags.ACK, 32));
        }
        PrintStream saved = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            TcpSegments.main(new String[] {file.toString()});
        } finally {
            System.setOut(saved);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo(
                "10.0.0.1:40000 > 10.0.0.2:80 [S] length 0\n"
                        + "[fd00::1]:53402 > [fd00::2]:22 [P.] length 32\n");
    }

    private static void write(PcapWriter w, int second, byte[] frame) throws IOException {
        w.write(second * 1_000_000_000L, MemorySegment.ofArray(frame), 0, frame.length, frame.length);
    }
}
