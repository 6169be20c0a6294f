package io.panatap.capture;

import io.panatap.testing.Prerequisites;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A process without CAP_NET_RAW is told what to do instead of seeing a bare EPERM. */
class CapturePermissionTest {

    private static String runOpenCapture(String... setprivArgs) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var cmd = new ArrayList<String>();
        if (setprivArgs.length > 0) {
            cmd.add("setpriv");
            cmd.addAll(List.of(setprivArgs));
            cmd.add("--");
        }
        cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), OpenCaptureMain.class.getName(), "lo"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void withoutCapNetRawTheErrorSaysHowToGrantIt() throws Exception {
        Privileges.requireNetworkAdmin();
        Prerequisites.requireTool("setpriv");
        String out = runOpenCapture("--inh-caps=-net_raw", "--bounding-set=-net_raw");
        assertThat(out).contains("PERMISSION_DENIED: cannot open a packet socket (socket(AF_PACKET): Operation not permitted)")
                .contains(": needs CAP_NET_RAW (run as root, or grant the capability to the java binary:"
                        + " setcap cap_net_raw+eip ")
                .contains("/bin/java)")
                .doesNotContain("cap_net_admin")
                .doesNotContain("Exception");
    }

    @Test
    void theSameChildWithItsCapabilitiesOpensTheCapture() throws Exception {
        Privileges.requireNetworkAdmin();
        assertThat(runOpenCapture()).contains("OPENED lo");
    }
}
