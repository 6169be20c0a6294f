package io.panatap.cli;

import io.panatap.Packet;
import io.panatap.pcap.CaptureFileWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RotatingWriterTest {
    /** A file that records what it got; its size counts a 24-byte header and 16 + length per packet. */
    static final class FakeFile implements CaptureFileWriter {
        final String name;
        final List<Long> packets = new ArrayList<>();
        long size = 24;
        boolean closed;

        FakeFile(String name) {
            this.name = name;
        }

        @Override
        public void write(Packet packet) {
            assertThat(closed).as("write after close of " + name).isFalse();
            packets.add(packet.frameNumber());
            size += 16 + packet.captureLength();
        }

        @Override
        public void flush() {
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final List<FakeFile> files = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000);

    private RotatingWriter writer(String name, long size, int seconds, int count) throws IOException {
        return new RotatingWriter(name, new RotatingWriter.Limits(size, seconds, count), n -> {
            FakeFile f = new FakeFile(n);
            files.add(f);
            return f;
        }, now::get, ZoneId.of("UTC"));
    }

    private static Packet packet(long n, int length) {
        return new FakePacket(n, n * 1000, new byte[length]);
    }

    private List<String> names() {
        return files.stream().map(f -> f.name).toList();
    }

    @Test
    void sizeRotatesBeforeThePacketThatFindsTheFileAlreadyLargerThanTheLimit() throws IOException {
        RotatingWriter w = writer("f", 100, 0, 0);
        for (int i = 1; i <= 7; i++) {
            w.write(packet(i, 24)); // 40 bytes a record: 24, 64 (not > 100), 104 > 100: the third goes to f1
        }
        w.close();
        assertThat(names()).containsExactly("f", "f1", "f2", "f3");
        assertThat(files.get(0).packets).containsExactly(1L, 2L);
        assertThat(files.get(0).size).isEqualTo(104);
        assertThat(files.get(1).packets).containsExactly(3L, 4L);
        assertThat(files.get(3).packets).containsExactly(7L);
        assertThat(files).allMatch(f -> f.closed);
    }

    @Test
    void withWTheFilesAreARingOfZeroPaddedNumbers() throws IOException {
        RotatingWriter w = writer("f", 24, 0, 11);
        for (int i = 1; i <= 13; i++) {
            w.write(packet(i, 10)); // every file takes one packet
        }
        w.close();
        assertThat(names()).containsExactly("f00", "f01", "f02", "f03", "f04", "f05", "f06", "f07", "f08", "f09",
                "f10", "f00", "f01");
        assertThat(files.get(11).packets).containsExactly(12L);
    }

    @Test
    void timeRotatesOnTheFirstPacketAfterThePeriodNamedWithItsTime() throws IOException {
        RotatingWriter w = writer("t-%s.pcap", 0, 2, 0);
        w.write(packet(1, 10));
        now.addAndGet(1);
        w.write(packet(2, 10));
        now.addAndGet(5); // a quiet gap: one new file, named with the time of the packet that ends it
        w.write(packet(3, 10));
        now.addAndGet(2);
        w.write(packet(4, 10));
        w.close();
        assertThat(names()).containsExactly("t-1000000.pcap", "t-1000006.pcap", "t-1000008.pcap");
        assertThat(files.get(0).packets).containsExactly(1L, 2L);
        assertThat(files.get(1).packets).containsExactly(3L);
    }

    @Test
    void timeWithCountStopsAfterCountFilesWithoutWritingThePacketThatFoundTheLimit() throws IOException {
        RotatingWriter w = writer("t-%S", 0, 1, 2);
        w.write(packet(1, 10));
        now.addAndGet(1);
        w.write(packet(2, 10));
        now.addAndGet(1);
        assertThatThrownBy(() -> w.write(packet(3, 10))).isInstanceOf(RotatingWriter.LimitReached.class)
                .hasMessage("maximum file limit reached: 2 files");
        w.close();
        assertThat(names()).containsExactly("t-40", "t-41");
        assertThat(files).allMatch(f -> f.closed);
        assertThat(files.stream().mapToInt(f -> f.packets.size()).sum()).isEqualTo(2);
    }

    @Test
    void aNewTimePeriodStartsTheSizeNumbersAgain() throws IOException {
        RotatingWriter w = writer("t%M-", 50, 60, 3);
        w.write(packet(1, 20));
        w.write(packet(2, 20)); // 60 > 50: to the next file
        w.write(packet(3, 20)); // and again
        now.addAndGet(60);
        w.write(packet(4, 20));
        w.close();
        assertThat(names()).containsExactly("t46-0", "t46-1", "t46-2", "t47-0");
        assertThat(files.get(3).packets).containsExactly(4L);
    }
}
