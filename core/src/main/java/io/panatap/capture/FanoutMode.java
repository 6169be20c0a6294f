package io.panatap.capture;

import static io.panatap.internal.linux.PacketAbi.PACKET_FANOUT_CPU;
import static io.panatap.internal.linux.PacketAbi.PACKET_FANOUT_HASH;
import static io.panatap.internal.linux.PacketAbi.PACKET_FANOUT_LB;
import static io.panatap.internal.linux.PacketAbi.PACKET_FANOUT_ROLLOVER;

/**
 * {@code PACKET_FANOUT} modes: how the kernel spreads packets over the sockets of one fanout group
 * ({@link PacketCapture.Builder#fanout}, {@link CaptureGroup}).
 */
public enum FanoutMode {
    /** By flow hash: both directions of a connection go to the same socket. */
    HASH(PACKET_FANOUT_HASH),
    /** Round robin. */
    LB(PACKET_FANOUT_LB),
    /** By the CPU that received the packet. */
    CPU(PACKET_FANOUT_CPU),
    /** Fill one socket, move to the next when its ring is full. */
    ROLLOVER(PACKET_FANOUT_ROLLOVER);

    final int kernelValue;

    FanoutMode(int kernelValue) {
        this.kernelValue = kernelValue;
    }
}
