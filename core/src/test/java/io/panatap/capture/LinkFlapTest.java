package io.panatap.capture;

import io.panatap.PacketSource;
import io.panatap.testing.Netns;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * A capture on one interface while that interface goes down, comes back and is deleted: the kernel unhooks
 * the socket on the way down (ENETDOWN) and hooks it again on the way up, and the capture reports both and
 * keeps its socket; a deleted interface ends it. The test captures on the host end of its own veth pair the
 * SYNs it sends to a closed port in its own namespace (answered by a reset at once).
 */
class LinkFlapTest {
    private static final int PORT = 7; // closed in the namespace: each SYN gets a reset

    private Netns net;

    @BeforeEach
    void createNamespace() {
        Privileges.requireNetworkAdmin();
        net = Netns.create();
    }

    @AfterEach
    void removeNamespace() {
        if (net != null) {
            net.close();
        }
    }

    /** Polls on its own thread, counting the SYNs to {@link #PORT}; keeps the failure that ended it. */
    private static final class Poller extends Thread {
        final PacketCapture capture;
        volatile int syns;
        volatile Throwable failure;

        Poller(PacketCapture capture) {
            super("link-flap-poller");
            this.capture = capture;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (capture.poll(p -> {
                    if (p.headers().isTcp() && p.headers().destinationPort() == PORT) {
                        syns++;
                    }
                }, 64) != PacketSource.END) {
                    // counting
                }
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    private void connect() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(net.peerIpv4(), PORT), 300);
        } catch (IOException expected) {
            // refused, or no route while the link comes back: the SYN is what counts
        }
    }

    /** Sends SYNs until the poller has counted more than {@code before}, for up to 20 s. */
    private void synsUntilCounted(Poller poller, int before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (poller.syns <= before) {
            assertThat(System.nanoTime()).as("a SYN captured within 20 s").isLessThan(deadline);
            connect();
            Thread.sleep(50);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 20 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private PacketCapture open(List<Boolean> events) throws CaptureException {
        return PacketCapture.builder().interfaceName(net.hostInterface()).directions(io.panatap.Direction.OUT)
                .pollTimeout(Duration.ofMillis(50))
                .linkListener((capture, up) -> events.add(up))
                .open();
    }

    @Test
    void aCaptureSurvivesItsInterfaceGoingDownAndComingBackAndSaysSo() throws Exception {
        List<Boolean> events = new CopyOnWriteArrayList<>();
        try (PacketCapture capture = open(events)) {
            Poller poller = new Poller(capture);
            poller.start();
            synsUntilCounted(poller, 0);
            assertThat(capture.isInterfaceDown()).isFalse();

            Netns.run("ip", "link", "set", net.hostInterface(), "down");
            await("the down event", () -> !events.isEmpty());
            assertThat(events).containsExactly(false);
            assertThat(capture.isInterfaceDown()).isTrue();
            int beforeUp = poller.syns;

            Netns.run("ip", "link", "set", net.hostInterface(), "up");
            await("the up event", () -> events.size() == 2);
            assertThat(events).containsExactly(false, true);
            assertThat(capture.isInterfaceDown()).isFalse();
            synsUntilCounted(poller, beforeUp);

            assertThat(poller.isAlive()).isTrue();
            assertThat(poller.failure).isNull();
            capture.close();
            poller.join(5000);
            assertThat(poller.failure).isNull();
        }
    }

    @Test
    void aDeletedInterfaceEndsTheCaptureWithNoSuchInterfaceWhetherItWasUpOrDown() throws Exception {
        for (boolean downFirst : new boolean[] {false, true}) {
            List<Boolean> events = new CopyOnWriteArrayList<>();
            try (PacketCapture capture = open(events)) {
                Poller poller = new Poller(capture);
                poller.start();
                synsUntilCounted(poller, 0);
                if (downFirst) {
                    Netns.run("ip", "link", "set", net.hostInterface(), "down");
                    await("the down event", () -> !events.isEmpty());
                }
                Netns.run("ip", "link", "del", net.hostInterface());
                poller.join(20_000);
                assertThat(poller.isAlive()).as("the poller ended").isFalse();
                assertThat(poller.failure).isInstanceOf(CaptureException.class)
                        .hasMessage("capture on " + net.hostInterface() + " failed: the interface disappeared");
                assertThat(((CaptureException) poller.failure).reason()).isEqualTo(CaptureException.Reason.NO_SUCH_INTERFACE);
                assertThat(events).doesNotContain(true);
            }
            net.close();
            net = Netns.create();
        }
    }

    @Test
    void anInterfaceThatIsDownWhenTheCaptureOpensIsAnErrorOfItsOwn() throws Exception {
        Netns.run("ip", "link", "set", net.hostInterface(), "down");
        assertThatThrownBy(() -> PacketCapture.builder().interfaceName(net.hostInterface()).open())
                .isInstanceOfSatisfying(CaptureException.class, e -> {
                    assertThat(e.reason()).isEqualTo(CaptureException.Reason.INTERFACE_DOWN);
                    assertThat(e).hasMessage(net.hostInterface() + ": That device is not up");
                });
        assertThatThrownBy(() -> CaptureGroup.builder(PacketCapture.builder().interfaceName(net.hostInterface()))
                .workers(2).open())
                .isInstanceOfSatisfying(CaptureException.class,
                        e -> assertThat(e.reason()).isEqualTo(CaptureException.Reason.INTERFACE_DOWN));
        // Up without a carrier (the peer end down) is up: tcpdump opens it too.
        net.exec("ip", "link", "set", net.peerInterface(), "down");
        Netns.run("ip", "link", "set", net.hostInterface(), "up");
        try (PacketCapture capture = PacketCapture.builder().interfaceName(net.hostInterface()).open()) {
            assertThat(capture.isInterfaceDown()).isFalse();
        }
    }

    @Test
    void everyWorkerOfAGroupSurvivesTheFlap() throws Exception {
        List<Boolean> events = new CopyOnWriteArrayList<>();
        CaptureGroup.Builder builder = CaptureGroup.builder(PacketCapture.builder().interfaceName(net.hostInterface())
                .directions(io.panatap.Direction.OUT).pollTimeout(Duration.ofMillis(50))
                .linkListener((capture, up) -> events.add(up))).workers(2);
        try (CaptureGroup group = builder.open()) {
            java.util.concurrent.atomic.AtomicInteger syns = new java.util.concurrent.atomic.AtomicInteger();
            group.start(i -> p -> {
                if (p.headers().isTcp() && p.headers().destinationPort() == PORT) {
                    syns.incrementAndGet();
                }
            });
            Netns.run("ip", "link", "set", net.hostInterface(), "down");
            await("both workers' down events", () -> events.size() >= 2);
            Netns.run("ip", "link", "set", net.hostInterface(), "up");
            await("both workers' up events", () -> events.size() >= 4);
            assertThat(events).containsExactlyInAnyOrder(false, false, true, true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (syns.get() == 0) {
                assertThat(System.nanoTime()).as("a SYN captured within 20 s").isLessThan(deadline);
                connect();
                Thread.sleep(50);
            }
            assertThat(group.failure()).isNull();
        }
    }
}
