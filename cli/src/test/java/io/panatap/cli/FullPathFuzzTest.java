package io.panatap.cli;

import io.panatap.parse.LinkType;
import io.panatap.pcap.PcapWriter;
import io.panatap.testing.FuzzFrames;
import io.panatap.testing.FuzzPacket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Captured packets are attacker-controlled: seeded generated and mutated frames (core's {@link FuzzFrames})
 * through the command's whole per-packet path: the in-process filter, the table, line and JSON formatters
 * (each through a {@link PacketSink}, as the command prints), and the pcap writer. No exception may escape,
 * and every row is one line. 10^5 frames by default; {@code -Dpanatap.fuzz.frames=10000000} for the long
 * run, {@code -Dpanatap.fuzz.seed} to replay a failure.
 */
class FullPathFuzzTest {
    private static final long FRAMES = Long.getLong("panatap.fuzz.frames", 100_000);
    private static final long SEED = Long.getLong("panatap.fuzz.seed", 0x636c6966757a7aL);

    @TempDir
    Path dir;

    /** Counts rows and checks that each write holds whole lines only. */
    private static final class LineCounter extends OutputStream {
        long lines;
        long bytes;

        @Override
        public void write(int b) {
            throw new AssertionError("rows are written in blocks");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            assertThat(len == 0 || b[off + len - 1] == '\n').as("a write ends with a whole row").isTrue();
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    lines++;
                }
            }
            bytes += len;
        }
    }

    @Test
    void generatedAndMutatedFramesPassTheFilterFormattersAndWriterWithoutException() throws Exception {
        FuzzFrames frames = new FuzzFrames(SEED);
        FuzzPacket p = new FuzzPacket();
        Options filterOptions = Options.parse("tcp", "and", "(port", "80", "or", "tcp[tcpflags]", "&", "tcp-syn", "!=", "0", "or", "vlan)");
        Map<Integer, PacketFilter> filters = new HashMap<>();
        PacketFilter unknownLinkType = Filters.forFile(filterOptions, LinkType.ETHERNET, () -> java.nio.ByteOrder.LITTLE_ENDIAN);

        LineCounter[] outputs = {new LineCounter(), new LineCounter(), new LineCounter()};
        RowFormatter[] formatters = {new TableFormatter(packet -> packet == null ? 0 : packet.timestampNanos()),
                new LineFormatter(true, ZoneOffset.UTC), new JsonFormatter()};
        PacketSink[] sinks = new PacketSink[3];
        for (int i = 0; i < 3; i++) {
            sinks[i] = new PacketSink(formatters[i], new TextOutput(outputs[i], 64 * 1024), null, null, 0);
            sinks[i].start();
        }
        PcapWriter writer = PcapWriter.create(dir.resolve("fuzz.pcap"), LinkType.ETHERNET, 65535, PcapWriter.Precision.MICRO);
        PacketSink fileSink = new PacketSink(formatters[0], null, PacketWriter.of(writer), null, 0);
        long matched = 0;
        long tcp = 0;
        for (long i = 0; i < FRAMES; i++) {
            frames.next(p);
            try {
                PacketFilter filter = filters.computeIfAbsent(p.linkType(), lt -> {
                    try {
                        return Filters.forFile(filterOptions, lt, () -> java.nio.ByteOrder.LITTLE_ENDIAN);
                    } catch (CommandException | UsageException e) {
                        return unknownLinkType; // the expression means nothing there: never matches
                    }
                });
                if (filter.matches(p)) {
                    matched++;
                }
                if (p.headers().hasPorts()) { // TCP, also cut before the flags or with a bogus data offset
                    tcp++;
                }
                for (PacketSink sink : sinks) {
                    sink.onPacket(p);
                }
                if (i % 4 == 0 && p.linkType() == LinkType.ETHERNET) { // a pcap file holds one link type
                    fileSink.onPacket(p);
                }
                if (i % 256 == 255) {
                    for (PacketSink sink : sinks) {
                        sink.endBatch();
                    }
                    fileSink.endBatch();
                    if (i % (1 << 20) == (1 << 20) - 1) {
                        writer.close(); // keeps the file small in long runs
                        writer = PcapWriter.create(dir.resolve("fuzz.pcap"), LinkType.ETHERNET, 65535, PcapWriter.Precision.MICRO);
                        fileSink = new PacketSink(formatters[0], null, PacketWriter.of(writer), null, 0);
                    }
                }
            } catch (Throwable t) {
                throw new AssertionError("seed " + SEED + ", " + p + ": " + t, t);
            }
        }
        for (PacketSink sink : sinks) {
            sink.endBatch();
        }
        writer.close();
        System.out.printf("full-path fuzz: %,d frames (seed %d), %,d TCP, %,d matched the filter, %,d table / %,d line / %,d JSON rows%n",
                FRAMES, SEED, tcp, matched, outputs[0].lines, outputs[1].lines, outputs[2].lines);
        assertThat(tcp).isGreaterThan(FRAMES / 5);
        assertThat(matched).isPositive().isLessThan(tcp + 1);
        // One row per TCP segment (the table adds its header, repeated when a second has passed between rows).
        assertThat(outputs[1].lines).isEqualTo(tcp);
        assertThat(outputs[2].lines).isEqualTo(tcp);
        assertThat(outputs[0].lines).isGreaterThanOrEqualTo(tcp + 3);
    }
}
