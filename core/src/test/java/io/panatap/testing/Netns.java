package io.panatap.testing;

import java.io.InputStreamReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace joined to the test's own namespace by a veth pair, for privileged capture tests.
 *
 * <pre>
 *   test JVM's namespace                     namespace "panatap-&lt;id&gt;"
 *   hostInterface()  pt&lt;id&gt;a  ==== veth ====  pt&lt;id&gt;b  peerInterface()
 *   hostIpv4() 10.213.x.y+1/30                 peerIpv4() 10.213.x.y+2/30
 *   hostIpv6() fd00:7074:&lt;id&gt;::1/64           peerIpv6() fd00:7074:&lt;id&gt;::2/64
 * </pre>
 * The test captures on {@link #hostInterface()} in its own process and makes traffic from the namespace
 * with {@link #exec} / {@link #python} (e.g. a client connecting to a server socket the test binds to
 * {@link #hostIpv4()}). Names and subnets are random so concurrent test runs do not collide. IPv6
 * addresses are added with {@code nodad} so they are usable at once. {@link #close()} removes everything.
 */
public final class Netns implements AutoCloseable {
    private static final String PYTHON = "/usr/bin/python3";

    private final String id;
    private final String namespace;
    private final String hostInterface;
    private final String peerInterface;
    private final String hostIpv4;
    private final String peerIpv4;
    private final String hostIpv6;
    private final String peerIpv6;

    private Netns() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        this.id = String.format("%08x", r.nextInt());
        this.namespace = "panatap-" + id;
        this.hostInterface = "pt" + id + "a";
        this.peerInterface = "pt" + id + "b";
        int subnet = r.nextInt(1 << 14) * 4; // a /30 inside 10.213.0.0/16
        String prefix = "10.213." + (subnet >> 8) + ".";
        this.hostIpv4 = prefix + ((subnet & 0xFF) + 1);
        this.peerIpv4 = prefix + ((subnet & 0xFF) + 2);
        String v6 = "fd00:7074:" + id.substring(0, 4) + ":" + id.substring(4) + "::";
        this.hostIpv6 = v6 + "1";
        this.peerIpv6 = v6 + "2";
    }

    /** Creates the namespace, the veth pair and the addresses, all up. */
    public static Netns create() {
        Netns n = new Netns();
        try {
            run("ip", "netns", "add", n.namespace);
            run("ip", "link", "add", n.hostInterface, "type", "veth", "peer", "name", n.peerInterface, "netns", n.namespace);
            run("ip", "addr", "add", n.hostIpv4 + "/30", "dev", n.hostInterface);
            run("ip", "-6", "addr", "add", n.hostIpv6 + "/64", "dev", n.hostInterface, "nodad");
            run("ip", "link", "set", n.hostInterface, "up");
            n.exec("ip", "link", "set", "lo", "up");
            n.exec("ip", "addr", "add", n.peerIpv4 + "/30", "dev", n.peerInterface);
            n.exec("ip", "-6", "addr", "add", n.peerIpv6 + "/64", "dev", n.peerInterface, "nodad");
            n.exec("ip", "link", "set", n.peerInterface, "up");
            return n;
        } catch (RuntimeException | Error e) {
            n.close();
            throw e;
        }
    }

    public String namespace() { return namespace; }
    public String hostInterface() { return hostInterface; }
    public String peerInterface() { return peerInterface; }
    public String hostIpv4() { return hostIpv4; }
    public String peerIpv4() { return peerIpv4; }
    public String hostIpv6() { return hostIpv6; }
    public String peerIpv6() { return peerIpv6; }

    /** Runs a command inside the namespace and returns its standard output; fails on a non-zero exit. */
    public String exec(String... command) {
        return run(inside(command));
    }

    /** Starts a command inside the namespace without waiting. */
    public Process start(String... command) {
        try {
            return new ProcessBuilder(inside(command)).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a TCP server inside the namespace that accepts connections on {@code port} over IPv4 and IPv6,
     * reads until the client half-closes, then closes; returns once it listens. The caller destroys it.
     */
    public Process startTcpSink(int port) {
        Process server = start(PYTHON, "-c", TCP_SINK, Integer.toString(port));
        try {
            String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (!"ready".equals(line)) {
                server.destroyForcibly();
                throw new IllegalStateException("TCP sink on port " + port + " did not start: " + line);
            }
        } catch (IOException e) {
            server.destroyForcibly();
            throw new UncheckedIOException(e);
        }
        return server;
    }

    private static final String TCP_SINK = """
            import socket, sys
            s = socket.socket(socket.AF_INET6)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            s.bind(('::', int(sys.argv[1])))
            s.listen(64)
            print('ready', flush=True)
            while True:
                c, _ = s.accept()
                while c.recv(4096):
                    pass
                c.close()
            """;

    /**
     * A client in the namespace connects to {@code host:port} (IPv4 or IPv6), sends {@code bytes} bytes of
     * {@code 'x'}, half-closes and reads to end of stream; returns when the connection is closed.
     */
    public String sendAndDrain(String host, int port, long bytes) {
        return python(SEND_AND_DRAIN, host, Integer.toString(port), Long.toString(bytes));
    }

    private static final String SEND_AND_DRAIN = """
            import socket, sys
            family = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
            s = socket.socket(family, socket.SOCK_STREAM)
            s.connect((sys.argv[1], int(sys.argv[2])))
            s.sendall(b'x' * int(sys.argv[3]))
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):
                pass
            s.close()
            """;

    /** Runs a Python 3 script inside the namespace ({@code args} become sys.argv[1:]); returns stdout. */
    public String python(String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", script));
        cmd.addAll(Arrays.asList(args));
        return exec(cmd.toArray(String[]::new));
    }

    private String[] inside(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        cmd.addAll(Arrays.asList(command));
        return cmd.toArray(String[]::new);
    }

    /** Runs a command in the test's namespace and returns its output; fails on a non-zero exit. */
    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("exit " + p.exitValue() + ": " + String.join(" ", command) + "\n" + text);
            }
            return text;
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

    /** Deletes the veth pair (both ends) and the namespace. */
    @Override
    public void close() {
        quietly("ip", "link", "del", hostInterface);
        quietly("ip", "netns", "del", namespace);
    }

    @Override
    public String toString() {
        return namespace + " (" + hostInterface + " " + hostIpv4 + " <-> " + peerInterface + " " + peerIpv4 + ")";
    }
}
