package io.panatap.parse;

import io.panatap.testing.Frames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;

import static io.panatap.testing.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Cut and corrupted frames: every outcome is a status, never an exception, and nothing outside the frame is
 * read. Frames sit in native segments sized exactly to them, so a read past the end would throw.
 */
class TruncationAndFuzzTest {

    record Fixture(String name, int linkType, byte[] frame) {
    }

    /** One valid TCP frame of every shape the parser knows. */
    static List<Fixture> fixtures() {
        List<Fixture> list = new ArrayList<>();
        byte[] v4 = Frames.ethernet(Frames.ETHER_TYPE_IPV4, Frames.ipv4(Frames.SRC4, Frames.DST4, 6,
                Frames.tcp(40000, 443, 1, 2, TcpFlags.SYN, 64240, Frames.synOptions(), 0)));
        byte[] v6 = Frames.ethernetIpv6Tcp(Frames.SRC6, Frames.DST6, 443, 40000, TcpFlags.PSH | TcpFlags.ACK, 12);
        list.add(new Fixture("ethernet ipv4 syn options", LinkType.ETHERNET, v4));
        list.add(new Fixture("ethernet ipv6", LinkType.ETHERNET, v6));
        list.add(new Fixture("literal ethernet ipv4", LinkType.ETHERNET, PacketHeadersTest.ethernetIpv4Syn()));
        list.add(new Fixture("802.1Q", LinkType.ETHERNET, Frames.vlan(v4, 100)));
        list.add(new Fixture("QinQ", LinkType.ETHERNET, Frames.vlans(v6, Frames.TPID_8021AD, 1, 2, 3)));
        list.add(new Fixture("sll", LinkType.LINUX_SLL, Frames.sll(v4)));
        list.add(new Fixture("sll vlan", LinkType.LINUX_SLL, Frames.sll(Frames.vlan(v6, 9))));
        list.add(new Fixture("sll2", LinkType.LINUX_SLL2, Frames.sll2(v6)));
        list.add(new Fixture("sll2 vlan", LinkType.LINUX_SLL2, Frames.sll2(Frames.vlan(v4, 9))));
        byte[] raw4 = Frames.slice(v4, 14, v4.length);
        byte[] raw6 = Frames.slice(v6, 14, v6.length);
        for (int linkType : new int[] {LinkType.RAW, LinkType.RAW_BSD_12, LinkType.RAW_BSD_14}) {
            list.add(new Fixture("raw " + linkType + " ipv4", linkType, raw4));
            list.add(new Fixture("raw " + linkType + " ipv6", linkType, raw6));
        }
        list.add(new Fixture("ipv4 228", LinkType.IPV4, raw4));
        list.add(new Fixture("ipv6 229", LinkType.IPV6, raw6));
        byte[] options = new byte[40];
        list.add(new Fixture("ipv4 IHL 15 first fragment", LinkType.ETHERNET, Frames.ethernet(Frames.ETHER_TYPE_IPV4,
                Frames.ipv4(Frames.SRC4, Frames.DST4, 6, options, 0x2000, Frames.tcp(1, 2, TcpFlags.ACK, 8)))));
        list.add(new Fixture("ipv6 extension chain", LinkType.RAW, Frames.ipv6(Frames.SRC6, Frames.DST6, 0,
                Frames.ipv6Extension(43, 1, Frames.ipv6Extension(60, 3, Frames.ipv6Fragment(6, 0, true,
                        Frames.tcp(7, 8, 7, 8, TcpFlags.URG | TcpFlags.ACK, 9, new byte[40], 4)))))));
        list.add(new Fixture("ipv6 jumbo hop-by-hop", LinkType.ETHERNET, hex(PacketHeadersTest.ETH_IPV6
                + "6000 0000 0000 0040 20010db8000000000000000000000001 20010db8000000010000000000000002"
                + "0600 c204 00010040" + PacketHeadersTest.TCP_SYNACK + "aabbcc")));
        return list;
    }

    @Test
    void everyFixtureIsTcp() {
        for (Fixture f : fixtures()) {
            PacketHeaders h = ParseSupport.parse(f.frame(), f.linkType());
            assertThat(h.status()).as(f.name()).isEqualTo(ParseStatus.OK);
            assertThat(h.hasFlags()).as(f.name()).isTrue();
        }
    }

    @Test
    void everyShorterPrefixIsTruncatedOrTcpWithoutFlagsAndNeverThrows() {
        for (Fixture f : fixtures()) {
            PacketHeaders whole = ParseSupport.parse(f.frame(), f.linkType());
            int tcp = whole.tcpOffset();
            for (int length = 0; length < f.frame().length; length++) {
                PacketHeaders h = ParseSupport.parse(Frames.slice(f.frame(), 0, length), f.linkType());
                String what = f.name() + " cut to " + length;
                if (length < tcp + TcpHeader.PORTS_LENGTH) {
                    assertThat(h.status()).as(what).isEqualTo(ParseStatus.TRUNCATED);
                    assertThat(h.problemLayer()).as(what).isNotEqualTo(Layer.NONE);
                    assertThat(h.hasPorts()).as(what).isFalse();
                } else {
                    assertThat(h.status()).as(what).isEqualTo(ParseStatus.OK);
                    assertThat(h.sourcePort()).as(what).isEqualTo(whole.sourcePort());
                    assertThat(h.hasFlags()).as(what).isEqualTo(length >= tcp + TcpHeader.FLAGS_CAPTURED_LENGTH);
                    assertThat(h.payloadOffset()).as(what).isLessThanOrEqualTo(length);
                }
            }
        }
    }

    @Test
    void truncationNamesTheLayerThatWasCut() {
        byte[] frame = Frames.vlan(Frames.ethernetIpv4Tcp(Frames.SRC4, Frames.DST4, 1, 2, TcpFlags.ACK, 0), 5);
        assertThat(ParseSupport.parse(Frames.slice(frame, 0, 13), LinkType.ETHERNET).problemLayer()).isEqualTo(Layer.LINK);
        assertThat(ParseSupport.parse(Frames.slice(frame, 0, 17), LinkType.ETHERNET).problemLayer()).isEqualTo(Layer.VLAN);
        assertThat(ParseSupport.parse(Frames.slice(frame, 0, 30), LinkType.ETHERNET).problemLayer()).isEqualTo(Layer.IPV4);
        assertThat(ParseSupport.parse(Frames.slice(frame, 0, 40), LinkType.ETHERNET).problemLayer()).isEqualTo(Layer.TCP);
        byte[] v6 = Frames.ipv6(Frames.SRC6, Frames.DST6, 60, Frames.ipv6Extension(6, 1, Frames.tcp(1, 2, 0, 0)));
        assertThat(ParseSupport.parse(Frames.slice(v6, 0, 39), LinkType.RAW).problemLayer()).isEqualTo(Layer.IPV6);
        assertThat(ParseSupport.parse(Frames.slice(v6, 0, 44), LinkType.RAW).problemLayer())
                .isEqualTo(Layer.IPV6_EXTENSION);
    }

    /**
     * Mutates and truncates the fixtures with a fixed seed: byte flips biased toward the header fields that
     * steer the parser (types, lengths, versions, offsets), random bytes, and random cuts, wrapped at random
     * link types. Over a million frames must each end in a status without an exception.
     */
    @Test
    void survivesAMillionMutatedAndTruncatedFrames() {
        List<Fixture> fixtures = fixtures();
        Random random = new Random(0x5EED_0003L);
        int[] linkTypes = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW,
                LinkType.RAW_BSD_12, LinkType.RAW_BSD_14, LinkType.IPV4, LinkType.IPV6, 0, 147};
        // Values that steer the parser, written at random places.
        int[] interesting = {0x00, 0x06, 0x08, 0x2b, 0x2c, 0x3c, 0x40, 0x45, 0x4f, 0x60, 0x81, 0x86, 0x88, 0x91,
                0xa8, 0xdd, 0xf0, 0xff};
        EnumSet<ParseStatus> seen = EnumSet.noneOf(ParseStatus.class);
        EnumSet<Layer> layers = EnumSet.noneOf(Layer.class);
        PacketHeaders h = new PacketHeaders();
        int cases = 1_000_000;
        byte[] scratch = new byte[256];
        try (Arena arena = Arena.ofConfined()) {
            // One native buffer: each frame is copied in at a random offset and wrapped as an exact slice.
            MemorySegment buffer = arena.allocate(4096);
            for (int n = 0; n < cases; n++) {
                Fixture f = fixtures.get(random.nextInt(fixtures.size()));
                byte[] source = f.frame();
                int length = random.nextInt(4) == 0 ? random.nextInt(source.length + 1) : source.length;
                if (scratch.length < source.length) {
                    scratch = new byte[source.length];
                }
                System.arraycopy(source, 0, scratch, 0, source.length);
                int mutations = random.nextInt(6);
                for (int m = 0; m < mutations && length > 0; m++) {
                    int at = random.nextInt(length);
                    switch (random.nextInt(3)) {
                        case 0 -> scratch[at] = (byte) interesting[random.nextInt(interesting.length)];
                        case 1 -> scratch[at] ^= (byte) (1 << random.nextInt(8));
                        default -> scratch[at] = (byte) random.nextInt(256);
                    }
                }
                int linkType = random.nextInt(8) == 0 ? linkTypes[random.nextInt(linkTypes.length)] : f.linkType();
                long offset = random.nextInt(4096 - length + 1);
                MemorySegment frame = buffer.asSlice(offset, length);
                MemorySegment.copy(scratch, 0, frame, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, length);
                try {
                    ParseStatus status = random.nextBoolean()
                            ? h.wrap(frame, 0, length, linkType)
                            // A length claiming more than the slice holds must be cut to the slice.
                            : h.wrap(frame, 0, length + random.nextInt(100), linkType);
                    seen.add(status);
                    layers.add(h.problemLayer());
                    checkInvariants(h, length);
                } catch (RuntimeException | AssertionError e) {
                    fail("case " + n + " (" + f.name() + ", link type " + linkType + ", length " + length + "): "
                            + java.util.HexFormat.of().formatHex(scratch, 0, length), e);
                }
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(ParseStatus.values());
        assertThat(layers).containsExactlyInAnyOrder(Layer.values());
    }

    private static void checkInvariants(PacketHeaders h, int length) {
        boolean ok = h.status() == ParseStatus.OK;
        if (ok != (h.problemLayer() == Layer.NONE) && h.status() != ParseStatus.NOT_TCP) {
            throw new AssertionError("problem layer " + h.problemLayer() + " with status " + h.status());
        }
        if (ok && (!h.hasPorts() || h.tcpOffset() + TcpHeader.PORTS_LENGTH > length || h.ipVersion() == 0)) {
            throw new AssertionError("OK without ports inside the frame");
        }
        if (h.hasFlags() && (h.tcpOffset() + TcpHeader.FLAGS_CAPTURED_LENGTH > length || h.dataOffset() < 5)) {
            throw new AssertionError("flags outside the frame");
        }
        if (ok && (h.payloadOffset() > length || h.payloadOffset() < h.tcpOffset()
                || h.capturedPayloadLength() < 0 || h.payloadOffset() + h.capturedPayloadLength() > length
                || h.payloadLength() < 0 || h.optionsLength() < 0 || h.optionsLength() > 40)) {
            throw new AssertionError("payload or options outside the frame");
        }
    }
}
