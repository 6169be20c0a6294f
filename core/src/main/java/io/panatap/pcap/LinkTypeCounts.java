package io.panatap.pcap;

import java.util.Arrays;

/**
 * Counts of records per link type, for the records a reader delivered of link types panatap does not decode
 * ({@link CaptureFileReader#undecodedCount}). Link types below {@value #DIRECT} are counted in an array
 * indexed by the link type, larger ones (rare: a file has a handful of link types) in a short list searched
 * in order. Storage is taken when the first record is counted, and after each link type's first record
 * counting allocates nothing.
 */
final class LinkTypeCounts {
    /** Link types below this are counted by index (every registered link type is below 512). */
    private static final int DIRECT = 512;

    private long[] direct;
    private int[] otherTypes = new int[0];
    private long[] otherCounts = new long[0];

    void add(int linkType) {
        if (linkType >= 0 && linkType < DIRECT) {
            if (direct == null) {
                direct = new long[DIRECT];
            }
            direct[linkType]++;
            return;
        }
        for (int i = 0; i < otherTypes.length; i++) {
            if (otherTypes[i] == linkType) {
                otherCounts[i]++;
                return;
            }
        }
        int n = otherTypes.length;
        otherTypes = Arrays.copyOf(otherTypes, n + 1);
        otherCounts = Arrays.copyOf(otherCounts, n + 1);
        otherTypes[n] = linkType;
        otherCounts[n] = 1;
    }

    long count(int linkType) {
        if (linkType >= 0 && linkType < DIRECT) {
            return direct == null ? 0 : direct[linkType];
        }
        for (int i = 0; i < otherTypes.length; i++) {
            if (otherTypes[i] == linkType) {
                return otherCounts[i];
            }
        }
        return 0;
    }

    /** The link types counted at least once, in ascending order (unsigned link types compare as ints here). */
    int[] linkTypes() {
        int[] out = new int[otherTypes.length + (direct == null ? 0 : DIRECT)];
        int n = 0;
        if (direct != null) {
            for (int t = 0; t < DIRECT; t++) {
                if (direct[t] > 0) {
                    out[n++] = t;
                }
            }
        }
        for (int t : otherTypes) {
            out[n++] = t;
        }
        int[] result = Arrays.copyOf(out, n);
        Arrays.sort(result);
        return result;
    }
}
