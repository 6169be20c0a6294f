package io.panatap.parse;

import io.panatap.testing.Frames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.panatap.parse.ParseSupport.destination;
import static io.panatap.parse.ParseSupport.parse;
import static io.panatap.parse.ParseSupport.source;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link LinkLayer} table drives the parser: for every row, a frame built only from what the row says
 * (header length, EtherType offset, how the protocol is told) parses to the right addresses and ports, and a
 * frame shorter than the row's header is a truncated link. The link header's other bytes are filler that no
 * EtherType or IP version matches, so a parser reading any other offset than the row's fails here.
 */
class LinkLayerParsingTest {

    private static final byte FILLER = (byte) 0xA5;

    /** Every row of the table, found by asking for every 16-bit link type number. */
    private static List<LinkLayer> rows(LinkLayer.Protocol protocol) {
        List<LinkLayer> rows = new ArrayList<>();
        for (int linkType = 0; linkType <= 0xFFFF; linkType++) {
            LinkLayer row = LinkLayer.of(linkType);
            if (row != null && row.protocol() == protocol) {
                assertThat(row.linkType()).isEqualTo(linkType);
                rows.add(row);
            }
        }
        return rows;
    }

    /** The row's link header: filler, with {@code etherType} at the row's type offset. */
    private static byte[] linkHeader(LinkLayer row, int etherType) {
        byte[] header = new byte[row.headerLength()];
        Arrays.fill(header, FILLER);
        assertThat(row.typeOffset() + 2).as("%s: EtherType inside the header", row).isLessThanOrEqualTo(header.length);
        Frames.put16(header, row.typeOffset(), etherType);
        return header;
    }

    private static byte[] ipv4Tcp() {
        return Frames.ipv4Tcp("192.0.2.1", "198.51.100.2", 40000, 443, TcpFlags.SYN, 5);
    }

    private static byte[] ipv6Tcp() {
        return Frames.ipv6Tcp("2001:db8::1", "2001:db8::2", 40001, 22, TcpFlags.SYN, 5);
    }

    private static void assertIpv4Tcp(PacketHeaders h, LinkLayer row, int ipOffset) {
        assertThat(h.status()).as("%s", row).isEqualTo(ParseStatus.OK);
        assertThat(h.ipVersion()).as("%s", row).isEqualTo(4);
        assertThat(h.ipOffset()).as("%s", row).isEqualTo(ipOffset);
        assertThat(source(h)).as("%s", row).isEqualTo("192.0.2.1");
        assertThat(destination(h)).as("%s", row).isEqualTo("198.51.100.2");
        assertThat(h.sourcePort()).as("%s", row).isEqualTo(40000);
        assertThat(h.destinationPort()).as("%s", row).isEqualTo(443);
    }

    private static void assertIpv6Tcp(PacketHeaders h, LinkLayer row, int ipOffset) {
        assertThat(h.status()).as("%s", row).isEqualTo(ParseStatus.OK);
        assertThat(h.ipVersion()).as("%s", row).isEqualTo(6);
        assertThat(h.ipOffset()).as("%s", row).isEqualTo(ipOffset);
        assertThat(source(h)).as("%s", row).isEqualTo("2001:db8::1");
        assertThat(destination(h)).as("%s", row).isEqualTo("2001:db8::2");
        assertThat(h.sourcePort()).as("%s", row).isEqualTo(40001);
        assertThat(h.destinationPort()).as("%s", row).isEqualTo(22);
    }

    @Test
    void findsIpAndPortsAfterEveryEtherTypeRowsHeader() {
        List<LinkLayer> rows = rows(LinkLayer.Protocol.ETHERTYPE);
        assertThat(rows).extracting(LinkLayer::linkType)
                .contains(LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2);
        for (LinkLayer row : rows) {
            int ip = row.headerLength();
            assertIpv4Tcp(parse(Frames.concat(linkHeader(row, EtherType.IPV4), ipv4Tcp()), row.linkType()), row, ip);
            assertIpv6Tcp(parse(Frames.concat(linkHeader(row, EtherType.IPV6), ipv6Tcp()), row.linkType()), row, ip);
            // A tag after the header (in the frame on Ethernet, in the protocol field on cooked captures).
            byte[] tagged = Frames.concat(linkHeader(row, EtherType.VLAN_8021Q), Frames.hex("0064 0800"), ipv4Tcp());
            PacketHeaders h = parse(tagged, row.linkType());
            assertIpv4Tcp(h, row, ip + VlanTag.LENGTH);
            assertThat(h.outerVlanId()).as("%s", row).isEqualTo(100);
            assertThat(parse(linkHeader(row, EtherType.ARP), row.linkType()).status()).as("%s", row)
                    .isEqualTo(ParseStatus.NOT_TCP);
        }
    }

    @Test
    void reportsAFrameShorterThanTheRowsHeaderAsTruncatedLink() {
        for (LinkLayer row : rows(LinkLayer.Protocol.ETHERTYPE)) {
            byte[] header = linkHeader(row, EtherType.IPV4);
            PacketHeaders cut = parse(Frames.slice(header, 0, header.length - 1), row.linkType());
            assertThat(cut.status()).as("%s", row).isEqualTo(ParseStatus.TRUNCATED);
            assertThat(cut.problemLayer()).as("%s", row).isEqualTo(Layer.LINK);
            // The whole header but nothing after: the link is complete, the IP header is what is missing.
            assertThat(parse(header, row.linkType()).problemLayer()).as("%s", row).isEqualTo(Layer.IPV4);
        }
    }

    @Test
    void findsIpAndPortsBehindEveryRowWithoutAnEtherType() {
        List<LinkLayer> byVersion = rows(LinkLayer.Protocol.IP_VERSION);
        assertThat(byVersion).extracting(LinkLayer::linkType)
                .contains(LinkType.RAW, LinkType.RAW_BSD_12, LinkType.RAW_BSD_14);
        for (LinkLayer row : byVersion) {
            byte[] header = new byte[row.headerLength()];
            assertIpv4Tcp(parse(Frames.concat(header, ipv4Tcp()), row.linkType()), row, row.headerLength());
            assertIpv6Tcp(parse(Frames.concat(header, ipv6Tcp()), row.linkType()), row, row.headerLength());
        }
        List<LinkLayer> ipv4Only = rows(LinkLayer.Protocol.IPV4_ONLY);
        assertThat(ipv4Only).extracting(LinkLayer::linkType).contains(LinkType.IPV4);
        for (LinkLayer row : ipv4Only) {
            byte[] header = new byte[row.headerLength()];
            assertIpv4Tcp(parse(Frames.concat(header, ipv4Tcp()), row.linkType()), row, row.headerLength());
            assertThat(parse(Frames.concat(header, ipv6Tcp()), row.linkType()).status())
                    .isEqualTo(ParseStatus.MALFORMED);
        }
        List<LinkLayer> ipv6Only = rows(LinkLayer.Protocol.IPV6_ONLY);
        assertThat(ipv6Only).extracting(LinkLayer::linkType).contains(LinkType.IPV6);
        for (LinkLayer row : ipv6Only) {
            byte[] header = new byte[row.headerLength()];
            assertIpv6Tcp(parse(Frames.concat(header, ipv6Tcp()), row.linkType()), row, row.headerLength());
            assertThat(parse(Frames.concat(header, ipv4Tcp()), row.linkType()).status())
                    .isEqualTo(ParseStatus.MALFORMED);
        }
    }

    /**
     * The row's link header for a kind that tells IP by an address family or a PPP protocol: filler around the
     * IPv4 value at the row's type offset (the PPP address/control and PPPoE session code where they belong).
     */
    private static byte[] familyOrPppHeader(LinkLayer row) {
        byte[] header = new byte[row.headerLength()];
        Arrays.fill(header, FILLER);
        switch (row.protocol()) {
            case ADDRESS_FAMILY_HOST_ORDER -> Frames.put32(header, row.typeOffset(), Integer.reverseBytes(2));
            case ADDRESS_FAMILY_NETWORK_ORDER -> Frames.put32(header, row.typeOffset(), 2);
            case PPP, PPP_HDLC -> {
                Frames.put16(header, 0, 0xff03);
                Frames.put16(header, row.typeOffset(), LinkLayer.PPP_IPV4);
            }
            case PPPOE_SESSION -> {
                header[1] = 0; // session
                Frames.put16(header, row.typeOffset(), LinkLayer.PPP_IPV4);
            }
            default -> throw new AssertionError(row + " is not an address-family or PPP row");
        }
        return header;
    }

    private static final LinkLayer.Protocol[] FAMILY_OR_PPP = {LinkLayer.Protocol.ADDRESS_FAMILY_HOST_ORDER,
            LinkLayer.Protocol.ADDRESS_FAMILY_NETWORK_ORDER, LinkLayer.Protocol.PPP, LinkLayer.Protocol.PPP_HDLC,
            LinkLayer.Protocol.PPPOE_SESSION};

    @Test
    void addressFamilyAndPppRowsFindIpWhereTheRowSays() {
        int count = 0;
        for (LinkLayer.Protocol kind : FAMILY_OR_PPP) {
            for (LinkLayer row : rows(kind)) {
                count++;
                byte[] header = familyOrPppHeader(row);
                assertIpv4Tcp(parse(Frames.concat(header, ipv4Tcp()), row.linkType()), row, row.headerLength());
                // Another value in the type field is not IP; a header cut short is a truncated link.
                byte[] other = header.clone();
                other[row.typeOffset() + 1] ^= 0x40;
                assertThat(parse(Frames.concat(other, ipv4Tcp()), row.linkType()).status()).as("%s", row)
                        .isEqualTo(ParseStatus.NOT_TCP);
                PacketHeaders cut = parse(Frames.slice(header, 0, row.typeOffset() + 1), row.linkType());
                assertThat(cut.status()).as("%s", row).isEqualTo(ParseStatus.TRUNCATED);
                assertThat(cut.problemLayer()).as("%s", row).isEqualTo(Layer.LINK);
            }
        }
        assertThat(count).isEqualTo(5);
    }

    @Test
    void everyRowIsOfAKindTestedHere() {
        int all = 0;
        for (LinkLayer.Protocol kind : LinkLayer.Protocol.values()) {
            all += rows(kind).size();
        }
        int tested = rows(LinkLayer.Protocol.ETHERTYPE).size() + rows(LinkLayer.Protocol.IP_VERSION).size()
                + rows(LinkLayer.Protocol.IPV4_ONLY).size() + rows(LinkLayer.Protocol.IPV6_ONLY).size();
        for (LinkLayer.Protocol kind : FAMILY_OR_PPP) {
            tested += rows(kind).size();
        }
        assertThat(tested).isEqualTo(all);
    }

    @Test
    void oneInstanceFollowsTheLinkTypeOfEveryFrame() {
        // The parser keeps the last row it used: switching link types from frame to frame must never reuse it.
        PacketHeaders h = new PacketHeaders();
        byte[] ipv4 = ipv4Tcp();
        int[] sequence = {LinkType.LINUX_SLL, LinkType.RAW, LinkType.LINUX_SLL2, 105, LinkType.LINUX_SLL,
                LinkType.ETHERNET, LinkType.IPV4, LinkType.LINUX_SLL2, LinkType.RAW_BSD_14, LinkType.NULL,
                LinkType.PPP, LinkType.LOOP, LinkType.PPP_ETHER, LinkType.PPP_HDLC, LinkType.LINUX_SLL};
        for (int linkType : sequence) {
            LinkLayer row = LinkLayer.of(linkType);
            byte[] frame = row == null ? Frames.concat(new byte[16], ipv4)
                    : row.protocol() == LinkLayer.Protocol.ETHERTYPE
                    ? Frames.concat(linkHeader(row, EtherType.IPV4), ipv4)
                    : Arrays.asList(FAMILY_OR_PPP).contains(row.protocol())
                    ? Frames.concat(familyOrPppHeader(row), ipv4)
                    : Frames.concat(new byte[row.headerLength()], ipv4);
            h.wrap(MemorySegment.ofArray(frame), linkType);
            if (row == null) {
                assertThat(h.status()).as("link type %d", linkType).isEqualTo(ParseStatus.NOT_TCP);
            } else {
                assertIpv4Tcp(h, row, row.headerLength());
            }
        }
    }

    @Test
    void treatsEveryLinkTypeWithoutARowAsNotTcp() {
        byte[] frame = Frames.concat(new byte[64], ipv4Tcp());
        for (int linkType : new int[] {-1, 3, 105, 147, 511, 512, 0xFFFF, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertThat(LinkLayer.of(linkType)).isNull();
            assertThat(parse(frame, linkType).status()).as("link type %d", linkType).isEqualTo(ParseStatus.NOT_TCP);
        }
    }
}
