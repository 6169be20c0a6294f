package io.panatap.parse;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static io.panatap.testing.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The named offsets and sizes, checked against the cited specifications: each offset must land on the right
 * field of a byte-literal header whose fields all hold distinct values. These are the offsets the parser
 * reads (PacketHeaders derives every field position from them) and the {@link LinkLayer} rows publish, so a
 * wrong one here is a wrong parser and filter compiler, not just a wrong comment.
 */
class HeaderLayoutTest {

    @Test
    void linkTypeNumbersMatchTheTcpdumpOrgLinkTypeRegistry() {
        assertThat(LinkType.ETHERNET).isEqualTo(1);
        assertThat(LinkType.RAW_BSD_12).isEqualTo(12);
        assertThat(LinkType.RAW_BSD_14).isEqualTo(14);
        assertThat(LinkType.RAW).isEqualTo(101);
        assertThat(LinkType.LINUX_SLL).isEqualTo(113);
        assertThat(LinkType.IPV4).isEqualTo(228);
        assertThat(LinkType.IPV6).isEqualTo(229);
        assertThat(LinkType.LINUX_SLL2).isEqualTo(276);
    }

    @Test
    void ethernetAndVlanOffsetsMatchIeee8023AndIeee8021Q() {
        // dst 11.., src 22.., TPID 8100, TCI: PCP 5, DEI 1, VID 0x123, inner EtherType 0800
        MemorySegment s = MemorySegment.ofArray(hex("111111111111 222222222222 8100 b123 0800"));
        assertThat(Bytes.u16(s, EthernetHeader.ETHER_TYPE_OFFSET)).isEqualTo(EtherType.VLAN_8021Q);
        assertThat(EthernetHeader.LENGTH).isEqualTo(14);
        int tag = EthernetHeader.LENGTH;
        assertThat(Bytes.u16(s, tag + VlanTag.TCI_OFFSET) & VlanTag.VLAN_ID_MASK).isEqualTo(0x123);
        assertThat(Bytes.u16(s, tag + VlanTag.ETHER_TYPE_OFFSET)).isEqualTo(EtherType.IPV4);
        assertThat(VlanTag.LENGTH).isEqualTo(4);
        assertThat(EtherType.IPV6).isEqualTo(0x86DD);
        assertThat(EtherType.VLAN_8021AD).isEqualTo(0x88A8);
    }

    @Test
    void linuxCookedOffsetsMatchTheLinktypeLinuxSllAndSll2Pages() {
        // SLL: packet type 0004 (outgoing), ARPHRD 0001, address length 0006, address, protocol 86dd.
        MemorySegment sll = MemorySegment.ofArray(hex("0004 0001 0006 a1a2a3a4a5a6 0000 86dd"));
        assertThat(sll.byteSize()).isEqualTo(LinuxSllHeader.SLL_LENGTH);
        assertThat(Bytes.u16(sll, LinuxSllHeader.SLL_PROTOCOL_OFFSET)).isEqualTo(0x86DD);
        // SLL2: protocol 0800, reserved, interface index 7, ARPHRD 0001, packet type 4, address length 6.
        MemorySegment sll2 = MemorySegment.ofArray(hex("0800 0000 00000007 0001 04 06 a1a2a3a4a5a6 0000"));
        assertThat(sll2.byteSize()).isEqualTo(LinuxSllHeader.SLL2_LENGTH);
        assertThat(Bytes.u16(sll2, LinuxSllHeader.SLL2_PROTOCOL_OFFSET)).isEqualTo(0x0800);
    }

    @Test
    void linkLayerRowsPublishTheOffsetsOfTheirHeaders() {
        LinkLayer ethernet = LinkLayer.of(LinkType.ETHERNET);
        assertThat(ethernet.typeOffset()).isEqualTo(EthernetHeader.ETHER_TYPE_OFFSET);
        assertThat(ethernet.headerLength()).isEqualTo(EthernetHeader.LENGTH);
        LinkLayer sll = LinkLayer.of(LinkType.LINUX_SLL);
        assertThat(sll.typeOffset()).isEqualTo(LinuxSllHeader.SLL_PROTOCOL_OFFSET);
        assertThat(sll.headerLength()).isEqualTo(LinuxSllHeader.SLL_LENGTH);
        LinkLayer sll2 = LinkLayer.of(LinkType.LINUX_SLL2);
        assertThat(sll2.typeOffset()).isEqualTo(LinuxSllHeader.SLL2_PROTOCOL_OFFSET);
        assertThat(sll2.headerLength()).isEqualTo(LinuxSllHeader.SLL2_LENGTH);
    }

    @Test
    void ipv4OffsetsMatchRfc791Section31() {
        // version 4 IHL 5, TOS 0, total length 0x0102, id 0x0304, flags MF + offset 0x0506 & 0x1fff, TTL 7,
        // protocol 8, checksum 0x090a, source 11.12.13.14, destination 15.16.17.18.
        MemorySegment s = MemorySegment.ofArray(hex("4500 0102 0304 2506 0708 090a 0b0c0d0e 0f101112"));
        assertThat(Bytes.u8(s, Ipv4Header.VERSION_IHL_OFFSET)).isEqualTo(0x45);
        assertThat(Bytes.u8(s, Ipv4Header.VERSION_IHL_OFFSET) >>> 4).isEqualTo(Ipv4Header.VERSION);
        assertThat(Bytes.u16(s, Ipv4Header.TOTAL_LENGTH_OFFSET)).isEqualTo(0x0102);
        int flagsFragment = Bytes.u16(s, Ipv4Header.FLAGS_FRAGMENT_OFFSET);
        assertThat(flagsFragment & Ipv4Header.FRAGMENT_OFFSET_MASK).isEqualTo(0x0506);
        assertThat(flagsFragment & ~Ipv4Header.FRAGMENT_OFFSET_MASK).isEqualTo(0x2000); // only MF of the flags
        assertThat(Bytes.u8(s, Ipv4Header.TTL_OFFSET)).isEqualTo(7);
        assertThat(Bytes.u8(s, Ipv4Header.PROTOCOL_OFFSET)).isEqualTo(8);
        assertThat(Bytes.i32(s, Ipv4Header.SOURCE_OFFSET)).isEqualTo(0x0b0c0d0e);
        assertThat(Bytes.i32(s, Ipv4Header.DESTINATION_OFFSET)).isEqualTo(0x0f101112);
        assertThat(Ipv4Header.MIN_LENGTH).isEqualTo(5 * 4);
        assertThat(Ipv4Header.PROTOCOL_TCP).isEqualTo(6); // IANA protocol numbers
    }

    @Test
    void ipv6OffsetsMatchRfc8200Sections3And4() {
        MemorySegment s = MemorySegment.ofArray(hex("6abcdef0 0102 2c40"
                + "a0a1a2a3a4a5a6a7 a8a9aaabacadaeaf b0b1b2b3b4b5b6b7 b8b9babbbcbdbebf"
                + "06 00 0029 12345678"));
        assertThat(Bytes.u8(s, Ipv6Header.VERSION_OFFSET) >>> 4).isEqualTo(Ipv6Header.VERSION);
        assertThat(Bytes.u16(s, Ipv6Header.PAYLOAD_LENGTH_OFFSET)).isEqualTo(0x0102);
        assertThat(Bytes.u8(s, Ipv6Header.NEXT_HEADER_OFFSET)).isEqualTo(Ipv6Header.NEXT_FRAGMENT);
        assertThat(Bytes.i64(s, Ipv6Header.SOURCE_OFFSET)).isEqualTo(0xa0a1a2a3a4a5a6a7L);
        assertThat(Bytes.i64(s, Ipv6Header.DESTINATION_OFFSET)).isEqualTo(0xb0b1b2b3b4b5b6b7L);
        assertThat(Ipv6Header.LENGTH).isEqualTo(40);
        // Fragment header (section 4.5): offset 5 (8-byte units) in the high 13 bits, M in the low bit.
        int fragment = Ipv6Header.LENGTH;
        assertThat(Bytes.u8(s, fragment + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET)).isEqualTo(6);
        int offsetField = Bytes.u16(s, fragment + Ipv6Header.FRAGMENT_OFFSET_FIELD_OFFSET);
        assertThat((offsetField & Ipv6Header.FRAGMENT_OFFSET_MASK) >>> 3).isEqualTo(5);
        assertThat(offsetField & 1).isEqualTo(1);
        assertThat(Ipv6Header.FRAGMENT_HEADER_LENGTH).isEqualTo(8);
        // Hop-by-hop options (section 4.3): next header 0x3a, Hdr Ext Len 1, so 16 bytes in all.
        MemorySegment hopByHop = MemorySegment.ofArray(hex("3a 01 0102030405060708090a0b0c0d0e"));
        assertThat(Bytes.u8(hopByHop, Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET)).isEqualTo(0x3a);
        int extensionLength = Bytes.u8(hopByHop, Ipv6Header.EXTENSION_LENGTH_OFFSET);
        assertThat((extensionLength + 1) * Ipv6Header.EXTENSION_UNIT).isEqualTo((int) hopByHop.byteSize());
        assertThat(new int[] {Ipv6Header.NEXT_HOP_BY_HOP, Ipv6Header.NEXT_TCP, Ipv6Header.NEXT_ROUTING,
                Ipv6Header.NEXT_FRAGMENT, Ipv6Header.NEXT_DESTINATION_OPTIONS}).containsExactly(0, 6, 43, 44, 60);
    }

    @Test
    void tcpOffsetsMatchRfc9293Section31() {
        // ports 0x0102 -> 0x0304, seq 0x05060708, ack 0x090a0b0c, data offset 6 with AE, CWR|ECE|URG|ACK,
        // window 0x0d0e, checksum 0x0f10, urgent pointer 0x1112, 4 option bytes.
        MemorySegment s = MemorySegment.ofArray(hex("0102 0304 05060708 090a0b0c 61f0 0d0e 0f10 1112 01010100"));
        assertThat(Bytes.u16(s, TcpHeader.SOURCE_PORT_OFFSET)).isEqualTo(0x0102);
        assertThat(Bytes.u16(s, TcpHeader.DESTINATION_PORT_OFFSET)).isEqualTo(0x0304);
        assertThat(Bytes.u32(s, TcpHeader.SEQUENCE_OFFSET)).isEqualTo(0x05060708L);
        assertThat(Bytes.u32(s, TcpHeader.ACKNOWLEDGEMENT_OFFSET)).isEqualTo(0x090a0b0cL);
        assertThat(Bytes.u8(s, TcpHeader.DATA_OFFSET_OFFSET) >>> 4).isEqualTo(6);
        assertThat(Bytes.u16(s, TcpHeader.FLAGS_OFFSET) & TcpFlags.MASK)
                .isEqualTo(TcpFlags.AE | TcpFlags.CWR | TcpFlags.ECE | TcpFlags.URG | TcpFlags.ACK);
        assertThat(Bytes.u16(s, TcpHeader.WINDOW_OFFSET)).isEqualTo(0x0d0e);
        assertThat(Bytes.u16(s, TcpHeader.CHECKSUM_OFFSET)).isEqualTo(0x0f10);
        assertThat(Bytes.u16(s, TcpHeader.URGENT_POINTER_OFFSET)).isEqualTo(0x1112);
        assertThat(Bytes.u8(s, TcpHeader.OPTIONS_OFFSET)).isEqualTo(1);
        assertThat(TcpHeader.MIN_LENGTH).isEqualTo(5 * 4);
    }
}
