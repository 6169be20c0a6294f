package io.panatap.pcap;

import io.panatap.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Seeded random captures, damaged in every way we can think of: the reader delivers every record before
 * the damage and then fails with a {@link CaptureFileException} (or reads on, when the damage happens to
 * look like valid data), and never throws anything else, reads out of bounds or hangs.
 */
class DamagedFilesTest {
    private static final long SEED = 0x5eed_2026L;
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** One scratch file rewritten for every variant; in tmpfs when there is one, since disks make this slow. */
    private Path scratch;

    @BeforeEach
    void createScratchFile() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : dir;
        scratch = Files.createTempFile(base, "panatap-damaged-", ".bin");
    }

    @AfterEach
    void deleteScratchFile() throws IOException {
        Files.deleteIfExists(scratch);
    }

    /** The first packets were delivered intact; returns how many were delivered. */
    private static int assertPrefixDelivered(Sample s, ReadResult r, int atLeast) {
        assertThat(r.packets().size()).as("packets delivered").isGreaterThanOrEqualTo(atLeast);
        for (int i = 0; i < atLeast; i++) {
            Packet p = r.packets().get(i);
            assertThat(p.frameNumber()).isEqualTo(i + 1);
            assertThat(ReadResult.bytesOf(p)).isEqualTo(s.frames().get(i));
        }
        return r.packets().size();
    }

    @Test
    void undamagedSamplesReadCompletely() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SplittableRandom rnd = new SplittableRandom(SEED);
            for (int i = 0; i < 200; i++) {
                Sample s = Sample.random(rnd);
                ReadResult r = ReadResult.rewrite(scratch, s.bytes());
                assertThat(r.error()).isNull();
                assertThat(r.packets()).hasSameSizeAs(s.frames());
                assertPrefixDelivered(s, r, s.frames().size());
            }
        });
    }

    @Test
    void truncationAtAndInsideEveryBlockDeliversEveryWholeRecordThenFailsCleanly() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SplittableRandom rnd = new SplittableRandom(SEED + 1);
            for (int i = 0; i < 40; i++) {
                Sample s = Sample.random(rnd);
                for (int n : s.cutPoints()) {
                    ReadResult r = ReadResult.rewrite(scratch, Arrays.copyOf(s.bytes(), n));
                    int whole = s.packetsBefore(n);
                    assertThat(r.packets()).as("packets from %d of %d bytes", n, s.bytes().length).hasSize(whole);
                    assertPrefixDelivered(s, r, whole);
                    boolean atBoundary = n >= s.headerLength() && (s.boundaries().contains((long) n));
                    if (atBoundary) {
                        assertThat(r.error()).as("cut at boundary %d", n).isNull();
                    } else {
                        assertThat(r.error()).as("cut inside at %d", n).isNotNull();
                        assertThat(r.error().getMessage()).contains("byte");
                        assertThat(r.error().offset()).isBetween(0L, (long) n);
                    }
                }
            }
        });
    }

    @Test
    void corruptedLengthFieldsAreCaughtOrReadPastButNeverBreakTheReader() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SplittableRandom rnd = new SplittableRandom(SEED + 2);
            int caught = 0;
            for (int i = 0; i < 1500; i++) {
                Sample s = Sample.random(rnd);
                if (s.boundaries().size() < 2) {
                    continue;
                }
                byte[] bytes = s.bytes().clone();
                // A record (classic) or block (pcapng) start, not the first section header.
                int at = s.boundaries().get(rnd.nextInt(1, s.boundaries().size())).intValue();
                boolean classicFile = s.headerLength() == PcapFormat.HEADER_LENGTH
                        && (bytes[0] & 0xFF) != 0x0A;
                int field = classicFile ? at + 8 : at + 4 + 16 * rnd.nextInt(2); // length; or EPB caplen
                if (field + 4 > bytes.length) {
                    continue;
                }
                int value = switch (rnd.nextInt(6)) {
                    case 0 -> 0;
                    case 1 -> -1;
                    case 2 -> rnd.nextInt();
                    case 3 -> rnd.nextInt(1, 16);
                    default -> ByteBuffer.wrap(bytes, field, 4).getInt() + rnd.nextInt(-8, 9);
                };
                ByteBuffer.wrap(bytes, field, 4).putInt(value);
                ReadResult r = ReadResult.rewrite(scratch, bytes);
                assertPrefixDelivered(s, r, s.packetsBefore(at));
                if (r.error() != null) {
                    caught++;
                    assertThat(r.error().offset()).isBetween(0L, (long) bytes.length);
                }
            }
            assertThat(caught).isGreaterThan(500);
        });
    }

    @Test
    void randomBytesAfterAnyOffsetNeverBreakTheReader() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SplittableRandom rnd = new SplittableRandom(SEED + 3);
            for (int i = 0; i < 1500; i++) {
                Sample s = Sample.random(rnd);
                byte[] bytes = s.bytes().clone();
                int from = rnd.nextInt(0, bytes.length);
                int count = rnd.nextInt(1, 9);
                for (int k = 0; k < count; k++) {
                    int at = rnd.nextInt(from, bytes.length);
                    bytes[at] = (byte) rnd.nextInt(256);
                }
                if (rnd.nextInt(4) == 0) {
                    // Noise appended after a cut, as from a crashed writer.
                    byte[] tail = new byte[rnd.nextInt(1, 64)];
                    rnd.nextBytes(tail);
                    bytes = CaptureBytes.concat(Arrays.copyOf(bytes, from), tail);
                }
                ReadResult r = ReadResult.rewrite(scratch, bytes);
                assertPrefixDelivered(s, r, s.packetsBefore(from));
            }
        });
    }

    @Test
    void filesOfRandomBytesFailCleanly() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SplittableRandom rnd = new SplittableRandom(SEED + 4);
            int[] magics = {0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0A0D0D0A};
            for (int i = 0; i < 2000; i++) {
                byte[] bytes = new byte[rnd.nextInt(0, 300)];
                rnd.nextBytes(bytes);
                if (bytes.length >= 12 && rnd.nextBoolean()) {
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    b.putInt(0, magics[rnd.nextInt(magics.length)]);
                    if (rnd.nextBoolean()) {
                        b.putInt(8, rnd.nextBoolean() ? 0x1A2B3C4D : 0x4D3C2B1A);
                    }
                }
                ReadResult.rewrite(scratch, bytes); // only a CaptureFileException may end the read
            }
        });
    }

    @Test
    void readsOnlyWithinTheFileForWrappedAroundLengths() throws IOException {
        // A pcapng block length that, added to the offset, would wrap a 32-bit int.
        CaptureBytes b = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN).iface(1, 0)
                .rawBlock(6, 0xFFFFFFFCL, new byte[32], 0xFFFFFFFCL);
        ReadResult r = ReadResult.of(dir, b.bytes());
        assertThat(r.error()).hasMessageContaining("header says 4294967292 bytes");
    }
}
