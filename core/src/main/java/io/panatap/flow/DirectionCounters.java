package io.panatap.flow;

/**
 * Per-direction counters of every flow slot (index {@code 2 * slot + side}) and the sequence analysis that
 * classifies segments as retransmitted or out of order. Independent of reassembly: the counters are the
 * same whether or not streams are delivered.
 *
 * <p>Each direction keeps its next expected sequence number: the end of the highest sequence range it has
 * sent so far (sequence space counts payload, SYN and FIN). A segment occupying sequence space
 * <ul>
 *   <li>that starts beyond it is <em>out of order</em> (bytes before it are missing or late); the space
 *       skipped is remembered as the direction's hole (one hole at a time);</li>
 *   <li>whose whole range lies before it is a <em>retransmission</em>, unless it falls into the remembered
 *       hole: a late segment filling the hole is neither (it was reordered, or resent after a loss upstream
 *       of the capture point; a tap cannot tell which);</li>
 *   <li>otherwise it is new data, partly overlapping or not.</li>
 * </ul>
 * The first segment seen of a direction only sets the expected sequence. Segments without sequence space
 * (pure ACKs) are not classified.
 */
final class DirectionCounters {

    private static final int KNOWN = 1;
    private static final int HOLE = 2;

    // Direction d's fields are STRIDE longs at STRIDE * d, one cache line: the counters, then the sequence
    // state (flags << 32 | next expected sequence), then the hole (start << 32 | end).
    private static final int STRIDE = 8;
    private static final int PACKETS = 0;
    private static final int WIRE = 1;
    private static final int PAYLOAD = 2;
    private static final int RETRANSMISSIONS = 3;
    private static final int OUT_OF_ORDER = 4;
    private static final int ZERO_WINDOWS = 5;
    private static final int SEQUENCE = 6;
    private static final int HOLE_RANGE = 7;

    private final long[] fields;

    DirectionCounters(int capacity) {
        fields = new long[2 * STRIDE * capacity];
    }

    long packets(int d) {
        return fields[STRIDE * d + PACKETS];
    }

    long wireBytes(int d) {
        return fields[STRIDE * d + WIRE];
    }

    long payloadBytes(int d) {
        return fields[STRIDE * d + PAYLOAD];
    }

    long retransmissions(int d) {
        return fields[STRIDE * d + RETRANSMISSIONS];
    }

    long outOfOrder(int d) {
        return fields[STRIDE * d + OUT_OF_ORDER];
    }

    long zeroWindows(int d) {
        return fields[STRIDE * d + ZERO_WINDOWS];
    }

    /** Reads the counters of slot {@code s}'s two directions: 128 bytes, so every cache line they reach. */
    long preload(int s) {
        int at = 2 * STRIDE * s;
        return fields[at] + fields[at + STRIDE] + fields[at + 2 * STRIDE - 1];
    }

    /** Zeroes the counters of slot {@code s}'s two directions. */
    void reset(int s) {
        java.util.Arrays.fill(fields, 2 * STRIDE * s, 2 * STRIDE * (s + 1), 0);
    }

    /**
     * Counts one segment of direction {@code d}: {@code span} is its sequence space (payload + SYN + FIN).
     */
    void count(int d, int wire, int payload, boolean zeroWindow, int seq, int span) {
        int at = STRIDE * d;
        long[] f = fields;
        f[at + PACKETS]++;
        f[at + WIRE] += wire;
        f[at + PAYLOAD] += payload;
        if (zeroWindow) {
            f[at + ZERO_WINDOWS]++;
        }
        long sequence = f[at + SEQUENCE];
        int st = (int) (sequence >>> 32);
        int end = seq + span;
        if ((st & KNOWN) == 0) {
            f[at + SEQUENCE] = (long) KNOWN << 32 | end & 0xFFFF_FFFFL;
            return;
        }
        if (span == 0) {
            return;
        }
        int expected = (int) sequence;
        long hole = f[at + HOLE_RANGE];
        int holeStart = (int) (hole >>> 32);
        int holeEnd = (int) hole;
        if (seq - expected > 0) {
            f[at + OUT_OF_ORDER]++;
            if ((st & HOLE) == 0) {
                st |= HOLE;
                f[at + HOLE_RANGE] = (long) expected << 32 | seq & 0xFFFF_FFFFL;
            }
            f[at + SEQUENCE] = (long) st << 32 | end & 0xFFFF_FFFFL;
        } else if (end - expected > 0) {
            f[at + SEQUENCE] = (long) st << 32 | end & 0xFFFF_FFFFL;
        } else if ((st & HOLE) != 0 && seq - holeEnd < 0 && end - holeStart > 0) {
            // A fill shrinks the hole by what it covers (a fill in its middle keeps the part before it).
            if (seq - holeStart <= 0) {
                holeStart = end;
            } else {
                holeEnd = seq;
            }
            f[at + HOLE_RANGE] = (long) holeStart << 32 | holeEnd & 0xFFFF_FFFFL;
            if (holeEnd - holeStart <= 0) {
                f[at + SEQUENCE] = (long) (st & ~HOLE) << 32 | expected & 0xFFFF_FFFFL;
            }
        } else {
            f[at + RETRANSMISSIONS]++;
        }
    }
}
