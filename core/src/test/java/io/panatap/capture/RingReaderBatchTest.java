package io.panatap.capture;

import io.panatap.Packet;
import io.panatap.PacketBatch;
import io.panatap.PacketBatchListener;
import io.panatap.PacketListener;
import io.panatap.parse.LinkType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static io.panatap.internal.linux.PacketAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ring walk hands a {@link PacketBatchListener} the same packets as a plain listener, in batches of one
 * block's frames: in a ring built here as the kernel fills one (three blocks of 20 frames, every fifth frame
 * sent rather than received), both kinds of listener see the same frame numbers, times, lengths and source
 * ports; batches never cross a block or exceed the poll's limit; a block goes back to the kernel only after the
 * batch holding its last frame; and a listener that throws loses its batch but not the ring's place.
 */
class RingReaderBatchTest {
    private static final int BLOCKS = 3;
    private static final int FRAMES = 20;
    private static final int BLOCK_SIZE = 4096;
    private static final int MAC = tpacketAlign(TPACKET3_HDRLEN);
    private static final int STRIDE = tpacketAlign(MAC + 54);
    private static final ValueLayout.OfShort BIG_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Frame number, time, lengths and source port of each packet seen. */
    private record Seen(long number, long nanos, int captured, int length, int port) {
        static Seen of(Packet p) {
            return new Seen(p.frameNumber(), p.timestampNanos(), p.captureLength(), p.originalLength(),
                    p.headers().sourcePort());
        }
    }

    private static final class Plain implements PacketListener {
        final List<Seen> seen = new ArrayList<>();

        @Override
        public void onPacket(Packet packet) {
            seen.add(Seen.of(packet));
        }
    }

    private static final class Batches implements PacketBatchListener {
        final List<Seen> seen = new ArrayList<>();
        final List<Integer> sizes = new ArrayList<>();
        MemorySegment ring;
        /** Per batch: the blocks' status while the listener ran, 'U' user space's, 'K' handed back. */
        final List<String> blocks = new ArrayList<>();

        @Override
        public void onPacket(Packet packet) {
            throw new AssertionError("a live capture hands a batch listener batches");
        }

        @Override
        public void onBatch(PacketBatch batch) {
            sizes.add(batch.size());
            StringBuilder status = new StringBuilder();
            for (int b = 0; b < BLOCKS; b++) {
                status.append(ring.get(JAVA_INT, (long) b * BLOCK_SIZE + BLOCK_STATUS) == TP_STATUS_USER ? 'U' : 'K');
            }
            blocks.add(status.toString());
            for (int i = 0; i < batch.size(); i++) {
                seen.add(Seen.of(batch.get(i)));
            }
            // Again, backwards: every packet stays readable until the call returns.
            for (int i = batch.size() - 1; i >= 0; i--) {
                assertThat(Seen.of(batch.get(i))).isEqualTo(seen.get(seen.size() - batch.size() + i));
            }
            // Each packet has a view of its own: the first still shows the first packet after the last was read.
            Packet first = batch.get(0);
            batch.get(batch.size() - 1).headers();
            assertThat(Seen.of(first)).isEqualTo(seen.get(seen.size() - batch.size()));
            assertThatThrownBy(() -> batch.get(batch.size())).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    /** A ring of {@link #BLOCKS} blocks of {@link #FRAMES} TCP frames, all handed to user space. */
    private static MemorySegment ring(Arena arena) {
        MemorySegment ring = arena.allocate((long) BLOCKS * BLOCK_SIZE, 4096);
        for (int b = 0; b < BLOCKS; b++) {
            long block = (long) b * BLOCK_SIZE;
            ring.set(JAVA_INT, block + BLOCK_NUM_PKTS, FRAMES);
            ring.set(JAVA_INT, block + BLOCK_OFFSET_TO_FIRST_PKT, (int) TPACKET_BLOCK_DESC.byteSize());
            for (int i = 0; i < FRAMES; i++) {
                int n = b * FRAMES + i;
                long f = block + TPACKET_BLOCK_DESC.byteSize() + (long) i * STRIDE;
                ring.set(JAVA_INT, f + TP_NEXT_OFFSET, i + 1 < FRAMES ? STRIDE : 0);
                ring.set(JAVA_INT, f + TP_SEC, 1_700_000_000 + n);
                ring.set(JAVA_INT, f + TP_NSEC, n * 1000);
                ring.set(JAVA_INT, f + TP_SNAPLEN, 54);
                ring.set(JAVA_INT, f + TP_LEN, 60 + n);
                ring.set(JAVA_SHORT, f + TP_MAC, (short) MAC);
                ring.set(JAVA_INT, f + TP_SOCKADDR_LL + SLL_IFINDEX, 1);
                ring.set(JAVA_SHORT, f + TP_SOCKADDR_LL + SLL_HATYPE, (short) ARPHRD_ETHER);
                ring.set(JAVA_BYTE, f + TP_SOCKADDR_LL + SLL_PKTTYPE, (byte) (n % 5 == 4 ? PACKET_OUTGOING : 0));
                long frame = f + MAC;
                ring.set(BIG_SHORT, frame + 12, (short) 0x0800);
                ring.set(JAVA_BYTE, frame + 14, (byte) 0x45);
                ring.set(BIG_SHORT, frame + 16, (short) 40);
                ring.set(JAVA_BYTE, frame + 23, (byte) 6);
                ring.set(BIG_SHORT, frame + 34, (short) (1000 + n));
                ring.set(BIG_SHORT, frame + 36, (short) 80);
                ring.set(JAVA_BYTE, frame + 46, (byte) 0x50);
                ring.set(JAVA_BYTE, frame + 47, (byte) 0x10);
            }
            ring.set(JAVA_INT, block + BLOCK_STATUS, TP_STATUS_USER);
        }
        return ring;
    }

    private static RingReader reader(MemorySegment ring) {
        return new RingReader(ring, BLOCK_SIZE, BLOCKS, LinkType.ETHERNET, 65535, true, false, null, false);
    }

    @Test
    void aBatchListenerSeesWhatAPlainListenerSeesABlockAtATime() {
        try (Arena arena = Arena.ofConfined()) {
            Plain plain = new Plain();
            RingReader reader = reader(ring(arena));
            assertThat(reader.deliver(plain, Integer.MAX_VALUE)).isEqualTo(48);

            MemorySegment ring = ring(arena);
            Batches batches = new Batches();
            batches.ring = ring;
            reader = reader(ring);
            assertThat(reader.deliver(batches, Integer.MAX_VALUE)).isEqualTo(48);

            assertThat(batches.seen).isEqualTo(plain.seen).hasSize(BLOCKS * FRAMES * 4 / 5);
            assertThat(batches.seen.getFirst()).isEqualTo(new Seen(1, 1_700_000_000_000_000_000L, 54, 60, 1000));
            assertThat(batches.seen).extracting(Seen::port).doesNotContain(1004, 1009, 1014, 1019); // sent, not received
            assertThat(batches.sizes).containsExactly(16, 16, 16); // one block each
            assertThat(batches.blocks).as("each block held during its batch, handed back after it")
                    .containsExactly("UUU", "KUU", "KKU");
            assertThat(reader.delivered()).isEqualTo(48);
            for (int b = 0; b < BLOCKS; b++) {
                assertThat(ring.get(JAVA_INT, (long) b * BLOCK_SIZE + BLOCK_STATUS)).as("block %d", b)
                        .isEqualTo(TP_STATUS_KERNEL);
            }
        }
    }

    @Test
    void batchesKeepToThePollsLimitAndABlockIsHandedBackWithItsLastFrame() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ring = ring(arena);
            Batches batches = new Batches();
            batches.ring = ring;
            RingReader reader = reader(ring);
            assertThat(reader.deliver(batches, 7)).isEqualTo(7);
            assertThat(batches.sizes).containsExactly(7);
            assertThat(ring.get(JAVA_INT, BLOCK_STATUS)).isEqualTo(TP_STATUS_USER);
            assertThat(reader.deliver(batches, 10)).isEqualTo(10);
            // The rest of block 0 (frames 8-19: 9 received, 3 sent), then 1 of block 1 to reach the limit.
            assertThat(batches.sizes).containsExactly(7, 9, 1);
            assertThat(ring.get(JAVA_INT, BLOCK_STATUS)).as("block 0, all delivered").isEqualTo(TP_STATUS_KERNEL);
            assertThat(ring.get(JAVA_INT, BLOCK_SIZE + BLOCK_STATUS)).isEqualTo(TP_STATUS_USER);
            assertThat(batches.seen).extracting(Seen::number).containsExactlyElementsOf(
                    java.util.stream.LongStream.rangeClosed(1, 17).boxed().toList());
        }
    }

    @Test
    void aListenerThatThrowsLosesItsBatchAndTheNextPollGoesOn() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ring = ring(arena);
            RingReader reader = reader(ring);
            PacketBatchListener failing = new PacketBatchListener() {
                @Override
                public void onPacket(Packet packet) {
                }

                @Override
                public void onBatch(PacketBatch batch) {
                    throw new IllegalStateException("listener failed");
                }
            };
            assertThatThrownBy(() -> reader.deliver(failing, Integer.MAX_VALUE)).hasMessage("listener failed");
            assertThat(reader.delivered()).as("the batch counts as delivered").isEqualTo(16);
            assertThat(ring.get(JAVA_INT, BLOCK_STATUS)).as("its block handed back").isEqualTo(TP_STATUS_KERNEL);
            Plain plain = new Plain();
            assertThat(reader.deliver(plain, Integer.MAX_VALUE)).isEqualTo(32);
            assertThat(plain.seen.getFirst().number()).isEqualTo(17);
            assertThat(plain.seen.getFirst().port()).isEqualTo(1020);
        }
    }
}
