package io.panatap.cli;

import io.panatap.capture.PacketCapture;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * The launcher's class-archive training run, not a user command: {@code java -XX:ArchiveClassesAtExit=A -cp
 * panatap.jar io.panatap.cli.Training}. In one JVM, with all output discarded, it does what users' runs do:
 * reads a small capture in each output format, then opens live captures on loopback (as root; rows,
 * {@code -w} and {@code --flows}, each stopped after {@value #LIVE_MILLIS} ms; nothing is sent), so that the AppCDS
 * archive made from it serves live captures and file reads alike. An archive made from a user's first run
 * held only what that run loaded: one made from {@code -r} saved nothing for a live capture.
 */
final class Training {
    private static final long LIVE_MILLIS = 300;
    /** A filter that matches nothing the training does: it sends no packet. */
    private static final String NOTHING = "port 9";

    private Training() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("panatap-training");
        try {
            OutputStream nowhere = OutputStream.nullOutputStream();
            PrintStream quiet = new PrintStream(nowhere);
            String pcap = writeCapture(dir.resolve("training.pcap")).toString();
            for (String[] run : new String[][] {
                    {"-r", pcap}, {"-r", pcap, "--format", "line", "-v"}, {"-r", pcap, "--format", "json"},
                    {"-r", pcap, "-w", dir.resolve("copy.pcap").toString(), "tcp port 80"}, {"-r", pcap, "--flows"}}) {
                Main.run(run, nowhere, quiet, new Session());
            }
            PacketCapture.warmUp(); // also without the privileges a live capture needs
            live(nowhere, quiet, "-i", "lo", NOTHING);
            live(nowhere, quiet, "-i", "lo", "-w", dir.resolve("live.pcap").toString(), NOTHING);
            live(nowhere, quiet, "-i", "lo", "--flows", NOTHING); // with its flow warm-up
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        System.exit(0);
    }

    /**
     * A live capture on loopback that the training stops after {@link #LIVE_MILLIS}: it opens, binds and maps
     * the socket and polls, which loads and links what a live capture needs. It sends nothing: the packet
     * loop itself is trained by {@link PacketCapture#warmUp()} and the file reads, so the training leaves no
     * trace on the host's loopback traffic.
     */
    private static void live(OutputStream out, PrintStream err, String... args) {
        Session session = new Session();
        Thread helper = new Thread(() -> {
            try {
                Thread.sleep(LIVE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            session.requestStop();
        }, "panatap-training");
        helper.setDaemon(true);
        helper.start();
        Main.run(args, out, err, session);
        helper.interrupt();
    }

    /** A classic pcap of a few Ethernet frames: IPv4 and IPv6 TCP, a SYN with options and a data segment. */
    private static Path writeCapture(Path file) throws IOException {
        String[] frames = {
                "02000000000102000000000208004500003c0001400040060000c0a80001c0a80002"
                        + "9c4100500000000100000000a002721000000000020405b40402080a000000010000000001030307",
                "02000000000202000000000108004500002e0002400040060000c0a80002c0a80001"
                        + "00509c4100000064000000025018200000000000" + "48454c4c4f21",
                "02000000000102000000000286dd6000000000140640" + "20010db8000000000000000000000001"
                        + "20010db8000000000000000000000002" + "9c4201bb0000000700000000501120000000" + "0000",
        };
        ByteBuffer b = ByteBuffer.allocate(24 + frames.length * 200).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
        int second = 1_700_000_000;
        for (String hex : frames) {
            byte[] frame = HexFormat.of().parseHex(hex);
            b.putInt(second++).putInt(0).putInt(frame.length).putInt(frame.length).put(frame);
        }
        Files.write(file, java.util.Arrays.copyOf(b.array(), b.position()));
        return file;
    }
}
