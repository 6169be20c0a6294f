package io.panatap.filter;

import io.panatap.filter.FilterExpr.And;
import io.panatap.filter.FilterExpr.Arith;
import io.panatap.filter.FilterExpr.ArithOp;
import io.panatap.filter.FilterExpr.Binary;
import io.panatap.filter.FilterExpr.Const;
import io.panatap.filter.FilterExpr.Dir;
import io.panatap.filter.FilterExpr.Host;
import io.panatap.filter.FilterExpr.Len;
import io.panatap.filter.FilterExpr.Length;
import io.panatap.filter.FilterExpr.Load;
import io.panatap.filter.FilterExpr.Negate;
import io.panatap.filter.FilterExpr.Not;
import io.panatap.filter.FilterExpr.Or;
import io.panatap.filter.FilterExpr.Port;
import io.panatap.filter.FilterExpr.Proto;
import io.panatap.filter.FilterExpr.Protocol;
import io.panatap.filter.FilterExpr.RelOp;
import io.panatap.filter.FilterExpr.Relation;
import io.panatap.filter.FilterExpr.Vlan;
import io.panatap.parse.LinkType;

import java.util.SplittableRandom;

/**
 * Seeded generators of filter expressions (as a tree and the text that should parse to it) and of packets
 * whose fields come from the same small pools, so that filters match a fair share of them.
 */
final class RandomFilters {
    record Generated(FilterExpr tree, String text) {
    }

    record Packet(byte[] bytes, int captured, int wireLength) {
    }

    static final String[] V4_POOL = {"10.0.0.1", "10.0.0.2", "192.168.1.7", "10.1.2.3"};
    static final String[] V6_POOL = {"fd00::1", "fd00::2", "fe80::1", "fd00:1::5"};
    static final int[] PORT_POOL = {80, 443, 22, 53, 1005};
    static final int[] PROTOCOLS = {6, 17, 132, 1, 47};

    private final SplittableRandom rnd;
    private final boolean vlans;
    private final boolean tcpdumpSafe;
    private int vlanCount;

    /**
     * @param vlans       whether {@code vlan} may appear (Ethernet only)
     * @param tcpdumpSafe avoid constructs whose tcpdump behaviour differs for reasons outside the language
     *                    (libpcap 1.10 folds unary minus wrongly, rejects shifts by some loads, and
     *                    drops the protocol checks of loads right of an arithmetic operator)
     */
    RandomFilters(long seed, boolean vlans, boolean tcpdumpSafe) {
        this.rnd = new SplittableRandom(seed);
        this.vlans = vlans;
        this.tcpdumpSafe = tcpdumpSafe;
    }

    Generated expression(int depth) {
        vlanCount = 0;
        return expr(depth);
    }

    private Generated expr(int depth) {
        if (depth == 0 || rnd.nextInt(10) < 3) {
            return primitive();
        }
        switch (rnd.nextInt(5)) {
            case 0, 1 -> {
                Generated a = expr(depth - 1);
                Generated b = expr(depth - 1);
                return new Generated(new And(a.tree, b.tree), "(" + a.text + ") and (" + b.text + ")");
            }
            case 2, 3 -> {
                Generated a = expr(depth - 1);
                Generated b = expr(depth - 1);
                return new Generated(new Or(a.tree, b.tree), "(" + a.text + ") or (" + b.text + ")");
            }
            default -> {
                Generated a = expr(depth - 1);
                return new Generated(new Not(a.tree), "not (" + a.text + ")");
            }
        }
    }

    private Generated primitive() {
        int kind = rnd.nextInt(vlans ? 9 : 8);
        switch (kind) {
            case 0 -> {
                Proto p = Proto.values()[rnd.nextInt(Proto.values().length)];
                return new Generated(new Protocol(p, vlanCount), p.keyword());
            }
            case 1, 2 -> {
                return host();
            }
            case 3, 4 -> {
                return port();
            }
            case 5 -> {
                boolean less = rnd.nextBoolean();
                int n = new int[] {60, 80, 100, 200}[rnd.nextInt(4)];
                return new Generated(new Length(less, n), (less ? "less " : "greater ") + n);
            }
            case 6, 7 -> {
                return relation();
            }
            default -> {
                int id = rnd.nextBoolean() ? -1 : new int[] {100, 200}[rnd.nextInt(2)];
                return new Generated(new Vlan(id, vlanCount++), id < 0 ? "vlan" : "vlan " + id);
            }
        }
    }

    private Dir dir(StringBuilder text) {
        Dir d = Dir.values()[rnd.nextInt(Dir.values().length)];
        switch (d) {
            case SRC -> text.append("src ");
            case DST -> text.append("dst ");
            case BOTH -> text.append("src and dst ");
            case EITHER -> text.append(rnd.nextBoolean() ? "" : "src or dst ");
        }
        return d;
    }

    private Generated host() {
        boolean v6 = rnd.nextBoolean();
        StringBuilder text = new StringBuilder();
        Proto proto = null;
        if (rnd.nextBoolean()) {
            proto = v6 ? Proto.IP6 : Proto.IP;
            text.append(proto.keyword()).append(' ');
        }
        Dir d = dir(text);
        boolean net = rnd.nextBoolean();
        int bits;
        int[] address;
        if (v6) {
            bits = net ? new int[] {8, 16, 64, 128}[rnd.nextInt(4)] : 128;
            address = TestFrames.ipv6(V6_POOL[rnd.nextInt(V6_POOL.length)]);
        } else {
            bits = net ? new int[] {8, 16, 24, 32}[rnd.nextInt(4)] : 32;
            address = new int[] {TestFrames.ipv4(V4_POOL[rnd.nextInt(V4_POOL.length)])};
        }
        int[] mask = new int[address.length];
        for (int w = 0; w < address.length; w++) {
            int b = Math.max(0, Math.min(32, bits - 32 * w));
            mask[w] = b == 0 ? 0 : -1 << (32 - b);
            address[w] &= mask[w];
        }
        text.append(net ? "net " : "host ").append(v6 ? v6Text(address) : v4Text(address[0]));
        if (net) {
            text.append('/').append(bits);
        }
        return new Generated(new Host(proto, d, address, mask, vlanCount), text.toString());
    }

    private Generated port() {
        StringBuilder text = new StringBuilder();
        Proto proto = switch (rnd.nextInt(4)) {
            case 0 -> Proto.TCP;
            case 1 -> Proto.UDP;
            case 2 -> Proto.SCTP;
            default -> null;
        };
        if (proto != null) {
            text.append(proto.keyword()).append(' ');
        }
        Dir d = dir(text);
        if (rnd.nextInt(4) == 0) {
            text.append("portrange 1000-1010");
            return new Generated(new Port(proto, d, 1000, 1010, vlanCount), text.toString());
        }
        int port = PORT_POOL[rnd.nextInt(PORT_POOL.length)];
        text.append("port ").append(port);
        return new Generated(new Port(proto, d, port, port, vlanCount), text.toString());
    }

    private Generated relation() {
        Gen<Arith> left = arithTree(2);
        if (left.tree instanceof Const) {
            left = load(1);
        }
        Gen<Arith> right = rnd.nextInt(3) == 0 ? arithTree(1) : constant();
        RelOp op = RelOp.values()[rnd.nextInt(RelOp.values().length)];
        return new Generated(new Relation(op, left.tree, right.tree, vlanCount),
                left.text + " " + op.symbol + " " + right.text);
    }

    /** A generated piece of arithmetic and its text. */
    private record Gen<T>(T tree, String text) {
    }

    private Gen<Arith> arithTree(int depth) {
        int k = depth == 0 ? rnd.nextInt(3) : rnd.nextInt(6);
        switch (k) {
            case 0 -> {
                return constant();
            }
            case 1 -> {
                return load(depth);
            }
            case 2 -> {
                return rnd.nextBoolean() ? new Gen<>(new Len(), "len") : load(depth);
            }
            case 3 -> {
                if (tcpdumpSafe) {
                    return load(depth);
                }
                Gen<Arith> a = arithTree(depth - 1);
                return new Gen<>(new Negate(a.tree), "-(" + a.text + ")");
            }
            default -> {
                ArithOp op = ArithOp.values()[rnd.nextInt(ArithOp.values().length)];
                Gen<Arith> a = arithTree(depth - 1);
                Gen<Arith> b;
                if (op == ArithOp.LSH || op == ArithOp.RSH) {
                    int n = rnd.nextInt(9);
                    // libpcap 1.10 rejects a shift by a load whose offset exceeds 31 ("shift by more than
                    // 31 bits"), so runs compared with tcpdump shift by constants only.
                    b = !tcpdumpSafe && rnd.nextInt(4) == 0 ? load(0) : new Gen<>(new Const(n), Integer.toString(n));
                } else if (op == ArithOp.DIV) {
                    int n = 1 + rnd.nextInt(16);
                    b = !tcpdumpSafe && rnd.nextInt(3) == 0 ? load(0) : new Gen<>(new Const(n), Integer.toString(n));
                } else if (tcpdumpSafe) {
                    // libpcap 1.10 drops the protocol checks of loads on the right of an arithmetic
                    // operator (ip[0] + tcp[0] reads tcp[0] of UDP packets), so keep loads on the left there.
                    b = rnd.nextBoolean() ? new Gen<>(new Len(), "len") : constant();
                } else {
                    b = arithTree(depth - 1);
                }
                if (a.tree instanceof Const && b.tree instanceof Const) {
                    a = load(0); // the parser folds constant pairs; keep one side a load
                }
                return new Gen<>(new Binary(op, a.tree, b.tree), "(" + a.text + " " + op.symbol + " " + b.text + ")");
            }
        }
    }

    private Gen<Arith> constant() {
        int v = switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt(3);
            case 1 -> rnd.nextInt(256);
            case 2 -> new int[] {0x12, 0x2, 0x10, 0x45, 0x800, 80, 443, 0x1bb0000}[rnd.nextInt(8)];
            default -> rnd.nextInt(70000);
        };
        return new Gen<>(new Const(v), Integer.toString(v));
    }

    private Gen<Arith> load(int depth) {
        Proto p = new Proto[] {Proto.IP, Proto.IP, Proto.IP6, Proto.TCP, Proto.TCP, Proto.UDP}[rnd.nextInt(6)];
        int size = new int[] {1, 2, 4}[rnd.nextInt(3)];
        Gen<Arith> index;
        if (depth > 0 && rnd.nextInt(5) == 0) {
            Gen<Arith> inner = load(depth - 1);
            index = new Gen<>(new Binary(ArithOp.AND, inner.tree, new Const(0x3f)), "(" + inner.text + " & 63)");
        } else {
            int i = rnd.nextInt(p == Proto.IP6 ? 60 : 40);
            index = new Gen<>(new Const(i), Integer.toString(i));
        }
        return new Gen<>(new Load(p, index.tree, size), p.keyword() + "[" + index.text + ":" + size + "]");
    }

    // ---- packets ----

    Packet packet(int linkType) {
        boolean ppp = linkType == LinkType.PPP || linkType == LinkType.PPP_HDLC || linkType == LinkType.PPP_ETHER;
        boolean raw = linkType != LinkType.ETHERNET && linkType != LinkType.LINUX_SLL
                && linkType != LinkType.LINUX_SLL2 && !ppp;
        int kind = rnd.nextInt(raw ? 8 : 10);
        TestFrames network = new TestFrames();
        int etherType;
        if (kind < 5) {
            etherType = 0x0800;
            int protocol = PROTOCOLS[rnd.nextInt(PROTOCOLS.length)];
            int frag = switch (rnd.nextInt(8)) {
                case 0 -> 0x2000; // more fragments, offset 0: still a first fragment
                case 1 -> 0x0010 | (rnd.nextBoolean() ? 0x2000 : 0); // a later fragment
                case 2, 3 -> 0x4000;
                default -> 0;
            };
            network.ipv4(protocol, v4(), v4(), frag, rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : 0, 100);
            transport(network, protocol);
        } else if (kind < 8) {
            etherType = 0x86DD;
            int protocol = PROTOCOLS[rnd.nextInt(PROTOCOLS.length)];
            switch (rnd.nextInt(4)) {
                case 0 -> network.ipv6(44, v6(), v6(), 100).ipv6Extension(protocol, rnd.nextBoolean() ? 0 : 0x100);
                case 1 -> network.ipv6(0, v6(), v6(), 100).ipv6Extension(protocol, 0);
                case 2 -> network.ipv6(0, v6(), v6(), 100).ipv6Extension(44, 0).ipv6Extension(protocol, 0);
                default -> network.ipv6(protocol, v6(), v6(), 100);
            }
            transport(network, protocol);
        } else if (kind == 8) {
            etherType = rnd.nextBoolean() ? 0x0806 : 0x8035;
            network.arp(v4(), v4());
        } else {
            etherType = 0x88CC;
            network.payload(40);
        }
        byte[] l3 = network.build();
        if (raw && rnd.nextInt(20) == 0) {
            l3[0] = (byte) ((l3[0] & 0x0F) | 0x50); // neither version 4 nor 6
        }
        TestFrames frame = new TestFrames();
        if (linkType == LinkType.ETHERNET) {
            int tags = rnd.nextInt(10) < 7 ? 0 : 1 + rnd.nextInt(2);
            int[] tagFields = new int[2 * tags];
            for (int i = 0; i < tags; i++) {
                tagFields[2 * i] = new int[] {0x8100, 0x88A8, 0x9100}[rnd.nextInt(3)];
                tagFields[2 * i + 1] = (rnd.nextInt(8) << 13) | new int[] {100, 200, 300}[rnd.nextInt(3)];
            }
            frame.ethernet(etherType, tagFields);
        } else if (linkType == LinkType.LINUX_SLL) {
            frame.sll(etherType);
        } else if (linkType == LinkType.LINUX_SLL2) {
            frame.sll2(etherType);
        } else if (linkType == LinkType.NULL || linkType == LinkType.LOOP) {
            frame.bytes(loopbackHeader(etherType, linkType == LinkType.NULL));
        } else if (ppp) {
            frame.bytes(pppHeader(etherType, linkType));
        }
        byte[] bytes = frame.bytes(l3).build();
        int wire = bytes.length;
        int captured = wire;
        if (rnd.nextInt(4) == 0) {
            captured = rnd.nextInt(wire + 1);
        }
        if (rnd.nextInt(8) == 0) {
            wire += rnd.nextInt(200);
        }
        return new Packet(bytes, captured, wire);
    }

    /**
     * A BSD loopback header for IPv4 or IPv6: usually its family (2, or one of the BSD IPv6 values 24, 28,
     * 30) in the order libpcap's filters compare it (little-endian for NULL), sometimes Linux's AF_INET6
     * (10), an unknown family or the other byte order.
     */
    private byte[] loopbackHeader(int etherType, boolean littleEndian) {
        int family = switch (rnd.nextInt(8)) {
            case 0 -> 10;
            case 1 -> 7;
            default -> etherType == 0x0800 ? 2 : new int[] {24, 28, 30}[rnd.nextInt(3)];
        };
        boolean swap = rnd.nextInt(8) == 0;
        java.nio.ByteOrder order = littleEndian != swap ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN;
        return java.nio.ByteBuffer.allocate(4).order(order).putInt(family).array();
    }

    /**
     * A PPP header whose protocol says the network layer (0x0021, 0x0057, or the EtherType for ARP and others,
     * which libpcap compares there too), sometimes LCP: after 0xff 0x03 (usually missing now and then on PPP),
     * or a PPPoE header whose code is usually that of a session frame.
     */
    private byte[] pppHeader(int etherType, int linkType) {
        int protocol = switch (etherType) {
            case 0x0800 -> 0x0021;
            case 0x86DD -> 0x0057;
            default -> etherType;
        };
        if (rnd.nextInt(10) == 0) {
            protocol = 0xc021;
        }
        if (linkType == LinkType.PPP_ETHER) {
            int code = rnd.nextInt(6) == 0 ? 0x09 : 0x00;
            return new TestFrames().u8(0x11).u8(code).u16(0x1234).u16(100).u16(protocol).build();
        }
        if (linkType == LinkType.PPP && rnd.nextInt(5) == 0) {
            return new TestFrames().u16(protocol).build();
        }
        return new TestFrames().u8(0xff).u8(0x03).u16(protocol).build();
    }

    private void transport(TestFrames f, int protocol) {
        switch (protocol) {
            // A bare SYN now and then: uniform flags make it 1 in 256, too rare for "tcp[tcpflags] == tcp-syn".
            case 6 -> f.tcp(portNumber(), portNumber(), rnd.nextInt(16) == 0 ? 0x02 : rnd.nextInt(256), rnd.nextInt(3))
                    .payload(rnd.nextInt(30));
            case 17 -> f.udp(portNumber(), portNumber(), 20).payload(rnd.nextInt(30));
            case 132 -> f.u16(portNumber()).u16(portNumber()).u32(0x01020304).u32(0).payload(rnd.nextInt(20));
            default -> f.payload(8 + rnd.nextInt(30));
        }
    }

    private int portNumber() {
        return rnd.nextInt(6) == 0 ? 1000 + rnd.nextInt(15) : PORT_POOL[rnd.nextInt(PORT_POOL.length)];
    }

    private int v4() {
        return rnd.nextInt(10) == 0 ? rnd.nextInt() : TestFrames.ipv4(V4_POOL[rnd.nextInt(V4_POOL.length)]);
    }

    private int[] v6() {
        return TestFrames.ipv6(V6_POOL[rnd.nextInt(V6_POOL.length)]);
    }

    static String v4Text(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    static String v6Text(int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Integer.toHexString((w[i / 2] >>> (i % 2 == 0 ? 16 : 0)) & 0xFFFF));
        }
        return sb.toString();
    }
}
