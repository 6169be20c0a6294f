package io.panatap.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares the parts of panatap's line rows that tcpdump's views make (packet number, timestamp, link header,
 * and the dumps after the row) with what the installed tcpdump prints for the same file and options. Both
 * run with {@code -#}, so rows are found by their numbers; the IP and TCP text between (another part's
 * business, and tcpdump's application-layer text) is not compared: a row is compared up to its
 * {@code src.port > dst.port:}, and the text after the row's first line must be how tcpdump's block ends.
 */
final class TcpdumpViews {
    /** An IP endpoint pair as tcpdump prints it, {@code 10.0.0.1.1234 > 10.0.0.2.80: }. */
    private static final Pattern ENDPOINTS =
            Pattern.compile("(?:\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9a-f]*:[0-9a-f:.]*)\\.\\d+ > \\S+\\.\\d+: ");

    /**
     * What one comparison found: rows paired, rows identical in the compared parts, rows left out (see
     * {@link #excluded}) and up to five differences.
     */
    record Result(int rows, int identical, int excluded, boolean aligned, List<String> differences) {
    }

    /**
     * Timestamps whose microsecond field is a million or more (a damaged file): tcpdump prints the field as it
     * is ({@code 10.1000000}), which a timestamp in nanoseconds cannot say.
     */
    private static final Pattern INVALID_MICROS = Pattern.compile("^ *\\d+  [0-9:. -]*\\.\\d{7,}");
    private static final Pattern INVALID_NANOS = Pattern.compile("^ *\\d+  [0-9:. -]*\\.\\d{10,}");

    private TcpdumpViews() {
    }

    /** Runs panatap in this JVM and tcpdump (in this JVM's time zone) on {@code file} with {@code args}. */
    static Result compare(Path file, List<String> args, String filter) throws IOException, InterruptedException {
        return compare(file, args, filter, true);
    }

    /**
     * As {@link #compare(Path, List, String)}; without {@code compareDumps} only the row prefixes are
     * compared.
     */
    static Result compare(Path file, List<String> args, String filter, boolean compareDumps)
            throws IOException, InterruptedException {
        List<String> ours = new ArrayList<>(List.of("-r", file.toString(), "-#"));
        ours.addAll(args);
        if (filter != null) {
            ours.add(filter);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(ours.toArray(String[]::new), out, new PrintStream(err, true, StandardCharsets.UTF_8),
                new Session());
        assertThat(status).as("panatap %s: %s", ours, err).isZero();
        List<String> theirs = new ArrayList<>(List.of("tcpdump", "-n", "-S", "-#", "-r", file.toString()));
        theirs.addAll(args);
        if (filter != null) {
            theirs.add(filter);
        }
        ProcessBuilder pb = new ProcessBuilder(theirs).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TZ", ZoneId.systemDefault().getId());
        Process p = pb.start();
        String tcpdump = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        p.waitFor();
        boolean wholeFrame = args.contains("-xx") || args.contains("-XX") || args.contains("-AA");
        boolean nano = args.stream().anyMatch(a -> a.equals("--nano") || a.endsWith("=nano"));
        return compareText(out.toString(StandardCharsets.ISO_8859_1), tcpdump, compareDumps, wholeFrame, nano);
    }

    /** {@code wholeFrame}: the dumps include the link header, whatever tcpdump's printers did. */
    static Result compareText(String ours, String theirs, boolean compareDumps, boolean wholeFrame, boolean nano) {
        List<String> a = blocks(ours);
        List<String> b = blocks(theirs);
        List<String> differences = new ArrayList<>();
        if (a.size() != b.size()) {
            return new Result(0, 0, 0, false, List.of("rows: panatap " + a.size() + ", tcpdump " + b.size()));
        }
        int identical = 0;
        int excluded = 0;
        for (int i = 0; i < a.size(); i++) {
            String p = a.get(i);
            String t = b.get(i);
            int newline = p.indexOf('\n');
            String row = p.substring(0, newline);
            Matcher m = ENDPOINTS.matcher(row);
            String prefix = m.find() ? row.substring(0, m.start()) : row;
            String dump = compareDumps ? p.substring(newline) : "\n";
            if (invalidTime(t, nano) || appTruncated(t, wholeFrame ? "\n" : dump) && t.startsWith(prefix)) {
                excluded++; // after an application-layer truncation the row's prefix is still compared
            } else if (t.startsWith(prefix) && t.endsWith(dump)) {
                identical++;
            } else if (differences.size() < 5) {
                differences.add(shorten("panatap: " + p) + shorten("tcpdump: " + t));
            }
        }
        return new Result(a.size(), identical, excluded, true, differences);
    }

    /**
     * A row after which tcpdump's dump depends on what panatap does not do: an application-layer printer of
     * tcpdump ran out of captured bytes ({@code [|resp]}; tcpdump then dumps the whole frame for -x, -X, -A).
     */
    static boolean appTruncated(String tcpdumpBlock, String dump) {
        // The marker may be on the row or on a line of the application-layer text under it.
        String text = tcpdumpBlock.replaceAll("\n\t0x[0-9a-f]{4}:  [^\n]*", "").replace("[|tcp]", "");
        return text.contains("[|") && dump.length() > 1;
    }

    /** A microsecond field of a million or more, which tcpdump prints as it is and nanoseconds cannot say. */
    static boolean invalidTime(String tcpdumpBlock, boolean nano) {
        int end = tcpdumpBlock.indexOf('\n');
        String row = end < 0 ? tcpdumpBlock : tcpdumpBlock.substring(0, end);
        return (nano ? INVALID_NANOS : INVALID_MICROS).matcher(row).find();
    }

    private static String shorten(String text) {
        return text.length() <= 800 ? text : text.substring(0, 800) + "...\n";
    }

    /** The text of each numbered row (from its {@code "%5u  "} number to the next row's). */
    static List<String> blocks(String text) {
        List<String> blocks = new ArrayList<>();
        int start = text.startsWith(String.format("%5d  ", 1)) ? 0 : -1;
        for (int n = 2; start >= 0; n++) {
            int next = text.indexOf("\n" + String.format("%5d  ", n), start);
            if (next < 0) {
                blocks.add(text.substring(start));
                break;
            }
            blocks.add(text.substring(start, next + 1));
            start = next + 1;
        }
        return blocks;
    }
}
