package io.panatap.cli;

import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tcpdump's views ({@code -#}, {@code -t} modes, {@code -e}, {@code -x}, {@code -xx}, {@code -X}, {@code -XX},
 * {@code -A}, {@code -AA}, {@code --nano}) on every capture of the corpus, against the installed tcpdump with
 * the filter {@code tcp}: the number, timestamp and link header of every TCP row, and the dump after it, are
 * tcpdump's. A capture where the two print a different number of rows (tcpdump also prints non-first
 * fragments as TCP) cannot be paired row by row and is left out; at most two may be. In a file with records
 * longer than its snap length (libpcap cuts them, panatap does not) only the rows are compared; a file with
 * damaged microsecond fields only with {@code -t}.
 */
class ViewsCorpusTest {
    private static final List<List<String>> VIEWS = List.of(
            List.of("-tt", "-e", "-x"),
            List.of("-tt", "-xx"),
            List.of("-X"),
            List.of("-tttt", "-e", "-XX"),
            List.of("-ttt", "-A"),
            List.of("-ttttt", "-AA"),
            List.of("-t", "-e"),
            List.of("--nano", "-e"));

    @Test
    void everyTcpRowOfTheCorpusHasTcpdumpsViews() throws IOException, InterruptedException {
        Path corpus = Prerequisites.requireCorpus();
        Prerequisites.requireTool("tcpdump");
        List<Path> files;
        try (Stream<Path> s = Files.list(corpus)) {
            files = s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        int rows = 0;
        int identical = 0;
        int excluded = 0;
        List<String> unaligned = new ArrayList<>();
        List<String> differences = new ArrayList<>();
        java.util.Set<String> cutFiles = new java.util.TreeSet<>();
        java.util.Set<String> invalidTimes = new java.util.TreeSet<>();
        for (List<String> view : VIEWS) {
            for (Path file : files) {
                if (!view.contains("-t") && invalidMicroseconds(file)) {
                    invalidTimes.add(file.getFileName().toString()); // tcpdump prints such fields as they are
                    continue;
                }
                boolean cut = recordsBeyondSnapLength(file);
                if (cut) {
                    cutFiles.add(file.getFileName().toString());
                }
                TcpdumpViews.Result r = TcpdumpViews.compare(file, view, "tcp", !cut);
                if (!r.aligned()) {
                    unaligned.add(file.getFileName() + " " + view + ": " + r.differences());
                    continue;
                }
                rows += r.rows();
                identical += r.identical();
                excluded += r.excluded();
                for (String d : r.differences()) {
                    differences.add(file.getFileName() + " " + view + "\n" + d);
                }
            }
        }
        System.out.println("views vs tcpdump over the corpus: " + identical + " of " + rows + " rows identical; "
                + excluded + " left out (application-layer truncation, microsecond fields over a million); "
                + unaligned.size() + " file runs not paired: " + unaligned + "; dumps not compared in " + cutFiles + "; only -t compared in " + invalidTimes);
        assertThat(differences).isEmpty();
        assertThat(identical + excluded).isEqualTo(rows);
        assertThat(identical).isGreaterThan(rows * 85 / 100);
        assertThat(unaligned.size()).isLessThanOrEqualTo(2 * VIEWS.size());
        assertThat(cutFiles.size()).isLessThanOrEqualTo(3);
        assertThat(invalidTimes.size()).isLessThanOrEqualTo(1);
    }

    /**
     * True for a microsecond pcap file with a microsecond field of a million or more (a damaged timestamp):
     * tcpdump prints the field as it is ({@code 10.1000000}) or, converted to nanoseconds, overflowed; the
     * timestamp in nanoseconds that panatap reads cannot say either.
     */
    static boolean invalidMicroseconds(Path file) throws IOException {
        if (!file.toString().endsWith(".pcap")) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
        }
        if (magic != 0xa1b2c3d4) {
            return false;
        }
        for (int pos = 24; pos + 16 <= b.limit(); ) {
            if ((b.getInt(pos + 4) & 0xFFFF_FFFFL) >= 1_000_000) {
                return true;
            }
            pos += 16 + (int) Math.min(b.getInt(pos + 8) & 0xFFFF_FFFFL, Integer.MAX_VALUE - pos - 16);
        }
        return false;
    }

    /**
     * True for a classic pcap file with a record that holds more bytes than the file's snap length: libpcap
     * cuts such records to the snap length, panatap reads what the record holds, so tcpdump's dump is shorter.
     */
    static boolean recordsBeyondSnapLength(Path file) throws IOException {
        if (!file.toString().endsWith(".pcap")) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        long snap = b.getInt(16) & 0xFFFF_FFFFL;
        for (int pos = 24; pos + 16 <= b.limit(); ) {
            long captured = b.getInt(pos + 8) & 0xFFFF_FFFFL;
            if (captured > snap) {
                return true;
            }
            pos += 16 + (int) Math.min(captured, Integer.MAX_VALUE - pos - 16);
        }
        return false;
    }
}
