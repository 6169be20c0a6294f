package io.panatap.capture;

import io.panatap.PacketListener;
import io.panatap.filter.BpfProgram;
import io.panatap.internal.linux.Libc;
import io.panatap.internal.linux.PacketAbi;
import io.panatap.parse.LinkType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import static io.panatap.internal.linux.PacketAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A live capture on a Linux {@code AF_PACKET} socket with a memory-mapped {@code TPACKET_V3} ring.
 *
 * <p>Create one with {@link #builder()}; the caller owns the thread and calls {@link #poll} in its own
 * loop, or {@link #run} to loop until {@link #close()}. Packets handed to the listener are views into the
 * ring, valid only during the callback ({@link io.panatap.Packet#copy()} keeps one).
 *
 * <p><b>Sockets and link types.</b> On a named Ethernet-like interface (Ethernet, veth, bridges, loopback)
 * the socket is {@code SOCK_RAW} and frames start at the Ethernet header ({@link LinkType#ETHERNET}). For
 * all interfaces ({@code "any"} or null, bound to ifindex 0) and for interfaces without an Ethernet header
 * (tun, IP tunnels) the socket is {@code SOCK_DGRAM}: frames start at the IP header
 * ({@link LinkType#RAW}), whatever the interface's own link header is, so one parser and one filter serve
 * every interface. The interface and direction of each packet are still reported.
 *
 * <p><b>PacketType and loopback.</b> Outgoing packets on a loopback interface come back as incoming ones;
 * each is delivered once: as incoming for {@link DirectionFilter#IN} and {@link DirectionFilter#INOUT},
 * as outgoing for {@link DirectionFilter#OUT}.
 *
 * <p><b>VLAN.</b> The kernel removes the outermost 802.1Q/802.1ad tag of received frames (and of sent
 * frames when the device offloads tagging); {@link io.panatap.Packet#hasVlanTag()} and
 * {@link io.panatap.Packet#vlanTci()} report it. Tags that stay in the frame are left to the parser.
 *
 * <p><b>Warm-up.</b> An interpreted packet loop is far slower than a compiled one, so the first
 * {@code open()} in a JVM runs the loop over a synthetic in-memory ring first (tens of milliseconds); the
 * JIT may still be busy for a few seconds, which a large enough ring absorbs ({@link Builder#ringSize}).
 *
 * <p><b>Threads.</b> {@link #poll} and {@link #run} are called from one thread at a time. {@link #close()}
 * and {@link #stats()} may be called from any thread; {@code close()} wakes a blocked poll at once and
 * returns when the polling thread has left the ring (after its current listener call).
 */
public final class PacketCapture implements AutoCloseable {

    /** Which packets to capture by direction (tcpdump's {@code -Q}). */
    public enum DirectionFilter { IN, OUT, INOUT }

    /** {@code PACKET_FANOUT} modes: how packets are spread over the sockets of one fanout group. */
    public enum FanoutMode {
        /** By flow hash: both directions of a connection go to the same socket. */
        HASH(PACKET_FANOUT_HASH),
        /** Round robin. */
        LB(PACKET_FANOUT_LB),
        /** By the CPU that received the packet. */
        CPU(PACKET_FANOUT_CPU),
        /** Fill one socket, move to the next when its ring is full. */
        ROLLOVER(PACKET_FANOUT_ROLLOVER);

        final int kernelValue;

        FanoutMode(int kernelValue) {
            this.kernelValue = kernelValue;
        }
    }

    private static final VarHandle INT_HANDLE = JAVA_INT.varHandle();
    private static final ValueLayout.OfShort BIG_ENDIAN_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int IF_NAMESIZE = 16;
    private static final int BATCH = 4096;
    private static final AtomicBoolean WARMED_UP = new AtomicBoolean();
    /** A minimal Ethernet/IPv4/TCP ACK frame for the warm-up ring. */
    private static final String WARM_UP_FRAME = "020000000001020000000002" + "0800"
            + "450000280001400040060000" + "0a000001" + "0a000002" + "9c410050000000010000000050100200" + "00000000";

    /**
     * Runs the packet loop once per JVM over a synthetic ring in memory, so the JIT compiles it (and the
     * header parser) before real traffic arrives instead of while the kernel ring fills up. Costs the first
     * {@code open()} some tens of milliseconds. (Measured with bench/live-bench.sh at 100,000 packets/s and
     * an 8 MiB ring: without it the first seconds lost 1,000 to 20,000 packets, with it none.)
     */
    private static void warmUpOnce() {
        if (!WARMED_UP.compareAndSet(false, true)) {
            return;
        }
        final int blockSize = 16 << 10;
        final int frames = 100;
        final int stride = 144;
        final int mac = tpacketAlign(TPACKET3_HDRLEN);
        byte[] frame = java.util.HexFormat.of().parseHex(WARM_UP_FRAME);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment ring = arena.allocate(2L * blockSize, 4096);
            for (int b = 0; b < 2; b++) {
                long block = (long) b * blockSize;
                ring.set(JAVA_INT, block + BLOCK_NUM_PKTS, frames);
                ring.set(JAVA_INT, block + BLOCK_OFFSET_TO_FIRST_PKT, (int) TPACKET_BLOCK_DESC.byteSize());
                for (int i = 0; i < frames; i++) {
                    long f = block + TPACKET_BLOCK_DESC.byteSize() + (long) i * stride;
                    ring.set(JAVA_INT, f + TP_NEXT_OFFSET, i + 1 < frames ? stride : 0);
                    ring.set(JAVA_INT, f + TP_SNAPLEN, frame.length);
                    ring.set(JAVA_INT, f + TP_LEN, frame.length);
                    ring.set(JAVA_SHORT, f + TP_MAC, (short) mac);
                    ring.set(JAVA_INT, f + TP_SOCKADDR_LL + SLL_IFINDEX, 1);
                    ring.set(JAVA_SHORT, f + TP_SOCKADDR_LL + SLL_HATYPE, (short) ARPHRD_ETHER);
                    MemorySegment.copy(frame, 0, ring, JAVA_BYTE, f + mac, frame.length);
                }
            }
            Native n = new Native();
            n.ring = ring;
            n.blockSize = blockSize;
            n.blockCount = 2;
            n.linkType = LinkType.ETHERNET;
            n.interfaceName = "warm-up";
            n.callState = Libc.allocateCallState(arena);
            PacketCapture c = new PacketCapture(new Builder().direction(DirectionFilter.INOUT), arena, n);
            int[] tcp = new int[1];
            PacketListener listener = p -> {
                if (p.headers().isTcp()) {
                    tcp[0]++;
                }
            };
            for (int round = 0; round < 300; round++) {
                INT_HANDLE.setRelease(ring, BLOCK_STATUS, TP_STATUS_USER);
                INT_HANDLE.setRelease(ring, blockSize + BLOCK_STATUS, TP_STATUS_USER);
                c.deliver(listener, Integer.MAX_VALUE);
            }
        } catch (RuntimeException e) {
            // Only an optimisation: a failure here must not stop the capture.
        }
    }

    private final Arena arena;
    private final int fd;
    private final int wakeFd;
    private final MemorySegment ring;
    private final long blockSize;
    private final int blockCount;
    private final String interfaceName;
    private final int interfaceIndex;
    private final int linkType;
    private final int snapLength;
    private final DirectionFilter direction;
    private final Duration pollTimeout;
    private final int fanoutGroup;

    // Used only by the polling thread.
    private final MemorySegment callState;
    private final MemorySegment pollFds;
    private final MemorySegment nameBuffer;
    private final LivePacket packet;
    private int currentBlock;
    private int remainingInBlock;
    private long nextFrame;
    private long delivered;
    private String[] names = new String[64];

    // Statistics, guarded by statsLock (also guards the socket's fd against close).
    private final Object statsLock = new Object();
    private final MemorySegment statsState;
    private final MemorySegment statsBuffer;
    private final MemorySegment statsLength;
    private long received;
    private long dropped;
    private long freezes;
    private volatile long deliveredPublished;

    private final ReentrantLock pollLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean releaseWhenPollReturns;
    private boolean released;

    private PacketCapture(Builder b, Arena arena, Native n) {
        this.arena = arena;
        this.fd = n.fd;
        this.wakeFd = n.wakeFd;
        this.ring = n.ring;
        this.blockSize = n.blockSize;
        this.blockCount = n.blockCount;
        this.interfaceName = n.interfaceName;
        this.interfaceIndex = n.ifindex;
        this.linkType = n.linkType;
        this.snapLength = b.snapLength;
        this.direction = b.direction;
        this.pollTimeout = b.pollTimeout;
        this.fanoutGroup = n.fanoutGroup;
        this.callState = n.callState;
        this.pollFds = arena.allocate(POLLFD, 2);
        this.nameBuffer = arena.allocate(IF_NAMESIZE);
        this.statsState = Libc.allocateCallState(arena);
        this.statsBuffer = arena.allocate(TPACKET_STATS_V3);
        this.statsLength = arena.allocate(JAVA_INT);
        this.packet = new LivePacket(this, ring, linkType);
        pollFds.set(JAVA_INT, 0, fd);
        pollFds.set(JAVA_SHORT, 4, (short) (Libc.POLLIN | Libc.POLLERR));
        pollFds.set(JAVA_INT, 8, wakeFd);
        pollFds.set(JAVA_SHORT, 12, Libc.POLLIN);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Link type of the delivered frames: {@link LinkType#ETHERNET} or {@link LinkType#RAW}. */
    public int linkType() {
        return linkType;
    }

    /** The interface name given to the builder, or {@code "any"} for all interfaces. */
    public String interfaceName() {
        return interfaceName;
    }

    /** The bound interface index, 0 for all interfaces. */
    public int interfaceIndex() {
        return interfaceIndex;
    }

    public int snapLength() {
        return snapLength;
    }

    /** The {@code PACKET_FANOUT} group this socket joined, or -1 if none. */
    public int fanoutGroup() {
        return fanoutGroup;
    }

    /** Size of the mapped ring in bytes. */
    public long ringSize() {
        return blockSize * blockCount;
    }

    /**
     * Delivers at most {@code limit} packets that are ready, waiting up to the poll timeout if none is;
     * returns how many were delivered (0 on timeout or after {@link #close()}). An exception thrown by the
     * listener propagates; the packet counts as delivered and the next call continues after it.
     *
     * @throws CaptureException if the socket reports an error (e.g. the interface disappeared)
     */
    public int poll(PacketListener listener, int limit) throws CaptureException {
        Objects.requireNonNull(listener, "listener");
        if (limit <= 0) {
            return 0;
        }
        pollLock.lock();
        try {
            if (closed.get()) {
                return 0;
            }
            int n = deliver(listener, limit);
            if (n > 0 || closed.get()) {
                return n;
            }
            if (!waitForBlock()) {
                return 0;
            }
            return deliver(listener, limit);
        } finally {
            deliveredPublished = delivered;
            if (releaseWhenPollReturns && pollLock.getHoldCount() == 1) {
                release();
            }
            pollLock.unlock();
        }
    }

    /** Delivers packets until {@link #close()} is called from another thread (or from the listener). */
    public void run(PacketListener listener) throws CaptureException {
        while (!closed.get()) {
            poll(listener, BATCH);
        }
    }

    /** Cumulative statistics; after {@link #close()} the values at closing time. */
    public CaptureStats stats() {
        synchronized (statsLock) {
            if (!released) {
                readKernelStats();
            }
            return new CaptureStats(received, dropped, freezes, deliveredPublished);
        }
    }

    /**
     * Idempotent. Wakes a blocked {@link #poll}, waits for the polling thread to leave the ring, then
     * closes the socket and unmaps the ring. Called from a listener, it takes effect when the poll returns.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (pollLock.isHeldByCurrentThread()) {
            releaseWhenPollReturns = true;
            return;
        }
        wake();
        pollLock.lock();
        try {
            release();
        } finally {
            pollLock.unlock();
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    private int deliver(PacketListener listener, int limit) {
        final MemorySegment ring = this.ring;
        final LivePacket p = this.packet;
        int n = 0;
        while (n < limit && !releaseWhenPollReturns) { // the listener may close the capture
            if (remainingInBlock == 0) {
                long block = currentBlock * blockSize;
                int status = (int) INT_HANDLE.getAcquire(ring, block + BLOCK_STATUS);
                if ((status & TP_STATUS_USER) == 0) {
                    break;
                }
                remainingInBlock = ring.get(JAVA_INT, block + BLOCK_NUM_PKTS);
                nextFrame = block + (ring.get(JAVA_INT, block + BLOCK_OFFSET_TO_FIRST_PKT) & 0xFFFFFFFFL);
                if (remainingInBlock == 0) {
                    releaseBlock();
                    continue;
                }
            }
            long frame = nextFrame;
            nextFrame = frame + (ring.get(JAVA_INT, frame + TP_NEXT_OFFSET) & 0xFFFFFFFFL);
            boolean lastInBlock = --remainingInBlock == 0;
            try {
                if (fill(ring, frame, p)) {
                    n++;
                    listener.onPacket(p);
                }
            } finally {
                if (lastInBlock) {
                    releaseBlock();
                }
            }
        }
        return n;
    }

    /** Reads the frame's metadata into the view; false if the direction filter rejects it. */
    private boolean fill(MemorySegment ring, long frame, LivePacket p) {
        long sll = frame + TP_SOCKADDR_LL;
        int packetType = ring.get(JAVA_BYTE, sll + SLL_PKTTYPE) & 0xFF;
        boolean outgoing = packetType == PACKET_OUTGOING;
        if ((ring.get(JAVA_SHORT, sll + SLL_HATYPE) & 0xFFFF) == ARPHRD_LOOPBACK) {
            // Sent on loopback means received again: keep one copy.
            if (outgoing != (direction == DirectionFilter.OUT)) {
                return false;
            }
        } else if (outgoing ? direction == DirectionFilter.IN : direction == DirectionFilter.OUT) {
            return false;
        }
        int status = ring.get(JAVA_INT, frame + TP_STATUS);
        boolean vlan = (status & TP_STATUS_VLAN_VALID) != 0;
        int vlanTci = vlan ? ring.get(JAVA_INT, frame + TP_VLAN_TCI) & 0xFFFF : 0;
        int vlanTpid = !vlan ? 0
                : (status & TP_STATUS_VLAN_TPID_VALID) != 0 ? ring.get(JAVA_SHORT, frame + TP_VLAN_TPID) & 0xFFFF
                : ETH_P_8021Q;
        p.frame(++delivered,
                (ring.get(JAVA_INT, frame + TP_SEC) & 0xFFFFFFFFL) * 1_000_000_000L
                        + ring.get(JAVA_INT, frame + TP_NSEC),
                Math.min(ring.get(JAVA_INT, frame + TP_SNAPLEN), snapLength),
                ring.get(JAVA_INT, frame + TP_LEN),
                frame + (ring.get(JAVA_SHORT, frame + TP_MAC) & 0xFFFF),
                ring.get(JAVA_INT, sll + SLL_IFINDEX),
                packetType, vlan, vlanTci, vlanTpid);
        return true;
    }

    private void releaseBlock() {
        INT_HANDLE.setRelease(ring, currentBlock * blockSize + BLOCK_STATUS, TP_STATUS_KERNEL);
        currentBlock = currentBlock + 1 == blockCount ? 0 : currentBlock + 1;
        remainingInBlock = 0;
    }

    /** Waits in poll(2) for the ring or the close signal; false on timeout, interruption or close. */
    private boolean waitForBlock() throws CaptureException {
        pollFds.set(JAVA_SHORT, 6, (short) 0);
        pollFds.set(JAVA_SHORT, 14, (short) 0);
        int timeout = (int) Math.min(Integer.MAX_VALUE, pollTimeout.toMillis());
        int ready = Libc.poll(callState, pollFds, 2, timeout);
        if (ready < 0) {
            int errno = Libc.errno(callState);
            if (errno == Libc.EINTR) {
                return false;
            }
            throw new CaptureException(CaptureException.Reason.SYSTEM_ERROR,
                    "poll on " + interfaceName + ": " + Libc.strerror(errno));
        }
        if (ready == 0 || closed.get()) {
            return false;
        }
        short events = pollFds.get(JAVA_SHORT, 6);
        if ((events & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0 && (events & Libc.POLLIN) == 0) {
            int error = socketError();
            throw new CaptureException(error == Libc.ENETDOWN || error == Libc.ENODEV || error == Libc.ENXIO
                    ? CaptureException.Reason.NO_SUCH_INTERFACE : CaptureException.Reason.SYSTEM_ERROR,
                    "capture on " + interfaceName + " failed: "
                            + (error == 0 ? "socket error" : Libc.strerror(error))
                            + (error == Libc.ENETDOWN ? " (the interface went down)" : ""));
        }
        return true;
    }

    private int socketError() {
        synchronized (statsLock) {
            MemorySegment value = statsBuffer;
            statsLength.set(JAVA_INT, 0, 4);
            if (Libc.getsockopt(callState, fd, SOL_SOCKET, SO_ERROR, value, statsLength) < 0) {
                return Libc.errno(callState);
            }
            return value.get(JAVA_INT, 0);
        }
    }

    private void wake() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(8);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            Libc.write(Libc.allocateCallState(a), wakeFd, one, 8);
        }
    }

    private void readKernelStats() {
        statsLength.set(JAVA_INT, 0, (int) TPACKET_STATS_V3.byteSize());
        if (Libc.getsockopt(statsState, fd, SOL_PACKET, PACKET_STATISTICS, statsBuffer, statsLength) == 0) {
            // The kernel counts drops in tp_packets too and resets both on every read.
            received += statsBuffer.get(JAVA_INT, 0) & 0xFFFFFFFFL;
            dropped += statsBuffer.get(JAVA_INT, 4) & 0xFFFFFFFFL;
            freezes += statsBuffer.get(JAVA_INT, 8) & 0xFFFFFFFFL;
        }
    }

    /** Runs with pollLock held: nobody is in the ring. */
    private void release() {
        if (released) {
            return;
        }
        synchronized (statsLock) {
            readKernelStats();
            deliveredPublished = delivered;
            released = true;
            Libc.close(statsState, fd);
            Libc.close(statsState, wakeFd);
        }
        arena.close(); // unmaps the ring
    }

    /** Name of interface {@code index}, looked up once and cached; called on the polling thread. */
    String interfaceName(int index) {
        if (index <= 0) {
            return null;
        }
        if (index < names.length && names[index] != null) {
            return names[index];
        }
        if (released) {
            return null;
        }
        MemorySegment r = Libc.ifIndexToName(callState, index, nameBuffer);
        if (r.equals(MemorySegment.NULL)) {
            return null;
        }
        String name = nameBuffer.getString(0, StandardCharsets.US_ASCII);
        if (index >= names.length) {
            names = Arrays.copyOf(names, Math.max(index + 1, names.length * 2));
        }
        names[index] = name;
        return name;
    }

    /** The native resources of an opening capture, closed together if opening fails. */
    private static final class Native {
        int fd = -1;
        int wakeFd = -1;
        MemorySegment ring;
        MemorySegment callState;
        long blockSize;
        int blockCount;
        int ifindex;
        int linkType;
        String interfaceName;
        int fanoutGroup;
    }

    /**
     * Configuration with documented defaults. Every setter returns this builder.
     */
    public static final class Builder {
        /** Default snap length: holds a 64 KiB GSO/GRO super-frame with its headers. */
        public static final int DEFAULT_SNAP_LENGTH = io.panatap.PacketSource.DEFAULT_SNAP_LENGTH;
        /**
         * Default ring size: 32 MiB. A block the kernel retires on its timeout is handed over part-filled,
         * so on a moderately busy link the ring absorbs about (blocks x block timeout) of stall: 64 blocks of
         * 512 KiB x 10 ms = 640 ms, and more once traffic fills blocks before their timeout.
         */
        public static final long DEFAULT_RING_SIZE = 32L << 20;
        /**
         * Default (and smallest) block size: 64 KiB, doubled until one block holds a frame of the snap length
         * (512 KiB for the default snap length), as libpcap sizes them.
         */
        public static final int DEFAULT_BLOCK_SIZE = 64 << 10;
        /** Default block timeout: a block is handed over after 10 ms even if not full. */
        public static final Duration DEFAULT_BLOCK_TIMEOUT = Duration.ofMillis(10);
        /** Default longest wait of one {@link #poll} when nothing arrives. */
        public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);

        private String interfaceName;
        private DirectionFilter direction = DirectionFilter.IN;
        private int snapLength = DEFAULT_SNAP_LENGTH;
        private long ringSize = DEFAULT_RING_SIZE;
        private int blockSize = DEFAULT_BLOCK_SIZE;
        private Duration blockTimeout = DEFAULT_BLOCK_TIMEOUT;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private boolean promiscuous = true;
        private boolean tcpOnly = true;
        private BpfProgram filter;
        private int fanoutGroup = -1;
        private FanoutMode fanoutMode;
        private boolean fanoutDefragment;
        private boolean fanoutUniqueId;

        Builder() {
        }

        /** Interface to capture on; {@code null} or {@code "any"} (the default) for all interfaces. */
        public Builder interfaceName(String name) {
            this.interfaceName = name;
            return this;
        }

        /** Capture on all interfaces (bound to ifindex 0). */
        public Builder allInterfaces() {
            this.interfaceName = null;
            return this;
        }

        /** Default {@link DirectionFilter#IN}: packets this host received. */
        public Builder direction(DirectionFilter direction) {
            this.direction = Objects.requireNonNull(direction, "direction");
            return this;
        }

        /** Bytes kept of each packet, 1..262144; default {@value #DEFAULT_SNAP_LENGTH}. */
        public Builder snapLength(int snapLength) {
            if (snapLength < 1 || snapLength > DEFAULT_SNAP_LENGTH) {
                throw new IllegalArgumentException("snap length must be 1.." + DEFAULT_SNAP_LENGTH + ", not " + snapLength);
            }
            this.snapLength = snapLength;
            return this;
        }

        /** Ring size in bytes (the kernel buffer, tcpdump's {@code -B}); default 32 MiB. */
        public Builder ringSize(long bytes) {
            if (bytes < 4096) {
                throw new IllegalArgumentException("ring size must be at least 4096 bytes, not " + bytes);
            }
            this.ringSize = bytes;
            return this;
        }

        /**
         * Smallest ring block size in bytes; default 64 KiB. Rounded up to a power-of-two number of pages
         * that holds one frame of the snap length.
         */
        public Builder blockSize(int bytes) {
            if (bytes < 4096) {
                throw new IllegalArgumentException("block size must be at least 4096 bytes, not " + bytes);
            }
            this.blockSize = bytes;
            return this;
        }

        /** How long the kernel fills a block before handing it over anyway; default 10 ms. */
        public Builder blockTimeout(Duration timeout) {
            long ms = timeout.toMillis();
            if (ms < 1 || ms > 60_000) {
                throw new IllegalArgumentException("block timeout must be 1 ms..60 s, not " + timeout);
            }
            this.blockTimeout = timeout;
            return this;
        }

        /** Longest wait of one {@link PacketCapture#poll} when nothing arrives; default 100 ms. */
        public Builder pollTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("poll timeout must not be negative");
            }
            this.pollTimeout = timeout;
            return this;
        }

        /** Promiscuous mode on a named interface (not with all interfaces); default on, like tcpdump. */
        public Builder promiscuous(boolean on) {
            this.promiscuous = on;
            return this;
        }

        /**
         * Whether to attach {@link TcpOnlyFilter} when no {@link #filter} is given; default true. With false
         * and no filter every packet reaches the ring.
         */
        public Builder tcpOnly(boolean on) {
            this.tcpOnly = on;
            return this;
        }

        /**
         * A kernel socket filter that replaces the default TCP-only filter, compiled for {@link #linkType()}
         * with {@link io.panatap.filter.FilterCompiler#compileForSocket} (its {@code tcpOnly} argument keeps
         * the TCP-only test); its return value is the number of bytes kept. {@code null} restores the default.
         */
        public Builder filter(BpfProgram program) {
            this.filter = program;
            return this;
        }

        /** Joins {@code PACKET_FANOUT} group {@code groupId} (0..65535) to share packets between sockets. */
        public Builder fanout(int groupId, FanoutMode mode) {
            if (groupId < 0 || groupId > 0xFFFF) {
                throw new IllegalArgumentException("fanout group must be 0..65535, not " + groupId);
            }
            this.fanoutGroup = groupId;
            this.fanoutMode = Objects.requireNonNull(mode, "mode");
            this.fanoutUniqueId = false;
            return this;
        }

        /**
         * Starts a new fanout group whose id the kernel chooses ({@code PACKET_FANOUT_FLAG_UNIQUEID}), so it
         * cannot join another program's group by accident; {@link PacketCapture#fanoutGroup()} tells the id
         * the other sockets join with {@link #fanout(int, FanoutMode)}.
         */
        Builder fanoutNewGroup(FanoutMode mode) {
            this.fanoutGroup = 0;
            this.fanoutMode = Objects.requireNonNull(mode, "mode");
            this.fanoutUniqueId = true;
            return this;
        }

        /**
         * {@code PACKET_FANOUT_FLAG_DEFRAG}: the kernel reassembles IP fragments before choosing a socket, so
         * all fragments of a datagram reach the same one (they carry no ports to hash); the socket then sees
         * the reassembled datagram. Default off; all sockets of a group must agree.
         */
        public Builder fanoutDefragment(boolean on) {
            this.fanoutDefragment = on;
            return this;
        }

        private boolean allInterfaces0() {
            return interfaceName == null || interfaceName.equals("any");
        }

        /** The link type frames of this configuration will have (to compile a {@link #filter}). */
        public int linkType() {
            if (allInterfaces0()) {
                return LinkType.RAW;
            }
            NetworkInterfaces.Info info = NetworkInterfaces.find(interfaceName);
            if (info == null) {
                return LinkType.ETHERNET; // unknown here; open() reports a missing interface
            }
            return info.hardwareType() == ARPHRD_ETHER || info.hardwareType() == ARPHRD_LOOPBACK
                    ? LinkType.ETHERNET : LinkType.RAW;
        }

        /**
         * Opens the socket, attaches the filter, maps the ring and binds to the interface.
         *
         * @throws CaptureException with {@link CaptureException.Reason#NO_SUCH_INTERFACE},
         *                          {@link CaptureException.Reason#PERMISSION_DENIED} (no CAP_NET_RAW),
         *                          {@link CaptureException.Reason#OUT_OF_MEMORY} (ring too large), ...
         */
        public PacketCapture open() throws CaptureException {
            Arena arena = Arena.ofShared();
            Native n = new Native();
            try {
                openNative(arena, n);
                warmUpOnce();
                return new PacketCapture(this, arena, n);
            } catch (CaptureException | RuntimeException | Error e) {
                MemorySegment state = n.callState;
                if (n.fd >= 0) {
                    Libc.close(state, n.fd);
                }
                if (n.wakeFd >= 0) {
                    Libc.close(state, n.wakeFd);
                }
                arena.close();
                throw e;
            }
        }

        private void openNative(Arena arena, Native n) throws CaptureException {
            MemorySegment state = Libc.allocateCallState(arena);
            n.callState = state;
            boolean all = allInterfaces0();
            n.interfaceName = all ? "any" : interfaceName;
            n.linkType = linkType();
            if (!all) {
                if (interfaceName.isEmpty() || interfaceName.length() >= IF_NAMESIZE) {
                    throw noSuchInterface(interfaceName);
                }
                n.ifindex = Libc.ifNameToIndex(state, arena.allocateFrom(interfaceName));
                if (n.ifindex == 0) {
                    throw noSuchInterface(interfaceName);
                }
            }
            boolean raw = n.linkType == LinkType.ETHERNET;

            // Protocol 0: the socket receives nothing until bind(), so no packet slips past the filter.
            n.fd = Libc.socket(state, AF_PACKET, (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
            if (n.fd < 0) {
                int errno = Libc.errno(state);
                if (errno == Libc.EPERM || errno == Libc.EACCES) {
                    throw new CaptureException(CaptureException.Reason.PERMISSION_DENIED,
                            "cannot open a packet socket (socket(AF_PACKET): " + Libc.strerror(errno)
                                    + "): run as root, or grant the capability: setcap cap_net_raw,cap_net_admin+eip "
                                    + System.getProperty("java.home") + "/bin/java");
                }
                throw failure("socket(AF_PACKET)", errno);
            }
            n.wakeFd = Libc.eventfd(state, 0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
            if (n.wakeFd < 0) {
                throw failure("eventfd", Libc.errno(state));
            }
            setInt(arena, state, n.fd, SOL_PACKET, PACKET_VERSION, TPACKET_V3, "setsockopt(PACKET_VERSION, TPACKET_V3)");

            BpfProgram program = filter != null ? filter
                    : tcpOnly ? (raw ? TcpOnlyFilter.ethernet(snapLength) : TcpOnlyFilter.network(snapLength))
                    : null;
            if (program != null) {
                attachFilter(arena, state, n.fd, program);
            }
            if (direction == DirectionFilter.IN) {
                // Saves the ring the outgoing copies (Linux 4.20+); user space drops them too.
                MemorySegment one = arena.allocateFrom(JAVA_INT, 1);
                Libc.setsockopt(state, n.fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, one, 4);
            }
            setUpRing(arena, state, n);

            MemorySegment address = arena.allocate(SOCKADDR_LL);
            address.set(JAVA_SHORT, 0, (short) AF_PACKET);
            address.set(BIG_ENDIAN_SHORT, SLL_PROTOCOL, (short) ETH_P_ALL);
            address.set(JAVA_INT, SLL_IFINDEX, n.ifindex);
            if (Libc.bind(state, n.fd, address, (int) SOCKADDR_LL.byteSize()) < 0) {
                int errno = Libc.errno(state);
                if (errno == Libc.ENODEV || errno == Libc.ENXIO) {
                    throw noSuchInterface(interfaceName);
                }
                throw failure("bind to " + n.interfaceName, errno);
            }
            if (promiscuous && !all) {
                MemorySegment mreq = arena.allocate(PACKET_MREQ);
                mreq.set(JAVA_INT, 0, n.ifindex);
                mreq.set(JAVA_SHORT, 4, (short) PACKET_MR_PROMISC);
                if (Libc.setsockopt(state, n.fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq, (int) PACKET_MREQ.byteSize()) < 0) {
                    throw failure("setsockopt(PACKET_ADD_MEMBERSHIP, promiscuous) on " + n.interfaceName, Libc.errno(state));
                }
            }
            n.fanoutGroup = -1;
            if (fanoutGroup >= 0) {
                int flags = (fanoutDefragment ? PACKET_FANOUT_FLAG_DEFRAG : 0)
                        | (fanoutUniqueId ? PACKET_FANOUT_FLAG_UNIQUEID : 0);
                setInt(arena, state, n.fd, SOL_PACKET, PACKET_FANOUT, fanoutGroup | ((fanoutMode.kernelValue | flags) << 16),
                        "setsockopt(PACKET_FANOUT, group " + fanoutGroup + ", " + fanoutMode
                                + ") (a group with that id may exist with another mode or on another interface)");
                n.fanoutGroup = fanoutGroup;
                if (fanoutUniqueId) {
                    // The kernel reports id | type << 16 | flags << 24.
                    MemorySegment value = arena.allocate(JAVA_INT);
                    MemorySegment length = arena.allocateFrom(JAVA_INT, 4);
                    if (Libc.getsockopt(state, n.fd, SOL_PACKET, PACKET_FANOUT, value, length) < 0) {
                        throw failure("getsockopt(PACKET_FANOUT)", Libc.errno(state));
                    }
                    n.fanoutGroup = value.get(JAVA_INT, 0) & 0xFFFF;
                }
            }
        }

        private void setUpRing(Arena arena, MemorySegment state, Native n) throws CaptureException {
            int page = Libc.getpagesize();
            // As libpcap: a frame holds the headers, room to align the packet, and a full snap length.
            int frameSize = tpacketAlign(TPACKET3_HDRLEN + 16 + snapLength);
            long block = page;
            while (block < blockSize || block < frameSize) {
                block <<= 1;
            }
            long count = Math.max(1, ringSize / block);
            // The kernel takes at most 4 GiB; asking for more than is available may wake the OOM killer.
            if (count * block > 0xFFFF_FFFFL || count * block > availableMemory()) {
                throw tooLarge(count * block > 0xFFFF_FFFFL ? "a ring holds at most 4 GiB"
                        : "more than the memory available", count * block);
            }
            int framesPerBlock = (int) (block / frameSize);
            MemorySegment req = arena.allocate(TPACKET_REQ3);
            req.set(JAVA_INT, 0, (int) block);
            req.set(JAVA_INT, 4, (int) count);
            req.set(JAVA_INT, 8, frameSize);
            req.set(JAVA_INT, 12, (int) (framesPerBlock * count));
            req.set(JAVA_INT, 16, (int) blockTimeout.toMillis());
            req.set(JAVA_INT, 20, 0);
            req.set(JAVA_INT, 24, 0);
            long size = block * count;
            if (Libc.setsockopt(state, n.fd, SOL_PACKET, PACKET_RX_RING, req, (int) TPACKET_REQ3.byteSize()) < 0) {
                int errno = Libc.errno(state);
                if (errno == Libc.ENOMEM) {
                    throw tooLarge("setsockopt(PACKET_RX_RING): " + Libc.strerror(errno), size);
                }
                throw failure("setsockopt(PACKET_RX_RING, " + count + " blocks of " + block + " bytes)", errno);
            }
            MemorySegment address = Libc.mmap(state, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, n.fd, 0);
            if (address.address() == Libc.MAP_FAILED.address()) {
                int errno = Libc.errno(state);
                if (errno == Libc.ENOMEM || errno == Libc.EAGAIN) {
                    throw tooLarge("mmap: " + Libc.strerror(errno), size);
                }
                throw failure("mmap of the ring", errno);
            }
            n.ring = address.reinterpret(size, arena, s -> Libc.munmap(s, size));
            n.blockSize = block;
            n.blockCount = (int) count;
        }

        /** MemAvailable from /proc/meminfo, or unlimited if unknown. */
        private static long availableMemory() {
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                    if (line.startsWith("MemAvailable:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (java.io.IOException | NumberFormatException e) {
                // fall through: let the kernel decide
            }
            return Long.MAX_VALUE;
        }

        private static void attachFilter(Arena arena, MemorySegment state, int fd, BpfProgram program)
                throws CaptureException {
            int len = program.length();
            MemorySegment insns = arena.allocate(SOCK_FILTER, len);
            for (int i = 0; i < len; i++) {
                long at = i * SOCK_FILTER.byteSize();
                insns.set(JAVA_SHORT, at, (short) program.code(i));
                insns.set(JAVA_BYTE, at + 2, (byte) program.jumpTrue(i));
                insns.set(JAVA_BYTE, at + 3, (byte) program.jumpFalse(i));
                insns.set(JAVA_INT, at + 4, program.constant(i));
            }
            MemorySegment fprog = arena.allocate(SOCK_FPROG);
            fprog.set(JAVA_SHORT, 0, (short) len);
            fprog.set(ValueLayout.ADDRESS, 8, insns);
            if (Libc.setsockopt(state, fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, (int) SOCK_FPROG.byteSize()) < 0) {
                int errno = Libc.errno(state);
                throw new CaptureException(errno == Libc.EINVAL ? CaptureException.Reason.INVALID_ARGUMENT
                        : errno == Libc.ENOMEM ? CaptureException.Reason.OUT_OF_MEMORY : CaptureException.Reason.SYSTEM_ERROR,
                        "the kernel rejected the " + len + "-instruction socket filter (setsockopt(SO_ATTACH_FILTER): "
                                + Libc.strerror(errno) + ")");
            }
        }

        private static void setInt(Arena arena, MemorySegment state, int fd, int level, int name, int value, String what)
                throws CaptureException {
            if (Libc.setsockopt(state, fd, level, name, arena.allocateFrom(JAVA_INT, value), 4) < 0) {
                throw failure(what, Libc.errno(state));
            }
        }

        private static CaptureException noSuchInterface(String name) {
            return new CaptureException(CaptureException.Reason.NO_SUCH_INTERFACE,
                    "no such interface '" + name + "' (see panatap -D)");
        }

        private static CaptureException tooLarge(String why, long size) {
            return new CaptureException(CaptureException.Reason.OUT_OF_MEMORY,
                    "ring of " + (size >> 20) + " MiB too large (" + why + "): lower the ring size (-B)");
        }

        private static CaptureException failure(String call, int errno) {
            CaptureException.Reason reason = switch (errno) {
                case Libc.EPERM, Libc.EACCES -> CaptureException.Reason.PERMISSION_DENIED;
                case Libc.ENOMEM -> CaptureException.Reason.OUT_OF_MEMORY;
                case Libc.EINVAL -> CaptureException.Reason.INVALID_ARGUMENT;
                case Libc.ENODEV, Libc.ENXIO -> CaptureException.Reason.NO_SUCH_INTERFACE;
                default -> CaptureException.Reason.SYSTEM_ERROR;
            };
            return new CaptureException(reason, call + " failed: " + Libc.strerror(errno));
        }
    }
}
