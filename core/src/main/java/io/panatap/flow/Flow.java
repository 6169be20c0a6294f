package io.panatap.flow;

/**
 * One TCP connection tracked by a {@link FlowTable}: its endpoints, its state and its counters per
 * direction.
 *
 * <p>Instances passed to a {@link FlowListener} or {@link StreamListener} are views over the table's
 * storage, reused for every event and valid only during the call. Reading them allocates nothing (except
 * the text appended by {@link #appendClient} and {@link #appendServer}).
 *
 * <p>Counter definitions (per direction, the direction being the side that sent the segment):
 * <ul>
 *   <li>{@link #packets}: TCP segments seen.</li>
 *   <li>{@link #wireBytes}: the frames' original lengths on the wire (link header included), as the bytes
 *       of {@code tshark -z conv,tcp}.</li>
 *   <li>{@link #payloadBytes}: TCP payload length of every segment as the IP header states it,
 *       retransmissions included.</li>
 *   <li>{@link #retransmissions}: segments occupying sequence space (payload, SYN or FIN) whose whole
 *       sequence range lies before the next expected sequence number of that direction.</li>
 *   <li>{@link #outOfOrder}: segments whose sequence number lies beyond the next expected one (data
 *       arrived before the bytes ahead of it).</li>
 *   <li>{@link #zeroWindows}: non-RST segments announcing a window of 0.</li>
 * </ul>
 */
public interface Flow {

    /** 4 or 6. */
    int ipVersion();

    /** Client IPv4 address as a big-endian int; 0 for IPv6. */
    int clientIpv4();

    /** Server IPv4 address as a big-endian int; 0 for IPv6. */
    int serverIpv4();

    /** High 64 bits of the client IPv6 address (network order); 0 for IPv4. */
    long clientIpv6High();

    /** Low 64 bits of the client IPv6 address; 0 for IPv4. */
    long clientIpv6Low();

    /** High 64 bits of the server IPv6 address (network order); 0 for IPv4. */
    long serverIpv6High();

    /** Low 64 bits of the server IPv6 address; 0 for IPv4. */
    long serverIpv6Low();

    /**
     * Appends the client address as text (dotted quad or RFC 5952), as
     * {@link io.panatap.parse.PacketHeaders#appendSource} does.
     *
     * @param out where to append
     * @return {@code out}
     */
    StringBuilder appendClient(StringBuilder out);

    /**
     * Appends the server address as text, as {@link #appendClient}.
     *
     * @param out where to append
     * @return {@code out}
     */
    StringBuilder appendServer(StringBuilder out);

    /** Client TCP port. */
    int clientPort();

    /** Server TCP port. */
    int serverPort();

    /** VLAN id of the outer VLAN tag (stripped by the kernel or in the frame), or -1 for untagged frames. */
    int vlanId();

    /** True when the flow's start (its SYN) was not seen: the capture began mid-connection. */
    boolean midStream();

    /** Capture time of the first packet, in nanoseconds since the Unix epoch. */
    long firstNanos();

    /** Capture time of the last packet, in nanoseconds since the Unix epoch. */
    long lastNanos();

    /** Capture time from the SYN to the ACK that completed the handshake, in nanoseconds; -1 when not seen. */
    long handshakeRttNanos();

    /** How the flow ended; {@code null} while it is open. */
    EndReason endReason();

    /** The side that sent the RST when {@link #endReason()} is {@link EndReason#RESET}, else {@code null}. */
    Side resetBy();

    /**
     * TCP segments sent by {@code side}.
     *
     * @param side the sender
     * @return the count
     */
    long packets(Side side);

    /**
     * Original frame lengths on the wire of the segments sent by {@code side}.
     *
     * @param side the sender
     * @return the sum in bytes
     */
    long wireBytes(Side side);

    /**
     * TCP payload bytes sent by {@code side}, retransmissions included.
     *
     * @param side the sender
     * @return the sum in bytes
     */
    long payloadBytes(Side side);

    /**
     * Retransmitted segments sent by {@code side} (see the class comment).
     *
     * @param side the sender
     * @return the count
     */
    long retransmissions(Side side);

    /**
     * Out-of-order segments sent by {@code side} (see the class comment).
     *
     * @param side the sender
     * @return the count
     */
    long outOfOrder(Side side);

    /**
     * Zero-window announcements sent by {@code side} (see the class comment).
     *
     * @param side the sender
     * @return the count
     */
    long zeroWindows(Side side);
}
