package io.panatap.soak;

import io.panatap.testing.Netns;
import io.panatap.testing.Prerequisites;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short endurance check: a child JVM captures trafgen's frames (Debian netsniff-ng) with two workers
 * for about a minute ({@code -Dpanatap.soak.seconds}), sampling every 5 s; after a 15 s warm-up
 * (class loading, JIT) open descriptors must not change and neither heap after GC nor resident memory may
 * trend upwards beyond noise. A leak of one small object or native allocation per packet, at the
 * offered 50,000 packets/s, would grow by tens of MiB per minute; the limits are a few MiB per minute.
 */
class SoakTrendTest {
    private static final long SECONDS = Long.getLong("panatap.soak.seconds", 60);
    private static final long INTERVAL = 5;
    private static final long WARM_UP = 15;
    private static final double HEAP_KIB_PER_MINUTE = 1024;
    private static final double RSS_KIB_PER_MINUTE = 6 * 1024;

    /** One sample of the child. */
    record Sample(long second, long rssKiB, long heapKiB, long descriptors, long received, long dropped, long delivered) {
        static Sample parse(String line) {
            String[] f = line.split(" ");
            return new Sample(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]));
        }
    }

    @Test
    void aMinuteOfCaptureAtFiftyThousandPacketsPerSecondShowsNoGrowth() throws Exception {
        Privileges.requireNetworkAdmin();
        String trafgen = Prerequisites.requireTool("trafgen").toString();
        Path config = Files.createTempFile("panatap-soak-", ".cfg");
        // To a MAC address nobody has: the host's stack drops the frames at once, the capture sees them.
        Files.writeString(config, """
                {
                  eth(da=02:00:00:00:00:01, sa=02:00:00:00:00:02),
                  ipv4(saddr=10.214.0.2, daddr=10.214.0.1, ttl=64),
                  tcp(sp=drnd(), dp=443, ack, seq=drnd()),
                  fill(0x41, 64)
                }
                """);
        List<Sample> samples = new ArrayList<>();
        List<String> output = new ArrayList<>();
        try (Netns net = Netns.create()) {
            Process generator = net.start(trafgen, "--dev", net.peerInterface(), "--conf", config.toString(), "--cpus", "1",
                    "--no-sock-mem", "--rate", "50000pps", "--num", "0");
            try {
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                String classPath = String.join(File.pathSeparator, System.getProperty("java.class.path").split(File.pathSeparator));
                // A fixed, pre-touched heap: its pages count in RSS from the start, so RSS shows other growth.
                Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xms64m", "-Xmx64m",
                        "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC", "-cp", classPath, SoakMain.class.getName(),
                        net.hostInterface(), Long.toString(SECONDS), Long.toString(INTERVAL), "2")
                        .redirectErrorStream(true).start();
                child.getOutputStream().close();
                String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(child.waitFor(SECONDS + 60, TimeUnit.SECONDS)).isTrue();
                output.addAll(out.lines().toList());
                assertThat(child.exitValue()).as(out).isZero();
            } finally {
                generator.descendants().forEach(ProcessHandle::destroy);
                generator.destroy();
                generator.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            Files.deleteIfExists(config);
        }
        output.stream().filter(l -> l.startsWith("SAMPLE ")).map(Sample::parse).forEach(samples::add);
        String report = String.join("\n", output);
        assertThat(samples).as(report).hasSize((int) (SECONDS / INTERVAL) + 1);

        List<Sample> steady = samples.stream().filter(s -> s.second() >= WARM_UP).toList();
        assertThat(steady.stream().map(Sample::descriptors).distinct()).as(report).hasSize(1);
        assertThat(slopePerMinute(steady, Sample::heapKiB)).as("heap after GC, KiB/min\n" + report)
                .isLessThan(HEAP_KIB_PER_MINUTE);
        assertThat(slopePerMinute(steady, Sample::rssKiB)).as("resident memory, KiB/min\n" + report)
                .isLessThan(RSS_KIB_PER_MINUTE);
        // The capture kept delivering to the end (drops are not asserted: the machine may be busy).
        Sample first = steady.getFirst();
        Sample last = steady.getLast();
        assertThat(last.received()).as(report).isGreaterThan(first.received() + 10_000L * (last.second() - first.second()));
        assertThat(last.delivered()).as(report).isGreaterThan(first.delivered());
        assertThat(last.delivered() + last.dropped()).as(report).isLessThanOrEqualTo(last.received());
    }

    private static double slopePerMinute(List<Sample> samples, java.util.function.ToLongFunction<Sample> y) {
        double n = samples.size();
        double mx = samples.stream().mapToLong(Sample::second).average().orElse(0);
        double my = samples.stream().mapToLong(y).average().orElse(0);
        double num = 0;
        double den = 0;
        for (Sample s : samples) {
            num += (s.second() - mx) * (y.applyAsLong(s) - my);
            den += (s.second() - mx) * (s.second() - mx);
        }
        return n < 2 || den == 0 ? 0 : num / den * 60;
    }
}
