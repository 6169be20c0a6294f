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

    final long[] packets;
    final long[] wireBytes;
    final long[] payloadBytes;
    final long[] retransmissions;
    final long[] outOfOrder;
    final long[] zeroWindows;
    private final int[] state;
    private final int[] nextSeq;
    private final int[] holeStart;
    private final int[] holeEnd;

    DirectionCounters(int capacity) {
        int n = 2 * capacity;
        packets = new long[n];
        wireBytes = new long[n];
        payloadBytes = new long[n];
        retransmissions = new long[n];
        outOfOrder = new long[n];
        zeroWindows = new long[n];
        state = new int[n];
        nextSeq = new int[n];
        holeStart = new int[n];
        holeEnd = new int[n];
    }

    /** Zeroes the counters of slot {@code s}'s two directions. */
    void reset(int s) {
        for (int d = 2 * s; d < 2 * s + 2; d++) {
            packets[d] = 0;
            wireBytes[d] = 0;
            payloadBytes[d] = 0;
            retransmissions[d] = 0;
            outOfOrder[d] = 0;
            zeroWindows[d] = 0;
            state[d] = 0;
        }
    }

    /**
     * Counts one segment of direction {@code d}: {@code span} is its sequence space (payload + SYN + FIN).
     */
    void count(int d, int wire, int payload, boolean zeroWindow, int seq, int span) {
        packets[d]++;
        wireBytes[d] += wire;
        payloadBytes[d] += payload;
        if (zeroWindow) {
            zeroWindows[d]++;
        }
        int st = state[d];
        int end = seq + span;
        if ((st & KNOWN) == 0) {
            state[d] = KNOWN;
            nextSeq[d] = end;
            return;
        }
        if (span == 0) {
            return;
        }
        int expected = nextSeq[d];
        if (seq - expected > 0) {
            outOfOrder[d]++;
            if ((st & HOLE) == 0) {
                state[d] = st | HOLE;
                holeStart[d] = expected;
                holeEnd[d] = seq;
            }
            nextSeq[d] = end;
        } else if (end - expected > 0) {
            nextSeq[d] = end;
        } else if ((st & HOLE) != 0 && seq - holeEnd[d] < 0 && end - holeStart[d] > 0) {
            fill(d, seq, end);
        } else {
            retransmissions[d]++;
        }
    }

    /** Shrinks the hole by the part [seq, end) covers (a fill in its middle keeps the part before it). */
    private void fill(int d, int seq, int end) {
        int start = holeStart[d];
        if (seq - start <= 0) {
            holeStart[d] = end;
        } else {
            holeEnd[d] = seq;
        }
        if (holeEnd[d] - holeStart[d] <= 0) {
            state[d] &= ~HOLE;
        }
    }
}
