package io.panatap.bench.live;

import io.panatap.capture.PacketCapture;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * How soon a JVM can have a packet socket at all, for the start-up floor in bench/RESULTS.md ("Start-up"):
 * each mode stops at one step of the way to "capture ready" and prints {@code ready after N ms} (from the
 * process's start, as {@code panatap -v} does), then waits for SIGINT. {@code bench/startup-ready.py} runs it
 * like the command (the arguments it appends are ignored).
 * <ul>
 *   <li>{@code main}: the JVM has reached {@code main};
 *   <li>{@code socket}: one FFM downcall handle, {@code socket(2)} with {@code errno} captured, is linked and
 *       has opened an {@code AF_PACKET} socket (open until the process ends): the least a capture through
 *       FFM needs;
 *   <li>{@code capture}: panatap's {@code PacketCapture} is open on {@code lo} (socket, filter, ring), with
 *       no JIT warm-up.
 * </ul>
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.panatap.bench.live.StartFloor MODE
 * </pre>
 */
public final class StartFloor {
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int ETH_P_ALL_NETWORK_ORDER = 0x0300;
    /** Clock ticks per second of /proc/self/stat's start time: 100 on Linux. */
    private static final long USER_HZ = 100;

    private StartFloor() {
    }

    public static void main(String[] args) throws Throwable {
        String mode = args.length > 0 ? args[0] : "main";
        switch (mode) {
            case "main" -> ready();
            case "socket" -> {
                Linker linker = Linker.nativeLinker();
                MethodHandle socket = linker.downcallHandle(linker.defaultLookup().find("socket").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                        Linker.Option.captureCallState("errno"));
                MemorySegment state = Arena.global().allocate(Linker.Option.captureStateLayout());
                int fd = (int) socket.invokeExact(state, AF_PACKET, SOCK_RAW, ETH_P_ALL_NETWORK_ORDER);
                if (fd < 0) {
                    System.err.println("StartFloor: socket(AF_PACKET) failed: run as root");
                    System.exit(1);
                }
                ready();
            }
            case "capture" -> {
                try (PacketCapture capture = PacketCapture.builder().interfaceName("lo").open()) {
                    ready();
                    waitForSignal();
                }
                return;
            }
            default -> {
                System.err.println("usage: StartFloor main|socket|capture");
                System.exit(2);
            }
        }
        waitForSignal();
    }

    private static void ready() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String uptime = Files.readString(Path.of("/proc/uptime"));
        long startTicks = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
        long upMillis = Math.round(Double.parseDouble(uptime.substring(0, uptime.indexOf(' '))) * 1000);
        System.err.println("ready after " + (upMillis - startTicks * 1000 / USER_HZ) + " ms");
    }

    private static void waitForSignal() throws InterruptedException {
        Thread.sleep(60_000); // startup-ready.py stops it with SIGINT
    }
}
