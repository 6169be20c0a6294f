package io.panatap.capture;

import io.panatap.testing.Netns;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Closing, reopening, listener failures and kernel drops. */
class CaptureLifecycleTest {
    /** argv: host address, UDP port, count. */
    private static final String UDP_BURST = """
            import socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for i in range(int(sys.argv[3])):
                s.sendto(b'x' * 64, (sys.argv[1], int(sys.argv[2])))
            """;
    private static final int UDP_PORT = 9;

    private static Netns net;

    @BeforeAll
    static void createNamespace() {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
    }

    @AfterAll
    static void removeNamespace() {
        if (net != null) {
            net.close();
        }
    }

    private static PacketCapture.Builder udp() {
        return PacketCapture.builder().interfaceName(net.hostInterface()).tcpOnly(false);
    }

    private static boolean isBurstDatagram(io.panatap.Packet p) {
        var s = p.segment();
        long at = p.frameOffset();
        return p.captureLength() >= 42 && s.get(ValueLayout.JAVA_BYTE, at + 12) == 0x08 && s.get(ValueLayout.JAVA_BYTE, at + 13) == 0
                && s.get(ValueLayout.JAVA_BYTE, at + 23) == 17 && s.get(ValueLayout.JAVA_BYTE, at + 37) == UDP_PORT;
    }

    private static void burst(int count) {
        net.python(UDP_BURST, net.hostIpv4(), String.valueOf(UDP_PORT), String.valueOf(count));
    }

    @Test
    void closeFromAnotherThreadWakesABlockedRunPromptly() throws Exception {
        // A poll timeout far longer than the bound shows that close() wakes the poll, not the timeout.
        PacketCapture capture = udp().pollTimeout(Duration.ofSeconds(30)).open();
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                capture.run(p -> { });
            } catch (CaptureException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(running).isNotDone();
        long start = System.nanoTime();
        capture.close();
        running.get(1, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
        assertThat(capture.isClosed()).isTrue();
    }

    @Test
    void closeIsIdempotentAndPollAfterCloseReportsTheEnd() throws Exception {
        PacketCapture capture = udp().open();
        capture.close();
        capture.close();
        assertThat(capture.poll(p -> { throw new AssertionError("no packet after close"); }, 10))
                .isEqualTo(io.panatap.PacketSource.END);
        assertThat(capture.stats().delivered()).isZero();
    }

    @Test
    void closeFromTheListenerEndsTheRunAfterThatPacket() throws Exception {
        try (PacketCapture capture = udp().open()) {
            AtomicInteger seen = new AtomicInteger();
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    capture.run(p -> {
                        if (isBurstDatagram(p)) {
                            seen.incrementAndGet();
                            capture.close();
                        }
                    });
                } catch (CaptureException e) {
                    throw new IllegalStateException(e);
                }
            });
            burst(20);
            running.get(5, TimeUnit.SECONDS);
            assertThat(seen).hasValue(1);
            assertThat(capture.isClosed()).isTrue();
        }
    }

    @Test
    void aThrowingListenerLosesNoPacketAndTheNextPollContinues() throws Exception {
        try (PacketCapture capture = udp().open()) {
            burst(50);
            Thread.sleep(100);
            List<Long> frames = new ArrayList<>();
            int failures = 0;
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                try {
                    capture.poll(p -> {
                        if (isBurstDatagram(p)) {
                            frames.add(p.frameNumber());
                            if (frames.size() % 10 == 1) {
                                throw new IllegalStateException("listener failure");
                            }
                        }
                    }, 1000);
                } catch (IllegalStateException e) {
                    failures++;
                }
            }
            assertThat(failures).isEqualTo(5);
            assertThat(frames).hasSize(50).doesNotHaveDuplicates().isSorted();
        }
    }

    @Test
    void aTinyRingAndASlowListenerShowKernelDropsInTheStatistics() throws Exception {
        try (PacketCapture capture = udp().snapLength(128).blockSize(4096).ringSize(8192).open()) {
            assertThat(capture.ringSize()).isEqualTo(8192);
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> burst(3000));
            AtomicInteger delivered = new AtomicInteger();
            while (!sent.isDone()) {
                capture.poll(p -> {
                    delivered.incrementAndGet();
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, 10);
            }
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < 300_000_000L) {
                if (capture.poll(p -> delivered.incrementAndGet(), 1000) > 0) {
                    quietSince = System.nanoTime();
                }
            }
            CaptureStats stats = capture.stats();
            assertThat(stats.dropped()).isPositive();
            assertThat(stats.delivered()).isEqualTo(delivered.get());
            assertThat(stats.received()).isEqualTo(stats.delivered() + stats.dropped());
            assertThat(stats.delivered()).isLessThan(3000);
        }
    }

    /**
     * Open sockets and eventfds, the kinds a capture opens; other descriptors (class files and jars the JVM
     * opens and closes meanwhile) would make a count of all of them flaky.
     */
    static long socketsAndEventfds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    return target.startsWith("socket:") || target.equals("anon_inode:[eventfd]");
                } catch (IOException e) {
                    return false; // closed since it was listed
                }
            }).count();
        }
    }

    private static long mappings() throws IOException {
        try (Stream<String> s = Files.lines(Path.of("/proc/self/maps"))) {
            return s.count();
        }
    }

    @Test
    void aThousandOpenCloseCyclesLeaveNoDescriptorOrMappingBehind() throws Exception {
        PacketCapture.Builder builder = udp().snapLength(128).blockSize(4096).ringSize(16384);
        builder.open().close(); // warm up class loading and linker stubs
        long fds = socketsAndEventfds();
        long maps = mappings();
        // Eight threads share the kernel's RCU grace periods (each ring setup and socket close waits for one).
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            workers.add(done);
            Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 125; i++) {
                        builder.open().close();
                    }
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        assertThat(socketsAndEventfds()).isLessThanOrEqualTo(fds);
        // The JVM itself may map a little more (code cache, metaspace); a leak would be 1000 ring mappings.
        assertThat(mappings()).isLessThan(maps + 50);
    }

    @Test
    void anUnknownInterfaceIsReportedByName() {
        assertThatThrownBy(() -> PacketCapture.builder().interfaceName("nope" + ProcessHandle.current().pid()).open())
                .isInstanceOfSatisfying(CaptureException.class, e -> {
                    assertThat(e.reason()).isEqualTo(CaptureException.Reason.NO_SUCH_INTERFACE);
                    assertThat(e.getMessage()).isEqualTo("no such interface 'nope" + ProcessHandle.current().pid() + "'");
                });
    }

    @Test
    void aRingTooLargeForMemoryIsReportedWithItsSize() {
        assertThatThrownBy(() -> udp().ringSize(1L << 40).open())
                .isInstanceOfSatisfying(CaptureException.class, e -> {
                    assertThat(e.reason()).isEqualTo(CaptureException.Reason.OUT_OF_MEMORY);
                    assertThat(e.getMessage()).startsWith("ring of 1048576 MiB too large (")
                            .doesNotContain("-B"); // advice about options is the command's business
                });
    }

    @Test
    void listsInterfacesWithTheirIndexAndState() {
        List<NetworkInterfaces.Info> all = NetworkInterfaces.list();
        assertThat(all).extracting(NetworkInterfaces.Info::index).isSorted().doesNotHaveDuplicates();
        assertThat(all).anySatisfy(i -> {
            assertThat(i.name()).isEqualTo("lo");
            assertThat(i.loopback()).isTrue();
            assertThat(i.up()).isTrue();
            assertThat(i.running()).as("loopback is running whenever it is up").isTrue();
        });
        assertThat(all).anySatisfy(i -> {
            assertThat(i.name()).isEqualTo(net.hostInterface());
            assertThat(i.up()).isTrue();
            assertThat(i.running()).as("a veth whose peer is up has a carrier").isTrue();
            assertThat(i.hardwareType()).isEqualTo(1);
        });
    }

    @Test
    void pollDeliversAtMostItsLimitAndContinuesWhereItStopped() throws Exception {
        try (PacketCapture capture = udp().open()) {
            burst(50);
            Thread.sleep(100);
            List<Long> frames = new ArrayList<>();
            int[] datagrams = new int[1];
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                int n = capture.poll(p -> {
                    frames.add(p.frameNumber());
                    if (isBurstDatagram(p)) {
                        datagrams[0]++;
                    }
                }, 7);
                assertThat(n).isBetween(0, 7);
            }
            assertThat(datagrams[0]).isEqualTo(50);
            assertThat(frames).doesNotHaveDuplicates().isSorted();
            assertThat(frames.getFirst()).isEqualTo(1);
            assertThat(frames.getLast()).isEqualTo(frames.size());
            assertThat(capture.poll(p -> { }, 0)).isZero();
        }
    }

    /** Delivered packets within {@code millis}, counting the burst's datagrams in [0] and the rest in [1]. */
    private static int[] drain(PacketCapture capture, long millis) throws CaptureException {
        int[] counts = new int[2];
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            capture.poll(p -> counts[isBurstDatagram(p) ? 0 : 1]++, 100);
        }
        return counts;
    }

    @Test
    void aFilterExpressionIsCompiledForTheSocketWhenItOpens() throws Exception {
        try (PacketCapture port9 = udp().filter("udp port " + UDP_PORT).open();
             PacketCapture port10 = udp().filter("udp port " + (UDP_PORT + 1)).open();
             PacketCapture tcpOnly = udp().tcpOnly(true).filter("udp port " + UDP_PORT).open()) {
            burst(20);
            Thread.sleep(100);
            assertThat(drain(port9, 300)).containsExactly(20, 0);
            assertThat(drain(port10, 300)).containsExactly(0, 0);
            assertThat(drain(tcpOnly, 300)).as("the TCP-only test stays").containsExactly(0, 0);
        }
    }
}
