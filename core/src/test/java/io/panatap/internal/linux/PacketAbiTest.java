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
    void tpacketReq3Is28Bytes() {
        assertThat(TPACKET_REQ3.byteSize()).isEqualTo(28);
        assertThat(offset(TPACKET_REQ3, "tp_retire_blk_tov")).isEqualTo(16);
        assertThat(offset(TPACKET_REQ3, "tp_feature_req_word")).isEqualTo(24);
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
    void statisticsFilterAndPollStructuresHaveKernelSizes() {
        assertThat(TPACKET_STATS_V3.byteSize()).isEqualTo(12);
        assertThat(offset(TPACKET_STATS_V3, "tp_freeze_q_cnt")).isEqualTo(8);
        assertThat(SOCK_FILTER.byteSize()).isEqualTo(8);
        assertThat(offset(SOCK_FILTER, "k")).isEqualTo(4);
        assertThat(SOCK_FPROG.byteSize()).isEqualTo(16);
        assertThat(offset(SOCK_FPROG, "filter")).isEqualTo(8);
        assertThat(POLLFD.byteSize()).isEqualTo(8);
        assertThat(offset(POLLFD, "revents")).isEqualTo(6);
        assertThat(PACKET_MREQ.byteSize()).isEqualTo(16);
    }

    @Test
    void tpacketAlignRoundsUpToSixteen() {
        assertThat(tpacketAlign(0)).isZero();
        assertThat(tpacketAlign(1)).isEqualTo(16);
        assertThat(tpacketAlign(48)).isEqualTo(48);
        assertThat(tpacketAlign(68)).isEqualTo(80);
    }
}
