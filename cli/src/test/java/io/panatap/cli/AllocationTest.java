package io.panatap.cli;

import io.panatap.PacketType;
import io.panatap.Packet;
import io.panatap.cli.TestFrames.Segment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.time.ZoneId;

import static io.panatap.parse.TcpFlags.ACK;
import static io.panatap.parse.TcpFlags.PSH;
import static org.assertj.core.api.Assertions.assertThat;

/** Printing a row allocates nothing once warmed up: the hot path of a busy capture. */
class AllocationTest {
    private static final int ROWS = 20_000;

    @Test
    void printingRowsInEveryFormatAllocatesNothingPerRow() throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] v4 = new Segment("10.0.0.1", "10.0.0.2", 51167, 22, PSH | ACK).payload(10).frame();
        byte[] v6 = new Segment("2001:db8:85a3::8a2e:370:7334", "fd00::1", 443, 50000, ACK).frame();
        Packet[] packets = {
                new FakePacket(1, 1_764_060_748_099_946_123L, v4, v4.length, "eth0", PacketType.HOST),
                new FakePacket(2, 1_764_060_749_099_946_123L, v6, v6.length, "eth0", PacketType.OUTGOING),
                new FakePacket(3, 1_764_060_750_099_946_123L, tagged(v4), v4.length + 4, "eth0", PacketType.HOST),
                new FakePacket(4, 1_764_060_751_099_946_123L, v4, v4.length, "eth0", PacketType.HOST)};
        for (RowFormatter formatter : new RowFormatter[] {new TableFormatter(TableFormatter.Clock.CAPTURE),
                new LineFormatter(true, ZoneId.of("Europe/Berlin")), new JsonFormatter(),
                new LineFormatter(false, ZoneId.of("Europe/Berlin"), views("-#", "-e", "-XX", "-ttt")),
                new LineFormatter(true, ZoneId.of("Europe/Berlin"), views("-e", "-A", "-tttt", "--nano")),
                new LineFormatter(false, ZoneId.of("Europe/Berlin"), views("-x", "-tt")),
                new JsonFormatter(views("--format", "json", "-e", "-#", "-X", "--micro"))}) {
            TextOutput out = new TextOutput(OutputStream.nullOutputStream(), 64 * 1024);
            PacketSink sink = new PacketSink(formatter, out, null, null, 0);
            for (int i = 0; i < ROWS; i++) { // warm up: buffers reach their size, code is compiled
                sink.onPacket(packets[i & 3]);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < ROWS; i++) {
                sink.onPacket(packets[i & 3]);
                if ((i & 255) == 0) {
                    sink.endBatch();
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(allocated / ROWS).as("bytes per row, %s", formatter.getClass().getSimpleName()).isZero();
        }
    }

    /** The frame with an 802.1Q tag after its MAC addresses. */
    private static byte[] tagged(byte[] frame) {
        byte[] out = new byte[frame.length + 4];
        System.arraycopy(frame, 0, out, 0, 12);
        out[12] = (byte) 0x81;
        out[14] = 0x20;
        out[15] = 0x0a;
        System.arraycopy(frame, 12, out, 16, frame.length - 12);
        return out;
    }

    private static Options views(String... args) {
        try {
            return Options.parse(args);
        } catch (UsageException e) {
            throw new AssertionError(e);
        }
    }
}
