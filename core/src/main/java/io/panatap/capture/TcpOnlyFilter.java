package io.panatap.capture;

import io.panatap.parse.EtherType;
import io.panatap.filter.BpfProgram;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel socket filters a capture attaches by default, so that only TCP over IPv4 or IPv6 reaches the
 * ring. Hand-written classic BPF with the semantics of tcpdump's {@code tcp or (vlan and tcp)}: IPv4
 * protocol 6, IPv6 next header 6, or an IPv6 fragment header whose next header is 6.
 *
 * <ul>
 *   <li>{@link #ethernet(int)} for {@code SOCK_RAW} on an Ethernet-like interface: the program sees the
 *       frame from the Ethernet header. The kernel has already removed the outer VLAN tag of received
 *       frames into {@code tp_vlan_tci} (so offset 12 holds the inner EtherType); tags still in the frame
 *       (transmitted frames without VLAN offload, inner tags of 802.1ad) are skipped, up to two.</li>
 *   <li>{@link #network(int)} for {@code SOCK_DGRAM} ("all interfaces", non-Ethernet interfaces): the
 *       program sees the packet from the IP header and takes the protocol from the socket buffer with the
 *       ancillary load {@code SKF_AD_PROTOCOL}.</li>
 * </ul>
 * An accepted packet is kept up to {@code snapLength} bytes (the filter's return value).
 */
public final class TcpOnlyFilter {
    private static final int LD_H_ABS = 0x28;
    private static final int LD_B_ABS = 0x30;
    private static final int JEQ_K = 0x15;
    private static final int RET_K = 0x06;
    /** SKF_AD_OFF + SKF_AD_PROTOCOL (linux/filter.h): skb->protocol, host order. */
    private static final int AD_PROTOCOL = -0x1000;

    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_FRAGMENT = 44;
    private static final int MAX_TAGS = 2;

    private TcpOnlyFilter() {
    }

    /** The filter for frames that start with an Ethernet header. */
    public static BpfProgram ethernet(int snapLength) {
        Asm a = new Asm();
        for (int tags = 0; tags <= MAX_TAGS; tags++) {
            int typeOffset = 12 + 4 * tags;
            a.label("eth" + tags);
            a.load(LD_H_ABS, typeOffset);
            a.jeq(EtherType.IPV4, "v4_" + tags, null);
            a.jeq(EtherType.IPV6, "v6_" + tags, null);
            if (tags < MAX_TAGS) {
                a.jeq(EtherType.VLAN_8021Q, "eth" + (tags + 1), null);
                a.jeq(EtherType.VLAN_8021AD, "eth" + (tags + 1), null);
                a.jeq(EtherType.VLAN_QINQ_9100, "eth" + (tags + 1), "drop"); // pre-standard QinQ, as libpcap accepts
            } else {
                a.jump("drop");
            }
        }
        for (int tags = 0; tags <= MAX_TAGS; tags++) {
            int ip = 14 + 4 * tags;
            a.label("v4_" + tags);
            ipv4(a, ip);
            a.label("v6_" + tags);
            ipv6(a, ip);
        }
        return a.finish(snapLength);
    }

    /** The filter for packets that start with the IP header ({@code SOCK_DGRAM}). */
    public static BpfProgram network(int snapLength) {
        Asm a = new Asm();
        a.load(LD_H_ABS, AD_PROTOCOL);
        a.jeq(EtherType.IPV4, "v4", null);
        a.jeq(EtherType.IPV6, "v6", "drop");
        a.label("v4");
        ipv4(a, 0);
        a.label("v6");
        ipv6(a, 0);
        return a.finish(snapLength);
    }

    private static void ipv4(Asm a, int ip) {
        a.load(LD_B_ABS, ip + 9);
        a.jeq(IPPROTO_TCP, "accept", "drop");
    }

    private static void ipv6(Asm a, int ip) {
        a.load(LD_B_ABS, ip + 6);
        a.jeq(IPPROTO_TCP, "accept", null);
        a.jeq(IPPROTO_FRAGMENT, null, "drop");
        a.load(LD_B_ABS, ip + 40);
        a.jeq(IPPROTO_TCP, "accept", "drop");
    }

    /** A tiny assembler: forward jumps to labels, resolved to cBPF's 8-bit relative offsets. */
    private static final class Asm {
        private final List<int[]> code = new ArrayList<>();
        private final List<String[]> targets = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();

        void label(String name) {
            labels.put(name, code.size());
        }

        void load(int op, int k) {
            add(op, k, null, null);
        }

        /** Jump to {@code ifEqual} / {@code otherwise}; null means the next instruction. */
        void jeq(int k, String ifEqual, String otherwise) {
            add(JEQ_K, k, ifEqual, otherwise);
        }

        void jump(String to) {
            add(JEQ_K, 0, to, to); // an unconditional jump that stays within cBPF's 8-bit jt/jf
        }

        private void add(int op, int k, String jt, String jf) {
            code.add(new int[]{op, 0, 0, k});
            targets.add(new String[]{jt, jf});
        }

        BpfProgram finish(int snapLength) {
            label("accept");
            add(RET_K, snapLength, null, null);
            label("drop");
            add(RET_K, 0, null, null);
            int[][] out = new int[code.size()][];
            for (int i = 0; i < code.size(); i++) {
                int[] insn = code.get(i).clone();
                String[] t = targets.get(i);
                insn[1] = offset(i, t[0]);
                insn[2] = offset(i, t[1]);
                out[i] = insn;
            }
            return BpfProgram.of(out);
        }

        private int offset(int from, String label) {
            if (label == null) {
                return 0;
            }
            Integer to = labels.get(label);
            if (to == null || to <= from || to - from - 1 > 255) {
                throw new IllegalStateException("bad jump to " + label);
            }
            return to - from - 1;
        }
    }
}
