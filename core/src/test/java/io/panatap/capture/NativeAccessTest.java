package io.panatap.capture;

import io.panatap.capture.nativeaccess.NativeAccessMain;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A JVM that denies native access ({@code --illegal-native-access=deny}, JDK 24+, the coming default) gets a
 * {@link CaptureException} naming the flag to add, on the class path and on the module path, instead of an
 * {@link ExceptionInInitializerError}; and the flags it names open the capture without any warning.
 */
class NativeAccessTest {

    @BeforeAll
    static void needsTheDenyMode() {
        assumeThat(Runtime.version().feature()).as("--illegal-native-access exists from JDK 24").isGreaterThanOrEqualTo(24);
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** Runs {@link NativeAccessMain} on {@code lo}; {@code modulePath}: core as a named module. */
    private static String run(boolean modulePath, String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(flags));
        if (modulePath) {
            cmd.addAll(List.of("--module-path", location(PacketCapture.class), "--add-modules", "io.panatap.core",
                    "-cp", location(NativeAccessMain.class)));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        }
        cmd.addAll(List.of(NativeAccessMain.class.getName(), "lo"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static void assertDeniedNaming(String out, String flag) {
        String expected = CaptureException.class.getName() + " NATIVE_ACCESS_DENIED: the JVM denies native access,"
                + " which AF_PACKET capture needs: add " + flag + " to the java command line";
        assertThat(out).startsWith("WARMED UP\nLINKED\n"); // the warm-up needs no native access, linking is quiet
        assertThat(out.lines().filter(l -> l.startsWith(expected))).as(out).hasSize(2); // first and later attempts
        assertThat(out).doesNotContain("ExceptionInInitializerError").doesNotContain("NoClassDefFoundError");
    }

    @Test
    void onTheClassPathTheErrorNamesAllUnnamed() throws Exception {
        assertDeniedNaming(run(false, "--illegal-native-access=deny"), "--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void onTheModulePathTheErrorNamesTheModule() throws Exception {
        assertDeniedNaming(run(true, "--illegal-native-access=deny"), "--enable-native-access=io.panatap.core");
    }

    @Test
    void theWarmUpDoesNotTriggerTheWarningOfAJvmThatOnlyWarns() throws Exception {
        String out = run(false, "--illegal-native-access=warn");
        assertThat(out).startsWith("WARMED UP\n"); // the warning comes with linking, the first native call
        assertThat(out).contains("WARNING: A restricted method");
    }

    @Test
    void theNamedFlagsOpenTheCaptureWithoutAWarning() throws Exception {
        Privileges.requireNetworkAdmin();
        String onClassPath = run(false, "--illegal-native-access=deny", "--enable-native-access=ALL-UNNAMED");
        assertThat(onClassPath).isEqualTo("WARMED UP\nLINKED\nOPENED lo\nOPENED lo\n");
        String onModulePath = run(true, "--illegal-native-access=deny", "--enable-native-access=io.panatap.core");
        assertThat(onModulePath).isEqualTo("WARMED UP\nLINKED\nOPENED lo\nOPENED lo\n");
    }
}
