package io.panatap.flow;

import io.panatap.testing.NamespaceTraffic;
import io.panatap.testing.Prerequisites;
import io.panatap.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real TCP between the test and a network namespace, recorded by tcpdump ({@link NamespaceTraffic}): HTTP-sized
 * answers (300 KB, with GSO super-segments on the veth), many short connections, and IPv6. Every stream
 * reassembled by the flow table equals tshark's follow of it, and the counters equal its conversation table
 * ({@link StreamGroundTruthTest#assertAgreesWithTshark}).
 */
class RealTrafficGroundTruthTest {
    @TempDir
    static Path dir;
    static NamespaceTraffic traffic;

    @BeforeAll
    static void start() throws IOException {
        Privileges.requireNetworkAdmin();
        Prerequisites.requireTool("tcpdump");
        Prerequisites.requireTool("tshark");
        traffic = NamespaceTraffic.start();
    }

    @AfterAll
    static void stop() {
        if (traffic != null) {
            traffic.close();
        }
    }

    @Test
    void httpSizedTransfersOverIpv4() throws IOException {
        Path file = traffic.capture(dir.resolve("http.pcap"), false, 4, 300_000, 20_000);
        GroundTruthRun run = StreamGroundTruthTest.assertAgreesWithTshark(file, 4);
        byte[] answer = new byte[300_000];
        new Random(300_000).nextBytes(answer);
        for (GroundTruthRun.Ended flow : run.flows) {
            StreamGroundTruthTest.assertSameBytes(flow.fromServer().stream(), answer);
            assertThat(flow.fromClient().stream()).hasSizeGreaterThan(20_000);
            assertThat(flow.reason()).isEqualTo(EndReason.CLOSED);
            assertThat(flow.midStream()).isFalse();
        }
    }

    @Test
    void manyShortConnectionsOverIpv4() throws IOException {
        Path file = traffic.capture(dir.resolve("short.pcap"), false, 60, 200, 100);
        GroundTruthRun run = StreamGroundTruthTest.assertAgreesWithTshark(file, 60);
        assertThat(run.flows).allSatisfy(f -> assertThat(f.fromServer().stream()).hasSize(200));
    }

    @Test
    void transfersAndShortConnectionsOverIpv6() throws IOException {
        Path file = traffic.capture(dir.resolve("ipv6.pcap"), true, 12, 120_000, 3000);
        GroundTruthRun run = StreamGroundTruthTest.assertAgreesWithTshark(file, 12);
        assertThat(run.flows).allSatisfy(f -> {
            assertThat(f.client().address()).contains(":");
            assertThat(f.fromServer().stream()).hasSize(120_000);
        });
    }
}
