package io.panatap.cli;

import io.panatap.parse.LinkType;
import io.panatap.testing.Frames;
import io.panatap.testing.Prerequisites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.panatap.testing.Frames.concat;
import static io.panatap.testing.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The line format on frames this test builds: every TCP option kind tcpdump names (SACK, MPTCP subtypes,
 * TCP Fast Open, unknown and malformed options), bad header lengths, IP length notes, IP options, VLAN tags,
 * Linux cooked v1 and v2, IPv6 extension headers, and every frame cut at every byte. Compared with the
 * installed tcpdump row by row (plain, {@code -v}, {@code -vv}, {@code -q}, {@code -v -K}); a few rows are
 * also checked as text, so that the test fails without tcpdump too.
 */
class TcpdumpLineFramesTest {
    private static final int ACK = 0x10;
    private static final int SYN = 0x02;
    private static final int PSH = 0x08;
    private static final int RST = 0x04;

    @TempDir
    Path dir;

    // ---- frames

    private static byte[] v4(int flags, byte[] options, int payload) {
        return Frames.ethernet(0x0800, Frames.ipv4("10.0.0.1", "10.0.0.2", 6,
                Frames.tcp(40000, 443, 1000, 2000, flags, 512, options, payload)));
    }

    private static byte[] v6(byte[] ipv6Payload, int nextHeader) {
        return Frames.ethernet(0x86DD, Frames.ipv6("fd00::1", "fd00::2", nextHeader, ipv6Payload));
    }

    private static byte[] tcp(int flags, byte[] options, int payload) {
        return Frames.tcp(40000, 443, 1000, 2000, flags, 512, options, payload);
    }

    /** Options of every kind tcpdump names, one frame each, and the malformed cases it reports. */
    static List<byte[]> optionFrames() {
        List<byte[]> frames = new ArrayList<>();
        String[] syn = {
            "0204 05b4 0402 080a 0001 e240 0000 0000 0103 0307", // mss, sackOK, TS, nop, wscale
            "1e0c 0101 0102 0304 0506 0708", // mptcp capable v1 with the sender's key
            "1e04 0000", // mptcp capable v0, no key
            "1e0c 1001 0000 0001 0000 0002", // mptcp join SYN
            "2202", // tfo cookie request
            "220a 0102 0304 0506 0708", // tfo cookie
            "2205 0102 03", // tfo invalid cookie length
            "fe04 f989", // exp-tfo cookie request
            "fe08 f989 0102 0304", // exp-tfo cookie
            "fe06 1234 0000", // exp with another magic
            "fe03 00", // exp too short: bad opt
            "1e14 0000 0000 0000 0000 0000 0000 0000 0000 0000", // capable with SYN and 20 bytes: bad opt
            "1e04 2000", // dss on a SYN: bad opt
        };
        for (String o : syn) {
            frames.add(v4(SYN, hex(o), 0));
        }
        String[] ack = {
            "0101 050a 0000 0064 0000 00c8", // nop nop sack 1
            "0101 0512 0000 0064 0000 00c8 0000 012c 0000 0190", // sack 2
            "0101 0507 0000 0000 0000", // invalid sack
            "0606 0000 0001 0706 0000 0002", // echo, echoreply
            "0b06 0000 0003 0c06 0000 0004 0d06 0000 0005", // cc, ccnew, ccecho ("")
            "1404 0102 1c04 0258 1c04 0259", // scps, uto (seconds), uto (minutes)
            "1d04 0102 1d08 0304 aabb ccdd 1d03 00", // tcp-ao, with mac, invalid
            "6304 abcd fd02", // unknown-99, unknown-253 without data
            "1e14 0000 0000 0000 0001 0000 0000 0000 0002", // mptcp capable on the third ACK
            "1e10 1101 0000 0000 0000 0001 0000 0002", // join with 16 bytes on an ACK: bad opt
            "1e18 1000 0102 0304 0506 0708 090a 0b0c 0d0e 0f10 1112 1314", // join ACK hmac
            "1e14 2005 0000 0001 0000 0002 0000 0003 000a 1234", // dss ack seq subseq len csum
            "1e1c 201f 0000 0000 0000 0001 0000 0000 0000 0002 0000 0003 000a 1234", // dss 64-bit, fin
            "1e08 2001 0000 0001", // dss ack only
            "1e07 2001 0000 00", // dss too short for its ack: bad opt
            "1e08 3101 0a00 0001", // add-addr v1-echo ipv4
            "1e0a 3001 0a00 0001 01bb", // add-addr with port
            "1e10 3001 0a00 0001 0000 0000 0000 0001", // add-addr with hmac
            "1e12 3001 0a00 0001 01bb 0000 0000 0000 0002", // add-addr port and hmac
            "1e14 3602 fd00 0000 0000 0000 0000 0000 0000 0001", // add-addr v0-ip6
            "1e16 3002 fd00 0000 0000 0000 0000 0000 0000 0001 01bb", // ipv6 with port
            "1e1c 3002 fd00 0000 0000 0000 0000 0000 0000 0001 0000 0000 0000 0003", // ipv6 hmac
            "1e1e 3002 fd00 0000 0000 0000 0000 0000 0000 0001 01bb 0000 0000 0000 0004", // port+hmac
            "1e0b 3001 0a00 0001 0000 00", // add-addr bad length
            "1e06 4001 0203", // rem-addr
            "1e03 50 1e04 5102", // prio, prio with id
            "1e0c 6000 0000 0000 0000 0007", // fail
            "1e0c 7000 0000 0000 0000 0008", // fast-close
            "1e04 9000", // unknown subtype
            "1e02", // mptcp of 2 bytes: bad opt
            "0203 05", // mss of 3 bytes: [len 3]
            "0403 00", // sackOK of 3 bytes
            "0201", // length 1: bad opt
            "0101 0208 05b4", // length beyond the header: bad opt
            "0000 0204 05b4", // eol, then bytes tcpdump does not read
            "080a 0000 0001", // TS cut by the header's end: bad opt
            "1312 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f", // md5
        };
        for (String o : ack) {
            frames.add(v4(ACK, hex(o), 0));
        }
        frames.add(v4(ACK | PSH, hex("1312 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f"), 10)); // md5 with data
        frames.add(v4(RST | ACK, new byte[0], 12));
        frames.add(v4(0x1FF, new byte[0], 0)); // every flag, AE included
        frames.add(v4(0x20 | ACK, hex("0101 080a 0000 0001 0000 0002"), 3)); // URG
        return frames;
    }

    /** Bad TCP and IP lengths, IP options, fragments and VLAN tags. */
    static List<byte[]> ipv4Frames() {
        List<byte[]> frames = new ArrayList<>();
        byte[] shortOffset = v4(ACK, new byte[0], 8);
        shortOffset[14 + 20 + 12] = 0x40; // data offset 4: too short
        frames.add(shortOffset);
        byte[] longOffset = v4(ACK, new byte[0], 8);
        longOffset[14 + 20 + 12] = (byte) 0xF0; // 60 bytes of header in a 28-byte segment: too long
        frames.add(longOffset);
        byte[] claimsMore = v4(ACK | PSH, new byte[0], 10);
        claimsMore[16] = 0x03; // total length 0x0332: more than the frame held
        claimsMore[17] = 0x32;
        frames.add(claimsMore);
        byte[] zeroLength = v4(ACK | PSH, new byte[0], 10);
        zeroLength[16] = 0;
        zeroLength[17] = 0; // TSO: bad-len 0
        frames.add(zeroLength);
        byte[] padded = concat(v4(ACK, new byte[0], 0), new byte[6]); // Ethernet padding after the datagram
        frames.add(padded);
        frames.add(Frames.ethernet(0x0800, Frames.ipv4("10.0.0.1", "10.0.0.2", 6, new byte[0], 0x2000,
                tcp(ACK | PSH, new byte[0], 16)))); // first fragment
        frames.add(Frames.ethernet(0x0800, Frames.ipv4("10.0.0.1", "10.0.0.2", 6, new byte[0], 0xC000,
                tcp(ACK, new byte[0], 0)))); // DF and the reserved bit
        // IP options: NOP, RA, record route, LSRR (the checksum's destination), timestamp, unknown
        frames.add(Frames.ethernet(0x0800, Frames.ipv4("10.0.0.1", "10.0.0.2", 6,
                hex("0194 0400 0007 0704 0a00 0009 8307 080a 0000 0301 0203"), 0x4000, tcp(ACK, new byte[0], 4))));
        frames.add(Frames.ethernet(0x0800, Frames.ipv4("10.0.0.1", "10.0.0.2", 6,
                hex("440c 0500 0000 0001 0000 0002 9903 00"), 0x4000, tcp(ACK, new byte[0], 0))));
        frames.add(Frames.ethernet(0x0800, Frames.ipv4("10.0.0.1", "10.0.0.2", 6,
                hex("0701 00"), 0x4000, tcp(ACK, new byte[0], 0)))); // option length 1
        byte[] tos = v4(ACK, new byte[0], 0);
        tos[15] = 0x2b; // ECN CE
        tos[22] = 0; // TTL 0
        frames.add(tos);
        frames.add(Frames.vlan(v4(SYN, Frames.synOptions(), 0), 100));
        frames.add(Frames.vlans(v4(ACK | PSH, new byte[0], 5), 0x88a8, 10, 20));
        frames.add(withTcpChecksum(v4(ACK | PSH, hex("0101 080a 0000 0001 0000 0002"), 7), 14, 4));
        return frames;
    }

    /** IPv6 with the extension headers tcpdump prints in front of TCP. */
    static List<byte[]> ipv6Frames() {
        List<byte[]> frames = new ArrayList<>();
        frames.add(v6(tcp(SYN, Frames.synOptions(), 0), 6));
        frames.add(v6(Frames.ipv6Extension(6, 1, tcp(ACK, new byte[0], 3)), 0)); // hop-by-hop with PadN
        frames.add(v6(Frames.ipv6Extension(6, 2, tcp(ACK, new byte[0], 3)), 60)); // destination options
        frames.add(v6(Frames.ipv6Fragment(6, 0, true, tcp(ACK | PSH, new byte[0], 8)), 44)); // first fragment
        byte[] routing0 = concat(hex("0604 0001 0000 0000"), Frames.address("fd00::9", 16),
                Frames.address("fd00::a", 16));
        frames.add(v6(concat(routing0, tcp(ACK, new byte[0], 2)), 43));
        byte[] srh = concat(hex("0602 0400 0000 0007"), Frames.address("fd00::b", 16));
        frames.add(v6(concat(srh, tcp(ACK, new byte[0], 2)), 43));
        byte[] jumbo = v6(concat(hex("0600 c204 0001 3880"), tcp(ACK | PSH, new byte[0], 4)), 0);
        jumbo[14 + 4] = 0;
        jumbo[14 + 5] = 0; // payload length 0, jumbo 80000
        frames.add(jumbo);
        byte[] bigTcp = v6(tcp(ACK | PSH, new byte[0], 4), 6);
        bigTcp[14 + 4] = 0;
        bigTcp[14 + 5] = 0; // payload length 0 without a jumbo option (Linux BIG TCP)
        frames.add(bigTcp);
        byte[] flow = v6(tcp(ACK, new byte[0], 0), 6);
        flow[14] = 0x6b;
        flow[15] = (byte) 0x81;
        flow[16] = 0x23; // class 0xb8, flow label 0x12345 (upper bits)
        frames.add(flow);
        byte[] claimsMore = v6(tcp(ACK, new byte[0], 0), 6);
        claimsMore[14 + 4] = 0x01; // payload length 276 in a frame of 20
        frames.add(claimsMore);
        frames.add(withTcpChecksum(v6(tcp(ACK | PSH, new byte[0], 9), 6), 14, 6));
        return frames;
    }

    /** Sets a correct TCP checksum, so that -v prints "(correct)" for it. */
    private static byte[] withTcpChecksum(byte[] frame, int ip, int version) {
        int tcp = version == 4 ? ip + (frame[ip] & 0xF) * 4 : ip + 40;
        int length = frame.length - tcp;
        long sum = 0;
        if (version == 4) {
            sum += words(frame, ip + 12, 8) + 6 + length;
        } else {
            sum += words(frame, ip + 8, 32) + 6 + length;
        }
        sum += words(frame, tcp, length);
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        int checksum = (int) ~sum & 0xFFFF;
        frame[tcp + 16] = (byte) (checksum >> 8);
        frame[tcp + 17] = (byte) checksum;
        return frame;
    }

    private static long words(byte[] b, int from, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += (b[from + i] & 0xFF) << 8 | (i + 1 < length ? b[from + i + 1] & 0xFF : 0);
        }
        return sum;
    }

    // ---- pcap files

    /** One record: the frame, of which the first {@code captured} bytes are in the file. */
    private record Record(byte[] frame, int captured) {
    }

    private Path pcap(String name, int linkType, List<Record> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xa1b2c3d4).putShort((short) 2)
                .putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(linkType).array());
        int i = 0;
        for (Record r : records) {
            out.writeBytes(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(1_764_000_000 + i++)
                    .putInt(i * 1000).putInt(r.captured).putInt(r.frame.length).array());
            out.write(r.frame, 0, r.captured);
        }
        Path file = dir.resolve(name);
        Files.write(file, out.toByteArray());
        return file;
    }

    private static List<Record> whole(List<byte[]> frames) {
        return frames.stream().map(f -> new Record(f, f.length)).toList();
    }

    /** Each frame cut after every byte from {@code from} on (a capture with a small snap length). */
    private static List<Record> cutAtEveryByte(List<byte[]> frames, int from) {
        List<Record> records = new ArrayList<>();
        for (byte[] f : frames) {
            for (int captured = from; captured <= f.length; captured++) {
                records.add(new Record(f, captured));
            }
        }
        return records;
    }

    private static List<byte[]> all() {
        List<byte[]> frames = new ArrayList<>(optionFrames());
        frames.addAll(ipv4Frames());
        frames.addAll(ipv6Frames());
        return frames;
    }

    // ---- comparisons with tcpdump

    @ParameterizedTest(name = "tcpdump -n -S {0}")
    @ValueSource(strings = {"", "-v", "-vv", "-q", "-v -K"})
    void everyRowIsTcpdumps(String options) throws IOException, InterruptedException {
        Prerequisites.requireTool("tcpdump");
        String[] args = options.isEmpty() ? new String[0] : options.split(" ");
        // tcpdump 4.99.3 does not decode an 802.1ad (0x88a8) tag after a Linux cooked header: those frames
        // are left out of the cooked files.
        List<byte[]> cookable = all().stream().filter(f -> f[12] != (byte) 0x88).toList();
        Map<Path, Boolean> files = new LinkedHashMap<>();
        files.put(pcap("ethernet.pcap", LinkType.ETHERNET, whole(all())), false);
        files.put(pcap("sll.pcap", LinkType.LINUX_SLL, whole(cookable.stream().map(Frames::sll).toList())), true);
        files.put(pcap("sll2.pcap", LinkType.LINUX_SLL2, whole(cookable.stream().map(Frames::sll2).toList())), true);
        files.put(pcap("raw.pcap", LinkType.RAW, whole(all().stream()
                .filter(f -> f[12] == 0x08 || f[12] == (byte) 0x86)
                .map(f -> Frames.slice(f, 14, f.length)).toList())), false);
        files.put(pcap("cut.pcap", LinkType.ETHERNET, cutAtEveryByte(all(), 14)), false);
        int rows = 0;
        List<TcpdumpComparison.Difference> differences = new ArrayList<>();
        for (Map.Entry<Path, Boolean> file : files.entrySet()) {
            TcpdumpComparison.Outcome outcome = TcpdumpComparison.compare(file.getKey(), file.getValue(), args);
            rows += outcome.rows();
            differences.addAll(outcome.differences());
        }
        assertThat(rows).as("rows compared").isGreaterThan(1000);
        assertThat(differences).as(differences.size() + " of " + rows + " rows differ").isEmpty();
    }

    // ---- rows as text (these run without tcpdump)

    private String rows(List<byte[]> frames, String... options) throws IOException {
        Path file = pcap("rows.pcap", LinkType.ETHERNET, whole(frames));
        List<String> args = new ArrayList<>(List.of("-r", file.toString(), "--format", "line"));
        args.addAll(List.of(options));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Main.run(args.toArray(String[]::new), out, new java.io.PrintStream(new ByteArrayOutputStream()),
                new Session());
        assertThat(status).isZero();
        return out.toString(java.nio.charset.StandardCharsets.UTF_8).replaceAll("(?m)^\\S+ ", "");
    }

    @Test
    void synOptionsSackAndMptcpReadAsTcpdumpPrintsThem() throws IOException {
        assertThat(rows(List.of(
                v4(SYN, Frames.synOptions(), 0),
                v4(ACK, hex("0101 050a 0000 0064 0000 00c8"), 0),
                v4(ACK, hex("1e14 2005 0000 0001 0000 0002 0000 0003 000a 1234"), 0),
                v4(SYN, hex("fe04 f989"), 0),
                v4(ACK, hex("0201"), 0))))
                .isEqualTo("""
                        IP 10.0.0.1.40000 > 10.0.0.2.443: Flags [S], seq 1000, win 512, options [mss 1460,sackOK,\
                        TS val 123456 ecr 0,nop,wscale 7], length 0
                        IP 10.0.0.1.40000 > 10.0.0.2.443: Flags [.], ack 2000, win 512, options [nop,nop,\
                        sack 1 {100:200}], length 0
                        IP 10.0.0.1.40000 > 10.0.0.2.443: Flags [.], ack 2000, win 512, options [mptcp 20 dss \
                        ack 1 seq 2 subseq 3 len 10 csum 0x1234], length 0
                        IP 10.0.0.1.40000 > 10.0.0.2.443: Flags [S], seq 1000, win 512, options [exp-tfo cookiereq], \
                        length 0
                        IP 10.0.0.1.40000 > 10.0.0.2.443: Flags [.], ack 2000, win 512, options [[bad opt]
                        """);
    }

    /**
     * Cut before an option's kind byte: tcpdump's read fails and the row ends with the marker; cut inside an
     * option's value: its length check fails and the marker is followed by {@code >}.
     */
    @Test
    void aCaptureEndingInsideTheOptionsEndsTheRowWithTcpdumpsMarker() throws IOException {
        byte[] frame = v4(SYN, Frames.synOptions(), 0);
        Path file = pcap("cut.pcap", LinkType.ETHERNET, List.of(new Record(frame, 14 + 20 + 20 + 6),
                new Record(frame, 14 + 20 + 20 + 9), new Record(frame, 14 + 20 + 10)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Main.run(new String[] {"-r", file.toString(), "--format", "line"}, out,
                new java.io.PrintStream(new ByteArrayOutputStream()), new Session())).isZero();
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8).replaceAll("(?m)^\\S+ ", "")).isEqualTo("""
                IP 10.0.0.1.40000 > 10.0.0.2.443: Flags [S], seq 1000, win 512, options [mss 1460,sackOK, [|tcp]
                IP 10.0.0.1.40000 > 10.0.0.2.443: Flags [S], seq 1000, win 512, options [mss 1460,sackOK,TS [|tcp]>
                IP 10.0.0.1.40000 > 10.0.0.2.443:  [|tcp]
                """);
    }

    @Test
    void verboseAddsTheIpHeaderAndTheChecksumCheck() throws IOException {
        byte[] good = withTcpChecksum(v4(ACK | PSH, new byte[0], 4), 14, 4);
        assertThat(rows(List.of(good, v6(Frames.ipv6Extension(6, 1, tcp(ACK, new byte[0], 0)), 0)), "-v"))
                .isEqualTo("""
                        IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44, bad cksum 0 (->1496)!)
                            10.0.0.1.40000 > 10.0.0.2.443: Flags [P.], cksum 0x%s (correct), seq 1000:1004, ack 2000, \
                        win 512, length 4
                        IP6 (hlim 64, next-header Options (0) payload length: 28) fd00::1 > fd00::2: HBH (padn) \
                        40000 > 443: Flags [.], cksum 0x0000 (incorrect -> 0x%s), ack 2000, win 512, length 0
                        """.formatted(hex4(good, 14 + 20 + 16), "0a1d"));
        assertThat(rows(List.of(good), "-q")).isEqualTo("IP 10.0.0.1.40000 > 10.0.0.2.443: tcp 4\n");
    }

    private static String hex4(byte[] b, int at) {
        return String.format("%02x%02x", b[at] & 0xFF, b[at + 1] & 0xFF);
    }
}
