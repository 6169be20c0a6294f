package io.panatap.bench.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A private network namespace joined to this one by a veth pair, with {@code trafgen} (Debian package
 * netsniff-ng) offering TCP frames from inside it.
 *
 * <pre>
 *   this namespace                         namespace "panatap-bench-&lt;id&gt;"
 *   captureInterface() pb&lt;id&gt;a  ==== veth ====  pb&lt;id&gt;b  &lt;- trafgen
 * </pre>
 * The frames are addressed to a MAC address nobody has (02:00:00:00:00:01), so this host's stack drops them
 * at once and the capture (promiscuous) is the only consumer. Each frame is an Ethernet/IPv4/TCP ACK with a
 * 64-byte payload (118 bytes on the wire) and a random source port, so hash fanout spreads them.
 */
public final class VethLab implements AutoCloseable {
    private final String namespace;
    private final String hostInterface;
    private final String peerInterface;
    private final Path config;

    private VethLab() throws IOException {
        String id = String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
        namespace = "panatap-bench-" + id;
        hostInterface = "pb" + id + "a";
        peerInterface = "pb" + id + "b";
        config = Files.createTempFile("panatap-trafgen-", ".cfg");
        Files.writeString(config, """
                {
                  eth(da=02:00:00:00:00:01, sa=02:00:00:00:00:02),
                  ipv4(saddr=10.214.0.2, daddr=10.214.0.1, ttl=64),
                  tcp(sp=drnd(), dp=443, ack, seq=drnd()),
                  fill(0x41, 64)
                }
                """);
    }

    /** Creates the namespace and the veth pair, both ends up. */
    public static VethLab create() throws IOException {
        VethLab lab = new VethLab();
        try {
            run("ip", "netns", "add", lab.namespace);
            run("ip", "link", "add", lab.hostInterface, "type", "veth", "peer", "name", lab.peerInterface, "netns", lab.namespace);
            run("ip", "link", "set", lab.hostInterface, "up");
            run("ip", "netns", "exec", lab.namespace, "ip", "link", "set", lab.peerInterface, "up");
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    public String captureInterface() {
        return hostInterface;
    }

    /**
     * Starts trafgen on one CPU at {@code packetsPerSecond}, sending {@code count} frames (0: until
     * stopped). Its output goes to this process's standard error.
     */
    public Process offer(long packetsPerSecond, long count) throws IOException {
        return offer(packetsPerSecond, count, 1);
    }

    /** Like {@link #offer(long, long)} with {@code senders} trafgen processes, each its share of the rate. */
    public Process offer(long packetsPerSecond, long count, int senders) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "trafgen", "--dev", peerInterface,
                "--conf", config.toString(), "--cpus", Integer.toString(senders), "--no-sock-mem", "--num", Long.toString(count)));
        if (packetsPerSecond > 0) {
            cmd.addAll(List.of("--rate", packetsPerSecond + "pps"));
        }
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Stops a trafgen started by {@link #offer}: its worker processes first, which ignore the parent's end. */
    public static void stop(Process trafgen) throws InterruptedException {
        trafgen.descendants().forEach(ProcessHandle::destroy);
        trafgen.destroy();
        if (!trafgen.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            trafgen.descendants().forEach(ProcessHandle::destroyForcibly);
            trafgen.destroyForcibly().waitFor();
        }
    }

    /** Frames the capture side's interface has received so far (its kernel counter). */
    public long receivedFrames() throws IOException {
        return Long.parseLong(Files.readString(Path.of("/sys/class/net", hostInterface, "statistics", "rx_packets")).trim());
    }

    @Override
    public void close() {
        quietly("ip", "link", "del", hostInterface);
        quietly("ip", "netns", "del", namespace);
        try {
            Files.deleteIfExists(config);
        } catch (IOException ignored) {
            // a temporary file
        }
    }

    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("failed: " + String.join(" ", command) + "\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (RuntimeException ignored) {
            // already gone
        }
    }
}
