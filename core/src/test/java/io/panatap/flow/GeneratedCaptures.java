package io.panatap.flow;

import io.panatap.testing.TcpScript;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The captures the flow ground-truth tests write (with {@link TcpScript}): connections whose segments are
 * reordered, duplicated, overlapped, dropped or whose sequence numbers wrap, over IPv4, IPv6 and a VLAN.
 * {@link #clean()} are those whose every byte was captured at least once with the same content in every copy:
 * a correct reassembly gives exactly what each side sent, and tshark agrees. {@link #all()} adds those where
 * the reassembly policy matters (holes, copies that differ), which {@link StreamGroundTruthTest} checks one by
 * one.
 */
final class GeneratedCaptures {
    private GeneratedCaptures() {
    }

    /** Pseudo-random bytes, the same for the same seed. */
    static byte[] bytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A request/response exchange of {@code up} and {@code down} bytes in segments of {@code mss}. */
    static TcpScript exchange(String client, int clientPort, String server, int serverPort, long clientIsn,
                              long serverIsn, int up, int down, int mss, int vlan) {
        return new TcpScript(client, clientPort, server, serverPort, clientIsn, serverIsn, vlan).handshake()
                .send(true, bytes(clientPort, up), mss)
                .send(false, bytes(serverPort * 31L + clientPort, down), mss)
                .send(true, bytes(clientPort + 7, up / 3 + 1), mss);
    }

    static Map<String, Supplier<List<TcpScript>>> clean() {
        Map<String, Supplier<List<TcpScript>>> m = new LinkedHashMap<>();
        m.put("in-order", () -> List.of(exchange("10.0.0.1", 40001, "10.0.0.2", 80, 1000, 5000, 3000, 20000, 1460, -1)
                .close()));
        m.put("in-order-ipv6", () -> List.of(exchange("fd00::1", 40002, "fd00::2", 443, 77, 99, 5000, 9000, 1400, -1)
                .close()));
        m.put("reordered", () -> List.of(exchange("10.0.0.1", 40003, "10.0.0.2", 80, 1000, 5000, 8000, 30000, 1000, -1)
                .reorder(new Random(3), 0.3).close()));
        m.put("delayed-far", () -> List.of(exchange("10.0.0.1", 40004, "10.0.0.2", 80, 1000, 5000, 1000, 20000, 500, -1)
                .delay(3, 12).delay(20, 5).close()));
        m.put("duplicated", () -> List.of(exchange("10.0.0.1", 40005, "10.0.0.2", 80, 1000, 5000, 6000, 12000, 1000, -1)
                .duplicate(new Random(5), 0.3).close()));
        m.put("overlapping-same-bytes", () -> List.of(exchange("10.0.0.1", 40006, "10.0.0.2", 80, 1000, 5000, 6000,
                12000, 1000, -1).overlap(new Random(6), 0.4).close()));
        m.put("sequence-wrap", () -> List.of(exchange("10.0.0.1", 40007, "10.0.0.2", 80, 0xFFFF_FF00L, 0xFFFF_E000L,
                4000, 30000, 1000, -1).reorder(new Random(7), 0.3).close()));
        m.put("all-damage-wrap-vlan-ipv6", () -> List.of(exchange("fd00::a", 40008, "fd00::b", 8080, 0xFFFF_FFF0L,
                0xFFFF_F000L, 9000, 40000, 1200, 42).reorder(new Random(8), 0.2).duplicate(new Random(9), 0.2)
                .overlap(new Random(10), 0.2).close()));
        m.put("interleaved-connections", () -> {
            List<TcpScript> scripts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                scripts.add(exchange("10.0.1." + (i + 1), 41000 + i, "10.0.2.1", 80, i * 0x1000_0000L, ~i, 300 + i * 50,
                        2000 + i * 100, 536, -1).reorder(new Random(i), 0.2).close());
            }
            return scripts;
        });
        return m;
    }

    static Map<String, Supplier<List<TcpScript>>> all() {
        Map<String, Supplier<List<TcpScript>>> m = new LinkedHashMap<>(clean());
        m.put("hole", () -> List.of(hole()));
        m.put("unacknowledged-hole", () -> List.of(unacknowledgedHole()));
        m.put("differing-overlaps", () -> List.of(differingOverlaps()));
        m.put("reset", () -> List.of(exchange("10.0.0.1", 40010, "10.0.0.2", 80, 1, 2, 100, 200, 100, -1).reset(false)));
        m.put("mid-stream", () -> {
            TcpScript s = exchange("10.0.0.1", 40011, "10.0.0.2", 80, 1, 2, 3000, 3000, 1000, -1).close();
            s.segments().subList(0, 3).clear(); // the handshake was not captured
            return List.of(s);
        });
        return m;
    }

    /**
     * In-order data from the client with data segment 4 (bytes 3000..3999 of the client's stream) lost; the
     * server's later segments acknowledge past the hole.
     */
    static TcpScript hole() {
        TcpScript s = exchange("10.0.0.1", 40009, "10.0.0.2", 80, 1000, 5000, 8000, 2000, 1000, -1);
        s.drop(3);
        return s.close();
    }

    /**
     * The client sends 5000 bytes after the exchange, of which bytes 1000..1999 are lost, then resets the
     * connection: nothing acknowledges past the hole.
     */
    static TcpScript unacknowledgedHole() {
        TcpScript s = exchange("10.0.0.1", 40013, "10.0.0.2", 80, 1000, 5000, 3000, 2000, 1000, -1);
        int before = s.dataIndices(true).size() + s.dataIndices(false).size();
        s.send(true, bytes(40013 * 3L, 5000), 1000);
        s.drop(before + 1);
        return s.reset(true);
    }

    /**
     * Client data where copies differ, in the three shapes of overlap (server side sends one segment):
     * <ol>
     *   <li>a retransmission all inside delivered data ("xxxxxx" over "AABBBB", bytes 2..7);</li>
     *   <li>a segment starting inside delivered data and going on ("yyyyyy": 2 old bytes, 4 new);</li>
     *   <li>an in-order segment ("zzzzzzzzzz", bytes 12..21) covering the start of out-of-order data held
     *       back ("QQQQ", bytes 19..22) that came first.</li>
     * </ol>
     * Client stream by first copy: {@code AAAABBBByyyyzzzzzzzQQQQE}; by tshark's policy (the in-order segment
     * wins over data held back): {@code AAAABBBByyyyzzzzzzzzzzQE}.
     */
    static TcpScript differingOverlaps() {
        int pa = TcpScript.PSH | TcpScript.ACK;
        TcpScript s = new TcpScript("10.0.0.1", 40012, "10.0.0.2", 80, 100, 500).handshake();
        s.raw(true, 101, 501, pa, "AAAA".getBytes());
        s.raw(true, 105, 501, pa, "BBBB".getBytes());
        s.raw(true, 103, 501, pa, "xxxxxx".getBytes());
        s.raw(true, 107, 501, pa, "yyyyyy".getBytes());
        s.raw(true, 120, 501, pa, "QQQQ".getBytes());
        s.raw(true, 113, 501, pa, "zzzzzzzzzz".getBytes());
        s.raw(true, 124, 501, pa, "E".getBytes());
        s.raw(false, 501, 125, pa, "ok".getBytes());
        return s;
    }

    static final String FIRST_COPY = "AAAABBBByyyyzzzzzzzQQQQE";
    static final String TSHARK_POLICY = "AAAABBBByyyyzzzzzzzzzzQE";
}
