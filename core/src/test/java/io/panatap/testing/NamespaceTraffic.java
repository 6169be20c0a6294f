package io.panatap.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Real TCP connections recorded into a capture file, for the flow tests' ground truth: an HTTP-like server in
 * the test JVM (a {@link ServerSocket} on an ephemeral port, both IP versions) answers clients that a Python
 * script runs inside a {@link Netns} namespace, while {@code tcpdump -w} records the veth's traffic both ways.
 *
 * <p>Each client connection sends {@code GET /N} with a body of B bytes; the server reads the request and body,
 * answers with N pseudo-random bytes and closes; the client reads to the end and closes. Needs root
 * ({@link Privileges#requireNetworkAdmin()}) and tcpdump ({@link Prerequisites#requireTool}).
 */
public final class NamespaceTraffic implements AutoCloseable {
    private final Netns net;
    private final ServerSocket server;
    private final Thread acceptor;

    private NamespaceTraffic(Netns net, ServerSocket server) {
        this.net = net;
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon().name("traffic-server").start(this::serve);
    }

    /** A namespace and the server, ready for {@link #capture}. */
    public static NamespaceTraffic start() throws IOException {
        Netns net = Netns.create();
        try {
            ServerSocket server = new ServerSocket(0, 128, InetAddress.getByName("::"));
            return new NamespaceTraffic(net, server);
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
    }

    public Netns net() {
        return net;
    }

    /**
     * Records {@code connections} connections, one after another, from the namespace to the server over IPv4
     * or IPv6, each sending a {@code requestBody}-byte body and receiving {@code responseBytes} bytes, into
     * {@code file}.
     */
    public Path capture(Path file, boolean ipv6, int connections, int responseBytes, int requestBody) {
        Process tcpdump;
        try {
            tcpdump = new ProcessBuilder("tcpdump", "-i", net.hostInterface(), "--immediate-mode", "-U", "-s", "0", "-w", file.toString(),
                    "tcp").redirectErrorStream(true).start();
            BufferedReader err = new BufferedReader(new InputStreamReader(tcpdump.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = err.readLine()) != null && !line.contains("listening on")) {
                // tcpdump says "listening on IFACE" once the capture is open
            }
            if (line == null) {
                throw new IllegalStateException("tcpdump did not start on " + net.hostInterface());
            }
            Thread.ofPlatform().daemon().start(() -> drain(tcpdump.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            String host = ipv6 ? net.hostIpv6() : net.hostIpv4();
            net.python(CLIENT, host, Integer.toString(server.getLocalPort()), Integer.toString(connections),
                    Integer.toString(responseBytes), Integer.toString(requestBody));
            Thread.sleep(300); // the last ACKs reach the capture
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            tcpdump.destroy(); // SIGTERM: tcpdump flushes and closes the file
            try {
                if (!tcpdump.waitFor(20, TimeUnit.SECONDS)) {
                    tcpdump.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return file;
    }

    private static void drain(InputStream in) {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // tcpdump ended
        }
    }

    private static final String CLIENT = """
            import socket, sys
            host, port, count, size, body = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
            family = socket.AF_INET6 if ':' in host else socket.AF_INET
            payload = bytes((j * 31 + 7) % 251 for j in range(body))
            for i in range(count):
                s = socket.socket(family)
                s.settimeout(30)
                s.connect((host, port))
                s.sendall(b'GET /%d HTTP/1.0\\r\\nContent-Length: %d\\r\\n\\r\\n' % (size, body) + payload)
                n = 0
                while True:
                    d = s.recv(65536)
                    if not d:
                        break
                    n += len(d)
                s.close()
                if n != size:
                    sys.exit('connection %d: %d bytes, expected %d' % (i, n, size))
            """;

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofPlatform().daemon().start(() -> answer(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void answer(Socket socket) {
        try (socket) {
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.append((char) b);
            }
            String[] lines = head.toString().split("\r\n");
            int size = Integer.parseInt(lines[0].split(" ")[1].substring(1));
            int body = Integer.parseInt(lines[1].substring("Content-Length: ".length()));
            in.readNBytes(body);
            byte[] response = new byte[size];
            new Random(size).nextBytes(response);
            OutputStream out = socket.getOutputStream();
            out.write(response);
            out.flush();
        } catch (IOException e) {
            // the client reports a short answer
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        net.close();
    }
}
