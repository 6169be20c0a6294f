package io.panatap.parse;

/** Outcome of parsing one frame. Parsing never throws; every input ends in one of these. */
public enum ParseStatus {
    /** A TCP header was found (possibly cut after the ports: see {@link PacketHeaders#hasFlags()}). */
    OK,
    /** Well-formed as far as read, but not TCP directly over the first IP header (UDP, ARP, tunnel...). */
    NOT_TCP,
    /** The capture ends inside a header before the TCP ports; {@link PacketHeaders#problemLayer()} says where. */
    TRUNCATED,
    /** A header field is impossible (IHL &lt; 5, TCP data offset &lt; 5, wrong IP version...). */
    MALFORMED
}
