package io.panatap.capture;

import io.panatap.filter.BpfProgram;
import io.panatap.filter.FilterCompiler;
import io.panatap.filter.FilterException;
import io.panatap.internal.linux.Libc;
import io.panatap.parse.LinkType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.panatap.internal.linux.PacketAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One {@code AF_PACKET} socket with its mapped {@code TPACKET_V3} ring, and everything done to it through
 * system calls: setting it up from {@link CaptureOptions} (socket type, filter, ring, bind, promiscuous
 * mode, fanout), waiting in {@code poll(2)}, reading the kernel's statistics, closing. Failures become
 * {@link CaptureException}s with the call, the {@code strerror} text and a {@link CaptureException.Reason}.
 *
 * <p>Threads: {@link #await} and {@link #interfaceName(int)} run on the polling thread; {@link #stats},
 * {@link #wake} and {@link #close} may run on any thread ({@code close} only once nobody polls).
 */
final class PacketSocket {
    static final int IF_NAMESIZE = 16;
    private static final ValueLayout.OfShort BIG_ENDIAN_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    private final Arena arena;
    // Set while opening, fixed afterwards.
    private int fd = -1;
    private int wakeFd = -1;
    private MemorySegment ring;
    private long blockSize;
    private int blockCount;
    private int ifindex;
    private int linkType;
    private boolean linkHeaders;
    private String interfaceName;
    private int fanoutGroup = -1;

    // Used only by the polling thread.
    private final MemorySegment callState;
    private final MemorySegment pollFds;
    private final MemorySegment nameBuffer;
    private final MemorySegment interfaceRequest;
    private String[] names = new String[64];

    // Statistics, guarded by lock (which also guards the socket's fd against close).
    private final Object lock = new Object();
    private final MemorySegment statsState;
    private final MemorySegment statsBuffer;
    private final MemorySegment statsLength;
    private long received;
    private long dropped;
    private long freezes;
    private boolean closed;

    private PacketSocket(Arena arena) {
        this.arena = arena;
        this.callState = Libc.allocateCallState(arena);
        this.pollFds = arena.allocate(POLLFD, 2);
        this.nameBuffer = arena.allocate(IF_NAMESIZE);
        this.interfaceRequest = arena.allocate(IFREQ);
        this.statsState = Libc.allocateCallState(arena);
        this.statsBuffer = arena.allocate(TPACKET_STATS_V3);
        this.statsLength = arena.allocate(JAVA_INT);
    }

    /**
     * Opens the socket, attaches the filter, maps the ring and binds to the interface; on failure releases
     * whatever was opened.
     */
    static PacketSocket open(CaptureOptions o) throws CaptureException {
        int linkType = linkTypeOf(o.interfaceName());
        BpfProgram program = program(o, linkType);
        boolean linkHeaders = false;
        if (o.linkHeaders() && o.allInterfaces()) {
            // The same test, read relative to the network header; null where that could change its meaning.
            BpfProgram relative = networkRelativeProgram(o);
            if (relative != null || (program == null && o.filter() == null)) {
                program = relative;
                linkHeaders = true;
            }
        }
        NativeAccess.require();
        Arena arena = Arena.ofShared();
        PacketSocket s = null;
        try {
            s = new PacketSocket(arena);
            s.linkType = linkType;
            s.linkHeaders = linkHeaders;
            s.setUp(o, program);
            return s;
        } catch (CaptureException | RuntimeException | Error e) {
            if (s != null) {
                s.closeDescriptors();
            }
            arena.close();
            throw e;
        }
    }

    /**
     * A stand-in for the JIT warm-up ({@link WarmUpRing}): no packet socket and no ring, only an
     * {@code eventfd} that stays readable in place of the socket, so that {@link #await} makes the real
     * {@code poll(2)} call and returns {@link #READY} at once. Null if native calls are not enabled (the
     * warm-up must not be the first to trigger the JVM's warning about them) or the descriptor cannot be had.
     * Release it with {@link #closeStandIn()}.
     */
    static PacketSocket standIn() {
        if (!NativeAccess.enabled()) {
            return null;
        }
        Arena arena = Arena.ofShared();
        PacketSocket s = new PacketSocket(arena);
        try {
            s.fd = Libc.eventfd(s.callState, 1, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        } catch (RuntimeException | LinkageError e) {
            s.fd = -1; // the warm-up goes without its wait; open() reports a real problem
        }
        if (s.fd < 0) {
            arena.close();
            return null;
        }
        s.interfaceName = "warm-up";
        return s;
    }

    /** Closes a {@link #standIn()}'s descriptor and frees its memory. */
    void closeStandIn() {
        closed = true;
        closeDescriptors();
        arena.close();
    }

    /**
     * The link type of frames on {@code name} (null for all interfaces): {@link LinkType#ETHERNET} on
     * Ethernet and loopback devices ({@code SOCK_RAW}), {@link LinkType#RAW} elsewhere ({@code SOCK_DGRAM}).
     */
    static int linkTypeOf(String name) {
        if (name == null) {
            return LinkType.RAW;
        }
        NetworkInterfaces.Info info = NetworkInterfaces.find(name);
        if (info == null) {
            return LinkType.ETHERNET; // unknown here; opening reports the missing interface
        }
        return info.hardwareType() == ARPHRD_ETHER || info.hardwareType() == ARPHRD_LOOPBACK
                ? LinkType.ETHERNET : LinkType.RAW;
    }

    /** The socket filter to attach, compiled for {@code linkType} if given as an expression; null for none. */
    private static BpfProgram program(CaptureOptions o, int linkType) throws CaptureException {
        if (o.filterExpression() != null) {
            try {
                return FilterCompiler.compileForSocket(o.filterExpression(), linkType, o.snapLength(), o.tcpOnly());
            } catch (FilterException e) {
                throw new CaptureException(CaptureException.Reason.INVALID_ARGUMENT,
                        "invalid filter '" + o.filterExpression() + "': " + e.getMessage(), e);
            }
        }
        if (o.filter() != null || !o.tcpOnly()) {
            return o.filter();
        }
        return linkType == LinkType.ETHERNET ? TcpOnlyFilter.ethernet(o.snapLength()) : TcpOnlyFilter.network(o.snapLength());
    }

    /**
     * For {@code SOCK_RAW} on all interfaces: the filter of {@link #program} relative to the network header,
     * or null for none; null too for a prebuilt program or an expression that reads the length or beyond
     * the fixed headers (see {@link FilterCompiler#compileForNetworkHeader}), which then keep the cooked socket.
     */
    private static BpfProgram networkRelativeProgram(CaptureOptions o) throws CaptureException {
        if (o.filter() != null) {
            return null;
        }
        if (o.filterExpression() == null && !o.tcpOnly()) {
            return null; // no filter at all: nothing to move
        }
        try {
            return o.filterExpression() == null ? TcpOnlyFilter.networkRelative(o.snapLength())
                    : FilterCompiler.compileForNetworkHeader(o.filterExpression(), o.snapLength(), o.tcpOnly(),
                    TcpOnlyFilter.LINK_HEADER_ROOM);
        } catch (FilterException e) {
            throw new CaptureException(CaptureException.Reason.INVALID_ARGUMENT,
                    "invalid filter '" + o.filterExpression() + "': " + e.getMessage(), e);
        }
    }

    private void setUp(CaptureOptions o, BpfProgram program) throws CaptureException {
        MemorySegment state = callState;
        boolean all = o.allInterfaces();
        interfaceName = all ? "any" : o.interfaceName();
        if (!all) {
            if (interfaceName.isEmpty() || interfaceName.length() >= IF_NAMESIZE) {
                throw noSuchInterface(interfaceName);
            }
            ifindex = Libc.ifNameToIndex(state, arena.allocateFrom(interfaceName));
            if (ifindex == 0) {
                throw noSuchInterface(interfaceName);
            }
        }
        boolean raw = linkType == LinkType.ETHERNET || linkHeaders;

        // Protocol 0: the socket receives nothing until bind(), so no packet slips past the filter.
        fd = Libc.socket(state, AF_PACKET, (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            int errno = Libc.errno(state);
            if (errno == Libc.EPERM || errno == Libc.EACCES) {
                throw new CaptureException(CaptureException.Reason.PERMISSION_DENIED,
                        "cannot open a packet socket (socket(AF_PACKET): " + Libc.strerror(errno)
                                + "): needs CAP_NET_RAW (run as root, or grant the capability to the java binary:"
                                + " setcap cap_net_raw+eip " + System.getProperty("java.home") + "/bin/java)");
            }
            throw failure("socket(AF_PACKET)", errno);
        }
        wakeFd = Libc.eventfd(state, 0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (wakeFd < 0) {
            throw failure("eventfd", Libc.errno(state));
        }
        setInt(PACKET_VERSION, TPACKET_V3, "setsockopt(PACKET_VERSION, TPACKET_V3)");
        if (program != null) {
            attachFilter(program);
        }
        if (!o.outgoing()) {
            // Saves the ring the outgoing copies (Linux 4.20+); the ring walk drops them too.
            Libc.setsockopt(state, fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, arena.allocateFrom(JAVA_INT, 1), 4);
        }
        setUpRing(o);

        MemorySegment address = arena.allocate(SOCKADDR_LL);
        address.set(JAVA_SHORT, SLL_FAMILY, (short) AF_PACKET);
        address.set(BIG_ENDIAN_SHORT, SLL_PROTOCOL, (short) ETH_P_ALL);
        address.set(JAVA_INT, SLL_IFINDEX, ifindex);
        if (Libc.bind(state, fd, address, (int) SOCKADDR_LL.byteSize()) < 0) {
            int errno = Libc.errno(state);
            if (errno == Libc.ENODEV || errno == Libc.ENXIO) {
                throw noSuchInterface(interfaceName);
            }
            throw failure("bind to " + interfaceName, errno);
        }
        // Bound to an interface that is down, the socket gets no packet and a pending ENETDOWN (libpcap
        // reads it the same way to say "That device is not up"); reading it clears it.
        if (!all && socketError() == Libc.ENETDOWN) {
            throw new CaptureException(CaptureException.Reason.INTERFACE_DOWN, interfaceName + ": That device is not up");
        }
        if (o.promiscuous() && !all) {
            MemorySegment mreq = arena.allocate(PACKET_MREQ);
            mreq.set(JAVA_INT, MR_IFINDEX, ifindex);
            mreq.set(JAVA_SHORT, MR_TYPE, (short) PACKET_MR_PROMISC);
            if (Libc.setsockopt(state, fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq, (int) PACKET_MREQ.byteSize()) < 0) {
                throw failure("setsockopt(PACKET_ADD_MEMBERSHIP, promiscuous) on " + interfaceName, Libc.errno(state));
            }
        }
        if (o.fanoutGroup() >= 0) {
            joinFanout(o);
        }
    }

    private void joinFanout(CaptureOptions o) throws CaptureException {
        int flags = (o.fanoutDefragment() ? PACKET_FANOUT_FLAG_DEFRAG : 0)
                | (o.fanoutUniqueId() ? PACKET_FANOUT_FLAG_UNIQUEID : 0);
        setInt(PACKET_FANOUT, o.fanoutGroup() | ((o.fanoutMode().kernelValue | flags) << 16),
                "setsockopt(PACKET_FANOUT, group " + o.fanoutGroup() + ", " + o.fanoutMode()
                        + ") (a group with that id may exist with another mode or on another interface)");
        fanoutGroup = o.fanoutGroup();
        if (o.fanoutUniqueId()) {
            // The kernel reports id | type << 16 | flags << 24.
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment length = arena.allocateFrom(JAVA_INT, 4);
            if (Libc.getsockopt(callState, fd, SOL_PACKET, PACKET_FANOUT, value, length) < 0) {
                throw failure("getsockopt(PACKET_FANOUT)", Libc.errno(callState));
            }
            fanoutGroup = value.get(JAVA_INT, 0) & 0xFFFF;
        }
    }

    private void setUpRing(CaptureOptions o) throws CaptureException {
        int page = Libc.getpagesize();
        // As libpcap: a frame holds the headers, room to align the packet, and a full snap length.
        int frameSize = tpacketAlign(TPACKET3_HDRLEN + 16 + o.snapLength()
                + (linkHeaders ? TcpOnlyFilter.LINK_HEADER_ROOM : 0));
        long block = page;
        while (block < o.blockSize() || block < frameSize) {
            block <<= 1;
        }
        long count = Math.max(1, o.ringSize() / block);
        long size = block * count;
        // The kernel takes at most 4 GiB; asking for more than is available may wake the OOM killer.
        if (size > 0xFFFF_FFFFL || size > availableMemory()) {
            throw tooLarge(size > 0xFFFF_FFFFL ? "a ring holds at most 4 GiB" : "more than the memory available", size);
        }
        int framesPerBlock = (int) (block / frameSize);
        MemorySegment req = arena.allocate(TPACKET_REQ3);
        req.set(JAVA_INT, REQ3_BLOCK_SIZE, (int) block);
        req.set(JAVA_INT, REQ3_BLOCK_NR, (int) count);
        req.set(JAVA_INT, REQ3_FRAME_SIZE, frameSize);
        req.set(JAVA_INT, REQ3_FRAME_NR, (int) (framesPerBlock * count));
        req.set(JAVA_INT, REQ3_RETIRE_BLK_TOV, (int) o.blockTimeout().toMillis());
        req.set(JAVA_INT, REQ3_SIZEOF_PRIV, 0);
        req.set(JAVA_INT, REQ3_FEATURE_REQ_WORD, 0);
        if (Libc.setsockopt(callState, fd, SOL_PACKET, PACKET_RX_RING, req, (int) TPACKET_REQ3.byteSize()) < 0) {
            int errno = Libc.errno(callState);
            if (errno == Libc.ENOMEM) {
                throw tooLarge("setsockopt(PACKET_RX_RING): " + Libc.strerror(errno), size);
            }
            throw failure("setsockopt(PACKET_RX_RING, " + count + " blocks of " + block + " bytes)", errno);
        }
        MemorySegment address = Libc.mmap(callState, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
        if (address.address() == Libc.MAP_FAILED.address()) {
            int errno = Libc.errno(callState);
            if (errno == Libc.ENOMEM || errno == Libc.EAGAIN) {
                throw tooLarge("mmap: " + Libc.strerror(errno), size);
            }
            throw failure("mmap of the ring", errno);
        }
        ring = address.reinterpret(size, arena, s -> Libc.munmap(s, size));
        blockSize = block;
        blockCount = (int) count;
    }

    /** MemAvailable from /proc/meminfo, or unlimited if unknown. */
    private static long availableMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: let the kernel decide
        }
        return Long.MAX_VALUE;
    }

    private void attachFilter(BpfProgram program) throws CaptureException {
        int len = program.length();
        MemorySegment insns = arena.allocate(SOCK_FILTER, len);
        program.writeSockFilters(insns, 0);
        MemorySegment fprog = arena.allocate(SOCK_FPROG);
        fprog.set(JAVA_SHORT, FPROG_LEN, (short) len);
        fprog.set(ValueLayout.ADDRESS, FPROG_FILTER, insns);
        if (Libc.setsockopt(callState, fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, (int) SOCK_FPROG.byteSize()) < 0) {
            int errno = Libc.errno(callState);
            // ENOMEM here is the per-socket option memory (net.core.optmem_max), not the ring: a reason of its
            // own would send a caller to the ring size, so it is a system error that names the limit.
            throw new CaptureException(errno == Libc.EINVAL ? CaptureException.Reason.INVALID_ARGUMENT
                    : CaptureException.Reason.SYSTEM_ERROR,
                    "the kernel rejected the " + len + "-instruction socket filter (setsockopt(SO_ATTACH_FILTER): "
                            + Libc.strerror(errno) + ")" + (errno == Libc.ENOMEM
                            ? ": it needs more socket option memory than net.core.optmem_max allows" : ""));
        }
    }

    private void setInt(int name, int value, String what) throws CaptureException {
        if (Libc.setsockopt(callState, fd, SOL_PACKET, name, arena.allocateFrom(JAVA_INT, value), 4) < 0) {
            throw failure(what, Libc.errno(callState));
        }
    }

    private static CaptureException noSuchInterface(String name) {
        return new CaptureException(CaptureException.Reason.NO_SUCH_INTERFACE, "no such interface '" + name + "'");
    }

    private static CaptureException tooLarge(String why, long size) {
        return new CaptureException(CaptureException.Reason.OUT_OF_MEMORY,
                "ring of " + (size >> 20) + " MiB too large (" + why + ")");
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

    MemorySegment ring() {
        return ring;
    }

    long blockSize() {
        return blockSize;
    }

    int blockCount() {
        return blockCount;
    }

    int linkType() {
        return linkType;
    }

    /** True for {@code SOCK_RAW} on all interfaces: frames come with their link-layer headers. */
    boolean linkHeaders() {
        return linkHeaders;
    }

    /** The interface name, {@code "any"} for all interfaces. */
    String interfaceName() {
        return interfaceName;
    }

    int interfaceIndex() {
        return ifindex;
    }

    int fanoutGroup() {
        return fanoutGroup;
    }

    /** {@link #await}: the ring has a block, or the socket an error to read. */
    static final int READY = 1;
    /** {@link #await}: timeout, interruption, or the capture was closed. */
    static final int TIMEOUT = 0;
    /** {@link #await}: the bound interface went down ({@code ENETDOWN}); see {@link #interfaceUp()}. */
    static final int DOWN = -1;

    /**
     * Waits in {@code poll(2)} for the ring or the wake-up of {@link #wake}: {@link #READY}, {@link #TIMEOUT}
     * (also on interruption or once {@code closed} is set), or {@link #DOWN} when the kernel reports that the
     * interface the socket is bound to went down: it unhooks the socket from the interface then, and hooks it
     * again when the interface comes back up (the same socket, ring and filter).
     *
     * @throws CaptureException if the socket reports another error
     */
    int await(int timeoutMillis, AtomicBoolean closed) throws CaptureException {
        long second = POLLFD.byteSize();
        pollFds.set(JAVA_INT, POLLFD_FD, fd);
        pollFds.set(JAVA_SHORT, POLLFD_EVENTS, (short) (Libc.POLLIN | Libc.POLLERR));
        pollFds.set(JAVA_SHORT, POLLFD_REVENTS, (short) 0);
        pollFds.set(JAVA_INT, second + POLLFD_FD, wakeFd);
        pollFds.set(JAVA_SHORT, second + POLLFD_EVENTS, Libc.POLLIN);
        pollFds.set(JAVA_SHORT, second + POLLFD_REVENTS, (short) 0);
        int ready = Libc.poll(callState, pollFds, 2, timeoutMillis);
        if (ready < 0) {
            int errno = Libc.errno(callState);
            if (errno == Libc.EINTR) {
                return TIMEOUT;
            }
            throw new CaptureException(CaptureException.Reason.SYSTEM_ERROR,
                    "poll on " + interfaceName + ": " + Libc.strerror(errno));
        }
        if (ready == 0 || closed.get()) {
            return TIMEOUT;
        }
        short events = pollFds.get(JAVA_SHORT, POLLFD_REVENTS);
        if ((events & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0 && (events & Libc.POLLIN) == 0) {
            int error = socketError();
            if (error == Libc.ENETDOWN && ifindex > 0) {
                return DOWN;
            }
            throw new CaptureException(error == Libc.ENETDOWN || error == Libc.ENODEV || error == Libc.ENXIO
                    ? CaptureException.Reason.NO_SUCH_INTERFACE : CaptureException.Reason.SYSTEM_ERROR,
                    "capture on " + interfaceName + " failed: "
                            + (error == 0 ? "socket error" : Libc.strerror(error))
                            + (error == Libc.ENETDOWN ? " (the interface went down)" : ""));
        }
        return READY;
    }

    /**
     * Whether the bound interface is up ({@code IFF_UP}) now; called on the polling thread while the
     * capture waits for the interface to come back. The interface is found by its index, so a rename does
     * not matter.
     *
     * @throws CaptureException with {@link CaptureException.Reason#NO_SUCH_INTERFACE} once the interface
     *                          is gone (deleted, or moved to another network namespace)
     */
    boolean interfaceUp() throws CaptureException {
        if (Libc.ifIndexToName(callState, ifindex, nameBuffer).equals(MemorySegment.NULL)) {
            throw disappeared();
        }
        MemorySegment request = interfaceRequest;
        request.fill((byte) 0);
        MemorySegment.copy(nameBuffer, 0, request, 0, IF_NAMESIZE);
        if (Libc.ioctl(callState, fd, SIOCGIFFLAGS, request) < 0) {
            int errno = Libc.errno(callState);
            if (errno == Libc.ENODEV || errno == Libc.ENXIO) {
                throw disappeared(); // deleted between the two calls
            }
            throw failure("ioctl(SIOCGIFFLAGS) on " + interfaceName, errno);
        }
        return (request.get(JAVA_SHORT, IFR_FLAGS) & IFF_UP) != 0;
    }

    private CaptureException disappeared() {
        return new CaptureException(CaptureException.Reason.NO_SUCH_INTERFACE,
                "capture on " + interfaceName + " failed: the interface disappeared");
    }

    private int socketError() {
        synchronized (lock) {
            MemorySegment value = statsBuffer;
            statsLength.set(JAVA_INT, 0, 4);
            if (Libc.getsockopt(callState, fd, SOL_SOCKET, SO_ERROR, value, statsLength) < 0) {
                return Libc.errno(callState);
            }
            return value.get(JAVA_INT, 0);
        }
    }

    /** Makes a blocked {@link #await} return at once. */
    void wake() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(8);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            Libc.write(Libc.allocateCallState(a), wakeFd, one, 8);
        }
    }

    /** Cumulative statistics with {@code delivered}; after {@link #close()} the values at closing time. */
    CaptureStats stats(long delivered) {
        synchronized (lock) {
            if (!closed) {
                readKernelStats();
            }
            return new CaptureStats(received, dropped, freezes, delivered);
        }
    }

    private void readKernelStats() {
        statsLength.set(JAVA_INT, 0, (int) TPACKET_STATS_V3.byteSize());
        if (Libc.getsockopt(statsState, fd, SOL_PACKET, PACKET_STATISTICS, statsBuffer, statsLength) == 0) {
            // The kernel counts drops in tp_packets too and resets both on every read.
            received += statsBuffer.get(JAVA_INT, STATS_PACKETS) & 0xFFFFFFFFL;
            dropped += statsBuffer.get(JAVA_INT, STATS_DROPS) & 0xFFFFFFFFL;
            freezes += statsBuffer.get(JAVA_INT, STATS_FREEZE_Q_CNT) & 0xFFFFFFFFL;
        }
    }

    /** Reads the final statistics, closes both descriptors and unmaps the ring. Only once nobody polls. */
    void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            readKernelStats();
            closed = true;
            closeDescriptors();
        }
        arena.close(); // unmaps the ring
    }

    private void closeDescriptors() {
        if (fd >= 0) {
            Libc.close(statsState, fd);
        }
        if (wakeFd >= 0) {
            Libc.close(statsState, wakeFd);
        }
    }

    /** Name of interface {@code index}, looked up once and cached; called on the polling thread. */
    String interfaceName(int index) {
        if (index <= 0) {
            return null;
        }
        if (index < names.length && names[index] != null) {
            return names[index];
        }
        if (closed) {
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
}
