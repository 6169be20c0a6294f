package io.panatap;

/**
 * Receives packets from a live capture or a capture file.
 *
 * <p>The {@link Packet} passed in is a reusable view over memory owned by the source (the kernel ring
 * or the mapped file). It is valid only for the duration of the call; use {@link Packet#copy()} to keep
 * a packet. A listener is called from one thread at a time.
 */
@FunctionalInterface
public interface PacketListener {
    void onPacket(Packet packet);
}
