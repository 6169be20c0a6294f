package io.panatap.internal.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The kernel ABI of {@code AF_PACKET} sockets with a {@code TPACKET_V3} ring: constants and structure
 * layouts from {@code <linux/if_packet.h>}, {@code <linux/filter.h>}, {@code <bits/socket.h>} and
 * {@code <poll.h>} (x86-64 / aarch64 LP64). {@code PacketAbiTest} checks every size and offset.
 *
 * <p>Ring memory layout (Documentation/networking/packet_mmap.rst, "TPACKET_V3"):
 * <pre>
 *  block 0                                   block 1 ...
 * +---------------------+------------------+----------+---------+---------------------
 * | tpacket_block_desc  | tpacket3_hdr     | sockaddr | frame   | tpacket3_hdr ...
 * |  version, priv off, |  next_offset,    | _ll      | data    |  (tp_next_offset
 * |  block_status,      |  sec, nsec,      | (at hdr  | (at hdr |   from this header;
 * |  num_pkts,          |  snaplen, len,   | + 48)    | + tp_mac)|  0 for the last)
 * |  offset_to_first_pkt|  status, mac,net,|          |         |
 * |  ...                |  rxhash, vlan    |          |         |
 * +---------------------+------------------+----------+---------+---------------------
 * </pre>
 * A block belongs to user space while {@code block_status & TP_STATUS_USER}; writing
 * {@code TP_STATUS_KERNEL} hands it back.
 */
public final class PacketAbi {
    private PacketAbi() {
    }

    // <bits/socket.h>, <linux/socket.h>
    public static final int AF_PACKET = 17;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_ERROR = 4;
    public static final int SO_ATTACH_FILTER = 26;

    // <linux/if_ether.h>: the socket protocol that receives every frame (EtherType values: parse.EtherType)
    public static final int ETH_P_ALL = 0x0003;

    // <linux/if_arp.h>: device types that decide the link type.
    public static final int ARPHRD_ETHER = 1;
    public static final int ARPHRD_LOOPBACK = 772;

    // <linux/if_packet.h>
    public static final int SOL_PACKET = 263;
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_RX_RING = 5;
    public static final int PACKET_STATISTICS = 6;
    public static final int PACKET_VERSION = 10;
    public static final int PACKET_FANOUT = 18;
    public static final int PACKET_IGNORE_OUTGOING = 23;
    public static final int PACKET_MR_PROMISC = 1;
    public static final int TPACKET_V3 = 2;

    /** The {@code sll_pkttype} of a sent packet ({@link io.panatap.PacketType} maps them all). */
    public static final int PACKET_OUTGOING = 4;

    public static final int PACKET_FANOUT_HASH = 0;
    public static final int PACKET_FANOUT_LB = 1;
    public static final int PACKET_FANOUT_CPU = 2;
    public static final int PACKET_FANOUT_ROLLOVER = 3;
    /** Flags ORed into the fanout type: reassemble IP fragments first; let the kernel pick a free id. */
    public static final int PACKET_FANOUT_FLAG_DEFRAG = 0x8000;
    public static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;

    public static final int TP_STATUS_KERNEL = 0;
    public static final int TP_STATUS_USER = 1 << 0;
    public static final int TP_STATUS_VLAN_VALID = 1 << 4;
    public static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;

    /** TPACKET_ALIGNMENT: frames and the sockaddr_ll after a header are 16-byte aligned. */
    public static final int TPACKET_ALIGNMENT = 16;

    public static int tpacketAlign(int x) {
        return (x + TPACKET_ALIGNMENT - 1) & ~(TPACKET_ALIGNMENT - 1);
    }

    /** struct sockaddr_ll: 20 bytes. */
    public static final StructLayout SOCKADDR_LL = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sll_family"),
            JAVA_SHORT.withName("sll_protocol"),      // network byte order
            JAVA_INT.withName("sll_ifindex"),
            JAVA_SHORT.withName("sll_hatype"),
            JAVA_BYTE.withName("sll_pkttype"),
            JAVA_BYTE.withName("sll_halen"),
            sequenceLayout(8, JAVA_BYTE).withName("sll_addr")).withName("sockaddr_ll");

    /** struct packet_mreq: 16 bytes. */
    public static final StructLayout PACKET_MREQ = MemoryLayout.structLayout(
            JAVA_INT.withName("mr_ifindex"),
            JAVA_SHORT.withName("mr_type"),
            JAVA_SHORT.withName("mr_alen"),
            sequenceLayout(8, JAVA_BYTE).withName("mr_address")).withName("packet_mreq");

    /** struct tpacket_req3: 28 bytes. */
    public static final StructLayout TPACKET_REQ3 = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_block_size"),
            JAVA_INT.withName("tp_block_nr"),
            JAVA_INT.withName("tp_frame_size"),
            JAVA_INT.withName("tp_frame_nr"),
            JAVA_INT.withName("tp_retire_blk_tov"),
            JAVA_INT.withName("tp_sizeof_priv"),
            JAVA_INT.withName("tp_feature_req_word")).withName("tpacket_req3");

    /** struct tpacket_bd_ts: 8 bytes (usec or nsec union). */
    public static final StructLayout TPACKET_BD_TS = MemoryLayout.structLayout(
            JAVA_INT.withName("ts_sec"),
            JAVA_INT.withName("ts_nsec")).withName("tpacket_bd_ts");

    /** struct tpacket_hdr_v1: 40 bytes; seq_num is an __aligned_u64. */
    public static final StructLayout TPACKET_HDR_V1 = MemoryLayout.structLayout(
            JAVA_INT.withName("block_status"),
            JAVA_INT.withName("num_pkts"),
            JAVA_INT.withName("offset_to_first_pkt"),
            JAVA_INT.withName("blk_len"),
            JAVA_LONG.withName("seq_num"),
            TPACKET_BD_TS.withName("ts_first_pkt"),
            TPACKET_BD_TS.withName("ts_last_pkt")).withName("tpacket_hdr_v1");

    /** struct tpacket_block_desc: 48 bytes; the header union is 8-aligned. */
    public static final StructLayout TPACKET_BLOCK_DESC = MemoryLayout.structLayout(
            JAVA_INT.withName("version"),
            JAVA_INT.withName("offset_to_priv"),
            MemoryLayout.unionLayout(TPACKET_HDR_V1.withName("bh1")).withName("hdr")).withName("tpacket_block_desc");

    /** struct tpacket_hdr_variant1: 12 bytes. */
    public static final StructLayout TPACKET_HDR_VARIANT1 = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_rxhash"),
            JAVA_INT.withName("tp_vlan_tci"),
            JAVA_SHORT.withName("tp_vlan_tpid"),
            JAVA_SHORT.withName("tp_padding")).withName("tpacket_hdr_variant1");

    private static final UnionLayout TPACKET3_VARIANT = MemoryLayout.unionLayout(TPACKET_HDR_VARIANT1.withName("hv1"));

    /** struct tpacket3_hdr: 48 bytes. */
    public static final StructLayout TPACKET3_HDR = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_next_offset"),
            JAVA_INT.withName("tp_sec"),
            JAVA_INT.withName("tp_nsec"),
            JAVA_INT.withName("tp_snaplen"),
            JAVA_INT.withName("tp_len"),
            JAVA_INT.withName("tp_status"),
            JAVA_SHORT.withName("tp_mac"),
            JAVA_SHORT.withName("tp_net"),
            TPACKET3_VARIANT.withName("hv"),
            sequenceLayout(8, JAVA_BYTE).withName("tp_padding")).withName("tpacket3_hdr");

    /** struct tpacket_stats_v3: 12 bytes. */
    public static final StructLayout TPACKET_STATS_V3 = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_packets"),
            JAVA_INT.withName("tp_drops"),
            JAVA_INT.withName("tp_freeze_q_cnt")).withName("tpacket_stats_v3");

    /** struct sock_filter: 8 bytes. */
    public static final StructLayout SOCK_FILTER = MemoryLayout.structLayout(
            JAVA_SHORT.withName("code"),
            JAVA_BYTE.withName("jt"),
            JAVA_BYTE.withName("jf"),
            JAVA_INT.withName("k")).withName("sock_filter");

    /** struct sock_fprog: 16 bytes (pointer aligned after the short length). */
    public static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
            JAVA_SHORT.withName("len"),
            paddingLayout(6),
            ADDRESS.withName("filter")).withName("sock_fprog");

    /** struct pollfd: 8 bytes. */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents")).withName("pollfd");

    // netdevice(7): an interface's flags, read with ioctl(fd, SIOCGIFFLAGS, &ifreq) by name.
    public static final long SIOCGIFFLAGS = 0x8913;
    public static final int IFF_UP = 0x1;
    /** {@code struct ifreq}: the name, then a union of 24 bytes (struct ifmap is the largest) of which flags is a short. */
    public static final StructLayout IFREQ = MemoryLayout.structLayout(
            sequenceLayout(16, JAVA_BYTE).withName("ifr_name"),
            MemoryLayout.unionLayout(
                    JAVA_SHORT.withName("ifr_flags"),
                    sequenceLayout(24, JAVA_BYTE).withName("ifr_map")).withName("ifr_ifru")).withName("ifreq");

    // Offsets used on the packet path, as plain constants.
    public static final long BLOCK_STATUS = TPACKET_BLOCK_DESC.byteOffset(groupElement("hdr"), groupElement("bh1"), groupElement("block_status"));
    public static final long BLOCK_NUM_PKTS = TPACKET_BLOCK_DESC.byteOffset(groupElement("hdr"), groupElement("bh1"), groupElement("num_pkts"));
    public static final long BLOCK_OFFSET_TO_FIRST_PKT = TPACKET_BLOCK_DESC.byteOffset(groupElement("hdr"), groupElement("bh1"), groupElement("offset_to_first_pkt"));

    public static final long TP_NEXT_OFFSET = TPACKET3_HDR.byteOffset(groupElement("tp_next_offset"));
    public static final long TP_SEC = TPACKET3_HDR.byteOffset(groupElement("tp_sec"));
    public static final long TP_NSEC = TPACKET3_HDR.byteOffset(groupElement("tp_nsec"));
    public static final long TP_SNAPLEN = TPACKET3_HDR.byteOffset(groupElement("tp_snaplen"));
    public static final long TP_LEN = TPACKET3_HDR.byteOffset(groupElement("tp_len"));
    public static final long TP_STATUS = TPACKET3_HDR.byteOffset(groupElement("tp_status"));
    public static final long TP_MAC = TPACKET3_HDR.byteOffset(groupElement("tp_mac"));
    public static final long TP_NET = TPACKET3_HDR.byteOffset(groupElement("tp_net"));
    public static final long TP_VLAN_TCI = TPACKET3_HDR.byteOffset(groupElement("hv"), groupElement("hv1"), groupElement("tp_vlan_tci"));
    public static final long TP_VLAN_TPID = TPACKET3_HDR.byteOffset(groupElement("hv"), groupElement("hv1"), groupElement("tp_vlan_tpid"));

    /** The sockaddr_ll follows each tpacket3_hdr at TPACKET_ALIGN(sizeof(struct tpacket3_hdr)). */
    public static final long TP_SOCKADDR_LL = tpacketAlign((int) TPACKET3_HDR.byteSize());
    /** TPACKET3_HDRLEN: header plus sockaddr_ll, the minimum frame size. */
    public static final int TPACKET3_HDRLEN = tpacketAlign((int) TPACKET3_HDR.byteSize()) + (int) SOCKADDR_LL.byteSize();

    public static final long SLL_FAMILY = SOCKADDR_LL.byteOffset(groupElement("sll_family"));
    public static final long SLL_PROTOCOL = SOCKADDR_LL.byteOffset(groupElement("sll_protocol"));
    public static final long SLL_IFINDEX = SOCKADDR_LL.byteOffset(groupElement("sll_ifindex"));
    public static final long SLL_HATYPE = SOCKADDR_LL.byteOffset(groupElement("sll_hatype"));
    public static final long SLL_PKTTYPE = SOCKADDR_LL.byteOffset(groupElement("sll_pkttype"));
    public static final long SLL_HALEN = SOCKADDR_LL.byteOffset(groupElement("sll_halen"));
    public static final long SLL_ADDR = SOCKADDR_LL.byteOffset(groupElement("sll_addr"));

    // Offsets of the structures written when a socket is set up, read for statistics or polled.
    public static final long MR_IFINDEX = PACKET_MREQ.byteOffset(groupElement("mr_ifindex"));
    public static final long MR_TYPE = PACKET_MREQ.byteOffset(groupElement("mr_type"));

    public static final long REQ3_BLOCK_SIZE = TPACKET_REQ3.byteOffset(groupElement("tp_block_size"));
    public static final long REQ3_BLOCK_NR = TPACKET_REQ3.byteOffset(groupElement("tp_block_nr"));
    public static final long REQ3_FRAME_SIZE = TPACKET_REQ3.byteOffset(groupElement("tp_frame_size"));
    public static final long REQ3_FRAME_NR = TPACKET_REQ3.byteOffset(groupElement("tp_frame_nr"));
    public static final long REQ3_RETIRE_BLK_TOV = TPACKET_REQ3.byteOffset(groupElement("tp_retire_blk_tov"));
    public static final long REQ3_SIZEOF_PRIV = TPACKET_REQ3.byteOffset(groupElement("tp_sizeof_priv"));
    public static final long REQ3_FEATURE_REQ_WORD = TPACKET_REQ3.byteOffset(groupElement("tp_feature_req_word"));

    public static final long STATS_PACKETS = TPACKET_STATS_V3.byteOffset(groupElement("tp_packets"));
    public static final long STATS_DROPS = TPACKET_STATS_V3.byteOffset(groupElement("tp_drops"));
    public static final long STATS_FREEZE_Q_CNT = TPACKET_STATS_V3.byteOffset(groupElement("tp_freeze_q_cnt"));

    public static final long FPROG_LEN = SOCK_FPROG.byteOffset(groupElement("len"));
    public static final long FPROG_FILTER = SOCK_FPROG.byteOffset(groupElement("filter"));

    public static final long POLLFD_FD = POLLFD.byteOffset(groupElement("fd"));
    public static final long POLLFD_EVENTS = POLLFD.byteOffset(groupElement("events"));
    public static final long POLLFD_REVENTS = POLLFD.byteOffset(groupElement("revents"));
    public static final long IFR_FLAGS = IFREQ.byteOffset(groupElement("ifr_ifru"), groupElement("ifr_flags"));
}
