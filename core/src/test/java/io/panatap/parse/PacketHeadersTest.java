package io.panatap.parse;

import io.panatap.testing.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;

import static io.panatap.parse.ParseSupport.destination;
import static io.panatap.parse.ParseSupport.parse;
import static io.panatap.parse.ParseSupport.parseAt;
import static io.panatap.parse.ParseSupport.source;
import static io.panatap.testing.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

class PacketHeadersTest {

    // ---- byte-literal pieces (checked field by field below) ---------------------------------------

    static final String ETH_IPV4 = "001b213a4c5d 000c29abcdef 0800";
    static final String ETH_IPV6 = "001b213a4c5d 000c29abcdef 86dd";
    /** IPv4, IHL 5, total length 60, DF, TTL 64, TCP, 192.168.0.104 -> 192.168.0.1. */
    static final String IPV4_60 = "4500 003c 1c46 4000 4006 0000 c0a80068 c0a80001";
    /** TCP 54321 -> 80, seq 1000, SYN, data offset 10, window 64240, MSS/SACKOK/TS/NOP/WS options. */
    static final String TCP_SYN_OPTIONS = "d431 0050 000003e8 00000000 a002 faf0 0000 0000"
            + " 020405b4 0402080a 009c2724 00000000 01030307";
    /** IPv6, payload length 20, TCP, hop limit 64, 2001:db8::1 -> 2001:db8:0:1::2. */
    static final String IPV6_20 = "6000 0000 0014 0640 20010db8000000000000000000000001"
            + " 20010db8000000010000000000000002";
    /** TCP 443 -> 50000, seq 1, ack 2, SYN+ACK, data offset 5, window 65535. */
    static final String TCP_SYNACK = "01bb c350 00000001 00000002 5012 ffff 0000 0000";

    static byte[] ethernetIpv4Syn() {
        return hex(ETH_IPV4 + IPV4_60 + TCP_SYN_OPTIONS);
    }

    @Test
    void decodesEveryFieldOfAnEthernetIpv4SynWithOptions() {
        PacketHeaders h = parse(ethernetIpv4Syn(), LinkType.ETHERNET);

        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.isTcp()).isTrue();
        assertThat(h.problemLayer()).isEqualTo(Layer.NONE);
        assertThat(h.ipVersion()).isEqualTo(4);
        assertThat(h.ipv4Source()).isEqualTo(0xc0a80068);
        assertThat(h.ipv4Destination()).isEqualTo(0xc0a80001);
        assertThat(source(h)).isEqualTo("192.168.0.104");
        assertThat(destination(h)).isEqualTo("192.168.0.1");
        assertThat(h.sourcePort()).isEqualTo(54321);
        assertThat(h.destinationPort()).isEqualTo(80);
        assertThat(h.sequenceNumber()).isEqualTo(1000);
        assertThat(h.acknowledgementNumber()).isZero();
        assertThat(h.hasFlags()).isTrue();
        assertThat(h.flags()).isEqualTo(TcpFlags.SYN);
        assertThat(h.dataOffset()).isEqualTo(10);
        assertThat(h.window()).isEqualTo(64240);
        assertThat(h.urgentPointer()).isZero();
        assertThat(h.ipOffset()).isEqualTo(14);
        assertThat(h.tcpOffset()).isEqualTo(34);
        assertThat(h.optionsOffset()).isEqualTo(54);
        assertThat(h.optionsLength()).isEqualTo(20);
        assertThat(h.payloadOffset()).isEqualTo(74);
        assertThat(h.payloadLength()).isZero();
        assertThat(h.capturedPayloadLength()).isZero();
        assertThat(h.vlanCount()).isZero();
        assertThat(h.outerVlanId()).isEqualTo(-1);
    }

    @Test
    void frameBuilderProducesTheSameBytesAsTheLiteral() {
        byte[] built = Frames.ethernetIpv4Tcp("192.168.0.104", "192.168.0.1", 54321, 80, TcpFlags.SYN, 0);
        PacketHeaders h = parse(built, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(source(h)).isEqualTo("192.168.0.104");
        assertThat(h.flags()).isEqualTo(TcpFlags.SYN);
        // The IPv6 builder output is byte for byte the literal fixture (checksums and flow label are 0).
        byte[] ipv6 = Frames.ipv6(Frames.SRC6, Frames.DST6, 6,
                Frames.tcp(443, 50000, 1, 2, TcpFlags.SYN | TcpFlags.ACK, 65535, new byte[0], 0));
        assertThat(ipv6).isEqualTo(hex(IPV6_20 + TCP_SYNACK));
    }

    @Test
    void decodesAnEthernetIpv6SynAck() {
        PacketHeaders h = parse(hex(ETH_IPV6 + IPV6_20 + TCP_SYNACK), LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.ipVersion()).isEqualTo(6);
        assertThat(h.ipv6SourceHigh()).isEqualTo(0x20010db800000000L);
        assertThat(h.ipv6SourceLow()).isEqualTo(1L);
        assertThat(h.ipv6DestinationHigh()).isEqualTo(0x20010db800000001L);
        assertThat(h.ipv6DestinationLow()).isEqualTo(2L);
        assertThat(source(h)).isEqualTo("2001:db8::1");
        assertThat(destination(h)).isEqualTo("2001:db8:0:1::2");
        assertThat(h.sourcePort()).isEqualTo(443);
        assertThat(h.destinationPort()).isEqualTo(50000);
        assertThat(h.sequenceNumber()).isEqualTo(1);
        assertThat(h.acknowledgementNumber()).isEqualTo(2);
        assertThat(h.flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        assertThat(h.tcpOffset()).isEqualTo(54);
        assertThat(h.payloadOffset()).isEqualTo(74);
    }

    // ---- link types --------------------------------------------------------------------------------

    static Stream<Arguments> linkTypeFixtures() {
        String ipv4Tcp = IPV4_60 + TCP_SYN_OPTIONS;
        String ipv6Tcp = IPV6_20 + TCP_SYNACK;
        // LINUX_SLL: packet type 0, ARPHRD_LOOPBACK (772), address length 6, address, protocol.
        String sllHeader = "0000 0304 0006 000000000000 0000";
        // LINUX_SLL2: protocol, reserved, interface index 1, ARPHRD_ETHER, packet type 4, address length 6.
        String sll2Tail = "0000 00000001 0001 04 06 001b213a4c5d 0000";
        return Stream.of(
                Arguments.of("ethernet ipv4", LinkType.ETHERNET, ETH_IPV4 + ipv4Tcp, 4, 14),
                Arguments.of("ethernet ipv6", LinkType.ETHERNET, ETH_IPV6 + ipv6Tcp, 6, 14),
                Arguments.of("sll ipv4", LinkType.LINUX_SLL, sllHeader + "0800" + ipv4Tcp, 4, 16),
                Arguments.of("sll ipv6", LinkType.LINUX_SLL, sllHeader + "86dd" + ipv6Tcp, 6, 16),
                Arguments.of("sll2 ipv4", LinkType.LINUX_SLL2, "0800" + sll2Tail + ipv4Tcp, 4, 20),
                Arguments.of("sll2 ipv6", LinkType.LINUX_SLL2, "86dd" + sll2Tail + ipv6Tcp, 6, 20),
                Arguments.of("raw 101 ipv4", LinkType.RAW, ipv4Tcp, 4, 0),
                Arguments.of("raw 101 ipv6", LinkType.RAW, ipv6Tcp, 6, 0),
                Arguments.of("raw 12 ipv4", LinkType.RAW_BSD_12, ipv4Tcp, 4, 0),
                Arguments.of("raw 12 ipv6", LinkType.RAW_BSD_12, ipv6Tcp, 6, 0),
                Arguments.of("raw 14 ipv4", LinkType.RAW_BSD_14, ipv4Tcp, 4, 0),
                Arguments.of("raw 14 ipv6", LinkType.RAW_BSD_14, ipv6Tcp, 6, 0),
                Arguments.of("ipv4 228", LinkType.IPV4, ipv4Tcp, 4, 0),
                Arguments.of("ipv6 229", LinkType.IPV6, ipv6Tcp, 6, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linkTypeFixtures")
    void findsTcpBehindEverySupportedLinkType(String name, int linkType, String frame, int version, int ipOffset) {
        PacketHeaders h = parse(hex(frame), linkType);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.ipVersion()).isEqualTo(version);
        assertThat(h.ipOffset()).isEqualTo(ipOffset);
        assertThat(h.tcpOffset()).isEqualTo(ipOffset + (version == 4 ? 20 : 40));
        assertThat(h.sourcePort()).isEqualTo(version == 4 ? 54321 : 443);
        assertThat(source(h)).isEqualTo(version == 4 ? "192.168.0.104" : "2001:db8::1");
    }

    @Test
    void rejectsIpv4LinkTypeCarryingIpv6AndTheReverse() {
        assertThat(parse(hex(IPV6_20 + TCP_SYNACK), LinkType.IPV4).status()).isEqualTo(ParseStatus.MALFORMED);
        assertThat(parse(hex(IPV4_60 + TCP_SYN_OPTIONS), LinkType.IPV6).status()).isEqualTo(ParseStatus.MALFORMED);
    }

    @Test
    void reportsRawFramesWhoseVersionIsNeitherFourNorSixAsMalformedLink() {
        PacketHeaders h = parse(hex("5500" + IPV4_60.substring(4) + TCP_SYN_OPTIONS), LinkType.RAW);
        assertThat(h.status()).isEqualTo(ParseStatus.MALFORMED);
        assertThat(h.problemLayer()).isEqualTo(Layer.LINK);
    }

    @Test
    void treatsUnsupportedLinkTypesAndOtherEtherTypesAsNotTcp() {
        assertThat(parse(ethernetIpv4Syn(), 105).status()).isEqualTo(ParseStatus.NOT_TCP);
        byte[] arp = Frames.ethernet(Frames.ETHER_TYPE_ARP, new byte[28]);
        assertThat(parse(arp, LinkType.ETHERNET).status()).isEqualTo(ParseStatus.NOT_TCP);
        byte[] ieee8023 = Frames.ethernet(0x002e, new byte[46]); // a length, not an EtherType
        assertThat(parse(ieee8023, LinkType.ETHERNET).status()).isEqualTo(ParseStatus.NOT_TCP);
    }

    @Test
    void reportsAnEmptyOrShortLinkHeaderAsTruncatedLink() {
        for (int linkType : new int[] {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW}) {
            PacketHeaders h = parse(new byte[0], linkType);
            assertThat(h.status()).isEqualTo(ParseStatus.TRUNCATED);
            assertThat(h.problemLayer()).isEqualTo(Layer.LINK);
        }
        PacketHeaders h = parse(new byte[13], LinkType.ETHERNET);
        assertThat(h.problemLayer()).isEqualTo(Layer.LINK);
        assertThat(parse(new byte[0], LinkType.IPV4).problemLayer()).isEqualTo(Layer.IPV4);
        assertThat(parse(new byte[0], LinkType.IPV6).problemLayer()).isEqualTo(Layer.IPV6);
    }

    // ---- VLAN tags ---------------------------------------------------------------------------------

    static Stream<Arguments> tagStacks() {
        String ipv4Tcp = "0800" + IPV4_60 + TCP_SYN_OPTIONS;
        String macs = "001b213a4c5d 000c29abcdef ";
        return Stream.of(
                Arguments.of("802.1Q", macs + "8100 0064" + ipv4Tcp, 1, 100),
                Arguments.of("802.1Q priority 5 DEI", macs + "8100 b0c8" + ipv4Tcp, 1, 200),
                Arguments.of("802.1ad", macs + "88a8 0fff" + ipv4Tcp, 1, 4095),
                Arguments.of("0x9100", macs + "9100 0001" + ipv4Tcp, 1, 1),
                Arguments.of("QinQ 802.1ad over 802.1Q", macs + "88a8 0064 8100 00c8" + ipv4Tcp, 2, 100),
                Arguments.of("three tags", macs + "9100 0005 88a8 0006 8100 0007" + ipv4Tcp, 3, 5),
                Arguments.of("eight tags", macs + "8100 0001".repeat(8) + ipv4Tcp, 8, 1),
                Arguments.of("vlan id 0 (priority tag)", macs + "8100 e000" + ipv4Tcp, 1, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tagStacks")
    void walksAnyStackOfVlanTagsAndRecordsTheOuterId(String name, String frame, int count, int outerId) {
        PacketHeaders h = parse(hex(frame), LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.vlanCount()).isEqualTo(count);
        assertThat(h.outerVlanId()).isEqualTo(outerId);
        assertThat(h.ipOffset()).isEqualTo(14 + 4 * count);
        assertThat(h.sourcePort()).isEqualTo(54321);
    }

    @Test
    void walksVlanTagsBehindLinuxCookedHeadersToo() {
        byte[] tagged = Frames.vlans(Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1, 2, TcpFlags.ACK, 3),
                Frames.TPID_8021AD, 10, 20);
        PacketHeaders sll = parse(Frames.sll(tagged), LinkType.LINUX_SLL);
        assertThat(sll.status()).isEqualTo(ParseStatus.OK);
        assertThat(sll.vlanCount()).isEqualTo(2);
        assertThat(sll.outerVlanId()).isEqualTo(10);
        assertThat(sll.ipOffset()).isEqualTo(16 + 8);
        PacketHeaders sll2 = parse(Frames.sll2(tagged), LinkType.LINUX_SLL2);
        assertThat(sll2.status()).isEqualTo(ParseStatus.OK);
        assertThat(sll2.vlanCount()).isEqualTo(2);
        assertThat(sll2.ipOffset()).isEqualTo(20 + 8);
        assertThat(sll2.payloadLength()).isEqualTo(3);
    }

    @Test
    void reportsATagCutInTheMiddleAsTruncatedVlan() {
        PacketHeaders h = parse(hex("001b213a4c5d 000c29abcdef 8100 00"), LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.TRUNCATED);
        assertThat(h.problemLayer()).isEqualTo(Layer.VLAN);
        PacketHeaders notIp = parse(hex("001b213a4c5d 000c29abcdef 8100 0064 0806" + "00".repeat(28)),
                LinkType.ETHERNET);
        assertThat(notIp.status()).isEqualTo(ParseStatus.NOT_TCP);
        assertThat(notIp.vlanCount()).isEqualTo(1);
    }

    // ---- IPv4 options, lengths and fragments ---------------------------------------------------------

    @Test
    void skipsALiteralIpv4RouterAlertOptionInAFirstFragment() {
        // IHL 6 with Router Alert (RFC 2113: 94 04 0000), MF set and offset 0, total length 24 + 20 + 2.
        String ipv4 = "4600 002e 0001 2000 4006 0000 0a000001 0a000002 94040000";
        String tcp = "0016 c001 00000064 000000c8 5018 0200 0000 0000 abcd";
        PacketHeaders h = parse(hex(ETH_IPV4 + ipv4 + tcp), LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.tcpOffset()).isEqualTo(14 + 24);
        assertThat(h.sourcePort()).isEqualTo(22);
        assertThat(h.destinationPort()).isEqualTo(49153);
        assertThat(h.sequenceNumber()).isEqualTo(100);
        assertThat(h.acknowledgementNumber()).isEqualTo(200);
        assertThat(h.flags()).isEqualTo(TcpFlags.PSH | TcpFlags.ACK);
        assertThat(h.payloadLength()).isEqualTo(2);
        assertThat(source(h)).isEqualTo("10.0.0.1");
        // The same bytes as a second fragment (offset 185 * 8) are not TCP.
        PacketHeaders second = parse(hex(ETH_IPV4 + ipv4.replace("2000 4006", "20b9 4006") + tcp),
                LinkType.ETHERNET);
        assertThat(second.status()).isEqualTo(ParseStatus.NOT_TCP);
    }

    @ParameterizedTest(name = "IHL {0}")
    @ValueSource(ints = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
    void skipsIpv4OptionsOfEveryHeaderLength(int ihl) {
        byte[] options = new byte[(ihl - 5) * 4];
        java.util.Arrays.fill(options, (byte) 1); // NOPs
        if (options.length > 0) {
            options[options.length - 1] = 0; // EOL
        }
        byte[] frame = Frames.ethernet(Frames.ETHER_TYPE_IPV4, Frames.ipv4(Frames.SRC4, Frames.DST4, 6, options,
                0x4000, Frames.tcp(1234, 443, TcpFlags.PSH | TcpFlags.ACK, 10)));
        assertThat(frame[14]).isEqualTo((byte) (0x40 | ihl));
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.tcpOffset()).isEqualTo(14 + 4 * ihl);
        assertThat(h.sourcePort()).isEqualTo(1234);
        assertThat(h.payloadLength()).isEqualTo(10);
        assertThat(h.capturedPayloadLength()).isEqualTo(10);
        assertThat(source(h)).isEqualTo(Frames.SRC4);
        assertThat(destination(h)).isEqualTo(Frames.DST4);
    }

    @ParameterizedTest(name = "IHL {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void reportsAnIpv4HeaderLengthBelowFiveAsMalformed(int ihl) {
        byte[] frame = ethernetIpv4Syn();
        frame[14] = (byte) (0x40 | ihl);
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.MALFORMED);
        assertThat(h.problemLayer()).isEqualTo(Layer.IPV4);
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {0, 1, 5, 6, 15})
    void reportsAnEtherTypeIpv4PacketWithAnotherVersionAsMalformed(int version) {
        byte[] frame = ethernetIpv4Syn();
        frame[14] = (byte) (version << 4 | 5);
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.MALFORMED);
        assertThat(h.problemLayer()).isEqualTo(Layer.IPV4);
    }

    @Test
    void reportsAnEtherTypeIpv6PacketWithAnotherVersionAsMalformed() {
        byte[] frame = hex(ETH_IPV6 + IPV6_20 + TCP_SYNACK);
        frame[14] = 0x45;
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.MALFORMED);
        assertThat(h.problemLayer()).isEqualTo(Layer.IPV6);
    }

    @Test
    void findsTcpWhenTheIpv4TotalLengthIsZeroAsInTsoCaptures() {
        byte[] frame = Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1, 2, TcpFlags.ACK, 3000);
        frame[16] = 0;
        frame[17] = 0;
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.flags()).isEqualTo(TcpFlags.ACK);
        assertThat(h.payloadLength()).isEqualTo(3000);
        assertThat(h.capturedPayloadLength()).isEqualTo(3000);
    }

    @Test
    void findsTcpWhenTheIpv4TotalLengthExceedsTheCapture() {
        byte[] whole = Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1, 2, TcpFlags.ACK, 1000);
        byte[] snapped = Frames.slice(whole, 0, 14 + 20 + 20 + 10); // snaplen cut inside the payload
        PacketHeaders h = parse(snapped, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.payloadLength()).isEqualTo(1000);
        assertThat(h.capturedPayloadLength()).isEqualTo(10);
    }

    @Test
    void stopsTheDatagramAtTheIpv4TotalLengthSoEthernetPaddingIsNotPayload() {
        byte[] frame = Frames.concat(Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1, 2, TcpFlags.ACK, 0),
                new byte[6]); // padded to the 60-byte Ethernet minimum
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.payloadLength()).isZero();
        assertThat(h.capturedPayloadLength()).isZero();
    }

    @Test
    void reportsAnIpv4TotalLengthShorterThanItsHeaderAsMalformed() {
        byte[] frame = ethernetIpv4Syn();
        frame[17] = 19; // total length 19 < 20
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.MALFORMED);
        assertThat(h.problemLayer()).isEqualTo(Layer.IPV4);
        assertThat(h.ipVersion()).isEqualTo(4);
    }

    @Test
    void treatsAnIpv4TotalLengthThatEndsBeforeTheTcpPortsAsMalformedTcp() {
        byte[] frame = ethernetIpv4Syn();
        frame[17] = 22; // 2 bytes of TCP inside the datagram although the capture holds all of it
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.MALFORMED);
        assertThat(h.problemLayer()).isEqualTo(Layer.TCP);
    }

    @Test
    void reportsPortsButNoFlagsWhenTheIpv4TotalLengthEndsInsideTheTcpHeader() {
        // tshark limits the TCP header to the IP datagram: 15 bytes give the ports only, 16 give the flags.
        byte[] frame = ethernetIpv4Syn();
        frame[17] = 20 + 15;
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.hasFlags()).isFalse();
        frame[17] = 20 + 16;
        h = parse(frame, LinkType.ETHERNET);
        assertThat(h.hasFlags()).isTrue();
        assertThat(h.flags()).isEqualTo(TcpFlags.SYN);
        assertThat(h.optionsLength()).isZero();
        assertThat(h.payloadOffset()).isEqualTo(14 + 36);
    }

    @Test
    void treatsAFirstFragmentCarryingTcpAsTcp() {
        byte[] frame = Frames.ethernet(Frames.ETHER_TYPE_IPV4, Frames.ipv4(Frames.SRC4, Frames.DST4, 6,
                new byte[0], 0x2000, Frames.tcp(5, 6, TcpFlags.ACK, 100)));
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.sourcePort()).isEqualTo(5);
    }

    @ParameterizedTest(name = "flags/offset 0x{0}")
    @ValueSource(ints = {0x0001, 0x2001, 0x1fff, 0x20b9, 0x4010})
    void neverTreatsANonFirstFragmentAsTcp(int flagsAndOffset) {
        byte[] frame = Frames.ethernet(Frames.ETHER_TYPE_IPV4, Frames.ipv4(Frames.SRC4, Frames.DST4, 6,
                new byte[0], flagsAndOffset, Frames.tcp(5, 6, TcpFlags.ACK, 100)));
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.NOT_TCP);
        assertThat(h.ipVersion()).isEqualTo(4);
        assertThat(source(h)).isEqualTo(Frames.SRC4);
    }

    @ParameterizedTest(name = "protocol {0}")
    @ValueSource(ints = {1, 4, 17, 41, 47, 50, 51, 132, 255})
    void treatsOtherIpv4ProtocolsAsNotTcpEvenWhenTcpIsInside(int protocol) {
        byte[] inner = Frames.ipv4Tcp(Frames.SRC4, Frames.DST4, 1, 2, TcpFlags.SYN, 0);
        byte[] frame = Frames.ethernet(Frames.ETHER_TYPE_IPV4, Frames.ipv4("10.0.0.1", "10.0.0.2", protocol, inner));
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.NOT_TCP);
        assertThat(h.problemLayer()).isEqualTo(Layer.NONE);
        assertThat(source(h)).isEqualTo("10.0.0.1");
    }

    // ---- IPv6 extension headers ------------------------------------------------------------------------

    @Test
    void walksAChainOfHopByHopRoutingDestinationAndFragmentHeaders() {
        // Literal chain: HBH (8 bytes, PadN) -> routing (type 0 segments left 0, 24 bytes) -> destination
        // options (8 bytes) -> fragment (offset 0, M set) -> TCP.
        String chain = "2b00 0104 00000000"
                + "3c02 0000 00000000 00000000000000000000000000000000"
                + "2c00 0104 00000000"
                + "0600 0001 0000cafe";
        String ipv6 = "6000 0000 0044 0040 20010db8000000000000000000000001 20010db8000000010000000000000002";
        PacketHeaders h = parse(hex(ETH_IPV6 + ipv6 + chain + TCP_SYNACK), LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.tcpOffset()).isEqualTo(14 + 40 + 8 + 24 + 8 + 8);
        assertThat(h.sourcePort()).isEqualTo(443);
        assertThat(h.flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        assertThat(h.payloadLength()).isZero();
    }

    @Test
    void findsTcpInAJumbogramWhosePayloadLengthIsZero() {
        // Hop-by-hop with a Jumbo Payload option (type 0xC2, length 4) as in Linux BIG TCP captures.
        String hbh = "0600 c204 00010040";
        String ipv6 = "6000 0000 0000 0040 20010db8000000000000000000000001 20010db8000000010000000000000002";
        PacketHeaders h = parse(hex(ETH_IPV6 + ipv6 + hbh + TCP_SYNACK + "aabbcc"), LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.tcpOffset()).isEqualTo(14 + 48);
        assertThat(h.capturedPayloadLength()).isEqualTo(3);
    }

    @Test
    void neverTreatsANonFirstIpv6FragmentAsTcp() {
        byte[] packet = Frames.ipv6(Frames.SRC6, Frames.DST6, 44,
                Frames.ipv6Fragment(6, 1, true, Frames.tcp(1, 2, TcpFlags.ACK, 20)));
        assertThat(parse(packet, LinkType.RAW).status()).isEqualTo(ParseStatus.NOT_TCP);
        byte[] first = Frames.ipv6(Frames.SRC6, Frames.DST6, 44,
                Frames.ipv6Fragment(6, 0, true, Frames.tcp(1, 2, TcpFlags.ACK, 20)));
        assertThat(parse(first, LinkType.RAW).status()).isEqualTo(ParseStatus.OK);
    }

    @ParameterizedTest(name = "next header {0}")
    @ValueSource(ints = {4, 17, 41, 47, 50, 51, 58, 59, 135, 253})
    void treatsOtherIpv6NextHeadersAsNotTcp(int nextHeader) {
        byte[] inner = Frames.ipv6Tcp(Frames.SRC6, Frames.DST6, 1, 2, TcpFlags.SYN, 0);
        byte[] direct = Frames.ipv6("fd00::1", "fd00::2", nextHeader, inner);
        assertThat(parse(direct, LinkType.RAW).status()).isEqualTo(ParseStatus.NOT_TCP);
        byte[] behindOptions = Frames.ipv6("fd00::1", "fd00::2", 60, Frames.ipv6Extension(nextHeader, 1, inner));
        PacketHeaders h = parse(behindOptions, LinkType.RAW);
        assertThat(h.status()).isEqualTo(ParseStatus.NOT_TCP);
        assertThat(source(h)).isEqualTo("fd00::1");
    }

    @Test
    void stopsTheExtensionHeaderWalkOnALongChain() {
        byte[] payload = Frames.tcp(1, 2, TcpFlags.ACK, 0);
        for (int i = 0; i < PacketHeaders.MAX_IPV6_EXTENSION_HEADERS + 1; i++) {
            payload = Frames.ipv6Extension(i == 0 ? 6 : 60, 1, payload);
        }
        byte[] longChain = Frames.ipv6(Frames.SRC6, Frames.DST6, 60, payload);
        PacketHeaders h = parse(longChain, LinkType.RAW);
        assertThat(h.status()).isEqualTo(ParseStatus.MALFORMED);
        assertThat(h.problemLayer()).isEqualTo(Layer.IPV6_EXTENSION);
        // One header fewer is still walked to the end.
        byte[] shorter = Frames.ipv6(Frames.SRC6, Frames.DST6, 60, Frames.slice(payload, 8, payload.length));
        assertThat(parse(shorter, LinkType.RAW).status()).isEqualTo(ParseStatus.OK);
    }

    @Test
    void distinguishesAnExtensionHeaderCutByTheCaptureFromOneCutByThePayloadLength() {
        byte[] packet = Frames.ipv6(Frames.SRC6, Frames.DST6, 0,
                Frames.ipv6Extension(6, 2, Frames.tcp(1, 2, TcpFlags.ACK, 0)));
        PacketHeaders cutByCapture = parse(Frames.slice(packet, 0, 40 + 10), LinkType.RAW);
        assertThat(cutByCapture.status()).isEqualTo(ParseStatus.TRUNCATED);
        assertThat(cutByCapture.problemLayer()).isEqualTo(Layer.IPV6_EXTENSION);
        packet[5] = 10; // payload length 10 < the 16-byte extension header
        PacketHeaders cutByLength = parse(packet, LinkType.RAW);
        assertThat(cutByLength.status()).isEqualTo(ParseStatus.MALFORMED);
        assertThat(cutByLength.problemLayer()).isEqualTo(Layer.IPV6_EXTENSION);
    }

    // ---- TCP -------------------------------------------------------------------------------------------

    static Stream<Arguments> everyFlag() {
        return Stream.of(
                Arguments.of("FIN", TcpFlags.FIN), Arguments.of("SYN", TcpFlags.SYN),
                Arguments.of("RST", TcpFlags.RST), Arguments.of("PSH", TcpFlags.PSH),
                Arguments.of("ACK", TcpFlags.ACK), Arguments.of("URG", TcpFlags.URG),
                Arguments.of("ECE", TcpFlags.ECE), Arguments.of("CWR", TcpFlags.CWR),
                Arguments.of("AE", TcpFlags.AE), Arguments.of("reserved 0x200", 0x200),
                Arguments.of("reserved 0x400", 0x400), Arguments.of("reserved 0x800", 0x800),
                Arguments.of("none", 0), Arguments.of("SYN ACK", TcpFlags.SYN | TcpFlags.ACK),
                Arguments.of("FIN PSH ACK", TcpFlags.FIN | TcpFlags.PSH | TcpFlags.ACK),
                Arguments.of("SYN ECE CWR AE", TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR | TcpFlags.AE),
                Arguments.of("RST ACK", TcpFlags.RST | TcpFlags.ACK),
                Arguments.of("all twelve bits", TcpFlags.MASK));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyFlag")
    void reportsTheWholeTwelveBitFlagsField(String name, int flags) {
        for (byte[] frame : new byte[][] {
                Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1, 2, flags, 5),
                Frames.ethernetIpv6Tcp(Frames.SRC6, Frames.DST6, 1, 2, flags, 5)}) {
            PacketHeaders h = parse(frame, LinkType.ETHERNET);
            assertThat(h.status()).isEqualTo(ParseStatus.OK);
            assertThat(h.hasFlags()).isTrue();
            assertThat(h.flags()).isEqualTo(flags);
            assertThat(h.dataOffset()).isEqualTo(5);
            assertThat(h.urgentPointer()).isEqualTo((flags & TcpFlags.URG) != 0 ? 7 : 0);
        }
    }

    @ParameterizedTest(name = "data offset {0}")
    @ValueSource(ints = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
    void placesThePayloadAfterTheOptionsForEveryDataOffset(int dataOffset) {
        byte[] options = new byte[(dataOffset - 5) * 4];
        java.util.Arrays.fill(options, (byte) 1);
        byte[] frame = Frames.ethernet(Frames.ETHER_TYPE_IPV4, Frames.ipv4(Frames.SRC4, Frames.DST4, 6,
                Frames.tcp(1, 2, 7, 8, TcpFlags.ACK, 100, options, 33)));
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.dataOffset()).isEqualTo(dataOffset);
        assertThat(h.optionsOffset()).isEqualTo(34 + 20);
        assertThat(h.optionsLength()).isEqualTo(options.length);
        assertThat(h.payloadOffset()).isEqualTo(34 + 4 * dataOffset);
        assertThat(h.payloadLength()).isEqualTo(33);
        assertThat(h.capturedPayloadLength()).isEqualTo(33);
        assertThat(h.sequenceNumber()).isEqualTo(7);
        assertThat(h.acknowledgementNumber()).isEqualTo(8);
        assertThat(h.window()).isEqualTo(100);
        assertThat(frame[h.payloadOffset() + 5]).isEqualTo((byte) 5);
    }

    @ParameterizedTest(name = "data offset {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void reportsADataOffsetBelowFiveAsMalformedTcpButKeepsThePorts(int dataOffset) {
        byte[] frame = Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1, 2, TcpFlags.SYN, 0);
        frame[34 + 12] = (byte) (dataOffset << 4);
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.MALFORMED);
        assertThat(h.problemLayer()).isEqualTo(Layer.TCP);
        assertThat(h.isTcp()).isFalse();
        assertThat(h.hasPorts()).isTrue();
        assertThat(h.hasFlags()).isFalse();
        assertThat(h.sourcePort()).isEqualTo(1);
        assertThat(h.dataOffset()).isEqualTo(dataOffset);
    }

    @Test
    void clampsOptionsAndPayloadWhenTheDataOffsetPointsPastTheCapture() {
        // As heapoverflow-tcp_print in the tcpdump tests: data offset 15, only 30 TCP bytes captured.
        byte[] frame = Frames.slice(Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1, 2, 0xd30, 0), 0, 34 + 30);
        frame[34 + 12] = (byte) 0xfd;
        frame[16] = 0x30; // total length 12336, far beyond the capture
        frame[17] = 0x30;
        PacketHeaders h = parse(frame, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.OK);
        assertThat(h.flags()).isEqualTo(0xd30);
        assertThat(h.dataOffset()).isEqualTo(15);
        assertThat(h.optionsLength()).isEqualTo(10);
        assertThat(h.payloadOffset()).isEqualTo(frame.length);
        assertThat(h.capturedPayloadLength()).isZero();
        assertThat(h.payloadLength()).isEqualTo(12336 - 20 - 60);
    }

    @Test
    void reportsPortsWithoutFlagsUntilBytesTwelveToFifteenAreCaptured() {
        byte[] frame = Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 4242, 80, TcpFlags.PSH | TcpFlags.ACK, 0);
        for (int tcpBytes = 0; tcpBytes <= 20; tcpBytes++) {
            PacketHeaders h = parse(Frames.slice(frame, 0, 34 + tcpBytes), LinkType.ETHERNET);
            if (tcpBytes < 4) {
                assertThat(h.status()).as("%d TCP bytes", tcpBytes).isEqualTo(ParseStatus.TRUNCATED);
                assertThat(h.problemLayer()).isEqualTo(Layer.TCP);
                assertThat(h.hasPorts()).isFalse();
                assertThat(h.ipVersion()).isEqualTo(4);
                continue;
            }
            assertThat(h.status()).as("%d TCP bytes", tcpBytes).isEqualTo(ParseStatus.OK);
            assertThat(h.sourcePort()).isEqualTo(4242);
            assertThat(h.destinationPort()).isEqualTo(80);
            assertThat(h.sequenceNumber()).isEqualTo(tcpBytes >= 8 ? 1000 : -1);
            assertThat(h.acknowledgementNumber()).isEqualTo(tcpBytes >= 12 ? 2000 : -1);
            assertThat(h.dataOffset()).isEqualTo(tcpBytes >= 13 ? 5 : 0);
            assertThat(h.hasFlags()).as("%d TCP bytes", tcpBytes).isEqualTo(tcpBytes >= 16);
            assertThat(h.flags()).isEqualTo(tcpBytes >= 16 ? TcpFlags.PSH | TcpFlags.ACK : 0);
            assertThat(h.window()).isEqualTo(tcpBytes >= 16 ? 65535 : 0);
        }
    }

    // ---- frame placement and reuse -----------------------------------------------------------------

    @Test
    void readsTheSameFieldsAtAnyOffsetOfALargerSegment() {
        byte[] frame = hex(ETH_IPV6 + IPV6_20 + TCP_SYNACK);
        PacketHeaders inPlace = parse(frame, LinkType.ETHERNET);
        for (int offset : new int[] {1, 7, 64, 1000}) {
            PacketHeaders h = parseAt(frame, offset, LinkType.ETHERNET);
            assertThat(h.status()).isEqualTo(ParseStatus.OK);
            assertThat(h.tcpOffset()).isEqualTo(inPlace.tcpOffset());
            assertThat(source(h)).isEqualTo(source(inPlace));
            assertThat(h.flags()).isEqualTo(inPlace.flags());
            assertThat(h.frameOffset()).isEqualTo(offset);
        }
    }

    @Test
    void neverReadsPastTheSegmentWhenTheLengthClaimsMore() {
        byte[] frame = ethernetIpv4Syn();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment exact = Frames.nativeCopy(arena, Frames.slice(frame, 0, 40));
            PacketHeaders h = new PacketHeaders();
            assertThat(h.wrap(exact, 0, 10_000, LinkType.ETHERNET)).isEqualTo(ParseStatus.OK);
            assertThat(h.frameLength()).isEqualTo(40);
            assertThat(h.hasFlags()).isFalse(); // 6 TCP bytes: ports and half the sequence number
            assertThat(h.sequenceNumber()).isEqualTo(-1);
            assertThat(h.wrap(exact, 0, 37, LinkType.ETHERNET)).isEqualTo(ParseStatus.TRUNCATED);
            assertThat(h.problemLayer()).isEqualTo(Layer.TCP);
            assertThat(h.wrap(exact, 39, Long.MAX_VALUE, LinkType.ETHERNET)).isEqualTo(ParseStatus.TRUNCATED);
            assertThat(h.wrap(exact, 41, 10, LinkType.ETHERNET)).isEqualTo(ParseStatus.TRUNCATED);
            assertThat(h.wrap(exact, -1, 10, LinkType.ETHERNET)).isEqualTo(ParseStatus.TRUNCATED);
            assertThat(h.wrap(exact, 0, -5, LinkType.ETHERNET)).isEqualTo(ParseStatus.TRUNCATED);
            assertThat(h.problemLayer()).isEqualTo(Layer.LINK);
        }
    }

    @Test
    void forgetsEveryFieldOfThePreviousFrameOnWrap() {
        PacketHeaders h = new PacketHeaders();
        byte[] tagged = Frames.vlan(Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1, 2, TcpFlags.SYN, 9), 7);
        h.wrap(MemorySegment.ofArray(tagged), 0, tagged.length, LinkType.ETHERNET);
        assertThat(h.vlanCount()).isEqualTo(1);
        byte[] arp = Frames.ethernet(Frames.ETHER_TYPE_ARP, new byte[28]);
        h.wrap(MemorySegment.ofArray(arp), 0, arp.length, LinkType.ETHERNET);
        assertThat(h.status()).isEqualTo(ParseStatus.NOT_TCP);
        assertThat(h.vlanCount()).isZero();
        assertThat(h.outerVlanId()).isEqualTo(-1);
        assertThat(h.ipVersion()).isZero();
        assertThat(h.hasPorts()).isFalse();
        assertThat(h.hasFlags()).isFalse();
        assertThat(h.flags()).isZero();
        assertThat(h.sequenceNumber()).isEqualTo(-1);
        assertThat(h.payloadLength()).isZero();
        assertThat(source(h)).isEmpty();
    }
}
