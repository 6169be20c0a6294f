package io.panatap.capture.nativeaccess;

import io.panatap.capture.CaptureException;
import io.panatap.capture.PacketCapture;

/**
 * Warms up (plain and with a listener), links the native calls, then opens a capture on the interface named by the
 * argument twice, printing how each attempt went: run as a child JVM with or without native access. In its own
 * package so that it also runs from the class path while {@code io.panatap.core} is on the module path (a package
 * belongs to one module only).
 */
public final class NativeAccessMain {
    private NativeAccessMain() {
    }

    public static void main(String[] args) {
        PacketCapture.warmUp();
        PacketCapture.warmUp(packet -> { }); // with native access it also waits in poll(2)
        System.out.println("WARMED UP");
        PacketCapture.linkNativeCalls(); // quiet without native access: open() says why
        System.out.println("LINKED");
        for (int attempt = 0; attempt < 2; attempt++) {
            try (PacketCapture capture = PacketCapture.builder().interfaceName(args[0]).open()) {
                System.out.println("OPENED " + capture.interfaceName());
            } catch (CaptureException e) {
                System.out.println(e.getClass().getName() + " " + e.reason() + ": " + e.getMessage());
            } catch (Throwable e) {
                System.out.println(e.getClass().getName() + ": " + e.getMessage());
            }
        }
    }
}
