package io.panatap;

/**
 * Which way a packet went relative to the capturing host: the vocabulary of tcpdump's {@code -Q in|out}
 * and of pcapng's inbound/outbound {@code epb_flags}. A live capture selects by it
 * ({@code PacketCapture.Builder.directions}); every packet reports it ({@link Packet#direction()}), derived
 * from its {@link PacketType}.
 */
public enum Direction {
    /** Received by this host (unicast to it, broadcast, multicast, or seen in promiscuous mode). */
    IN,
    /** Sent by this host. */
    OUT,
    /** Not recorded by the source (most capture files). */
    UNKNOWN
}
