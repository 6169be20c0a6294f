package io.panatap.testing;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Gate for tests that need something the build does not make: the capture corpus beside the checkout, or an
 * external tool such as tcpdump or tshark. When it is missing the test skips and says what is missing and how
 * to get it; with {@code CI=true} it fails instead, as {@link Privileges#requireNetworkAdmin()} does, because
 * {@code .ci/run} installs the tools and CI lays {@code shared/} beside the clone: a CI run must not pass by
 * running none of these tests.
 */
public final class Prerequisites {
    /** The system property that names the corpus directory, overriding the search beside the checkout. */
    public static final String CORPUS_PROPERTY = "panatap.corpus";

    /** Where the corpus is looked for, relative to the test's working directory (the module directory). */
    private static final List<String> CORPUS_CANDIDATES = List.of("../shared/corpus", "../../shared/corpus");

    /** The Debian package that provides each tool the tests run, for the message. */
    private static final Map<String, String> PACKAGES = Map.of(
            "tcpdump", "tcpdump",
            "tshark", "tshark",
            "editcap", "wireshark-common",
            "trafgen", "netsniff-ng",
            "setpriv", "util-linux",
            "ethtool", "ethtool");

    private Prerequisites() {
    }

    /**
     * The corpus of capture files with tshark's ground truth: the directory named by {@code -Dpanatap.corpus}
     * when that is set (then nothing else is tried), else {@code ../shared/corpus} or {@code ../../shared/corpus}
     * from the working directory; null when none holds a {@code MANIFEST.txt}.
     */
    public static Path corpus() {
        for (Path candidate : corpusCandidates()) {
            if (Files.isRegularFile(candidate.resolve("MANIFEST.txt"))) {
                return candidate;
            }
        }
        return null;
    }

    /** The corpus directory; skips the calling test when there is none (fails it under CI=true). */
    public static Path requireCorpus() {
        Path corpus = corpus();
        if (corpus == null) {
            List<String> tried = new ArrayList<>();
            for (Path candidate : corpusCandidates()) {
                tried.add(candidate.toAbsolutePath().normalize().toString());
            }
            missing("no capture corpus (a directory with MANIFEST.txt) at " + String.join(" or ", tried),
                    "put shared/corpus beside the checkout or pass -D" + CORPUS_PROPERTY + "=DIR");
        }
        return corpus;
    }

    /**
     * What a {@code @TestFactory} over the corpus returns when {@link #corpus()} is null: one test that skips, or
     * fails under CI=true, saying why. (A factory that itself aborts is reported as zero tests, not as a skip.)
     */
    public static Stream<DynamicTest> missingCorpusTest() {
        return Stream.of(DynamicTest.dynamicTest("corpus present", Prerequisites::requireCorpus));
    }

    /** The tool's path; skips the calling test when it is not installed (fails it under CI=true). */
    public static Path requireTool(String name) {
        Path tool = findTool(name);
        if (tool == null) {
            missing(name + " is not installed", "apt-get install " + PACKAGES.getOrDefault(name, name));
        }
        return tool;
    }

    /**
     * For a test whose main assertions need no tool and that also checks its result with one: the tool's path,
     * or null when it is not installed. Under CI=true a missing tool fails the test, so CI never quietly drops
     * the check.
     */
    public static Path optionalTool(String name) {
        Path tool = findTool(name);
        if (tool == null && Privileges.isCi()) {
            throw new AssertionError("CI=true but " + name + " is not installed (.ci/run installs it: apt-get install "
                    + PACKAGES.getOrDefault(name, name) + ")");
        }
        return tool;
    }

    /** The tool in PATH or the usual system directories, or null. */
    public static Path findTool(String name) {
        Set<String> dirs = new LinkedHashSet<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin"));
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return null;
    }

    private static List<Path> corpusCandidates() {
        String configured = System.getProperty(CORPUS_PROPERTY);
        if (configured != null && !configured.isEmpty()) {
            return List.of(Path.of(configured));
        }
        return CORPUS_CANDIDATES.stream().map(Path::of).toList();
    }

    private static void missing(String what, String remedy) {
        if (Privileges.isCi()) {
            throw new AssertionError("CI=true but " + what + " (" + remedy + ")");
        }
        Assumptions.abort("skipped: " + what + " (" + remedy + "; with CI=true this is a failure)");
    }
}
