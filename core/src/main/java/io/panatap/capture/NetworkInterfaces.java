package io.panatap.capture;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The network interfaces a capture can open, as the kernel lists them in {@code /sys/class/net} (the
 * network namespace in which sysfs was mounted, normally the process's own).
 */
public final class NetworkInterfaces {
    private static final Path SYS_CLASS_NET = Path.of("/sys/class/net");
    private static final int IFF_UP = 0x1;
    private static final int IFF_LOOPBACK = 0x8;

    private NetworkInterfaces() {
    }

    /**
     * One interface.
     *
     * @param index        kernel interface index (ifindex)
     * @param name         interface name, e.g. {@code eth0}
     * @param up           administratively up ({@code IFF_UP})
     * @param running      operationally running, i.e. has a carrier ({@code IFF_RUNNING})
     * @param loopback     a loopback interface ({@code IFF_LOOPBACK})
     * @param hardwareType the ARPHRD_* device type (1 Ethernet, 772 loopback, 65534 none, ...)
     */
    public record Info(int index, String name, boolean up, boolean running, boolean loopback, int hardwareType) {
    }

    /** All interfaces, ordered by index; empty if sysfs cannot be read. */
    public static List<Info> list() {
        List<Info> result = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(SYS_CLASS_NET)) {
            for (Path dir : dirs) {
                Info info = read(dir.getFileName().toString());
                if (info != null) {
                    result.add(info);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        result.sort(Comparator.comparingInt(Info::index));
        return result;
    }

    /** The interface called {@code name}, or null if there is none. */
    public static Info find(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            return null;
        }
        return read(name);
    }

    /**
     * The kernel computes IFF_RUNNING when asked through ioctl/netlink; the {@code flags} file in sysfs never
     * has it. {@code operstate} carries the same information (RFC 2863): "up", or "unknown" for drivers that
     * do not report it, such as loopback, which are running whenever they are up.
     */
    private static boolean isRunning(Path dir) {
        try {
            String state = Files.readString(dir.resolve("operstate")).trim();
            return state.equals("up") || state.equals("unknown");
        } catch (IOException e) {
            return false;
        }
    }

    private static Info read(String name) {
        Path dir = SYS_CLASS_NET.resolve(name);
        try {
            int index = Integer.parseInt(Files.readString(dir.resolve("ifindex")).trim());
            int flags = Integer.decode(Files.readString(dir.resolve("flags")).trim());
            int type = Integer.parseInt(Files.readString(dir.resolve("type")).trim());
            boolean up = (flags & IFF_UP) != 0;
            return new Info(index, name, up, up && isRunning(dir), (flags & IFF_LOOPBACK) != 0, type);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }
}
