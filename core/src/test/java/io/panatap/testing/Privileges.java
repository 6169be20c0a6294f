package io.panatap.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gate for tests that need root (CAP_NET_RAW, CAP_NET_ADMIN, network namespaces). With {@code CI=true}
 * they must run: a missing privilege fails the test instead of skipping it.
 */
public final class Privileges {
    private Privileges() {
    }

    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips the calling test (or fails it under CI=true) unless the process can manage network namespaces. */
    public static void requireNetworkAdmin() {
        String why = missingReason();
        if (why == null) {
            return;
        }
        if (isCi()) {
            throw new AssertionError("CI=true but privileged tests cannot run: " + why);
        }
        Assumptions.abort("skipped: " + why + " (run as root, or with CI=true to make this a failure)");
    }

    private static String missingReason() {
        if (!"Linux".equals(System.getProperty("os.name"))) {
            return "not Linux";
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            return "the ip command (iproute2) is not installed";
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    boolean netAdmin = (caps & (1L << 12)) != 0;
                    boolean netRaw = (caps & (1L << 13)) != 0;
                    boolean sysAdmin = (caps & (1L << 21)) != 0;
                    return netAdmin && netRaw && sysAdmin ? null
                            : "needs CAP_NET_ADMIN, CAP_NET_RAW and CAP_SYS_ADMIN (network namespaces)";
                }
            }
        } catch (IOException | NumberFormatException e) {
            return "cannot read /proc/self/status: " + e.getMessage();
        }
        return "cannot tell capabilities";
    }
}
