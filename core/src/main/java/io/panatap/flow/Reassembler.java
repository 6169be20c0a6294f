package io.panatap.flow;

import io.panatap.parse.TcpFlags;

import java.lang.foreign.MemorySegment;

/**
 * Stream reassembly for every direction of every flow slot (index {@code 2 * slot + side}).
 *
 * <p>Each direction keeps the next stream sequence number to deliver. A segment's bytes at or before it are
 * handed over at once as slices of the packet's memory, without copying; bytes beyond it are copied into
 * the {@link BlockPool} as chunks in a list sorted by sequence number, and delivered from there when the
 * bytes before them arrive. Policy:
 * <ul>
 *   <li><b>First copy wins.</b> A byte is delivered once, from the first segment that carried it: a
 *       retransmission or an overlapping segment contributes only bytes not seen before, whatever its
 *       content, and buffered chunks never overlap each other.</li>
 *   <li><b>Gaps.</b> A hole (bytes missing before buffered data) is given up, reported as
 *       {@link StreamListener#gap} of its size and skipped, when it stays unfilled for the gap timeout
 *       (capture time, from when data beyond it was first buffered), when holding a segment would exceed the
 *       per-flow or the total buffer limit (counted in {@link #overflows}), and when the flow ends. Bytes a
 *       capture cut off (snap length) are holes of the same kind.</li>
 *   <li><b>Limits</b> count buffer blocks ({@value BlockPool#BLOCK_BYTES} bytes each), not payload bytes, so
 *       they bound real memory. The per-flow limit gives up this flow's oldest hole first; the total limit
 *       gives up the oldest hole of any flow. A segment larger than a limit on its own skips the hole
 *       before it and is delivered in place.</li>
 *   <li><b>SYN and FIN.</b> A SYN's sequence number is not stream data: the stream starts after it, so data
 *       on a SYN (TCP Fast Open) is delivered. The FIN marks the end of the stream: bytes beyond it are
 *       ignored, and bytes missing before it when the flow ends are a gap.</li>
 *   <li>A direction whose SYN was not seen starts at the sequence number of its first segment seen.</li>
 *   <li>Sequence numbers are compared modulo 2<sup>32</sup> (RFC 1982 style), so streams cross the
 *       wrap-around.</li>
 * </ul>
 */
final class Reassembler implements BlockPool.Sink {

    private static final int STARTED = 1;
    private static final int FIN_KNOWN = 2;
    private static final int IN_HOLES = 4;
    private static final Side[] SIDES = Side.values();

    private final BlockPool pool;
    private final StreamListener listener;
    private final FlowView view;
    private final int maxFlowBlocks;
    private final long gapTimeoutNanos;

    private final int[] state;
    private final int[] nextSeq;
    private final int[] finSeq;
    private final int[] head;
    /** The last chunk of each direction's list (-1 when empty): data after a hole usually goes after it. */
    private final int[] tail;
    private final int[] flowBlocks;
    private final long[] holeSince;
    private final int[] holePrev;
    private final int[] holeNext;
    private final int holes; // sentinel of the list of directions holding data, oldest hole first

    private long overflows;
    private Side sinkSide; // the direction delivering through accept()

    Reassembler(int capacity, StreamListener listener, FlowView view, int maxFlowBytes, long maxBytes,
                long gapTimeoutNanos) {
        this.pool = new BlockPool(maxBytes);
        this.listener = listener;
        this.view = view;
        this.maxFlowBlocks = Math.max(1, BlockPool.blocksFor(maxFlowBytes));
        this.gapTimeoutNanos = gapTimeoutNanos;
        int n = 2 * capacity;
        state = new int[n];
        nextSeq = new int[n];
        finSeq = new int[n];
        head = new int[n];
        tail = new int[n];
        flowBlocks = new int[capacity];
        holeSince = new long[n];
        holePrev = new int[n + 1];
        holeNext = new int[n + 1];
        holes = n;
        holePrev[holes] = holes;
        holeNext[holes] = holes;
    }

    long overflows() {
        return overflows;
    }

    /** Forgets slot {@code s}'s streams (a new flow in the slot; the previous one was flushed). */
    void reset(int s) {
        for (int d = 2 * s; d < 2 * s + 2; d++) {
            state[d] = 0;
            head[d] = -1;
            tail[d] = -1;
        }
        flowBlocks[s] = 0;
    }

    /**
     * Takes one segment of direction {@code d} (the view is bound to its flow): TCP flags, sequence number,
     * payload length on the wire, and the {@code captured} payload bytes at {@code at} in {@code memory}.
     */
    void segment(int d, int flags, int seq, int length, MemorySegment memory, long at, int captured, long now) {
        int st = state[d];
        int dataSeq = (flags & TcpFlags.SYN) != 0 ? seq + 1 : seq;
        if ((st & STARTED) == 0) {
            st |= STARTED;
            nextSeq[d] = dataSeq;
        }
        int end = dataSeq + length;
        if ((flags & TcpFlags.FIN) != 0 && (st & FIN_KNOWN) == 0) {
            st |= FIN_KNOWN;
            finSeq[d] = end;
        }
        state[d] = st;
        if (length <= 0) {
            return;
        }
        if ((st & FIN_KNOWN) != 0 && end - finSeq[d] > 0) {
            if (finSeq[d] - dataSeq <= 0) {
                return; // nothing after the FIN is stream data
            }
            end = finSeq[d];
        }
        int capturedEnd = end - dataSeq > captured ? dataSeq + captured : end;
        sinkSide = SIDES[d & 1];
        while (true) {
            drain(d);
            int next = nextSeq[d];
            if (end - next <= 0) {
                break;
            }
            if (dataSeq - next > 0) {
                if (buffer(d, dataSeq, capturedEnd, memory, at, now)) {
                    continue; // a hole of this direction was given up: the segment may now be in order
                }
                break;
            }
            int limit = end;
            int h = head[d];
            if (h >= 0 && pool.chunkSeq[h] - limit < 0) {
                limit = pool.chunkSeq[h]; // bytes from there on were buffered first: first copy wins
            }
            int dataLimit = capturedEnd - limit < 0 ? capturedEnd : limit;
            if (dataLimit - next > 0) {
                listener.data(view, sinkSide, memory.asSlice(at + (next - dataSeq), dataLimit - next));
            }
            if (limit - dataLimit > 0) {
                listener.gap(view, sinkSide, limit - (dataLimit - next > 0 ? dataLimit : next));
            }
            nextSeq[d] = limit;
        }
        updateHoles(d, now);
    }

    /** Delivers the buffered chunks that now start at or before the next sequence number. */
    private void drain(int d) {
        int next = nextSeq[d];
        for (int c = head[d]; c >= 0 && pool.chunkSeq[c] - next <= 0; c = head[d]) {
            int chunkEnd = pool.chunkSeq[c] + pool.chunkLength[c];
            if (chunkEnd - next > 0) {
                pool.deliver(c, next - pool.chunkSeq[c], this);
                next = chunkEnd;
            }
            head[d] = pool.chunkNext[c];
            flowBlocks[d >> 1] -= pool.freeChunk(c);
        }
        if (head[d] < 0) {
            tail[d] = -1;
        }
        nextSeq[d] = next;
    }

    @Override
    public void accept(MemorySegment bytes) {
        listener.data(view, sinkSide, bytes);
    }

    /**
     * Buffers the bytes [from, to) of a segment beyond the next sequence number, keeping what earlier chunks
     * hold. Returns true when a limit made this direction give up a hole, so the caller must look again.
     */
    private boolean buffer(int d, int from, int to, MemorySegment memory, long at, long now) {
        if (to - from <= 0) {
            return false;
        }
        int slot = d >> 1;
        int need = blocksNeeded(d, from, to);
        while (need > 0 && (flowBlocks[slot] + need > maxFlowBlocks || need > pool.freeBlocks())) {
            overflows++;
            int victim;
            if (flowBlocks[slot] + need > maxFlowBlocks) {
                victim = head[d] >= 0 ? d : head[d ^ 1] >= 0 ? d ^ 1 : -1;
            } else {
                victim = holeNext[holes] != holes ? holeNext[holes] : -1;
            }
            if (victim < 0 || victim == d) {
                if (victim < 0) { // nothing to give up: skip the hole before this segment
                    listener.gap(view, sinkSide, from - nextSeq[d]);
                    nextSeq[d] = from;
                } else {
                    skipHole(d, now);
                }
                return true;
            }
            Side side = sinkSide;
            view.bind(victim >> 1);
            sinkSide = SIDES[victim & 1];
            skipHole(victim, now);
            updateHoles(victim, now);
            view.bind(slot);
            sinkSide = side;
        }
        if (need > 0) {
            insert(d, from, to, memory, at - from);
        }
        return false;
    }

    /** Blocks needed for the parts of [from, to) that no chunk of direction {@code d} holds yet. */
    private int blocksNeeded(int d, int from, int to) {
        if (afterTail(d, from)) {
            return BlockPool.blocksFor(to - from);
        }
        int need = 0;
        for (int c = head[d]; c >= 0 && to - from > 0; c = pool.chunkNext[c]) {
            int start = pool.chunkSeq[c];
            int end = start + pool.chunkLength[c];
            if (end - from <= 0) {
                continue;
            }
            if (start - to >= 0) {
                break;
            }
            if (start - from > 0) {
                need += BlockPool.blocksFor(start - from);
            }
            from = end;
        }
        return to - from > 0 ? need + BlockPool.blocksFor(to - from) : need;
    }

    /** Inserts the parts of [from, to) no chunk holds yet; the byte of sequence x is at {@code base + x}. */
    private void insert(int d, int from, int to, MemorySegment memory, long base) {
        if (afterTail(d, from)) { // the common case, O(1): segments keep coming in order after a hole
            link(d, tail[d], from, to, memory, base, -1);
            return;
        }
        int previous = -1;
        int c = head[d];
        while (to - from > 0) {
            if (c < 0 || pool.chunkSeq[c] - to >= 0) {
                link(d, previous, from, to, memory, base, c);
                return;
            }
            int start = pool.chunkSeq[c];
            int end = start + pool.chunkLength[c];
            if (end - from > 0) {
                if (start - from > 0) {
                    previous = link(d, previous, from, start, memory, base, c);
                }
                from = end;
            }
            previous = c;
            c = pool.chunkNext[c];
        }
    }

    /** True when [from, ...) starts at or after the end of the last chunk (none overlaps it). */
    private boolean afterTail(int d, int from) {
        int t = tail[d];
        return t >= 0 && from - (pool.chunkSeq[t] + pool.chunkLength[t]) >= 0;
    }

    private int link(int d, int previous, int from, int to, MemorySegment memory, long base, int next) {
        int chunk = pool.newChunk(from, memory, base + from, to - from);
        pool.chunkNext[chunk] = next;
        if (previous < 0) {
            head[d] = chunk;
        } else {
            pool.chunkNext[previous] = chunk;
        }
        if (next < 0) {
            tail[d] = chunk;
        }
        flowBlocks[d >> 1] += pool.blocksOf(chunk);
        return chunk;
    }

    /** Gives up the hole before direction {@code d}'s first chunk: a gap, then the chunks up to the next hole. */
    private void skipHole(int d, long now) {
        int first = head[d];
        int missing = pool.chunkSeq[first] - nextSeq[d];
        if (missing > 0) {
            listener.gap(view, sinkSide, missing);
            nextSeq[d] = pool.chunkSeq[first];
        }
        drain(d);
        if ((state[d] & IN_HOLES) != 0) {
            unlinkHole(d);
        }
    }

    /** Keeps direction {@code d} on the hole list exactly while it holds data (a new hole starts now). */
    private void updateHoles(int d, long now) {
        boolean listed = (state[d] & IN_HOLES) != 0;
        if (head[d] < 0) {
            if (listed) {
                unlinkHole(d);
            }
        } else if (!listed) {
            holeSince[d] = now;
            int last = holePrev[holes];
            holeNext[last] = d;
            holePrev[d] = last;
            holeNext[d] = holes;
            holePrev[holes] = d;
            state[d] |= IN_HOLES;
        }
    }

    private void unlinkHole(int d) {
        holeNext[holePrev[d]] = holeNext[d];
        holePrev[holeNext[d]] = holePrev[d];
        state[d] &= ~IN_HOLES;
    }

    /** Gives up every hole unfilled for the gap timeout at capture time {@code now}. */
    void expire(long now) {
        for (int d = holeNext[holes]; d != holes && now - holeSince[d] >= gapTimeoutNanos; d = holeNext[holes]) {
            view.bind(d >> 1);
            sinkSide = SIDES[d & 1];
            skipHole(d, now);
            updateHoles(d, now);
        }
    }

    /**
     * Delivers everything slot {@code s} still holds, holes reported as gaps, including bytes missing before
     * a FIN seen; the view is bound to the slot.
     */
    void flush(int s) {
        for (int d = 2 * s; d < 2 * s + 2; d++) {
            sinkSide = SIDES[d & 1];
            while (head[d] >= 0) {
                skipHole(d, 0);
            }
            if ((state[d] & IN_HOLES) != 0) {
                unlinkHole(d);
            }
            if ((state[d] & (STARTED | FIN_KNOWN)) == (STARTED | FIN_KNOWN) && finSeq[d] - nextSeq[d] > 0) {
                listener.gap(view, sinkSide, finSeq[d] - nextSeq[d]);
                nextSeq[d] = finSeq[d];
            }
            state[d] = 0;
        }
        flowBlocks[s] = 0;
    }

    void close() {
        pool.close();
    }
}
