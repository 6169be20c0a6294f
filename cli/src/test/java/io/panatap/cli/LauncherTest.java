package io.panatap.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code panatap} launcher script at the repository root, run from a copy of the build-tree layout
 * ({@code panatap} and {@code cli/target/panatap.jar}, the jar made here from the compiled classes, since the
 * tests run before the build packages the real one).
 */
class LauncherTest {
    private static final Path SCRIPT = Path.of("..", "panatap").toAbsolutePath().normalize();

    @TempDir
    static Path tree;

    @BeforeAll
    static void buildTree() throws IOException {
        Files.copy(SCRIPT, tree.resolve("panatap"));
        tree.resolve("panatap").toFile().setExecutable(true);
        Path target = Files.createDirectories(tree.resolve("cli/target"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        manifest.getMainAttributes().put(new Attributes.Name("Enable-Native-Access"), "ALL-UNNAMED");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(target.resolve("panatap.jar")), manifest)) {
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path p = Path.of(entry);
                if (Files.isDirectory(p) && p.endsWith(Path.of("target", "classes"))) {
                    addClasses(jar, p);
                } else if (p.getFileName().toString().startsWith("panatap-core") && entry.endsWith(".jar")) {
                    try (var fs = java.nio.file.FileSystems.newFileSystem(p)) {
                        addClasses(jar, fs.getPath("/"));
                    }
                }
            }
        }
    }

    private static void addClasses(JarOutputStream jar, Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".class")).toList()) {
                jar.putNextEntry(new JarEntry(root.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
    }

    private static Process start(Path launcher, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(launcher.toString()), Stream.of(args)).toList());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("PANATAP_JAVA_OPTS");
        return pb.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    private static String finish(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void runsThroughASymlinkInAnotherDirectory(@TempDir Path bin) throws Exception {
        Path link = Files.createSymbolicLink(bin.resolve("panatap"), tree.resolve("panatap"));
        assertThat(finish(start(link, "--version"))).matches("panatap \\S+\n");
    }

    @Test
    void aTrainingRunAfterTheFirstRunMakesTheClassArchiveAndLeavesNoLockBehind(@TempDir Path dir) throws Exception {
        Path pcap = emptyPcap(dir);
        Path target = tree.resolve("cli/target");
        assertThat(finish(start(tree.resolve("panatap"), "-r", pcap.toString())))
                .as("the first run prints only its own output").isEqualTo(TableFormatter.HEADER);
        awaitNoLock(target); // the training run after it
        assertThat(names(target)).anyMatch(n -> n.endsWith(".jsa"));
        // A second run maps the archive and leaves the directory as it was.
        finish(start(tree.resolve("panatap"), "-r", pcap.toString()));
        assertThat(names(target)).noneMatch(n -> n.endsWith(".lock"));
    }

    @Test
    void anArchiveOlderThanTheJarIsMadeAgain(@TempDir Path dir) throws Exception {
        Path pcap = emptyPcap(dir);
        Path target = tree.resolve("cli/target");
        finish(start(tree.resolve("panatap"), "-r", pcap.toString()));
        awaitNoLock(target);
        Path archive = archive(target);
        // A rebuilt jar: newer than the archive, which the JVM would no longer map.
        Files.setLastModifiedTime(target.resolve("panatap.jar"),
                java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(archive).toMillis() + 5000));
        Files.setLastModifiedTime(archive, java.nio.file.attribute.FileTime.fromMillis(0));
        assertThat(finish(start(tree.resolve("panatap"), "-r", pcap.toString()))).isEqualTo(TableFormatter.HEADER);
        awaitNoLock(target);
        assertThat(Files.getLastModifiedTime(archive(target)).toMillis())
                .as("the stale archive was replaced").isGreaterThan(0);
    }

    /** A pcap global header and no record. */
    private static Path emptyPcap(Path dir) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        return Files.write(dir.resolve("empty.pcap"), b.array());
    }

    private static Path archive(Path target) throws IOException {
        List<String> archives = names(target).stream().filter(n -> n.endsWith(".jsa")).toList();
        assertThat(archives).hasSize(1);
        return target.resolve(archives.get(0));
    }

    private static void awaitNoLock(Path target) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (names(target).stream().anyMatch(n -> n.endsWith(".lock")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(names(target)).noneMatch(n -> n.endsWith(".lock"));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
