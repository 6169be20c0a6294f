package io.panatap.cli;

import io.panatap.parse.TcpFlags;
import io.panatap.testing.Frames;
import io.panatap.testing.Netns;
import io.panatap.testing.Prerequisites;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code -z COMMAND}: run on every file a rotation finished, with the file name as its argument, as tcpdump
 * runs it (compared on the same input), at the lowest priority, as the {@code -Z} user; a command that cannot
 * start is one line and the capture goes on.
 */
class PostRotateCommandTest {
    private static final int RECORDS = 2_500;

    @TempDir
    static Path dir;
    static Path input;

    @BeforeAll
    static void writeInput() throws IOException {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            frames.add(Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 40000 + i % 7, 80, TcpFlags.ACK, 900 + i % 200));
        }
        input = dir.resolve("in.pcap");
        Files.write(input, Frames.pcapFile(1, ByteOrder.LITTLE_ENDIAN, frames));
    }

    /** A script that appends "FILE UID NICE" to {@code log} (after a moment, so that the priority is set). */
    private static Path recorder(Path folder, Path log) throws IOException {
        Path script = folder.resolve("record.sh");
        Files.writeString(script, "#!/bin/sh\nsleep 0.3\necho \"$1 $(id -u) $(cut -d' ' -f19 /proc/$$/stat)\" >> "
                + log + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** The lines of {@code log} once it has {@code n}, waiting up to 20 s (the command is not waited for). */
    private static List<String> await(Path log, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(log) || Files.readAllLines(log).size() < n) {
            assertThat(System.nanoTime()).as("%s has %d lines", log, n).isLessThan(deadline);
            Thread.sleep(50);
        }
        Thread.sleep(500); // and no more
        return Files.readAllLines(log).stream().sorted().toList();
    }

    private static List<String> names(Path folder, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        }
    }

    @Test
    void runsOnEveryFileARotationFinishedButTheLastAsTcpdumpDoes() throws Exception {
        Path ours = Files.createDirectory(dir.resolve("ours"));
        Path log = dir.resolve("ours.log");
        CommandRunner.Result r = CommandRunner.run("-r", input.toString(), "-w", ours.resolve("out.pcap").toString(),
                "-C", "1", "-z", recorder(dir, log).toString());
        assertThat(r.status()).as(r.err()).isZero();
        List<String> files = names(ours, "out");
        assertThat(files).hasSizeGreaterThanOrEqualTo(3);
        List<String> ran = await(log, files.size() - 1);
        assertThat(ran).as("every file but the one open at the end, with its name as given to -w")
                .hasSize(files.size() - 1)
                .allMatch(l -> l.matches(".* 0 19"), "as root, at nice 19");
        List<String> named = ran.stream().map(l -> Path.of(l.split(" ")[0]).getFileName().toString()).toList();
        assertThat(files).hasSizeLessThan(10); // so that the last name sorts last
        assertThat(named).contains("out.pcap").doesNotContain(files.getLast());

        Path theirsDir = Files.createDirectory(dir.resolve("theirs"));
        Path theirLog = dir.resolve("theirs.log");
        Process p = new ProcessBuilder(Prerequisites.requireTool("tcpdump").toString(), "-Z", "root", "-r",
                input.toString(), "-w", theirsDir.resolve("out.pcap").toString(), "-C", "1", "-z",
                recorder(theirsDir, theirLog).toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(text).isTrue();
        List<String> theirs = await(theirLog, files.size() - 1);
        assertThat(named).as("the files tcpdump hands to -z")
                .isEqualTo(theirs.stream().map(l -> Path.of(l.split(" ")[0]).getFileName().toString()).toList());
        assertThat(ran.stream().map(l -> l.substring(l.indexOf(' '))).toList())
                .as("same user and priority").isEqualTo(theirs.stream().map(l -> l.substring(l.indexOf(' '))).toList());
    }

    @Test
    void worksForPcapngFilesToo() throws Exception {
        Path out = Files.createDirectory(dir.resolve("ng"));
        Path log = dir.resolve("ng.log");
        CommandRunner.Result r = CommandRunner.run("-r", input.toString(), "-w", out.resolve("out.pcapng").toString(),
                "-C", "1", "-W", "2", "-z", recorder(dir, log).toString());
        assertThat(r.status()).as(r.err()).isZero();
        // A ring of two files: out.pcapng0, out.pcapng1, out.pcapng0 ... each rotation hands on the one it closed.
        List<String> ran = await(log, 2);
        assertThat(ran).allMatch(l -> l.startsWith(out.resolve("out.pcapng").toString()));
        assertThat(ran.stream().map(l -> l.split(" ")[0]).distinct()).hasSize(2);
    }

    @Test
    void aCommandThatCannotStartIsOneLinePerFileAndTheCaptureGoesOn() throws Exception {
        Path out = Files.createDirectory(dir.resolve("missing"));
        CommandRunner.Result r = CommandRunner.run("-r", input.toString(), "-w", out.resolve("out.pcap").toString(),
                "-C", "1", "-z", "/nonexistent/panatap-post-rotate");
        assertThat(r.status()).isZero();
        int files = names(out, "out").size();
        assertThat(files).isGreaterThanOrEqualTo(3);
        assertThat(r.err().lines().toList()).hasSize(files - 1)
                .allMatch(l -> l.startsWith("panatap: -z: cannot run /nonexistent/panatap-post-rotate " + out));
        long records = 0;
        for (String n : names(out, "out")) {
            records += ReadModeTest.frames(out.resolve(n)).size();
        }
        assertThat(records).isEqualTo(RECORDS);
    }

    @Test
    void runsAsTheUserOfDashZ() throws Exception {
        Privileges.requireNetworkAdmin();
        try (Netns net = Netns.create()) {
            Process sink = net.startTcpSink(5557);
            // Outside the test's own temporary directory, which the -Z user cannot enter.
            Path shared = Files.createTempDirectory(Path.of("/tmp"), "panatap-z");
            try {
                Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
                Path log = shared.resolve("log");
                Path script = recorder(shared, log);
                Path err = shared.resolve("err.txt");
                List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace()));
                cmd.addAll(CommandRunner.command("-v", "-Z", "nobody", "-i", net.peerInterface(), "-C", "2k", "-w",
                        shared.resolve("z.pcap").toString(), "-z", script.toString()));
                Process p = new ProcessBuilder(cmd).redirectError(err.toFile())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                while (!Files.readString(err).contains("capture ready")) {
                    assertThat(p.isAlive()).as(Files.readString(err)).isTrue();
                    Thread.sleep(20);
                }
                for (int i = 0; i < 5; i++) {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(net.peerIpv4(), 5557), 5000);
                        s.getOutputStream().write(new byte[3000]);
                        s.shutdownOutput();
                        s.getInputStream().read();
                    }
                }
                List<String> ran = await(log, 2);
                Netns.run("kill", "-INT", String.valueOf(p.pid()));
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(Files.readString(err)).contains("running as user nobody");
                assertThat(ran).allMatch(l -> l.matches(".*/z\\.pcap\\d* 65534 19"), "as nobody, at nice 19");
            } finally {
                sink.destroyForcibly();
                try (Stream<Path> files = Files.walk(shared)) {
                    for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
    }
}
