package io.panatap.cli;

import io.panatap.capture.NetworkInterfaces;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code -D} list, numbered 1..N in the order and format of {@code tcpdump -D} (libpcap's), and the
 * {@code -i N} that selects by that number. libpcap ranks interfaces by a figure of merit, lowest first:
 * running before not running, up before down, connected before disconnected, others before loopback, and
 * {@code any} after the other running interfaces but before loopback; equal ranks keep the kernel's order. Only network interfaces are listed (libpcap's Bluetooth, netfilter and D-Bus devices cannot be
 * captured on here), and the connection status is inferred from the interface running or not (libpcap asks
 * the driver, and says "none" for a driver that cannot tell).
 */
final class InterfaceList {
    static final String ANY = "any";
    static final String ANY_DESCRIPTION = "Pseudo-device that captures on all interfaces";

    private InterfaceList() {
    }

    /** The interfaces in {@code -D} order, {@code any} included (as an Info with index 0). */
    static List<NetworkInterfaces.Info> ordered(List<NetworkInterfaces.Info> interfaces) {
        List<NetworkInterfaces.Info> result = new ArrayList<>(interfaces);
        result.sort(Comparator.comparingInt(NetworkInterfaces.Info::index));
        result.add(new NetworkInterfaces.Info(0, ANY, true, true, false, 0));
        result.sort(Comparator.comparingLong(InterfaceList::merit)); // stable: ties keep the kernel's order
        return result;
    }

    /** libpcap's figure of merit (1.10): lower is listed first; equal ones keep the kernel's order. */
    private static long merit(NetworkInterfaces.Info info) {
        boolean any = info.name().equals(ANY);
        long n = 0;
        if (!info.running()) {
            n |= 0x8000_0000L;
        }
        if (!info.up()) {
            n |= 0x4000_0000L;
        }
        if (!any && !info.loopback() && !info.running()) {
            n |= 0x2000_0000L; // disconnected
        }
        if (info.loopback()) {
            n |= 0x1000_0000L;
        }
        if (any) {
            n |= 0x0800_0000L;
        }
        return n;
    }

    /** The {@code -D} text: {@code 1.eth0 [Up, Running, Connected]}, one line per interface. */
    static String format(List<NetworkInterfaces.Info> ordered) {
        StringBuilder sb = new StringBuilder();
        int number = 1;
        for (NetworkInterfaces.Info info : ordered) {
            boolean any = info.name().equals(ANY);
            sb.append(number++).append('.').append(info.name());
            if (any) {
                sb.append(" (").append(ANY_DESCRIPTION).append(')');
            }
            StringBuilder flags = new StringBuilder();
            if (info.up()) {
                flags.append("Up");
            }
            if (info.running()) {
                flags.append(flags.isEmpty() ? "" : ", ").append("Running");
            }
            if (info.loopback()) {
                flags.append(flags.isEmpty() ? "" : ", ").append("Loopback");
            }
            sb.append(" [").append(flags.isEmpty() ? "none" : flags);
            if (!any && !info.loopback()) {
                sb.append(info.running() ? ", Connected" : ", Disconnected");
            }
            sb.append("]\n");
        }
        return sb.toString();
    }

    /**
     * {@code -i N}: the name of interface number {@code N} of {@code ordered}; the argument itself when it is
     * not a number or out of range (then it is taken as a name, and an unknown one is reported as such).
     */
    static String byNumber(String argument, List<NetworkInterfaces.Info> ordered) {
        if (argument.isEmpty() || argument.length() > 9 || !argument.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return argument;
        }
        int n = Integer.parseInt(argument);
        return n >= 1 && n <= ordered.size() ? ordered.get(n - 1).name() : argument;
    }
}
