package io.panatap.pcap;

import io.panatap.Packet;
import io.panatap.PacketListener;
import io.panatap.pcap.CaptureBytes.Option;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading hands out one flyweight: the per-record path allocates nothing (measured, not timed). */
class AllocationTest {
    private static final int RECORDS = 20_000;

    @TempDir
    Path dir;

    /** Touches every field a consumer would read, so nothing is skipped. */
    private static final class Summer implements PacketListener {
        long sum;

        @Override
        public void onPacket(Packet p) {
            sum += p.frameNumber() + p.timestampNanos() + p.captureLength() + p.originalLength() + p.linkType()
                    + p.frameOffset() + p.interfaceIndex() + p.direction().ordinal()
                    + (p.interfaceName() == null ? 0 : 1) + p.headers().flags();
        }
    }

    // Reached by reflection: the test sources compile inside the core module, which reads no management module.
    private static final Object THREAD_BEAN;
    private static final Method ALLOCATED_BYTES;

    static {
        Object bean = null;
        Method method = null;
        try {
            bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            method = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
            method.invoke(bean);
        } catch (ReflectiveOperationException | RuntimeException e) {
            bean = null;
        }
        THREAD_BEAN = bean;
        ALLOCATED_BYTES = method;
    }

    private static long allocatedBytes() {
        try {
            return (long) ALLOCATED_BYTES.invoke(THREAD_BEAN);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Mapped, and read as a stream through a channel (a buffer refilled per read, not per record). */
    private long bytesPerRecord(Path file) throws IOException {
        return Math.max(bytesPerRecord(() -> CaptureFileReader.open(file)),
                bytesPerRecord(() -> CaptureFileReader.open(FileChannel.open(file))));
    }

    private long bytesPerRecord(ReadResult.Opener opener) throws IOException {
        Summer summer = new Summer();
        long perRecord = Long.MAX_VALUE;
        for (int pass = 0; pass < 3; pass++) {
            try (CaptureFileReader reader = opener.open()) {
                long before = allocatedBytes();
                while (reader.poll(summer, 1000) > 0) {
                    // to the end
                }
                perRecord = Math.min(perRecord, (allocatedBytes() - before) / RECORDS);
            }
        }
        assertThat(summer.sum).isNotZero();
        return perRecord;
    }

    @Test
    void readingClassicRecordsAllocatesNothingPerRecord() throws IOException {
        Assumptions.assumeTrue(THREAD_BEAN != null, "no per-thread allocation counter in this JVM");
        CaptureBytes b = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
        byte[] frame = Frames.ethernetIpv4Tcp(1, 2, 0x18, 100);
        for (int i = 0; i < RECORDS; i++) {
            b.record(i, 0, frame, frame.length);
        }
        Path file = dir.resolve("alloc.pcap");
        Files.write(file, b.bytes());
        assertThat(bytesPerRecord(file)).isZero();
    }

    @Test
    void readingPcapngBlocksAllocatesNothingPerRecord() throws IOException {
        Assumptions.assumeTrue(THREAD_BEAN != null, "no per-thread allocation counter in this JVM");
        CaptureBytes b = CaptureBytes.pcapng(ByteOrder.BIG_ENDIAN).iface(1, 0, Option.name("eth0"), Option.tsresol(9));
        byte[] frame = Frames.ethernetIpv4Tcp(1, 2, 0x18, 100);
        for (int i = 0; i < RECORDS; i++) {
            b.epb(0, i, frame, frame.length, Option.u32(ByteOrder.BIG_ENDIAN, 2, 1));
        }
        Path file = dir.resolve("alloc.pcapng");
        Files.write(file, b.bytes());
        assertThat(bytesPerRecord(file)).isZero();
    }

    /** Counting records of link types the parser does not decode (by index, and in the list above 511) allocates nothing per record. */
    @Test
    void countingUndecodedRecordsAllocatesNothingPerRecord() throws IOException {
        Assumptions.assumeTrue(THREAD_BEAN != null, "no per-thread allocation counter in this JVM");
        CaptureBytes b = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN).iface(129, 0).iface(5000, 0).iface(1, 0);
        byte[] frame = Frames.ethernetIpv4Tcp(1, 2, 0x18, 100);
        for (int i = 0; i < RECORDS; i++) {
            b.epb(i % 3, i, frame, frame.length);
        }
        Path file = dir.resolve("undecoded.pcapng");
        Files.write(file, b.bytes());
        assertThat(bytesPerRecord(file)).isZero();
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            reader.run(p -> { });
            assertThat(reader.undecodedCount(129) + reader.undecodedCount(5000)).isEqualTo(RECORDS * 2 / 3 + 1);
        }
    }

    /** Copying records into a pcap and a pcapng writer (interfaces, flags) allocates nothing per record. */
    @Test
    void writingPcapAndPcapngAllocatesNothingPerRecord() throws IOException {
        Assumptions.assumeTrue(THREAD_BEAN != null, "no per-thread allocation counter in this JVM");
        CaptureBytes b = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN).iface(1, 0, Option.name("eth0"))
                .iface(1, 0, Option.name("eth1"));
        byte[] frame = Frames.ethernetIpv4Tcp(1, 2, 0x18, 100);
        for (int i = 0; i < RECORDS; i++) {
            b.epb(i % 2, i, frame, frame.length, Option.u32(ByteOrder.LITTLE_ENDIAN, 2, i % 2 + 1));
        }
        Path file = dir.resolve("copy.pcapng");
        Files.write(file, b.bytes());
        for (boolean pcapng : new boolean[] {false, true}) {
            long perRecord = Long.MAX_VALUE;
            for (int pass = 0; pass < 3; pass++) {
                try (CaptureFileReader reader = CaptureFileReader.open(file);
                     CaptureFileWriter writer = pcapng
                             ? PcapngWriter.create(OutputStream.nullOutputStream(), "null", 65535, false, "test")
                             : PcapWriter.create(OutputStream.nullOutputStream(), "null", 1, 65535,
                             PcapWriter.Precision.NANO)) {
                    IOException[] failure = new IOException[1];
                    long before = allocatedBytes();
                    while (reader.poll(p -> {
                        try {
                            writer.write(p);
                        } catch (IOException e) {
                            failure[0] = e;
                        }
                    }, 1000) > 0) {
                        writer.flush();
                    }
                    perRecord = Math.min(perRecord, (allocatedBytes() - before) / RECORDS);
                    assertThat(failure[0]).isNull();
                }
            }
            assertThat(perRecord).as(pcapng ? "pcapng" : "pcap").isZero();
        }
    }
}
