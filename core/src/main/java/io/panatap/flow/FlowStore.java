package io.panatap.flow;

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

    // The key of slot s, KEY_STRIDE longs at KEY_STRIDE * s, together so that a lookup reads one or two cache
    // lines: [hash | version << 32 | (vlan + 1) << 40, client port << 16 | server port, client high, client
    // low, server high, server low]. IPv4 addresses are kept in the low word (high word 0).
    private static final int KEY_STRIDE = 6;
    private final long[] key;

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
        key = new long[KEY_STRIDE * capacity];
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
        long meta = meta(h, version, vlan);
        long forward = (long) aPort << 16 | bPort;
        long backward = (long) bPort << 16 | aPort;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int s = index[i] - 1;
            if (s < 0) {
                return -1;
            }
            int k = KEY_STRIDE * s;
            if (key[k] != meta) {
                continue;
            }
            long ports = key[k + 1];
            if (ports == forward && key[k + 3] == aLow && key[k + 2] == aHigh && key[k + 5] == bLow
                    && key[k + 4] == bHigh) {
                return 2 * s;
            }
            if (ports == backward && key[k + 3] == bLow && key[k + 2] == bHigh && key[k + 5] == aLow
                    && key[k + 4] == aHigh) {
                return 2 * s + 1;
            }
        }
    }

    /** The slot the index names first for {@code hash}, or -1: where a lookup of the hash most likely ends. */
    int home(int hash) {
        return index[hash & mask] - 1;
    }

    /**
     * The first slot after the first one along the index whose flow has hash {@code hash}, or -1: where a
     * lookup of the hash ends when its first slot holds another flow (most likely; the key decides).
     */
    int probe(int hash) {
        for (int i = (hash + 1) & mask; ; i = (i + 1) & mask) {
            int s = index[i] - 1;
            if (s < 0 || hashOf(s) == hash) {
                return s;
            }
        }
    }

    /** Reads the memory a packet of slot {@code s}'s flow touches (key, state, time, recency links). */
    long preload(int s) {
        int k = KEY_STRIDE * s;
        return key[k] + key[k + KEY_STRIDE - 1] + flags[s] + lastNanos[s] + list[s] + prev[s] + next[s];
    }

    private static long meta(int hash, int version, int vlan) {
        return hash & 0xFFFF_FFFFL | (long) version << 32 | (long) (vlan + 1) << 40;
    }

    int version(int s) {
        return (int) (key[KEY_STRIDE * s] >>> 32) & 0xFF;
    }

    int vlan(int s) {
        return (int) (key[KEY_STRIDE * s] >>> 40) - 1;
    }

    int clientPort(int s) {
        return (int) (key[KEY_STRIDE * s + 1] >>> 16);
    }

    int serverPort(int s) {
        return (int) key[KEY_STRIDE * s + 1] & 0xFFFF;
    }

    long clientHigh(int s) {
        return key[KEY_STRIDE * s + 2];
    }

    long clientLow(int s) {
        return key[KEY_STRIDE * s + 3];
    }

    long serverHigh(int s) {
        return key[KEY_STRIDE * s + 4];
    }

    long serverLow(int s) {
        return key[KEY_STRIDE * s + 5];
    }

    int hashOf(int s) {
        return (int) key[KEY_STRIDE * s];
    }

    /** Takes a free slot (the caller makes room first), keys it client = c, server = s, and indexes it. */
    int insert(int h, int version, int vlan, long cHigh, long cLow, int cPort, long sHigh, long sLow, int sPort,
               long nanos) {
        int s = free[--freeCount];
        used++;
        int k = KEY_STRIDE * s;
        key[k] = meta(h, version, vlan);
        key[k + 1] = (long) cPort << 16 | sPort;
        key[k + 2] = cHigh;
        key[k + 3] = cLow;
        key[k + 4] = sHigh;
        key[k + 5] = sLow;
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
        int i = hashOf(s) & mask;
        while (index[i] != s + 1) {
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: pull later entries of the probe run into the hole when their home allows.
        for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int home = hashOf(index[j] - 1) & mask;
            boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) {
                index[i] = index[j];
                i = j;
            }
        }
        index[i] = 0;
        unlink(s);
        key[KEY_STRIDE * s] = 0;
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
}
