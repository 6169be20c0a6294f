package io.panatap.filter;

import io.panatap.parse.LinkLayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panatap.parse.LinkType;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** Whatever the user types, compiling ends in a valid program or a FilterException, nothing else. */
class FilterRobustnessTest {
    private static final String[] VOCABULARY = {
        "host", "net", "port", "portrange", "src", "dst", "and", "or", "not", "!", "&&", "||", "(", ")", "[", "]",
        ":", "ip", "ip6", "tcp", "udp", "sctp", "vlan", "less", "greater", "len", "mask", "10.0.0.1", "10.0",
        "fd00::1", "::", "/", "8", "80", "443", "1-2", "0x1f", "09", "4294967296", "=", "==", "!=", "<", "<=", ">",
        ">=", "&", "|", "+", "-", "*", "<<", ">>", "tcpflags", "tcp-syn", "example", "$", "'", "255.255.0.0",
        "1.2.3.4.5", "65536", "4096", "0",
    };

    @Test
    void randomTokenSoupNeverEscapesAsAnythingButFilterException() throws FilterException {
        SplittableRandom rnd = new SplittableRandom(42);
        java.util.Map<Integer, java.util.List<RandomFilters.Packet>> packets = java.util.Map.of(
                LinkType.ETHERNET, FilterDifferentialTest.packets(LinkType.ETHERNET, 60, 5),
                LinkType.RAW, FilterDifferentialTest.packets(LinkType.RAW, 60, 6));
        int compiled = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + rnd.nextInt(12);
            for (int j = 0; j < n; j++) {
                sb.append(VOCABULARY[rnd.nextInt(VOCABULARY.length)]).append(rnd.nextInt(4) == 0 ? "" : " ");
            }
            for (int linkType : new int[] {LinkType.ETHERNET, LinkType.RAW}) {
                try {
                    BpfProgram p = FilterCompiler.compile(sb.toString(), linkType, 65535);
                    assertThat(p.isValid()).as(sb.toString()).isTrue();
                    compiled++;
                    // Whatever shape the parser built, the program means what the tree means.
                    FilterExpr tree = FilterParser.parse(sb.toString());
                    for (RandomFilters.Packet pk : packets.get(linkType)) {
                        assertThat(FilterDifferentialTest.run(p, pk) != 0).as(sb.toString()).isEqualTo(
                                ReferenceEvaluator.accepts(tree, LinkLayer.of(linkType), pk.bytes(), pk.captured(),
                                        pk.wireLength()));
                    }
                } catch (FilterException e) {
                    assertThat(e.getMessage()).as(sb.toString()).isNotBlank().doesNotContain("Exception");
                }
            }
        }
        assertThat(compiled).isGreaterThan(200); // 341 of the 40,000 attempts are valid filters
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        assertThatThrownBy(() -> FilterCompiler.compile("(".repeat(100_000) + "tcp" + ")".repeat(100_000),
                LinkType.ETHERNET, 0)).isInstanceOf(FilterException.class);
        assertThatThrownBy(() -> FilterCompiler.compile("not ".repeat(5_000) + "tcp", LinkType.ETHERNET, 0))
                .isExactlyInstanceOf(FilterException.class).hasMessageContaining("nested too deeply");
        assertThatThrownBy(() -> FilterCompiler.compile("ip[" .repeat(5_000) + "0" + "]".repeat(5_000) + " = 1",
                LinkType.ETHERNET, 0)).isInstanceOf(FilterException.class);
    }

    @Test
    void hugeExpressionsAreRejectedAsTooLarge() {
        assertThatThrownBy(() -> FilterCompiler.compile("ip or ".repeat(20_000) + "ip", LinkType.ETHERNET, 0))
                .isExactlyInstanceOf(FilterException.class).hasMessageStartingWith("filter too large");
    }
}
