package io.panatap.capture;

import io.panatap.internal.linux.Credentials;
import io.panatap.internal.linux.Libc;

import java.util.Objects;

/**
 * Drops the process's root privileges once the capture sockets are open, like tcpdump's {@code -Z user}:
 * open every {@link PacketCapture} (or {@link CaptureGroup}) first, then call {@link #dropTo(String)}. Open
 * sockets and mapped rings keep working; files created afterwards belong to the new user.
 *
 * <p>The switch is {@code setgroups} (the user's groups from {@code getgrouplist}), then {@code setgid},
 * then {@code setuid}, through the C library so that it applies to every thread of the JVM. Changing the
 * user id away from root clears the permitted and effective capabilities. It cannot be undone.
 */
public final class UserSwitch {
    private UserSwitch() {
    }

    /** The account the process switched to. */
    public record Account(String name, int uid, int gid, int[] groups) {
    }

    /**
     * Switches the whole process to {@code user}.
     *
     * @throws CaptureException {@link CaptureException.Reason#INVALID_ARGUMENT} if there is no such user,
     *                          {@link CaptureException.Reason#PERMISSION_DENIED} if the process may not
     *                          switch (it needs root, or CAP_SETUID and CAP_SETGID)
     */
    public static Account dropTo(String user) throws CaptureException {
        Objects.requireNonNull(user, "user");
        Credentials.User entry;
        try {
            entry = user.isEmpty() ? null : Credentials.lookUp(user);
        } catch (IllegalStateException e) {
            throw new CaptureException(CaptureException.Reason.SYSTEM_ERROR,
                    "cannot look up user '" + user + "': " + e.getMessage());
        }
        if (entry == null) {
            throw new CaptureException(CaptureException.Reason.INVALID_ARGUMENT, "no such user '" + user + "'");
        }
        int[] groups = Credentials.groupsOf(entry.name(), entry.gid());
        // Groups and gid first: once the uid is no longer 0 the process may not change them.
        check(Credentials.setGroups(groups), "setgroups", user);
        check(Credentials.setGid(entry.gid()), "setgid(" + entry.gid() + ")", user);
        check(Credentials.setUid(entry.uid()), "setuid(" + entry.uid() + ")", user);
        if (Credentials.uid() != entry.uid() || Credentials.effectiveUid() != entry.uid()
                || Credentials.gid() != entry.gid() || Credentials.effectiveGid() != entry.gid()) {
            throw new CaptureException(CaptureException.Reason.SYSTEM_ERROR,
                    "switching to user '" + user + "' left the process with uid " + Credentials.uid()
                            + " and gid " + Credentials.gid());
        }
        if (entry.uid() != 0 && Credentials.setUid(0) == 0) {
            throw new CaptureException(CaptureException.Reason.SYSTEM_ERROR,
                    "after switching to user '" + user + "' the process could become root again");
        }
        return new Account(entry.name(), entry.uid(), entry.gid(), groups);
    }

    private static void check(int errno, String call, String user) throws CaptureException {
        if (errno == 0) {
            return;
        }
        boolean denied = errno == Libc.EPERM || errno == Libc.EACCES;
        throw new CaptureException(denied ? CaptureException.Reason.PERMISSION_DENIED : CaptureException.Reason.SYSTEM_ERROR,
                "cannot switch to user '" + user + "' (" + call + ": " + Libc.strerror(errno) + ")"
                        + (denied ? ": switching users needs root (or CAP_SETUID and CAP_SETGID)" : ""));
    }
}
