/**
 * TCP connections from packets: a bounded flow table with connection events ({@link io.panatap.flow.FlowTable},
 * {@link io.panatap.flow.FlowListener}) and per-direction stream reassembly
 * ({@link io.panatap.flow.StreamListener}).
 *
 * <pre>{@code
 * try (FlowTable flows = FlowTable.builder().maxFlows(100_000).listener(events).streams(streams).build();
 *      CaptureFileReader reader = CaptureFileReader.open(path)) {
 *     reader.run(flows);     // a FlowTable is a PacketListener
 * }                          // close() ends the flows still open (OPEN_AT_END)
 * }</pre>
 *
 * <h2>Definitions</h2>
 * <ul>
 *   <li><b>Flow key</b>: IP version, both addresses and ports, and the outer VLAN id (the tag the kernel
 *       stripped, else the first tag in the frame, else none); both directions are one flow.</li>
 *   <li><b>Client</b>: the sender of the SYN; the receiver of a SYN/ACK seen first; else the sender of the
 *       first packet seen (then the flow is {@linkplain io.panatap.flow.Flow#midStream() mid-stream}).</li>
 *   <li><b>Opened</b>: the client's ACK after the server's SYN/ACK (handshake round-trip time = capture time
 *       from the first SYN to it), the first non-SYN ACK when the SYN/ACK was not captured, or the first packet
 *       of a mid-stream flow.</li>
 *   <li><b>Ended</b>: FIN from both sides (CLOSED) or a RST (RESET, with the side), reported after the flow
 *       lingered one second of capture time; idle for the idle timeout (TIMED_OUT); pushed out of a full
 *       table, least recently active first (EVICTED); still open at {@link io.panatap.flow.FlowTable#close()}
 *       (OPEN_AT_END).</li>
 *   <li><b>Counters</b> per direction: packets, wire bytes (original frame lengths), payload bytes,
 *       retransmissions, out-of-order segments and zero-window announcements, as defined at
 *       {@link io.panatap.flow.Flow}.</li>
 *   <li><b>Streams</b>: in sequence order, each byte once, first copy wins; holes given up after the gap
 *       timeout or when a buffer limit binds are reported as gaps (see {@link io.panatap.flow.StreamListener}
 *       and {@link io.panatap.flow.FlowTable.Builder}).</li>
 * </ul>
 */
package io.panatap.flow;
