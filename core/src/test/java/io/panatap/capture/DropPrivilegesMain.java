package io.panatap.capture;

import io.panatap.pcap.PcapWriter;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Run as a child process by {@link LeastPrivilegeTest}, because switching users cannot be undone. Opens a
 * capture on the interface {@code args[0]}, switches to user {@code args[1]} ("-": stay), then prints its
 * credentials, makes a loopback connection, counts the captured segments of it and writes them to
 * {@code args[2]/out.pcap}. Every result is a line "KEY value" on standard output.
 */
public final class DropPrivilegesMain {
    private DropPrivilegesMain() {
    }

    public static void main(String[] args) throws Exception {
        String user = args[1];
        Path file = Path.of(args[2], "out.pcap");
        try (PacketCapture capture = PacketCapture.builder().interfaceName(args[0])
                .directions(io.panatap.Direction.IN, io.panatap.Direction.OUT).open()) {
            System.out.println("OPENED " + capture.interfaceName());
            if (!user.equals("-")) {
                UserSwitch.Account account = UserSwitch.dropTo(user);
                System.out.println("SWITCHED " + account.name() + " " + account.uid() + " " + account.gid());
            }
            printStatus();
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 PcapWriter writer = PcapWriter.create(file, capture.linkType(), 65535, PcapWriter.Precision.NANO)) {
                int port = server.getLocalPort();
                Thread client = Thread.ofPlatform().start(() -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        s.getOutputStream().write(new byte[1000]);
                    } catch (Exception e) {
                        System.out.println("CLIENT_FAILED " + e);
                    }
                });
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    in.readAllBytes();
                }
                client.join();
                AtomicInteger segments = new AtomicInteger();
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (System.nanoTime() < deadline) {
                    capture.poll(p -> {
                        Segment seg = Segment.of(p, true);
                        if (seg != null && seg.involves(port)) {
                            segments.incrementAndGet();
                            try {
                                writer.write(p);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    }, 100);
                }
                System.out.println("CAPTURED " + segments.get());
            }
            System.out.println("WROTE " + Files.size(file));
            try (PacketCapture again = PacketCapture.builder().interfaceName(args[0]).open()) {
                System.out.println("REOPENED " + again.interfaceName());
            } catch (CaptureException e) {
                System.out.println("REOPEN_FAILED " + e.reason());
            }
        } catch (CaptureException e) {
            System.out.println("FAILED " + e.reason() + ": " + e.getMessage());
            System.exit(2);
        }
    }

    /** The credential lines of the process and whether every thread has the same uid and gid. */
    private static void printStatus() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.matches("(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapAmb|NoNewPrivs):.*")) {
                System.out.println("STATUS " + line.replaceAll("\\s+", " ").trim());
            }
        }
        String own = ids(Path.of("/proc/self/status"));
        long threads;
        long differing;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            var all = tasks.map(t -> t.resolve("status")).map(DropPrivilegesMain::ids).filter(java.util.Objects::nonNull).toList();
            threads = all.size();
            differing = all.stream().filter(s -> !s.equals(own)).count();
        }
        System.out.println("THREADS " + threads + " differing " + differing);
    }

    private static String ids(Path status) {
        try {
            return Files.readAllLines(status).stream().filter(l -> l.startsWith("Uid:") || l.startsWith("Gid:")
                    || l.startsWith("CapEff:")).toList().toString();
        } catch (Exception e) {
            return null; // the thread ended meanwhile
        }
    }
}
