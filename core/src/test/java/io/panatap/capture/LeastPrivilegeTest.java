package io.panatap.capture;

import io.panatap.testing.Netns;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Capturing with as little privilege as possible: switching to another user once the socket is open
 * ({@link UserSwitch}), and running as an ordinary user that holds only CAP_NET_RAW. Each case runs
 * {@link DropPrivilegesMain} as a child JVM in a private network namespace (its own loopback), since a
 * switch of user cannot be undone.
 */
class LeastPrivilegeTest {
    private static final String NOBODY = "65534";
    private static Netns net;

    @TempDir
    static Path temp;
    private static Path shared;

    @BeforeAll
    static void setUp() throws Exception {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
        // Writable by the user the child becomes, like a capture directory an operator prepares.
        shared = Files.createDirectory(temp.resolve("shared"));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterAll
    static void tearDown() {
        if (net != null) {
            net.close();
        }
    }

    /** Runs the child in the namespace, optionally through setpriv; returns its output lines. */
    private static List<String> child(List<String> setpriv, String user, Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Only the class directories: an ordinary user cannot read root's Maven repository.
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> Files.isDirectory(Path.of(e))).collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace()));
        if (!setpriv.isEmpty()) {
            cmd.add("setpriv");
            cmd.addAll(setpriv);
            cmd.add("--");
        }
        cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-cp", classPath,
                DropPrivilegesMain.class.getName(), "lo", user, dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out.lines().toList();
    }

    private static String value(List<String> lines, String key) {
        return lines.stream().filter(l -> l.startsWith(key + " ")).map(l -> l.substring(key.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + String.join("\n", lines)));
    }

    private static void assertCapturedTheConnection(List<String> out, Path dir) throws Exception {
        // SYN, SYN-ACK, ACK, data, FIN and ACKs: at least six segments of the loopback connection.
        assertThat(Integer.parseInt(value(out, "CAPTURED"))).as(String.join("\n", out)).isGreaterThanOrEqualTo(6);
        assertThat(Long.parseLong(value(out, "WROTE"))).isGreaterThan(24 + 6 * 16);
        assertThat(Files.getAttribute(dir.resolve("out.pcap"), "unix:uid")).isEqualTo(65534);
    }

    @Test
    void afterSwitchingToNobodyTheProcessHasNoCapabilitiesAndStillCaptures() throws Exception {
        Path dir = Files.createDirectory(shared.resolve("switch"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> out = child(List.of(), "nobody", dir);

        assertThat(value(out, "SWITCHED")).isEqualTo("nobody 65534 65534");
        assertThat(value(out, "STATUS Uid:")).isEqualTo(String.join(" ", NOBODY, NOBODY, NOBODY, NOBODY));
        assertThat(value(out, "STATUS Gid:")).isEqualTo(String.join(" ", NOBODY, NOBODY, NOBODY, NOBODY));
        assertThat(value(out, "STATUS Groups:")).isEqualTo(NOBODY);
        assertThat(value(out, "STATUS CapPrm:")).isEqualTo("0000000000000000");
        assertThat(value(out, "STATUS CapEff:")).isEqualTo("0000000000000000");
        assertThat(value(out, "STATUS CapAmb:")).isEqualTo("0000000000000000");
        // glibc changed every JVM thread, not only the caller.
        assertThat(value(out, "THREADS")).matches("\\d+ differing 0");
        assertThat(Integer.parseInt(value(out, "THREADS").split(" ")[0])).isGreaterThan(5);
        assertCapturedTheConnection(out, dir);
        assertThat(value(out, "REOPEN_FAILED")).isEqualTo("PERMISSION_DENIED");
    }

    @Test
    void anUnknownUserIsReportedAndNothingIsCaptured() throws Exception {
        List<String> out = child(List.of(), "panatap-no-such-user", shared);

        assertThat(value(out, "FAILED")).isEqualTo("INVALID_ARGUMENT: no such user 'panatap-no-such-user'");
        assertThat(out).noneMatch(l -> l.startsWith("CAPTURED") || l.contains("Exception"));
    }

    /** setpriv arguments that start the JVM as nobody with CAP_NET_RAW as its only capability. */
    private static final List<String> NOBODY_WITH_NET_RAW = List.of("--reuid=65534", "--regid=65534", "--clear-groups",
            "--inh-caps=-all,+net_raw", "--ambient-caps=-all,+net_raw", "--bounding-set=-all,+net_raw");

    @Test
    void anOrdinaryUserWithOnlyCapNetRawCaptures() throws Exception {
        Path dir = Files.createDirectory(shared.resolve("netraw"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> out = child(NOBODY_WITH_NET_RAW, "-", dir);

        assertThat(value(out, "STATUS Uid:")).isEqualTo(String.join(" ", NOBODY, NOBODY, NOBODY, NOBODY));
        assertThat(value(out, "STATUS CapEff:")).isEqualTo("0000000000002000"); // bit 13, CAP_NET_RAW alone
        assertThat(value(out, "OPENED")).isEqualTo("lo");
        assertCapturedTheConnection(out, dir);
    }

    @Test
    void switchingUsersWithoutRootIsRefusedWithAnExplanation() throws Exception {
        List<String> out = child(NOBODY_WITH_NET_RAW, "daemon", shared);

        assertThat(value(out, "FAILED")).startsWith("PERMISSION_DENIED: cannot switch to user 'daemon' (setgroups: Operation not permitted)")
                .endsWith("switching users needs root (or CAP_SETUID and CAP_SETGID)");
        assertThat(out).noneMatch(l -> l.startsWith("CAPTURED") || l.contains("Exception"));
    }
}
