package io.panatap.capture;

/** Opens a capture on the interface named by the argument and prints how it went; run as a child process. */
public final class OpenCaptureMain {
    private OpenCaptureMain() {
    }

    public static void main(String[] args) {
        try (PacketCapture capture = PacketCapture.builder().interfaceName(args[0]).open()) {
            System.out.println("OPENED " + capture.interfaceName());
        } catch (CaptureException e) {
            System.out.println(e.reason() + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
