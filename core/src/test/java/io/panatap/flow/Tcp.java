package io.panatap.flow;

import io.panatap.parse.TcpFlags;
import io.panatap.testing.Frames;

import java.nio.charset.StandardCharsets;

/**
 * Builds the frames of one TCP connection between a client and a server (IPv4 or IPv6, optionally in a
 * VLAN), with explicit sequence numbers and payload text.
 */
final class Tcp {
    static final int SYN = TcpFlags.SYN;
    static final int ACK = TcpFlags.ACK;
    static final int FIN = TcpFlags.FIN;
    static final int RST = TcpFlags.RST;
    static final int PSH = TcpFlags.PSH;

    final String client;
    final String server;
    final int clientPort;
    final int serverPort;
    private int vlan = -1;
    private int window = 65535;

    Tcp(String client, int clientPort, String server, int serverPort) {
        this.client = client;
        this.server = server;
        this.clientPort = clientPort;
        this.serverPort = serverPort;
    }

    static Tcp ipv4() {
        return new Tcp("10.0.0.1", 40000, "10.0.0.2", 80);
    }

    Tcp vlan(int id) {
        this.vlan = id;
        return this;
    }

    Tcp window(int window) {
        this.window = window;
        return this;
    }

    /** A frame from the client. */
    byte[] c(int flags, long seq, long ack, String payload) {
        return frame(client, clientPort, server, serverPort, flags, seq, ack, payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A frame from the server. */
    byte[] s(int flags, long seq, long ack, String payload) {
        return frame(server, serverPort, client, clientPort, flags, seq, ack, payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    byte[] c(int flags, long seq, long ack) {
        return c(flags, seq, ack, "");
    }

    byte[] s(int flags, long seq, long ack) {
        return s(flags, seq, ack, "");
    }

    private byte[] frame(String src, int sport, String dst, int dport, int flags, long seq, long ack, byte[] payload) {
        byte[] header = Frames.tcp(sport, dport, seq, ack, flags, window, new byte[0], 0);
        byte[] tcp = Frames.concat(header, payload);
        boolean v6 = src.contains(":");
        byte[] ip = v6 ? Frames.ipv6(src, dst, Frames.PROTOCOL_TCP, tcp) : Frames.ipv4(src, dst, Frames.PROTOCOL_TCP, tcp);
        byte[] frame = Frames.ethernet(v6 ? Frames.ETHER_TYPE_IPV6 : Frames.ETHER_TYPE_IPV4, ip);
        return vlan >= 0 ? Frames.vlan(frame, vlan) : frame;
    }
}
