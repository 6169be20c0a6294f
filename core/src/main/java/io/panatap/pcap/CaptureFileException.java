package io.panatap.pcap;

import java.io.IOException;

/** A capture file is not a capture, or is damaged at {@link #offset()}. */
public class CaptureFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    public CaptureFileException(String message, long offset) {
        super(message);
        this.offset = offset;
    }

    /** Byte offset in the file where the problem was found, or -1 if it applies to the whole file. */
    public long offset() {
        return offset;
    }
}
