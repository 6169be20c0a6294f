package io.panatap.pcap;

import io.panatap.pcap.CaptureBytes.Option;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/** A generated capture and the frames it holds, with where each packet record ends and each record or block starts. */
record Sample(byte[] bytes, List<byte[]> frames, List<Long> packetEnds, List<Long> boundaries, int headerLength) {

    /** Number of packets whose records end at or before {@code offset}. */
    int packetsBefore(long offset) {
        int n = 0;
        while (n < packetEnds.size() && packetEnds.get(n) <= offset) {
            n++;
        }
        return n;
    }

    /** Every block boundary, every byte of each block's first 16, the middle and the last byte of each block. */
    int[] cutPoints() {
        TreeSet<Integer> cuts = new TreeSet<>();
        List<Long> starts = new ArrayList<>(boundaries);
        starts.add(0L);
        starts.add((long) bytes.length);
        Collections.sort(starts);
        for (int k = 0; k < starts.size() - 1; k++) {
            int from = starts.get(k).intValue();
            int to = starts.get(k + 1).intValue();
            for (int n = from; n < Math.min(to, from + 17); n++) {
                cuts.add(n);
            }
            cuts.add((from + to) / 2);
            cuts.add(Math.max(from, to - 1));
        }
        return cuts.stream().mapToInt(Integer::intValue).filter(n -> n < bytes.length).toArray();
    }

    static Sample classic(SplittableRandom rnd) {
        ByteOrder order = rnd.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        CaptureBytes b = CaptureBytes.pcap(order, rnd.nextBoolean(), 65535, rnd.nextBoolean() ? 1 : 113);
        List<byte[]> frames = new ArrayList<>();
        int n = rnd.nextInt(1, 25);
        for (int i = 0; i < n; i++) {
            byte[] f = CaptureBytes.frame(rnd.nextInt(0, 200), rnd.nextInt());
            frames.add(f);
            b.record(rnd.nextLong(0, 1L << 32), rnd.nextLong(0, 1_000_000), f, f.length + rnd.nextInt(0, 3));
        }
        return new Sample(b.bytes(), frames, b.packetEnds(), b.boundaries(), PcapFormat.HEADER_LENGTH);
    }

    static Sample pcapng(SplittableRandom rnd) {
        CaptureBytes b = CaptureBytes.empty(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> frames = new ArrayList<>();
        int sections = rnd.nextInt(1, 4);
        int headerLength = 0;
        for (int s = 0; s < sections; s++) {
            ByteOrder order = rnd.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            b.section(order);
            if (s == 0) {
                headerLength = b.bytes().length;
            }
            int interfaces = rnd.nextInt(1, 4);
            for (int i = 0; i < interfaces; i++) {
                b.iface(rnd.nextBoolean() ? 1 : 101, 0, Option.name("if" + i), Option.tsresol(rnd.nextInt(0, 256)));
            }
            int blocks = rnd.nextInt(0, 12);
            for (int k = 0; k < blocks; k++) {
                byte[] f = CaptureBytes.frame(rnd.nextInt(0, 150), rnd.nextInt());
                switch (rnd.nextInt(5)) {
                    case 0, 1 -> {
                        b.epb(rnd.nextInt(interfaces), rnd.nextLong(), f, f.length,
                                Option.u32(order, 2, rnd.nextInt()));
                        frames.add(f);
                    }
                    case 2 -> {
                        b.spb(f.length, f);
                        frames.add(f);
                    }
                    case 3 -> {
                        b.opb(rnd.nextInt(interfaces), rnd.nextLong(), f, f.length);
                        frames.add(f);
                    }
                    default -> {
                        int type = rnd.nextInt(4, 12);
                        b.block(type == 6 ? 0x40000BAD : type, f); // no packet blocks here
                    }
                }
            }
        }
        return new Sample(b.bytes(), frames, b.packetEnds(), b.boundaries(), headerLength);
    }

    /** A classic or pcapng sample, as {@code rnd} decides. */
    static Sample random(SplittableRandom rnd) {
        return rnd.nextBoolean() ? classic(rnd) : pcapng(rnd);
    }
}
