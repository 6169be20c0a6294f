package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.PacketSource;
import io.panatap.pcap.CaptureBytes.Option;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.IntSupplier;

import static io.panatap.pcap.CaptureBytes.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A capture read from a stream (a channel that hands out its bytes in chunks, a pipe, a named pipe) gives
 * exactly what the memory-mapped reader gives for a file of the same bytes: the same records, the same
 * error with the same offset, the same records before it.
 */
class StreamReaderTest {
    private static final long SEED = 0x57_2ea_2026L;
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final long T = 1_700_000_000_123_456L;

    @TempDir
    Path dir;

    /** One scratch file rewritten for every variant. */
    private Path scratch() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : dir;
        Path file = base.resolve("panatap-stream-" + ProcessHandle.current().pid() + ".bin");
        file.toFile().deleteOnExit();
        return file;
    }

    /** Chunkings of a pipe: a byte at a time, odd sizes, random sizes, everything at once. */
    private static List<IntSupplier> chunkings(SplittableRandom rnd) {
        SplittableRandom r = rnd.split();
        return List.of(() -> 1, () -> 7, () -> 13, () -> r.nextInt(1, 200), () -> Integer.MAX_VALUE);
    }

    /** Reads {@code bytes} from a file and from streams in every chunking, and checks they all agree. */
    private static ReadResult assertStreamsReadLikeTheFile(Path scratch, byte[] bytes, SplittableRandom rnd)
            throws IOException {
        ReadResult mapped = ReadResult.rewrite(scratch, bytes);
        List<String> expected = mapped.described();
        for (IntSupplier chunks : chunkings(rnd)) {
            assertThat(ReadResult.streamed(bytes, chunks).described()).isEqualTo(expected);
        }
        return mapped;
    }

    @Test
    void streamsOfUndamagedCapturesGiveTheRecordsOfTheFile() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SplittableRandom rnd = new SplittableRandom(SEED);
            Path scratch = scratch();
            int packets = 0;
            for (int i = 0; i < 120; i++) {
                Sample s = i % 2 == 0 ? Sample.classic(rnd) : Sample.pcapng(rnd);
                ReadResult r = assertStreamsReadLikeTheFile(scratch, s.bytes(), rnd);
                assertThat(r.error()).isNull();
                assertThat(r.packets()).hasSameSizeAs(s.frames());
                packets += r.packets().size();
            }
            assertThat(packets).isGreaterThan(500);
        });
    }

    @Test
    void modifiedPcapAndEveryTimestampResolutionStreamLikeTheFile() throws IOException {
        Path scratch = scratch();
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            byte[] modified = CaptureBytes.pcapWithMagic(order, 0xa1b2cd34, 65535, 1)
                    .modifiedRecord(7, 250_000, frame(60, 4), 3, 4)
                    .modifiedRecord(8, 0, frame(61, 5), 2, 0).bytes();
            assertThat(assertStreamsReadLikeTheFile(scratch, modified, rnd).packets()).hasSize(2);
            byte[] nanos = CaptureBytes.pcap(order, true, 65535, 1)
                    .record(1, 999_999_999, frame(54, 1), 54).record(2, 1, frame(1514, 2), 1514).bytes();
            assertThat(assertStreamsReadLikeTheFile(scratch, nanos, rnd).packets()).hasSize(2);
            byte[] pcapng = CaptureBytes.pcapng(order)
                    .iface(1, 0, Option.name("eth0"), Option.tsresol(0x80 | 20))
                    .iface(113, 96, Option.name("any"), Option.u64(order, 14, 3600))
                    .epb(1, T, frame(80, 3), 80, Option.u32(order, 2, 2))
                    .spb(64, frame(64, 4))
                    .section(order == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN)
                    .block(4, new byte[12])
                    .iface(101, 0, Option.tsresol(3))
                    .opb(0, T, frame(40, 5), 40).bytes();
            ReadResult r = assertStreamsReadLikeTheFile(scratch, pcapng, rnd);
            assertThat(r.error()).isNull();
            assertThat(r.packets()).extracting(Packet::linkType).containsExactly(113, 1, 101);
        }
    }

    /**
     * Reads every damaged variant of random samples from a file and from streams, checks they agree, and
     * returns how many variants ended in an error.
     */
    private int errorsOfDamagedVariants(long seed, int samples, BiFunction<Sample, SplittableRandom, List<byte[]>> damage)
            throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        Path scratch = scratch();
        int errors = 0;
        for (int i = 0; i < samples; i++) {
            for (byte[] bytes : damage.apply(Sample.random(rnd), rnd)) {
                errors += assertStreamsReadLikeTheFile(scratch, bytes, rnd).error() != null ? 1 : 0;
            }
        }
        return errors;
    }

    @Test
    void truncatedStreamsDeliverTheSameRecordsThenTheSameErrorAsFiles() {
        assertTimeoutPreemptively(LIMIT, () -> assertThat(errorsOfDamagedVariants(SEED + 2, 12,
                (s, rnd) -> Arrays.stream(s.cutPoints()).mapToObj(n -> Arrays.copyOf(s.bytes(), n)).toList()))
                .isGreaterThan(200));
    }

    @Test
    void damagedStreamsDeliverTheSameRecordsThenTheSameErrorAsFiles() {
        assertTimeoutPreemptively(LIMIT, () -> assertThat(errorsOfDamagedVariants(SEED + 3, 400,
                (s, rnd) -> List.of(damaged(s, rnd)))).isGreaterThan(100));
    }

    /** A length field of a record or block changed (classic caplen, pcapng block length or EPB caplen), or random bytes. */
    private static byte[] damaged(Sample s, SplittableRandom rnd) {
        byte[] bytes = s.bytes().clone();
        if (rnd.nextBoolean() && s.boundaries().size() > 1) {
            int at = s.boundaries().get(rnd.nextInt(1, s.boundaries().size())).intValue();
            boolean classic = s.headerLength() == PcapFormat.HEADER_LENGTH && bytes[0] != 0x0A;
            int field = classic ? at + 8 : at + 4 + 16 * rnd.nextInt(2);
            if (field + 4 <= bytes.length) {
                ByteBuffer.wrap(bytes, field, 4).putInt(rnd.nextBoolean() ? rnd.nextInt()
                        : ByteBuffer.wrap(bytes, field, 4).getInt() + rnd.nextInt(-8, 9));
            }
        } else {
            for (int k = 0; k < 4; k++) {
                bytes[rnd.nextInt(bytes.length)] = (byte) rnd.nextInt(256);
            }
        }
        return bytes;
    }

    @Test
    void aRecordLargerThanTheBufferIsDeliveredWhole() throws IOException {
        int big = (int) StreamWindow.INITIAL_CAPACITY * 3 + 5;
        Path scratch = scratch();
        SplittableRandom rnd = new SplittableRandom(SEED + 4);
        byte[] pcap = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 0, 1)
                .record(1, 0, frame(60, 1), 60).record(2, 0, frame(big, 2), big).record(3, 0, frame(61, 3), 61).bytes();
        byte[] pcapng = CaptureBytes.pcapng(ByteOrder.BIG_ENDIAN).iface(1, 0)
                .epb(0, T, frame(60, 1), 60).epb(0, T, frame(big + 1, 2), big + 1).spb(61, frame(61, 3)).bytes();
        for (byte[] bytes : List.of(pcap, pcapng)) {
            ReadResult streamed = ReadResult.streamed(bytes, () -> rnd.nextInt(1, 70_000));
            assertThat(streamed.error()).isNull();
            assertThat(streamed.packets()).hasSize(3);
            assertThat(ReadResult.bytesOf(streamed.packets().get(1))).hasSizeGreaterThan(big - 1)
                    .startsWith(Arrays.copyOf(frame(big + 1, 2), 100));
            assertThat(streamed.described()).isEqualTo(ReadResult.rewrite(scratch, bytes).described());
        }
    }

    @Test
    void aBlockTooLongToBufferIsDamageAfterTheRecordsBeforeIt() throws IOException {
        CaptureBytes b = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN).iface(1, 0).epb(0, T, frame(60, 1), 60);
        long at = b.bytes().length;
        long length = CaptureFileReader.MAX_STREAM_BLOCK_LENGTH + 4L;
        byte[] bytes = b.rawBlock(6, length, new byte[64], 0).bytes();

        // Cut short, it is the file's error: the stream is counted to its end.
        ReadResult cut = ReadResult.streamed(bytes, () -> 100);
        assertThat(cut.described()).isEqualTo(ReadResult.of(dir, bytes).described());
        assertThat(cut.error()).hasMessageStartingWith("truncated block at byte " + at);

        // Really that long: damage, not an attempt to buffer it.
        long total = at + length + 64;
        ReadResult whole = ReadResult.read(() -> CaptureFileReader.open(new ReadableByteChannel() {
            private long sent;

            @Override
            public int read(ByteBuffer dst) {
                if (sent == total) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), total - sent);
                for (int k = 0; k < n; k++) {
                    dst.put(sent + k < bytes.length ? bytes[(int) (sent + k)] : 0);
                }
                sent += n;
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        }));
        assertThat(whole.packets()).hasSize(1);
        assertThat(whole.error()).hasMessage("damaged block at byte " + at + ": length " + length
                + " is more than the " + CaptureFileReader.MAX_STREAM_BLOCK_LENGTH
                + " bytes a block read from a stream may have");
        assertThat(whole.error().offset()).isEqualTo(at);
    }

    @Test
    void recordsAreDeliveredAsTheyArriveBeforeTheInputEnds() throws Exception {
        byte[] bytes = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
                .record(1, 0, frame(60, 1), 60).record(2, 0, frame(70, 2), 70).bytes();
        byte[] first = Arrays.copyOf(bytes, 24 + 16 + 60); // the header and the first record
        byte[] second = Arrays.copyOfRange(bytes, first.length, bytes.length);
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink()) {
            sink.write(ByteBuffer.wrap(first));
            sink.write(ByteBuffer.wrap(second, 0, 10)); // part of the next record
            try (CaptureFileReader reader = CaptureFileReader.open(pipe.source())) {
                assertThat(reader.fileSize()).isEqualTo(-1);
                List<Long> frames = new ArrayList<>();
                assertThat(reader.poll(p -> frames.add(p.frameNumber()), 100)).isEqualTo(1);
                assertThat(frames).containsExactly(1L);
                assertThat(reader.position()).isEqualTo(first.length);

                sink.write(ByteBuffer.wrap(second, 10, second.length - 10));
                assertThat(reader.poll(p -> frames.add(p.frameNumber()), 100)).isEqualTo(1);
                assertThat(frames).containsExactly(1L, 2L);
                assertThat(reader.position()).isEqualTo(first.length + second.length);

                sink.close();
                assertThat(reader.poll(p -> frames.add(p.frameNumber()), 100)).isEqualTo(PacketSource.END);
                assertThat(reader.frameCount()).isEqualTo(2);
            }
        }
    }

    @Test
    void closingTheChannelEndsABlockedPoll() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink()) {
            sink.write(ByteBuffer.wrap(CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1).bytes()));
            CaptureFileReader reader = CaptureFileReader.open(pipe.source());
            try {
                CompletableFuture<Integer> poll = CompletableFuture.supplyAsync(() -> {
                    try {
                        return reader.poll(p -> { }, 100);
                    } catch (CaptureFileException e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread.sleep(200); // let it block in the read
                assertThat(poll).isNotDone();
                pipe.source().close();
                assertThatThrownBy(() -> poll.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(RuntimeException.class)
                        .hasRootCauseInstanceOf(AsynchronousCloseException.class)
                        .hasMessageContaining("cannot read the input: AsynchronousCloseException")
                        .satisfies(e -> assertThat(((CaptureFileException) e.getCause().getCause()).offset())
                                .isEqualTo(24));
            } finally {
                reader.close();
            }
        }
    }

    @Test
    void aNamedPipeIsReadAsAStream() throws Exception {
        Path fifo = dir.resolve("capture.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        byte[] bytes = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN).iface(1, 0)
                .epb(0, T, frame(60, 1), 60).epb(0, T + 1, frame(1514, 2), 1514).bytes();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                for (int i = 0; i < bytes.length; i += 333) {
                    out.write(bytes, i, Math.min(333, bytes.length - i));
                    out.flush();
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ReadResult streamed = ReadResult.read(fifo);
        writer.get(10, TimeUnit.SECONDS);
        assertThat(streamed.error()).isNull();
        assertThat(streamed.described()).isEqualTo(ReadResult.of(dir, bytes).described());
    }
}
