package io.panatap.cli;

import io.panatap.testing.Prerequisites;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every TCP row panatap prints for every capture of the corpus equals tcpdump's row for that frame, up to
 * {@code length N} ({@link TcpdumpComparison}), in the plain line format and with {@code -v}, {@code -vv},
 * {@code -q} and {@code -v -K}.
 */
class CorpusLineTest {
    @ParameterizedTest(name = "panatap --format line {0} = tcpdump -n -S {0}")
    @ValueSource(strings = {"", "-v", "-vv", "-q", "-v -K"})
    void everyTcpRowOfTheCorpusIsTcpdumps(String options) throws IOException, InterruptedException {
        Path corpus = Prerequisites.requireCorpus();
        Prerequisites.requireTool("tcpdump");
        List<Path> captures;
        try (Stream<Path> files = Files.list(corpus)) {
            captures = files.filter(f -> f.toString().endsWith(".pcap") || f.toString().endsWith(".pcapng"))
                    .sorted().toList();
        }
        String[] args = options.isEmpty() ? new String[0] : options.split(" ");
        int rows = 0;
        List<TcpdumpComparison.Difference> differences = new ArrayList<>();
        for (Path capture : captures) {
            TcpdumpComparison.Outcome outcome = TcpdumpComparison.compare(capture, args);
            rows += outcome.rows();
            differences.addAll(outcome.differences());
        }
        assertThat(captures).hasSizeGreaterThan(10);
        assertThat(rows).as("TCP rows compared").isGreaterThan(captures.size());
        assertThat(differences).as(differences.size() + " of " + rows + " rows differ").isEmpty();
    }
}
