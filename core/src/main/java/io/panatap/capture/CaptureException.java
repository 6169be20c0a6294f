package io.panatap.capture;

import java.io.IOException;

/**
 * Opening or configuring a capture failed. The message names the system call and the error and says what
 * the process needs (a capability, an interface, memory); {@link #reason()} tells the kind of failure, so a
 * caller can react or add its own advice without parsing the message.
 */
public class CaptureException extends IOException {
    /** Why the capture failed, so callers can react without parsing the message. */
    public enum Reason {
        /** The interface does not exist (or went away during the capture). */
        NO_SUCH_INTERFACE,
        /**
         * The interface exists but is not up ({@code IFF_UP} clear) when the capture opens, as libpcap's
         * {@code PCAP_ERROR_IFACE_NOT_UP}. An interface that goes down during a capture is not an error:
         * see {@link PacketCapture.LinkListener}.
         */
        INTERFACE_DOWN,
        /** The process lacks a privilege: {@code CAP_NET_RAW} for a packet socket. */
        PERMISSION_DENIED,
        /** Not enough memory, mostly for the ring: a smaller {@link PacketCapture.Builder#ringSize} helps. */
        OUT_OF_MEMORY,
        /** A setting the kernel or the filter compiler rejected (the cause says which, if any). */
        INVALID_ARGUMENT,
        /** The JVM does not allow native calls; the message names the {@code --enable-native-access} flag. */
        NATIVE_ACCESS_DENIED,
        /** Any other system call failure. */
        SYSTEM_ERROR
    }

    private final Reason reason;

    /**
     * @param reason  the kind of failure
     * @param message one line: what failed and why
     */
    public CaptureException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /**
     * @param reason  the kind of failure
     * @param message one line: what failed and why
     * @param cause   the exception behind it (a {@code FilterException}, a JVM refusal of native access)
     */
    public CaptureException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** @return the kind of failure */
    public Reason reason() {
        return reason;
    }
}
