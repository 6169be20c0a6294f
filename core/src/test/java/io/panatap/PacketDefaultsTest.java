package io.panatap;

import io.panatap.flow.FlowTable;
import io.panatap.parse.LinkType;
import io.panatap.parse.PacketHeaders;
import io.panatap.parse.TcpFlags;
import io.panatap.pcap.PcapWriter;
import io.panatap.testing.Frames;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A packet made by other code (for example to test a listener) implements only the methods without a default:
 * the metadata only a capture records then says "not recorded", and the library's consumers take it as such.
 */
class PacketDefaultsTest {

    /** Only what {@link Packet} has no default for. */
    private record MinimalPacket(byte[] bytes, PacketHeaders headers) implements Packet {
        MinimalPacket(byte[] bytes) {
            this(bytes, new PacketHeaders());
            headers.wrap(MemorySegment.ofArray(bytes), 0, bytes.length, LinkType.ETHERNET);
        }

        @Override
        public long frameNumber() {
            return 7;
        }

        @Override
        public long timestampNanos() {
            return 1_700_000_000_123_456_789L;
        }

        @Override
        public int captureLength() {
            return bytes.length;
        }

        @Override
        public int originalLength() {
            return bytes.length;
        }

        @Override
        public int linkType() {
            return LinkType.ETHERNET;
        }

        @Override
        public MemorySegment segment() {
            return MemorySegment.ofArray(bytes);
        }

        @Override
        public long frameOffset() {
            return 0;
        }

        @Override
        public Packet copy() {
            return PacketCopy.of(this);
        }
    }

    private static final byte[] SYN = Frames.ethernetIpv4Tcp("10.0.0.1", "10.0.0.2", 40000, 80, TcpFlags.SYN, 0);

    @Test
    void metadataOnlyACaptureRecordsDefaultsToNotRecorded() {
        Packet packet = new MinimalPacket(SYN);
        for (Packet p : new Packet[] {packet, packet.copy()}) {
            assertThat(p.interfaceIndex()).isEqualTo(-1);
            assertThat(p.interfaceName()).isNull();
            assertThat(p.packetType()).isEqualTo(PacketType.UNKNOWN);
            assertThat(p.direction()).isEqualTo(Direction.UNKNOWN);
            assertThat(p.hasVlanTag()).isFalse();
            assertThat(p.vlanTci()).isZero();
            assertThat(p.vlanTpid()).isZero();
            assertThat(p.hardwareType()).isEqualTo(-1);
            assertThat(p.linkHeaderLength()).isZero();
            assertThat(p.headers().destinationPort()).isEqualTo(80);
        }
    }

    @Test
    void aWriterWritesTheFrameAsItIsWithNoTagPutBack() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = PcapWriter.create(out, "test", LinkType.ETHERNET, 262144, PcapWriter.Precision.NANO)) {
            writer.write(new MinimalPacket(SYN));
        }
        ByteBuffer file = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(file.getInt(24)).isEqualTo(1_700_000_000);
        assertThat(file.getInt(28)).isEqualTo(123_456_789);
        assertThat(file.getInt(32)).isEqualTo(SYN.length);
        assertThat(Arrays.copyOfRange(out.toByteArray(), 40, out.size())).isEqualTo(SYN);
    }

    @Test
    void aFlowTableKeysTheFlowWithoutAVlan() {
        int[] vlan = {Integer.MIN_VALUE};
        try (FlowTable table = FlowTable.builder().listener(new io.panatap.flow.FlowListener() {
            @Override
            public void ended(io.panatap.flow.Flow flow) {
                vlan[0] = flow.vlanId();
            }
        }).build()) {
            table.onPacket(new MinimalPacket(SYN));
            assertThat(table.activeFlows()).isEqualTo(1);
        }
        assertThat(vlan[0]).isEqualTo(-1);
    }
}
