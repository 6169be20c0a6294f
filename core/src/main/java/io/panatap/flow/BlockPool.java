package io.panatap.flow;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The reassembly buffer: off-heap memory cut into fixed blocks, and chunk descriptors (a run of stream bytes
 * held in a chain of blocks). Memory is taken from the operating system in slabs as the number of blocks in
 * use first reaches them and then kept for reuse until {@link #close()}, so a table that never reorders
 * holds no buffer, and the steady state allocates nothing. The total is bounded by the block count.
 *
 * <p>A chunk is {@code seq}, {@code length}, its first block and the next chunk of its direction's list;
 * its blocks are chained through {@code blockNext}. A chunk uses at least one block, so there are never
 * more chunks than blocks and one descriptor array per field, as long as the block count, suffices.
 */
final class BlockPool {

    static final int BLOCK_BYTES = 512;
    private static final int BLOCKS_PER_SLAB = 2048; // 1 MiB slabs

    private final Arena arena;
    private final MemorySegment[] slabs;
    final int blocks;
    private final int[] blockNext;
    private final int[] freeBlocks;
    private int freeBlockCount;
    private int blocksEverUsed;

    final int[] chunkSeq;
    final int[] chunkLength;
    final int[] chunkBlock;
    final int[] chunkNext;
    private final int[] freeChunks;
    private int freeChunkCount;

    BlockPool(long maxBytes) {
        blocks = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1, (maxBytes + BLOCK_BYTES - 1) / BLOCK_BYTES));
        slabs = new MemorySegment[(blocks + BLOCKS_PER_SLAB - 1) / BLOCKS_PER_SLAB];
        arena = Arena.ofShared();
        blockNext = new int[blocks];
        freeBlocks = new int[blocks];
        chunkSeq = new int[blocks];
        chunkLength = new int[blocks];
        chunkBlock = new int[blocks];
        chunkNext = new int[blocks];
        freeChunks = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            freeChunks[i] = blocks - 1 - i;
        }
        freeChunkCount = blocks;
    }

    /** Blocks not in use (including those never yet backed by memory). */
    int freeBlocks() {
        return freeBlockCount + blocks - blocksEverUsed;
    }

    /** Blocks needed to hold {@code length} bytes. */
    static int blocksFor(int length) {
        return (length + BLOCK_BYTES - 1) / BLOCK_BYTES;
    }

    /**
     * A new chunk holding {@code length} bytes copied from {@code from} at {@code offset}; the caller checked
     * that {@link #blocksFor}{@code (length)} blocks are free.
     */
    int newChunk(int seq, MemorySegment from, long offset, int length) {
        int c = freeChunks[--freeChunkCount];
        chunkSeq[c] = seq;
        chunkLength[c] = length;
        chunkNext[c] = -1;
        int first = -1;
        int last = -1;
        for (int copied = 0; copied < length; copied += BLOCK_BYTES) {
            int b = takeBlock();
            int n = Math.min(BLOCK_BYTES, length - copied);
            MemorySegment.copy(from, offset + copied, slab(b), blockOffset(b), n);
            blockNext[b] = -1;
            if (last < 0) {
                first = b;
            } else {
                blockNext[last] = b;
            }
            last = b;
        }
        chunkBlock[c] = first;
        return c;
    }

    /** Frees chunk {@code c} and its blocks; returns the number of blocks freed. */
    int freeChunk(int c) {
        int freed = 0;
        for (int b = chunkBlock[c]; b >= 0; b = blockNext[b]) {
            freeBlocks[freeBlockCount++] = b;
            freed++;
        }
        freeChunks[freeChunkCount++] = c;
        return freed;
    }

    /** Blocks used by chunk {@code c}. */
    int blocksOf(int c) {
        return blocksFor(chunkLength[c]);
    }

    /**
     * Hands chunk {@code c}'s bytes from {@code skip} on to {@code sink}, one call per block, as slices of the
     * buffer valid during the call.
     */
    void deliver(int c, int skip, Sink sink) {
        int b = chunkBlock[c];
        int length = chunkLength[c];
        for (int at = 0; at < length; at += BLOCK_BYTES, b = blockNext[b]) {
            int n = Math.min(BLOCK_BYTES, length - at);
            int from = Math.max(0, skip - at);
            if (from < n) {
                sink.accept(slab(b).asSlice(blockOffset(b) + from, n - from));
            }
        }
    }

    /** Receives delivered bytes. */
    interface Sink {
        void accept(MemorySegment bytes);
    }

    private int takeBlock() {
        if (freeBlockCount > 0) {
            return freeBlocks[--freeBlockCount];
        }
        int b = blocksEverUsed++;
        int slab = b / BLOCKS_PER_SLAB;
        if (slabs[slab] == null) {
            int slabBlocks = Math.min(BLOCKS_PER_SLAB, blocks - slab * BLOCKS_PER_SLAB);
            slabs[slab] = arena.allocate((long) slabBlocks * BLOCK_BYTES, 64);
        }
        return b;
    }

    private MemorySegment slab(int b) {
        return slabs[b / BLOCKS_PER_SLAB];
    }

    private static long blockOffset(int b) {
        return (long) (b % BLOCKS_PER_SLAB) * BLOCK_BYTES;
    }

    /** Returns the buffer's memory to the operating system; the pool is unusable after. */
    void close() {
        arena.close();
    }
}
