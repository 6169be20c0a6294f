package io.panatap.capture;

import io.panatap.Direction;
import io.panatap.PacketListener;
import io.panatap.PacketSource;
import io.panatap.filter.BpfProgram;
import io.panatap.internal.linux.Libc;
import io.panatap.parse.LinkType;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

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
 * every interface. The interface and direction of each packet are still reported. On all interfaces,
 * {@link Builder#linkHeaders(boolean)} asks for a {@code SOCK_RAW} socket instead, which also keeps each
 * device's link-layer header in front of the packet ({@link io.panatap.Packet#linkHeaderLength()}) for a
 * writer that records it; the packets are otherwise the same.
 *
 * <p><b>Directions and loopback.</b> Outgoing packets on a loopback interface come back as incoming ones;
 * each is delivered once: as incoming when {@link Direction#IN} is selected (alone or with
 * {@link Direction#OUT}), as outgoing when {@link Direction#OUT} is selected alone.
 *
 * <p><b>VLAN.</b> The kernel removes the outermost 802.1Q/802.1ad tag of received frames (and of sent
 * frames when the device offloads tagging); {@link io.panatap.Packet#hasVlanTag()} and
 * {@link io.panatap.Packet#vlanTci()} report it. Tags that stay in the frame are left to the parser.
 *
 * <p><b>Link flaps.</b> A capture on a named interface survives that interface going down and coming back
 * up ({@code ip link set dev eth0 down}, then {@code up}), as tcpdump's does: while it is down {@link #poll}
 * returns 0 after its timeout (there is nothing to capture), and once it is up again packets flow on the same
 * socket, ring and filter. {@link #isInterfaceDown()} tells the state, and a {@link LinkListener} given to
 * {@link Builder#linkListener} hears each change. An interface that is deleted ends the capture: the next
 * {@link #poll} throws a {@link CaptureException} with {@link CaptureException.Reason#NO_SUCH_INTERFACE}.
 * An interface that is down when the capture opens is an error ({@link CaptureException.Reason#INTERFACE_DOWN}),
 * as in libpcap. With all interfaces ({@code "any"}) nothing of this applies: each interface's packets come
 * and go with it.
 *
 * <p><b>Warm-up.</b> An interpreted packet loop is far slower than a compiled one; a program that starts
 * capturing under heavy traffic may call {@link #warmUp()} first.
 *
 * <p><b>Threads.</b> {@link #poll} and {@link #run} are called from one thread at a time. {@link #close()}
 * and {@link #stats()} may be called from any thread; {@code close()} wakes a blocked poll at once and
 * returns when the polling thread has left the ring (after its current listener call).
 */
public final class PacketCapture implements PacketSource {
    private static final int BATCH = 4096;

    /**
     * Hears the interface of a capture go down and come back up (see "Link flaps" in {@link PacketCapture}).
     * Called on the polling thread, inside {@link PacketCapture#poll}, at most once per change and in order:
     * down, up, down, ... A flap shorter than one poll is still reported, as down then up at once. Not called
     * for the deletion of the interface (poll throws) nor for captures on all interfaces. An exception
     * thrown here propagates from poll.
     */
    @FunctionalInterface
    public interface LinkListener {
        /**
         * @param capture the capture whose interface changed state
         * @param up      false when the interface went down, true when it is up again
         */
        void linkChanged(PacketCapture capture, boolean up);
    }

    private final PacketSocket socket;
    private final RingReader reader;
    private final int snapLength;
    private final int pollTimeoutMillis;

    private final ReentrantLock pollLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean releaseWhenPollReturns; // guarded by pollLock, like released
    private boolean released;
    private volatile long deliveredPublished;
    private final LinkListener linkListener;
    private volatile boolean interfaceDown; // written by the polling thread only

    private PacketCapture(CaptureOptions o, PacketSocket socket, LinkListener linkListener) {
        this(socket, new RingReader(socket.ring(), socket.blockSize(), socket.blockCount(), socket.linkType(),
                        o.snapLength(), o.incoming(), o.outgoing(), socket, socket.linkHeaders()),
                o.snapLength(), (int) Math.min(Integer.MAX_VALUE, o.pollTimeout().toMillis()), linkListener);
    }

    private PacketCapture(PacketSocket socket, RingReader reader, int snapLength, int pollTimeoutMillis,
                          LinkListener linkListener) {
        this.socket = socket;
        this.reader = reader;
        this.snapLength = snapLength;
        this.pollTimeoutMillis = pollTimeoutMillis;
        this.linkListener = linkListener;
    }

    /**
     * The JIT warm-up's capture ({@link WarmUpRing}): {@code reader} walks the synthetic ring, and a poll
     * that finds nothing there waits on the {@link PacketSocket#standIn() stand-in} with a timeout of 0; it
     * is always ready. Not closed: the warm-up releases the stand-in itself.
     */
    static PacketCapture forWarmUp(PacketSocket standIn, RingReader reader, int snapLength) {
        return new PacketCapture(standIn, reader, snapLength, 0, null);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the packet loop, once per JVM, over a synthetic ring in memory, so that the JIT compiles it (and
     * the header parser) before real traffic arrives instead of while the kernel ring fills up. Optional;
     * later calls return at once. It costs some tens to hundreds of milliseconds of CPU, and buys a first
     * second without drops: measured with bench/live-bench.sh at 100,000 packets/s and an 8 MiB ring,
     * without it the first seconds lost 1,000 to 20,000 packets, with it none. The JIT may still be busy for
     * a few seconds afterwards, which a large enough ring absorbs ({@link Builder#ringSize}). Call it before
     * {@link Builder#open()}; it needs no privileges and no native access.
     */
    public static void warmUp() {
        WarmUpRing.warmUpOnce();
    }

    /**
     * Links the C library calls that {@link Builder#open()} and the first {@link #poll} make, which otherwise
     * cost the first {@code open()} in a JVM tens of milliseconds of CPU (the FFM linker starting, then a stub
     * per call). Optional: call it on another thread while the application does other start-up work (the
     * command does, beside its JIT warm-up); an {@code open()} meanwhile waits for the calls it needs. Later
     * calls return at once. A failure (for example a JVM that denies native access) is left for
     * {@code open()} to report with its reason: this method then returns quietly.
     */
    public static void linkNativeCalls() {
        try {
            NativeAccess.require();
            Libc.linkCaptureCalls();
        } catch (CaptureException | RuntimeException | LinkageError e) {
            // open() reports it.
        }
    }

    /**
     * Runs the packet loop over synthetic TCP traffic and hands every packet to {@code listener}, so that the
     * JIT compiles the loop together with the listener's own code before real traffic arrives. Use it when the
     * listener does much more per packet than {@link #warmUp()} covers (the command warms its file writer this
     * way for {@code -w}, and its connection table for {@code --flows}). The listener sees 21,600 made-up
     * packets: give it an instance made for the purpose, of the same classes as the one that will get real
     * traffic, and throw it away afterwards.
     *
     * <p>The packets are Ethernet/IPv4/TCP, four connections at a time taking turns: 2,100 connections with
     * handshake, data out of order and retransmitted, and FIN or RST (every third seen mid-way, without
     * either), and among them 2,700 stray segments of 1,024 endpoints with random sequence numbers, half of
     * them with 0 to 63 bytes of data, so that frames come in every length from 54 to 117 bytes. Addresses
     * are in 10.0.0.0/14, timestamps from November 2023 on. The frame is the listener's for the call only, as
     * in a capture.
     *
     * <p>The packets come through {@link #poll}, as a capture's do, and between them it polls the empty ring
     * about 2,000 times, each wait a real {@code poll(2)} on a descriptor of its own that is always ready (an
     * {@code eventfd}, closed afterwards), so that the wait is compiled early too: traffic reaches it once per
     * ring block, too seldom for the JIT to compile it in the first seconds. That part runs only if native access
     * is enabled for this code, so that a warm-up never brings the JVM's warning about it.
     *
     * <p>Runs on the calling thread every time it is called: with a {@link io.panatap.flow.FlowTable} as the
     * listener, after {@link #warmUp()} and {@link #linkNativeCalls()}, 60-130 ms of that thread's CPU on a
     * 2-CPU machine, while the JIT compiler threads work beside it. Needs no privileges and no native access.
     * An exception from the listener ends the warm-up quietly.
     */
    public static void warmUp(PacketListener listener) {
        WarmUpRing.warmUp(Objects.requireNonNull(listener, "listener"));
    }

    /** Link type of the delivered frames: {@link LinkType#ETHERNET} or {@link LinkType#RAW}. */
    @Override
    public int linkType() {
        return socket.linkType();
    }

    /**
     * True when the capture is on all interfaces and its frames come with their link-layer headers
     * ({@link Builder#linkHeaders(boolean)} asked for it and the filter allowed it).
     */
    public boolean linkHeaders() {
        return socket.linkHeaders();
    }

    /** The interface name given to the builder, or {@code "any"} for all interfaces. */
    public String interfaceName() {
        return socket.interfaceName();
    }

    /** The bound interface index, 0 for all interfaces. */
    public int interfaceIndex() {
        return socket.interfaceIndex();
    }

    @Override
    public int snapLength() {
        return snapLength;
    }

    /** The {@code PACKET_FANOUT} group this socket joined, or -1 if none. */
    public int fanoutGroup() {
        return socket.fanoutGroup();
    }

    /** Size of the mapped ring in bytes. */
    public long ringSize() {
        return socket.blockSize() * socket.blockCount();
    }

    /**
     * Whether the interface went down and has not come back up yet (see "Link flaps" above); always false
     * on all interfaces. May be called from any thread.
     */
    public boolean isInterfaceDown() {
        return interfaceDown;
    }

    /**
     * Delivers at most {@code limit} packets that are ready, waiting up to the poll timeout if none is.
     * Returns how many were delivered: 0 on timeout (or if {@code limit} is not positive, or while the
     * interface is down), {@link PacketSource#END} once the capture is closed. An exception thrown by the
     * listener propagates; the packet counts as delivered and the next call continues after it. A
     * {@link io.panatap.PacketBatchListener} gets the packets in batches of up to
     * {@value io.panatap.PacketBatchListener#MAX_BATCH}, each within one ring block; if it throws, the whole
     * batch counts as delivered.
     *
     * @throws CaptureException if the socket reports an error, or the interface was deleted
     *                          ({@link CaptureException.Reason#NO_SUCH_INTERFACE})
     */
    @Override
    public int poll(PacketListener listener, int limit) throws CaptureException {
        Objects.requireNonNull(listener, "listener");
        if (limit <= 0) {
            return 0;
        }
        pollLock.lock();
        try {
            if (closed.get()) {
                return END;
            }
            int n = reader.deliver(listener, limit);
            if (n > 0) {
                return n;
            }
            if (closed.get()) {
                return END;
            }
            if (interfaceDown && stillDown()) {
                socket.await(pollTimeoutMillis, closed); // nothing arrives; a close wakes it
                return closed.get() ? END : 0;
            }
            int ready = socket.await(pollTimeoutMillis, closed);
            if (ready == PacketSocket.DOWN) {
                boolean up = socket.interfaceUp(); // throws if it was deleted: that ends the capture
                linkChanged(false);
                if (up) {
                    linkChanged(true); // a flap shorter than this poll
                }
                return closed.get() ? END : 0;
            }
            if (ready == PacketSocket.TIMEOUT) {
                return closed.get() ? END : 0;
            }
            n = reader.deliver(listener, limit);
            return n == 0 && closed.get() ? END : n;
        } finally {
            deliveredPublished = reader.delivered();
            if (releaseWhenPollReturns && pollLock.getHoldCount() == 1) {
                release();
            }
            pollLock.unlock();
        }
    }

    /** While the interface is down: whether it still is; reports it when it is up again. Throws once it is gone. */
    private boolean stillDown() throws CaptureException {
        if (!socket.interfaceUp()) {
            return true;
        }
        linkChanged(true);
        return false;
    }

    private void linkChanged(boolean up) {
        interfaceDown = !up;
        if (linkListener != null) {
            linkListener.linkChanged(this, up);
        }
    }

    /** Delivers packets until {@link #close()} is called from another thread (or from the listener). */
    @Override
    public void run(PacketListener listener) throws CaptureException {
        while (poll(listener, BATCH) != END) {
            // every packet went to the listener
        }
    }

    /** Cumulative statistics; after {@link #close()} the values at closing time. */
    public CaptureStats stats() {
        return socket.stats(deliveredPublished);
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
            reader.stop();
            return;
        }
        socket.wake();
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

    /** Runs with pollLock held: nobody is in the ring. */
    private void release() {
        if (released) {
            return;
        }
        released = true;
        deliveredPublished = reader.delivered();
        socket.close();
    }

    /**
     * Configuration with documented defaults. Every setter returns this builder.
     */
    public static final class Builder {
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
        private boolean incoming = true;
        private boolean outgoing;
        private int snapLength = PacketSource.DEFAULT_SNAP_LENGTH;
        private long ringSize = DEFAULT_RING_SIZE;
        private int blockSize = DEFAULT_BLOCK_SIZE;
        private Duration blockTimeout = DEFAULT_BLOCK_TIMEOUT;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private boolean promiscuous = true;
        private boolean tcpOnly = true;
        private BpfProgram filter;
        private String filterExpression;
        private int fanoutGroup = -1;
        private FanoutMode fanoutMode;
        private boolean fanoutDefragment;
        private boolean fanoutUniqueId;
        private LinkListener linkListener;
        private boolean linkHeaders;

        Builder() {
        }

        /** A builder with the same settings, independent of this one. */
        Builder copy() {
            Builder b = new Builder();
            b.interfaceName = interfaceName;
            b.incoming = incoming;
            b.outgoing = outgoing;
            b.snapLength = snapLength;
            b.ringSize = ringSize;
            b.blockSize = blockSize;
            b.blockTimeout = blockTimeout;
            b.pollTimeout = pollTimeout;
            b.promiscuous = promiscuous;
            b.tcpOnly = tcpOnly;
            b.filter = filter;
            b.filterExpression = filterExpression;
            b.fanoutGroup = fanoutGroup;
            b.fanoutMode = fanoutMode;
            b.fanoutDefragment = fanoutDefragment;
            b.fanoutUniqueId = fanoutUniqueId;
            b.linkListener = linkListener;
            b.linkHeaders = linkHeaders;
            return b;
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

        /**
         * Which packets to deliver by direction (tcpdump's {@code -Q}): {@link Direction#IN} (the default),
         * {@link Direction#OUT}, or both ({@code directions(Direction.IN, Direction.OUT)}).
         *
         * @throws IllegalArgumentException if none is given or one is {@link Direction#UNKNOWN}
         */
        public Builder directions(Direction... directions) {
            Objects.requireNonNull(directions, "directions");
            if (directions.length == 0) {
                throw new IllegalArgumentException("at least one direction (IN, OUT) is needed");
            }
            boolean in = false;
            boolean out = false;
            for (Direction d : directions) {
                switch (Objects.requireNonNull(d, "direction")) {
                    case IN -> in = true;
                    case OUT -> out = true;
                    case UNKNOWN -> throw new IllegalArgumentException("a capture selects IN or OUT, not UNKNOWN");
                }
            }
            this.incoming = in;
            this.outgoing = out;
            return this;
        }

        /** Bytes kept of each packet, 1..262144; default {@value PacketSource#DEFAULT_SNAP_LENGTH}. */
        public Builder snapLength(int snapLength) {
            if (snapLength < 1 || snapLength > PacketSource.DEFAULT_SNAP_LENGTH) {
                throw new IllegalArgumentException("snap length must be 1.." + PacketSource.DEFAULT_SNAP_LENGTH + ", not " + snapLength);
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
         * Whether the kernel passes TCP only; default true. Without a {@link #filter} this attaches
         * {@link TcpOnlyFilter}; a filter expression keeps the TCP-only test. With false and no filter every
         * packet reaches the ring.
         */
        public Builder tcpOnly(boolean on) {
            this.tcpOnly = on;
            return this;
        }

        /**
         * A tcpdump filter expression for the kernel socket filter, compiled when the capture opens, for the
         * socket's own link type and snap length with the meaning it has on a live socket
         * ({@link io.panatap.filter.FilterCompiler#compileForSocket}), and with the TCP-only test unless
         * {@link #tcpOnly}{@code (false)}. Replaces any {@link #filter(BpfProgram)}; {@code null} restores
         * the default. An expression that does not compile makes {@link #open()} throw a
         * {@link CaptureException} with {@link CaptureException.Reason#INVALID_ARGUMENT} whose cause is the
         * {@link io.panatap.filter.FilterException}.
         */
        public Builder filter(String expression) {
            this.filterExpression = expression;
            this.filter = null;
            return this;
        }

        /**
         * A prebuilt kernel socket filter that replaces the default TCP-only filter, attached as it is (for
         * {@link #linkType()}; its {@code tcpOnly} setting is not added); its return value is the number of
         * bytes kept. Replaces any {@link #filter(String)}; {@code null} restores the default.
         */
        public Builder filter(BpfProgram program) {
            this.filter = program;
            this.filterExpression = null;
            return this;
        }

        /**
         * Hears the interface go down and come back up during the capture (see "Link flaps" in
         * {@link PacketCapture}); {@code null} (the default) for none. The captures of a
         * {@link CaptureGroup} share it, and each calls it for its own socket.
         */
        public Builder linkListener(LinkListener listener) {
            this.linkListener = listener;
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

        /**
         * On all interfaces, whether to receive each frame with its device's link-layer header as well
         * (an Ethernet header on Ethernet, veth and loopback devices, none on tun): a {@code SOCK_RAW} socket
         * instead of the cooked {@code SOCK_DGRAM} one; default off. Packets still start at the network
         * header, with the link type {@link LinkType#RAW}, so they read, filter and count exactly as without
         * it; {@link io.panatap.Packet#linkHeaderLength()} tells how many bytes of link-layer header precede
         * them in the ring (what a pcapng writer stores, with the interface's own link type). The snap length
         * still counts from the network header. The socket filter is made relative to the network header
         * ({@link io.panatap.filter.FilterCompiler#compileForNetworkHeader}); where that cannot keep its
         * meaning (a {@link #filter(BpfProgram) prebuilt program}, or an expression that reads the length or
         * beyond the fixed headers) the capture stays cooked, as {@link PacketCapture#linkHeaders()} then
         * reports. Ignored on a named interface, whose frames have their link-layer header anyway.
         */
        public Builder linkHeaders(boolean on) {
            this.linkHeaders = on;
            return this;
        }

        private boolean allInterfaces0() {
            return interfaceName == null || interfaceName.equals("any");
        }

        /**
         * The link type frames of this configuration will have, as {@link PacketCapture#linkType()} will
         * report it (to compile a {@link #filter(BpfProgram)} ahead of time).
         */
        public int linkType() {
            return PacketSocket.linkTypeOf(allInterfaces0() ? null : interfaceName);
        }

        CaptureOptions options() {
            return new CaptureOptions(allInterfaces0() ? null : interfaceName, incoming, outgoing, snapLength,
                    ringSize, blockSize, blockTimeout, pollTimeout, promiscuous, tcpOnly, filter, filterExpression,
                    fanoutGroup, fanoutMode, fanoutDefragment, fanoutUniqueId, linkHeaders);
        }

        /**
         * Compiles the {@link #filter(String) filter expression}, opens the socket, attaches the filter, maps
         * the ring and binds to the interface.
         *
         * @throws CaptureException with {@link CaptureException.Reason#NO_SUCH_INTERFACE},
         *                          {@link CaptureException.Reason#INTERFACE_DOWN} (the named interface is
         *                          not up; the message is libpcap's "IF: That device is not up"),
         *                          {@link CaptureException.Reason#PERMISSION_DENIED} (no CAP_NET_RAW),
         *                          {@link CaptureException.Reason#OUT_OF_MEMORY} (ring too large),
         *                          {@link CaptureException.Reason#INVALID_ARGUMENT} (e.g. a filter expression
         *                          that does not compile: the cause is its
         *                          {@link io.panatap.filter.FilterException}),
         *                          {@link CaptureException.Reason#NATIVE_ACCESS_DENIED} (the JVM refuses
         *                          native calls: the message names the {@code --enable-native-access} flag),
         *                          ...
         */
        public PacketCapture open() throws CaptureException {
            CaptureOptions o = options();
            PacketSocket socket = PacketSocket.open(o);
            try {
                return new PacketCapture(o, socket, linkListener);
            } catch (RuntimeException | Error e) {
                socket.close();
                throw e;
            }
        }
    }
}
