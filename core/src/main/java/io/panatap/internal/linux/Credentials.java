package io.panatap.internal.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls to the C library's user database and process credentials: {@code getpwnam_r},
 * {@code getgrouplist}, {@code setgroups}, {@code setgid}, {@code setuid}.
 *
 * <p>glibc's set*id and setgroups apply the change to every thread of the process (it signals each one,
 * "setxid broadcast"), which is what a multi-threaded JVM needs: the raw system calls would change only
 * the calling thread.
 *
 * <p>{@code struct passwd} (pwd.h, LP64):
 * <pre>
 *  0        8          16     20     24        32      40        48
 * +--------+----------+------+------+---------+-------+---------+
 * |pw_name |pw_passwd |pw_uid|pw_gid|pw_gecos |pw_dir |pw_shell |
 * +--------+----------+------+------+---------+-------+---------+
 * </pre>
 */
public final class Credentials {
    private static final Linker LINKER = Linker.nativeLinker();

    public static final StructLayout PASSWD = MemoryLayout.structLayout(
            ADDRESS.withName("pw_name"),
            ADDRESS.withName("pw_passwd"),
            JAVA_INT.withName("pw_uid"),
            JAVA_INT.withName("pw_gid"),
            ADDRESS.withName("pw_gecos"),
            ADDRESS.withName("pw_dir"),
            ADDRESS.withName("pw_shell")).withName("passwd");
    private static final long PW_UID = PASSWD.byteOffset(groupElement("pw_uid"));
    private static final long PW_GID = PASSWD.byteOffset(groupElement("pw_gid"));

    // getpwnam_r returns the error number instead of setting errno.
    private static final MethodHandle GETPWNAM_R = LINKER.downcallHandle(Libc.find("getpwnam_r"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle GETGROUPLIST = LINKER.downcallHandle(Libc.find("getgrouplist"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETGROUPS = Libc.errnoCall("setgroups", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SETGID = Libc.errnoCall("setgid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETUID = Libc.errnoCall("setuid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETUID = LINKER.downcallHandle(Libc.find("getuid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETEUID = LINKER.downcallHandle(Libc.find("geteuid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETGID = LINKER.downcallHandle(Libc.find("getgid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETEGID = LINKER.downcallHandle(Libc.find("getegid"), FunctionDescriptor.of(JAVA_INT));

    public static final int ERANGE = 34;

    private Credentials() {
    }

    /** A user database entry: name, uid and primary gid. */
    public record User(String name, int uid, int gid) {
    }

    /**
     * Looks {@code name} up with {@code getpwnam_r} (files, LDAP, ... as nsswitch.conf says).
     *
     * @return the entry, or null if there is no such user
     * @throws IllegalStateException with the error text if the lookup itself failed
     */
    public static User lookUp(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name, StandardCharsets.UTF_8);
            MemorySegment pwd = arena.allocate(PASSWD);
            MemorySegment result = arena.allocate(ADDRESS);
            for (long size = 1024; ; size *= 4) {
                MemorySegment buffer = arena.allocate(size);
                int error = (int) GETPWNAM_R.invokeExact(cName, pwd, buffer, size, result);
                if (error == ERANGE && size < (1 << 24)) {
                    continue;
                }
                if (error != 0) {
                    throw new IllegalStateException("getpwnam_r(" + name + "): " + Libc.strerror(error));
                }
                if (result.get(ADDRESS, 0).equals(MemorySegment.NULL)) {
                    return null;
                }
                return new User(name, pwd.get(JAVA_INT, PW_UID), pwd.get(JAVA_INT, PW_GID));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** The supplementary groups of {@code user} including {@code gid}, as {@code getgrouplist} finds them. */
    public static int[] groupsOf(String user, int gid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(user, StandardCharsets.UTF_8);
            MemorySegment count = arena.allocateFrom(JAVA_INT, 32);
            while (true) {
                int n = count.get(JAVA_INT, 0);
                MemorySegment groups = arena.allocate(JAVA_INT, n);
                int r = (int) GETGROUPLIST.invokeExact(cName, gid, groups, count);
                if (r >= 0) {
                    return groups.asSlice(0, (long) r * 4).toArray(JAVA_INT);
                }
                if (count.get(JAVA_INT, 0) <= n) {
                    count.set(JAVA_INT, 0, n * 2); // older glibc does not report the size it needs
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** {@code setgroups(2)} for every thread; returns 0 or the errno. */
    public static int setGroups(int[] groups) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.allocateCallState(arena);
            MemorySegment list = arena.allocateFrom(JAVA_INT, groups);
            int r = (int) SETGROUPS.invokeExact(state, (long) groups.length, list);
            return r == 0 ? 0 : Libc.errno(state);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** {@code setgid(2)} for every thread; returns 0 or the errno. */
    public static int setGid(int gid) {
        return setId(SETGID, gid);
    }

    /** {@code setuid(2)} for every thread; returns 0 or the errno. */
    public static int setUid(int uid) {
        return setId(SETUID, uid);
    }

    private static int setId(MethodHandle call, int id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.allocateCallState(arena);
            int r = (int) call.invokeExact(state, id);
            return r == 0 ? 0 : Libc.errno(state);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    public static int uid() {
        return get(GETUID);
    }

    public static int effectiveUid() {
        return get(GETEUID);
    }

    public static int gid() {
        return get(GETGID);
    }

    public static int effectiveGid() {
        return get(GETEGID);
    }

    private static int get(MethodHandle call) {
        try {
            return (int) call.invokeExact();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
