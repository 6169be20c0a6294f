package io.panatap.capture;

import java.io.IOException;

/**
 * Opening or configuring a capture failed. The message names the system call and the error and says what
 * to do about it.
 */
public class CaptureException extends IOException {
    /** Why the capture failed, so callers can react without parsing the message. */
    public enum Reason { NO_SUCH_INTERFACE, PERMISSION_DENIED, OUT_OF_MEMORY, INVALID_ARGUMENT, SYSTEM_ERROR }

    private final Reason reason;

    public CaptureException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
