package io.panatap.internal.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.StructLayout;

import static io.panatap.internal.linux.PacketAbi.*;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layouts match the kernel ABI of include/uapi/linux/if_packet.h, filter.h and poll.h on LP64
 * (sizes as {@code sizeof}, offsets as {@code offsetof} would report them).
 */
class PacketAbiTest {

    private static long offset(StructLayout layout, String... path) {
        var elements = new java.lang.foreign.MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    @Test
    void sockaddrLlIs20BytesWithThePacketTypeAtOffset10() {
        assertThat(SOCKADDR_LL.byteSize()).isEqualTo(20);
        assertThat(offset(SOCKADDR_LL, "sll_protocol")).isEqualTo(2);
        assertThat(offset(SOCKADDR_LL, "sll_ifindex")).isEqualTo(4);
        assertThat(offset(SOCKADDR_LL, "sll_hatype")).isEqualTo(8);
        assertThat(offset(SOCKADDR_LL, "sll_pkttype")).isEqualTo(10);
        assertThat(offset(SOCKADDR_LL, "sll_halen")).isEqualTo(11);
        assertThat(offset(SOCKADDR_LL, "sll_addr")).isEqualTo(12);
    }

    @Test
    void tpacketReq3IsSevenUnsignedInts() {
        assertThat(TPACKET_REQ3.byteSize()).isEqualTo(28);
        assertThat(REQ3_BLOCK_SIZE).isZero();
        assertThat(REQ3_BLOCK_NR).isEqualTo(4);
        assertThat(REQ3_FRAME_SIZE).isEqualTo(8);
        assertThat(REQ3_FRAME_NR).isEqualTo(12);
        assertThat(REQ3_RETIRE_BLK_TOV).isEqualTo(16);
        assertThat(REQ3_SIZEOF_PRIV).isEqualTo(20);
        assertThat(REQ3_FEATURE_REQ_WORD).isEqualTo(24);
    }

    @Test
    void packetMreqHasTheIfindexThenTheType() {
        // struct packet_mreq { int mr_ifindex; unsigned short mr_type, mr_alen; unsigned char mr_address[8]; }
        assertThat(PACKET_MREQ.byteSize()).isEqualTo(16);
        assertThat(MR_IFINDEX).isZero();
        assertThat(MR_TYPE).isEqualTo(4);
        assertThat(offset(PACKET_MREQ, "mr_alen")).isEqualTo(6);
        assertThat(offset(PACKET_MREQ, "mr_address")).isEqualTo(8);
    }

    @Test
    void sockaddrLlStartsWithItsFamily() {
        assertThat(SLL_FAMILY).isZero();
        assertThat(SLL_PROTOCOL).isEqualTo(2);
        assertThat(SLL_IFINDEX).isEqualTo(4);
        assertThat(SLL_HATYPE).isEqualTo(8);
        assertThat(SLL_PKTTYPE).isEqualTo(10);
    }

    @Test
    void blockDescriptorHoldsTheV1HeaderAtOffset8() {
        assertThat(TPACKET_HDR_V1.byteSize()).isEqualTo(40);
        assertThat(offset(TPACKET_HDR_V1, "seq_num")).isEqualTo(16);
        assertThat(offset(TPACKET_HDR_V1, "ts_last_pkt")).isEqualTo(32);
        assertThat(TPACKET_BLOCK_DESC.byteSize()).isEqualTo(48);
        assertThat(BLOCK_STATUS).isEqualTo(8);
        assertThat(BLOCK_NUM_PKTS).isEqualTo(12);
        assertThat(BLOCK_OFFSET_TO_FIRST_PKT).isEqualTo(16);
    }

    @Test
    void tpacket3HeaderIs48BytesWithTheVlanFieldsOfVariant1() {
        assertThat(TPACKET3_HDR.byteSize()).isEqualTo(48);
        assertThat(TPACKET_HDR_VARIANT1.byteSize()).isEqualTo(12);
        assertThat(TP_NEXT_OFFSET).isZero();
        assertThat(TP_SEC).isEqualTo(4);
        assertThat(TP_NSEC).isEqualTo(8);
        assertThat(TP_SNAPLEN).isEqualTo(12);
        assertThat(TP_LEN).isEqualTo(16);
        assertThat(TP_STATUS).isEqualTo(20);
        assertThat(TP_MAC).isEqualTo(24);
        assertThat(offset(TPACKET3_HDR, "tp_net")).isEqualTo(26);
        assertThat(offset(TPACKET3_HDR, "hv", "hv1", "tp_rxhash")).isEqualTo(28);
        assertThat(TP_VLAN_TCI).isEqualTo(32);
        assertThat(TP_VLAN_TPID).isEqualTo(36);
        assertThat(offset(TPACKET3_HDR, "tp_padding")).isEqualTo(40);
        // TPACKET3_HDRLEN = TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) + sizeof(struct sockaddr_ll)
        assertThat(TP_SOCKADDR_LL).isEqualTo(48);
        assertThat(TPACKET3_HDRLEN).isEqualTo(68);
    }

    @Test
    void statisticsAreThreeCounters() {
        assertThat(TPACKET_STATS_V3.byteSize()).isEqualTo(12);
        assertThat(STATS_PACKETS).isZero();
        assertThat(STATS_DROPS).isEqualTo(4);
        assertThat(STATS_FREEZE_Q_CNT).isEqualTo(8);
    }

    @Test
    void aSocketFilterProgramIsALengthAndAPointerToEightByteInstructions() {
        assertThat(SOCK_FILTER.byteSize()).isEqualTo(8).isEqualTo(io.panatap.filter.BpfProgram.SOCK_FILTER_BYTES);
        assertThat(offset(SOCK_FILTER, "jt")).isEqualTo(2);
        assertThat(offset(SOCK_FILTER, "jf")).isEqualTo(3);
        assertThat(offset(SOCK_FILTER, "k")).isEqualTo(4);
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; }: the pointer is 8-aligned.
        assertThat(SOCK_FPROG.byteSize()).isEqualTo(16);
        assertThat(FPROG_LEN).isZero();
        assertThat(FPROG_FILTER).isEqualTo(8);
    }

    @Test
    void pollfdIsAnIntAndTwoShorts() {
        assertThat(POLLFD.byteSize()).isEqualTo(8);
        assertThat(POLLFD_FD).isZero();
        assertThat(POLLFD_EVENTS).isEqualTo(4);
        assertThat(POLLFD_REVENTS).isEqualTo(6);
    }

    @Test
    void ifreqIsANameOfSixteenBytesThenAUnionOfTwentyFourWhoseFlagsComeFirst() {
        // struct ifreq { char ifr_name[IFNAMSIZ]; union { ...; short ifr_flags; ...; struct ifmap ifr_map; } }
        assertThat(IFREQ.byteSize()).isEqualTo(40);
        assertThat(IFR_FLAGS).isEqualTo(16);
        assertThat(IFREQ.byteSize() - IFR_FLAGS).isEqualTo(24);
    }

    @Test
    void tpacketAlignRoundsUpToSixteen() {
        assertThat(tpacketAlign(0)).isZero();
        assertThat(tpacketAlign(1)).isEqualTo(16);
        assertThat(tpacketAlign(48)).isEqualTo(48);
        assertThat(tpacketAlign(68)).isEqualTo(80);
    }
}
