package io.panatap.flow;

import java.util.Arrays;

/**
 * The flow table's storage: a fixed number of slots held in primitive arrays (one array per field), an
 * open-addressing hash index over them, and two recency lists. Everything is allocated up front; nothing
 * here allocates after construction.
 *
 * <p>Slot {@code s} holds one flow; per-direction fields live at {@code 2 * s + side} ({@link Side#ordinal()}).
 * The index is linear probing over a power-of-two array at most half full, keyed by a hash that is the same
 * for both directions and seeded per table (crafted addresses cannot aim at one bucket), with
 * backward-shift deletion (no tombstones, so probe lengths stay short under churn).
 *
 * <p>Every used slot is on exactly one of two doubly linked recency lists, most recently active first:
 * {@link #ACTIVE} (open flows) and {@link #FINISHED} (flows that closed or were reset and linger a moment to
 * absorb the last ACKs). Expiry and eviction look only at the tails, so they cost O(1) per flow ended.
 */
final class FlowStore {

    /** The list of flows not yet closed or reset. */
    static final int ACTIVE = 0;
    /** The list of flows closed or reset, lingering until their ended event. */
    static final int FINISHED = 1;

    // Slot flag bits.
    static final int MID_STREAM = 1;
    static final int SYN_SEEN = 1 << 1;
    static final int SYN_ACK_SEEN = 1 << 2;
    static final int OPENED = 1 << 3;
    static final int FIN_CLIENT = 1 << 4;
    static final int FIN_SERVER = 1 << 5;
    static final int RESET_BY_CLIENT = 1 << 6;
    static final int RESET_BY_SERVER = 1 << 7;
    /** Bits 8-11: the {@link EndReason} ordinal + 1, 0 while open. */
    static final int REASON_SHIFT = 8;
    static final int REASON_MASK = 0xF << REASON_SHIFT;

    final int capacity;
    private final long seed;
    private final int[] index;
    private final int mask;

    // Key, per slot. IPv4 addresses are kept in the low word (high word 0). version 0 marks a free slot.
    final int[] version;
    final int[] vlan;
    final long[] clientHigh;
    final long[] clientLow;
    final long[] serverHigh;
    final long[] serverLow;
    final int[] clientPort;
    final int[] serverPort;
    private final int[] hash;

    // State, per slot.
    final int[] flags;
    final long[] firstNanos;
    final long[] lastNanos;
    final long[] synNanos;
    final long[] rttNanos;

    // Recency lists: slots 0..capacity-1, then one sentinel per list.
    private final int[] prev;
    private final int[] next;
    private final int[] list;
    private final int[] free;
    private int freeCount;
    private int used;

    FlowStore(int capacity, long seed) {
        this.capacity = capacity;
        this.seed = seed;
        int buckets = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1; // power of two >= 2 * capacity
        index = new int[buckets];
        mask = buckets - 1;
        version = new int[capacity];
        vlan = new int[capacity];
        clientHigh = new long[capacity];
        clientLow = new long[capacity];
        serverHigh = new long[capacity];
        serverLow = new long[capacity];
        clientPort = new int[capacity];
        serverPort = new int[capacity];
        hash = new int[capacity];
        flags = new int[capacity];
        firstNanos = new long[capacity];
        lastNanos = new long[capacity];
        synNanos = new long[capacity];
        rttNanos = new long[capacity];
        prev = new int[capacity + 2];
        next = new int[capacity + 2];
        list = new int[capacity];
        for (int l = ACTIVE; l <= FINISHED; l++) {
            int sentinel = capacity + l;
            prev[sentinel] = sentinel;
            next[sentinel] = sentinel;
        }
        free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    int used() {
        return used;
    }

    boolean full() {
        return freeCount == 0;
    }

    /** The same value for (a, b) and (b, a): the sum of the two endpoints' mixes, mixed with the rest of the key. */
    int hash(int version, int vlan, long aHigh, long aLow, int aPort, long bHigh, long bLow, int bPort) {
        long a = mix(aHigh ^ mix(aLow + seed) ^ (long) aPort << 32);
        long b = mix(bHigh ^ mix(bLow + seed) ^ (long) bPort << 32);
        return (int) mix(a + b + seed ^ (long) version << 48 ^ (long) (vlan + 1) << 16);
    }

    private static long mix(long z) { // the finalizer of MurmurHash3 / SplitMix64
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /**
     * Finds the flow of a packet sent from a to b: {@code 2 * slot + side of the sender}, or -1 when it is
     * not in the table.
     */
    int find(int h, int version, int vlan, long aHigh, long aLow, int aPort, long bHigh, long bLow, int bPort) {
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int s = index[i] - 1;
            if (s < 0) {
                return -1;
            }
            if (hash[s] != h || this.version[s] != version || this.vlan[s] != vlan) {
                continue;
            }
            if (clientPort[s] == aPort && serverPort[s] == bPort && clientLow[s] == aLow && clientHigh[s] == aHigh
                    && serverLow[s] == bLow && serverHigh[s] == bHigh) {
                return 2 * s;
            }
            if (clientPort[s] == bPort && serverPort[s] == aPort && clientLow[s] == bLow && clientHigh[s] == bHigh
                    && serverLow[s] == aLow && serverHigh[s] == aHigh) {
                return 2 * s + 1;
            }
        }
    }

    /** Takes a free slot (the caller makes room first), keys it client = c, server = s, and indexes it. */
    int insert(int h, int version, int vlan, long cHigh, long cLow, int cPort, long sHigh, long sLow, int sPort,
               long nanos) {
        int s = free[--freeCount];
        used++;
        this.version[s] = version;
        this.vlan[s] = vlan;
        clientHigh[s] = cHigh;
        clientLow[s] = cLow;
        clientPort[s] = cPort;
        serverHigh[s] = sHigh;
        serverLow[s] = sLow;
        serverPort[s] = sPort;
        hash[s] = h;
        flags[s] = 0;
        firstNanos[s] = nanos;
        lastNanos[s] = nanos;
        synNanos[s] = -1;
        rttNanos[s] = -1;
        int i = h & mask;
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = s + 1;
        link(s, ACTIVE);
        return s;
    }

    /** Removes slot {@code s} from the index and its list and frees it. */
    void remove(int s) {
        int i = hash[s] & mask;
        while (index[i] != s + 1) {
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: pull later entries of the probe run into the hole when their home allows.
        for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int home = hash[index[j] - 1] & mask;
            boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) {
                index[i] = index[j];
                i = j;
            }
        }
        index[i] = 0;
        unlink(s);
        version[s] = 0;
        free[freeCount++] = s;
        used--;
    }

    /** Moves slot {@code s} to the front (most recent end) of list {@code l}. */
    void touch(int s, int l) {
        if (list[s] == l && next[capacity + l] == s) {
            return;
        }
        unlink(s);
        link(s, l);
    }

    /** The least recently active slot of list {@code l}, or -1 when it is empty. */
    int oldest(int l) {
        int s = prev[capacity + l];
        return s >= capacity ? -1 : s;
    }

    /** The slot after {@code s} towards the more recent end of its list, or -1 at the end. */
    int newer(int s) {
        int n = prev[s];
        return n >= capacity ? -1 : n;
    }

    int listOf(int s) {
        return list[s];
    }

    private void link(int s, int l) {
        int sentinel = capacity + l;
        int first = next[sentinel];
        next[s] = first;
        prev[s] = sentinel;
        prev[first] = s;
        next[sentinel] = s;
        list[s] = l;
    }

    private void unlink(int s) {
        int p = prev[s];
        int n = next[s];
        next[p] = n;
        prev[n] = p;
    }

    /** Empties the table (after every flow was ended). */
    void clear() {
        Arrays.fill(index, 0);
        Arrays.fill(version, 0);
        for (int l = ACTIVE; l <= FINISHED; l++) {
            int sentinel = capacity + l;
            prev[sentinel] = sentinel;
            next[sentinel] = sentinel;
        }
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        freeCount = capacity;
        used = 0;
    }
}
