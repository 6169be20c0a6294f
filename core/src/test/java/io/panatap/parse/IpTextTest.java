package io.panatap.parse;

import io.panatap.testing.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class IpTextTest {

    static String format6(String literal) {
        byte[] bytes = Frames.address(literal, 16);
        return IpText.appendIpv6(new StringBuilder(), bytes, 0).toString();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # RFC 5952 section 4.1: leading zeros MUST be suppressed
            2001:0db8::0001                          | 2001:db8::1
            2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001   | 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1
            # section 4.2.1: "::" MUST be used to its maximum capability
            2001:db8:0:0:0:0:2:1                     | 2001:db8::2:1
            2001:db8::0:1                            | 2001:db8::1
            # section 4.2.2: "::" MUST NOT be used to shorten just one 16-bit 0 field
            2001:db8:0:1:1:1:1:1                     | 2001:db8:0:1:1:1:1:1
            # section 4.2.3: the longest run is compressed; of equal runs, the first
            2001:0:0:1:0:0:0:1                       | 2001:0:0:1::1
            2001:db8:0:0:1:0:0:1                     | 2001:db8::1:0:0:1
            # section 4.3: lower case
            2001:DB8::AAAA                           | 2001:db8::aaaa
            2001:db8:0:0:0:0:0:1                     | 2001:db8::1
            # section 2.1 and 2.2 variants of one address all give the canonical form
            2001:db8:0:0:1:0:0:1                     | 2001:db8::1:0:0:1
            2001:0db8:0:0:1:0:0:1                    | 2001:db8::1:0:0:1
            2001:db8::1:0:0:1                        | 2001:db8::1:0:0:1
            2001:db8::0:1:0:0:1                      | 2001:db8::1:0:0:1
            2001:0db8::1:0:0:1                       | 2001:db8::1:0:0:1
            2001:db8:0:0:1::1                        | 2001:db8::1:0:0:1
            2001:db8:0000:0:1::1                     | 2001:db8::1:0:0:1
            2001:DB8:0:0:1::1                        | 2001:db8::1:0:0:1
            # section 5: IPv4-mapped addresses in mixed notation
            ::ffff:192.0.2.1                         | ::ffff:192.0.2.1
            0:0:0:0:0:ffff:c000:0201                 | ::ffff:192.0.2.1
            ::ffff:0.0.0.0                           | ::ffff:0.0.0.0
            # edges: all zero, loopback, runs at either end, no zero at all
            ::                                       | ::
            ::1                                      | ::1
            1::                                      | 1::
            0:0:1:0:0:0:0:0                          | 0:0:1::
            0:1:0:0:0:0:0:0                          | 0:1::
            1:0:0:0:0:0:0:0                          | 1::
            0:0:0:0:0:0:0:1                          | ::1
            1:2:3:4:5:6:7:8                          | 1:2:3:4:5:6:7:8
            ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff  | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff
            fe80::a00:27ff:fe5e:d19e                 | fe80::a00:27ff:fe5e:d19e
            0:0:0:0:0:fffe:c000:201                  | ::fffe:c000:201
            # IPv4-compatible ::/96 (RFC 4291 2.5.5.1, the other well-known prefix of section 5), as tshark
            ::c000:201                               | ::192.0.2.1
            ::1.2.3.4                                | ::1.2.3.4
            ::ffff:1                                 | ::255.255.0.1
            ::1:0                                    | ::0.1.0.0
            ::2                                      | ::2
            ::ffff                                   | ::ffff
            ::1:0:0                                  | ::1:0:0
            ::ffff:0:0:1                             | ::ffff:0:0:1
            ::ffff:0:1                               | ::ffff:0.0.0.1
            0:0:0:0:0:1:0:1                          | ::1:0:1
            1:0:0:1:0:0:1:1                          | 1::1:0:0:1:1
            64:ff9b::c000:201                        | 64:ff9b::c000:201
            """)
    void formatsIpv6AsRfc5952Canonical(String literal, String expected) {
        assertThat(format6(literal)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"0.0.0.0", "255.255.255.255", "192.0.2.1", "10.0.14.4", "127.0.0.1", "1.10.100.200"})
    void formatsIpv4AsDottedQuad(String literal) {
        int address = ByteBuffer.wrap(Frames.address(literal, 4)).getInt();
        assertThat(IpText.appendIpv4(new StringBuilder(), address).toString()).isEqualTo(literal);
        assertThat(IpText.ipv4(address)).isEqualTo(literal);
    }

    @Test
    void appendsToWhatTheBuilderAlreadyHolds() {
        StringBuilder out = new StringBuilder("src=");
        IpText.appendIpv6(out, 0x20010db800000000L, 1L).append(" dst=");
        IpText.appendIpv4(out, 0x0a000001);
        assertThat(out).hasToString("src=2001:db8::1 dst=10.0.0.1");
    }

    @Test
    void randomIpv6AddressesRoundTripThroughInetAddressAndMatchAReferenceFormatter() throws Exception {
        Random random = new Random(5952);
        StringBuilder out = new StringBuilder(64);
        for (int n = 0; n < 100_000; n++) {
            byte[] bytes = randomAddress(random);
            long high = ByteBuffer.wrap(bytes, 0, 8).getLong();
            long low = ByteBuffer.wrap(bytes, 8, 8).getLong();
            out.setLength(0);
            String text = IpText.appendIpv6(out, high, low).toString();

            InetAddress parsed = InetAddress.getByName(text);
            if (parsed instanceof Inet4Address) { // Java parses ::ffff:a.b.c.d as the IPv4 address
                assertThat(text).startsWith("::ffff:");
                assertThat(Frames.address(text, 16)).isEqualTo(bytes);
            } else {
                assertThat(parsed.getAddress()).as(text).isEqualTo(bytes);
            }
            assertThat(text).as("reference for %s", text).isEqualTo(reference(bytes));
        }
    }

    /** Addresses with many zero groups (runs of every length and position) and some IPv4-mapped ones. */
    static byte[] randomAddress(Random random) {
        byte[] bytes = new byte[16];
        if (random.nextInt(10) == 0) {
            boolean mapped = random.nextBoolean();
            bytes[10] = (byte) (mapped ? 0xFF : 0);
            bytes[11] = (byte) (mapped ? 0xFF : 0);
            for (int i = 12; i < 16; i++) {
                bytes[i] = (byte) random.nextInt(256);
            }
            return bytes;
        }
        for (int group = 0; group < 8; group++) {
            int kind = random.nextInt(4);
            int value = kind <= 1 ? 0 : kind == 2 ? random.nextInt(0x10000) : random.nextInt(16) << (4 * random.nextInt(4));
            bytes[2 * group] = (byte) (value >>> 8);
            bytes[2 * group + 1] = (byte) value;
        }
        return bytes;
    }

    private static final Pattern ZERO_RUN = Pattern.compile("(?:^|:)0(?::0)+(?::|$)");

    /** A second, string-based formatter: full form without leading zeros, then the first longest zero run. */
    static String reference(byte[] bytes) {
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= bytes[i] == 0;
        }
        String quad = (bytes[12] & 0xFF) + "." + (bytes[13] & 0xFF) + "." + (bytes[14] & 0xFF) + "." + (bytes[15] & 0xFF);
        if (mapped && bytes[10] == (byte) 0xFF && bytes[11] == (byte) 0xFF) {
            return "::ffff:" + quad;
        }
        if (mapped && bytes[10] == 0 && bytes[11] == 0 && (bytes[12] != 0 || bytes[13] != 0)) {
            return "::" + quad;
        }
        StringBuilder full = new StringBuilder();
        for (int group = 0; group < 8; group++) {
            if (group > 0) {
                full.append(':');
            }
            full.append(Integer.toHexString(((bytes[2 * group] & 0xFF) << 8) | (bytes[2 * group + 1] & 0xFF)));
        }
        String text = full.toString();
        Matcher matcher = ZERO_RUN.matcher(text);
        int bestStart = -1;
        int bestEnd = -1;
        int bestGroups = 0;
        int from = 0;
        while (from < text.length() && matcher.find(from)) {
            int groups = matcher.group().replace(":", "").length(); // each zero group is one "0"
            if (groups > bestGroups) {
                bestStart = matcher.start();
                bestEnd = matcher.end();
                bestGroups = groups;
            }
            from = matcher.end() > matcher.start() + 1 ? matcher.end() - 1 : matcher.end();
        }
        if (bestStart < 0) {
            return text;
        }
        return text.substring(0, bestStart) + "::" + text.substring(bestEnd);
    }
}
