package io.panatap.internal.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls into the C library for AF_PACKET capture. Every call that can fail captures {@code errno} into
 * a caller-owned state segment ({@link #allocateCallState}), allocated once per socket, so a failure can be
 * reported with the function name and {@code strerror} text without allocating on the packet path.
 *
 * <p>Each wrapper returns the raw C result; callers check it and read {@link #errno(MemorySegment)}.
 */
public final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // Each binding is linked when first used (a holder class per function): linking a downcall handle
    // costs milliseconds of start-up (a stub class and LambdaForms per call shape), and a command uses only
    // some of them before its capture is ready (strerror, munmap, if_indextoname, getpagesize: seldom).
    private static final class Socket {
        static final MethodHandle H = errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Bind {
        static final MethodHandle H = errnoCall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Setsockopt {
        static final MethodHandle H = errnoCall("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Getsockopt {
        static final MethodHandle H = errnoCall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class Mmap {
        static final MethodHandle H = errnoCall("mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    }

    // No errno capture: munmap runs as the ring's arena cleanup, where a failure cannot be reported anyway.
    private static final class Munmap {
        static final MethodHandle H = LINKER.downcallHandle(find("munmap"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Getpagesize {
        static final MethodHandle H = LINKER.downcallHandle(find("getpagesize"), FunctionDescriptor.of(JAVA_INT));
    }

    private static final class Poll {
        static final MethodHandle H = errnoCall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private static final class Close {
        static final MethodHandle H = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final class Writev {
        static final MethodHandle H = errnoCall("writev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Open {
        static final MethodHandle H = errnoCall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }

    private static final class Write {
        static final MethodHandle H = errnoCall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Eventfd {
        static final MethodHandle H = errnoCall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class IfNameToIndex {
        static final MethodHandle H = errnoCall("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class IfIndexToName {
        static final MethodHandle H = errnoCall("if_indextoname", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    }

    // ioctl(int fd, unsigned long request, ...): the argument after the request is variadic.
    private static final class Ioctl {
        static final MethodHandle H = LINKER.downcallHandle(find("ioctl"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    }

    // No errno capture: signal() fails only for an invalid signal number.
    private static final class Signal {
        static final MethodHandle H = LINKER.downcallHandle(find("signal"), FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    }

    // No errno capture: its only caller ignores a failure.
    private static final class Setpriority {
        static final MethodHandle H = LINKER.downcallHandle(find("setpriority"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Strerror {
        static final MethodHandle H = LINKER.downcallHandle(find("strerror"),
                FunctionDescriptor.of(ADDRESS.withTargetLayout(java.lang.foreign.MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)), JAVA_INT));
    }

    // errno values the capture code reacts to (asm-generic/errno-base.h, errno.h).
    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENETDOWN = 100;
    public static final int ENXIO = 6;

    // mmap(2)
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final MemorySegment MAP_FAILED = MemorySegment.ofAddress(-1L);

    // poll(2)
    public static final short POLLIN = 0x001;
    public static final short POLLERR = 0x008;
    public static final short POLLHUP = 0x010;
    public static final short POLLNVAL = 0x020;

    // signal(7)
    public static final int SIGINT = 2;
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;

    // open(2) (the generic Linux values: x86, arm64, riscv64)
    public static final int O_WRONLY = 01;
    public static final int O_CREAT = 0100;
    public static final int O_TRUNC = 01000;
    public static final int O_CLOEXEC = 02000000;
    /** writev(2): the most {@code struct iovec}s one call takes ({@code UIO_MAXIOV}). */
    public static final int IOV_MAX = 1024;

    // eventfd(2)
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    private Libc() {
    }

    /**
     * Links the calls a capture's {@code open()} and its first poll make (the FFM linker's own start, then a
     * stub per call), so that an {@code open()} after it does not; another thread that needs one of them
     * meanwhile waits for its link. Throws what linking throws (for example without native access).
     */
    public static void linkCaptureCalls() {
        MethodHandle[] linked = {Getpagesize.H, Socket.H, Setsockopt.H, Getsockopt.H, Bind.H, IfNameToIndex.H,
                Ioctl.H, Mmap.H, Eventfd.H, Poll.H};
        // Reading the holders' fields is what links them.
    }

    static MemorySegment find(String name) {
        java.util.Optional<MemorySegment> symbol = LIBC.find(name); // no lambda: one less class to spin at start
        if (symbol.isEmpty()) {
            throw new UnsatisfiedLinkError("libc has no " + name);
        }
        return symbol.get();
    }

    static MethodHandle errnoCall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(find(name), descriptor, CAPTURE_ERRNO);
    }

    /** A segment for the captured {@code errno}, to be reused for every call made by one thread. */
    public static MemorySegment allocateCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** The {@code errno} captured by the last call that used {@code state}. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** {@code strerror(errno)} as a string, e.g. "Operation not permitted". */
    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) Strerror.H.invokeExact(errno);
            return text.getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    public static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) Socket.H.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int bind(MemorySegment state, int fd, MemorySegment address, int length) {
        try {
            return (int) Bind.H.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int setsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, int length) {
        try {
            return (int) Setsockopt.H.invokeExact(state, fd, level, name, value, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code length} points to a {@code socklen_t} holding the buffer size, updated by the kernel. */
    public static int getsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, MemorySegment length) {
        try {
            return (int) Getsockopt.H.invokeExact(state, fd, level, name, value, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static MemorySegment mmap(MemorySegment state, long length, int prot, int flags, int fd, long offset) {
        try {
            return (MemorySegment) Mmap.H.invokeExact(state, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int munmap(MemorySegment address, long length) {
        try {
            return (int) Munmap.H.invokeExact(address, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int getpagesize() {
        try {
            return (int) Getpagesize.H.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int poll(MemorySegment state, MemorySegment fds, long count, int timeoutMillis) {
        try {
            return (int) Poll.H.invokeExact(state, fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int close(MemorySegment state, int fd) {
        try {
            return (int) Close.H.invokeExact(state, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long write(MemorySegment state, int fd, MemorySegment buffer, long count) {
        try {
            return (long) Write.H.invokeExact(state, fd, buffer, count);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** writev(2) of {@code count} {@code struct iovec}s at {@code iov}: bytes written, or -1 with errno. */
    public static long writev(MemorySegment state, int fd, MemorySegment iov, int count) {
        try {
            return (long) Writev.H.invokeExact(state, fd, iov, count);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** open(2) of the NUL-terminated {@code path}: a descriptor, or -1 with errno. */
    public static int open(MemorySegment state, MemorySegment path, int flags, int mode) {
        try {
            return (int) Open.H.invokeExact(state, path, flags, mode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int eventfd(MemorySegment state, int initial, int flags) {
        try {
            return (int) Eventfd.H.invokeExact(state, initial, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Returns 0 when there is no such interface. {@code name} is a NUL-terminated string. */
    public static int ifNameToIndex(MemorySegment state, MemorySegment name) {
        try {
            return (int) IfNameToIndex.H.invokeExact(state, name);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Writes the name of interface {@code index} into {@code buffer} (IF_NAMESIZE bytes); NULL if unknown. */
    public static MemorySegment ifIndexToName(MemorySegment state, int index, MemorySegment buffer) {
        try {
            return (MemorySegment) IfIndexToName.H.invokeExact(state, index, buffer);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code ioctl(fd, request, argument)}; -1 with {@code errno} on failure. */
    public static int ioctl(MemorySegment state, int fd, long request, MemorySegment argument) {
        try {
            return (int) Ioctl.H.invokeExact(state, fd, request, argument);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code PRIO_PROCESS} in {@code sys/resource.h}: {@link #setpriority} of one process. */
    public static final int PRIO_PROCESS = 0;

    /** setpriority(2): the raw result, 0 or -1. */
    public static int setpriority(int which, int who, int priority) {
        try {
            return (int) Setpriority.H.invokeExact(which, who, priority);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * If {@code signal} is ignored ({@code SIG_IGN}, as a shell leaves SIGINT for a background job), sets its
     * disposition to the default and returns true; otherwise leaves the handler in place (the JVM's own) and
     * returns false. {@code signal(2)} can only swap: the default goes in to read the current handler, which
     * is put back unless it was {@code SIG_IGN}.
     */
    public static boolean resetIfIgnored(int signal) {
        try {
            MemorySegment previous = (MemorySegment) Signal.H.invokeExact(signal, MemorySegment.ofAddress(SIG_DFL));
            if (previous.address() == SIG_IGN) {
                return true;
            }
            MemorySegment ignored = (MemorySegment) Signal.H.invokeExact(signal, previous);
            return false;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
