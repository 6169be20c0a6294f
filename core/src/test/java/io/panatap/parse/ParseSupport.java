package io.panatap.parse;

import io.panatap.testing.Frames;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Wraps test bytes the way the parser sees real frames: in native memory sized exactly to the frame. */
final class ParseSupport {
    private ParseSupport() {
    }

    /** Parses {@code frame} from a native segment of exactly its size, so any read outside it throws. */
    static PacketHeaders parse(byte[] frame, int linkType) {
        PacketHeaders headers = new PacketHeaders();
        try (Arena arena = Arena.ofConfined()) {
            headers.wrap(Frames.nativeCopy(arena, frame), 0, frame.length, linkType);
        }
        return headers;
    }

    /** Parses {@code frame} placed at {@code offset} inside a larger heap segment full of 0xFF. */
    static PacketHeaders parseAt(byte[] frame, int offset, int linkType) {
        byte[] bigger = new byte[offset + frame.length + 64];
        java.util.Arrays.fill(bigger, (byte) 0xFF);
        System.arraycopy(frame, 0, bigger, offset, frame.length);
        PacketHeaders headers = new PacketHeaders();
        headers.wrap(MemorySegment.ofArray(bigger), offset, frame.length, linkType);
        return headers;
    }

    static String source(PacketHeaders headers) {
        return headers.appendSource(new StringBuilder()).toString();
    }

    static String destination(PacketHeaders headers) {
        return headers.appendDestination(new StringBuilder()).toString();
    }
}
