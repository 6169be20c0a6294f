package io.panatap.bench.live;

import io.panatap.capture.PacketCapture;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * What {@code PacketCapture.open()} costs an embedding application: the first open in a JVM (which links the
 * C library calls) and each one after it, wall time and the calling thread's CPU time, with the capture
 * closed again each time. Nothing warms up first; this is what an application that just opens a capture pays.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.panatap.bench.live.OpenCost [OPENS] [IFACE]
 * </pre>
 * Needs root (CAP_NET_RAW). Defaults: 20 opens of {@code lo}.
 */
public final class OpenCost {
    private OpenCost() {
    }

    public static void main(String[] args) throws Exception {
        int opens = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        String iface = args.length > 1 ? args[1] : "lo";
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] wall = new double[opens];
        double[] cpu = new double[opens];
        for (int i = 0; i < opens; i++) {
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            PacketCapture capture = PacketCapture.builder().interfaceName(iface).open();
            wall[i] = (System.nanoTime() - start) / 1e6;
            cpu[i] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6;
            capture.close();
        }
        double[] laterWall = Arrays.copyOfRange(wall, 1, opens);
        double[] laterCpu = Arrays.copyOfRange(cpu, 1, opens);
        Arrays.sort(laterWall);
        Arrays.sort(laterCpu);
        System.out.printf("first open: %.1f ms wall, %.1f ms CPU%n", wall[0], cpu[0]);
        if (opens > 1) {
            System.out.printf("opens 2..%d: median %.1f ms wall (max %.1f), median %.1f ms CPU (max %.1f)%n", opens,
                    laterWall[laterWall.length / 2], laterWall[laterWall.length - 1],
                    laterCpu[laterCpu.length / 2], laterCpu[laterCpu.length - 1]);
        }
    }
}
