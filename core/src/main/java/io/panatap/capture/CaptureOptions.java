package io.panatap.capture;

import io.panatap.filter.BpfProgram;

import java.time.Duration;

/**
 * The settings of one capture socket, fixed when {@link PacketCapture.Builder#open()} is called: what
 * {@link PacketSocket} and {@link RingReader} are built from, so neither depends on the (mutable) builder.
 *
 * @param interfaceName    the interface, or null for all interfaces
 * @param incoming         deliver packets this host received
 * @param outgoing         deliver packets this host sent
 * @param filter           a prebuilt socket filter, or null
 * @param filterExpression a filter expression to compile for the socket's link type, or null
 * @param fanoutGroup      the {@code PACKET_FANOUT} group id, or -1 for none
 * @param fanoutUniqueId   let the kernel choose a new group id ({@code PACKET_FANOUT_FLAG_UNIQUEID})
 * @param linkHeaders      on all interfaces: ask for each device's link-layer header ({@code SOCK_RAW})
 */
record CaptureOptions(String interfaceName, boolean incoming, boolean outgoing, int snapLength, long ringSize,
                      int blockSize, Duration blockTimeout, Duration pollTimeout, boolean promiscuous,
                      boolean tcpOnly, BpfProgram filter, String filterExpression, int fanoutGroup,
                      FanoutMode fanoutMode, boolean fanoutDefragment, boolean fanoutUniqueId,
                      boolean linkHeaders) {

    boolean allInterfaces() {
        return interfaceName == null;
    }
}
