package io.panatap.cli;

import io.panatap.PacketType;
import io.panatap.parse.LinkType;
import io.panatap.pcap.CaptureFileReader;
import io.panatap.pcap.CaptureFileWriter;
import io.panatap.pcap.PcapWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --listen} beside rows: the stream gets both directions, the rows keep received segments. */
class StreamBesideRowsTest {
    @Test
    void theStreamHoldsBothDirectionsAndTheRowsOnlyTheReceivedOne() throws Exception {
        byte[] in = new TestFrames.Segment("10.0.0.1", "10.0.0.2", 40000, 80, 0x02).frame();
        byte[] out = new TestFrames.Segment("10.0.0.2", "10.0.0.1", 80, 40000, 0x12).frame();
        ByteArrayOutputStream streamBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream rows = new ByteArrayOutputStream();
        CaptureFileWriter stream = PcapWriter.create(streamBytes, "the stream", LinkType.ETHERNET, 65535,
                PcapWriter.Precision.MICRO);
        for (boolean receivedOnly : new boolean[] {true, false}) {
            rows.reset();
            PacketSink sink = new PacketSink(new JsonFormatter(), new TextOutput(rows, 4096), null, null, 0)
                    .stream(stream).receivedRowsOnly(receivedOnly);
            sink.onPacket(new FakePacket(1, 1_000, in, in.length, "eth0", PacketType.HOST));
            sink.onPacket(new FakePacket(2, 2_000, out, out.length, "eth0", PacketType.OUTGOING));
            sink.endBatch();
            assertThat(rows.toString().lines().count()).isEqualTo(receivedOnly ? 1 : 2);
        }
        AtomicInteger records = new AtomicInteger();
        try (CaptureFileReader reader = CaptureFileReader.open(
                Channels.newChannel(new ByteArrayInputStream(streamBytes.toByteArray())))) {
            reader.run(p -> records.incrementAndGet());
        }
        assertThat(records).hasValue(4);
    }
}
