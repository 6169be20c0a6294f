package io.panatap.capture;

import io.panatap.Direction;
import io.panatap.filter.FilterException;
import io.panatap.parse.LinkType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The builder's checks and what it hands to opening; nothing here opens a socket. */
class PacketCaptureBuilderTest {

    @Test
    void receivedPacketsOnlyUnlessToldOtherwise() {
        CaptureOptions o = PacketCapture.builder().options();
        assertThat(o.incoming()).isTrue();
        assertThat(o.outgoing()).isFalse();
        CaptureOptions both = PacketCapture.builder().directions(Direction.OUT, Direction.IN).options();
        assertThat(both.incoming()).isTrue();
        assertThat(both.outgoing()).isTrue();
        CaptureOptions out = PacketCapture.builder().directions(Direction.OUT).options();
        assertThat(out.incoming()).isFalse();
        assertThat(out.outgoing()).isTrue();
    }

    @Test
    void aCaptureSelectsInOrOutButNeverUnknownOrNothing() {
        assertThatThrownBy(() -> PacketCapture.builder().directions()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PacketCapture.builder().directions(Direction.IN, Direction.UNKNOWN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UNKNOWN");
    }

    @Test
    void anExpressionThatDoesNotCompileFailsOpenAsAnInvalidArgumentBeforeAnySocket() {
        // Compiled first, so the error is the same with or without privileges and for any interface.
        assertThatThrownBy(() -> PacketCapture.builder().interfaceName("nosuch0").filter("tcp port banana").open())
                .isInstanceOfSatisfying(CaptureException.class, e -> {
                    assertThat(e.reason()).isEqualTo(CaptureException.Reason.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).startsWith("invalid filter 'tcp port banana': ");
                    assertThat(e.getCause()).isInstanceOf(FilterException.class);
                    assertThat(e.getMessage()).endsWith(e.getCause().getMessage());
                });
    }

    @Test
    void anExpressionAndAProgramReplaceEachOther() throws Exception {
        PacketCapture.Builder b = PacketCapture.builder().filter("tcp port 22");
        assertThat(b.options().filterExpression()).isEqualTo("tcp port 22");
        b.filter(io.panatap.filter.FilterCompiler.compileForSocket("tcp", LinkType.RAW, 100, true));
        assertThat(b.options().filterExpression()).isNull();
        assertThat(b.options().filter()).isNotNull();
        b.filter("tcp");
        assertThat(b.options().filter()).isNull();
    }

    @Test
    void aCopyIsIndependentOfItsOriginal() {
        PacketCapture.Builder original = PacketCapture.builder().interfaceName("eth9").directions(Direction.OUT)
                .snapLength(100).filter("tcp port 80");
        PacketCapture.Builder copy = original.copy();
        assertThat(copy.options()).isEqualTo(original.options());
        copy.fanout(7, FanoutMode.LB).interfaceName("eth8");
        assertThat(original.options().fanoutGroup()).isEqualTo(-1);
        assertThat(original.options().interfaceName()).isEqualTo("eth9");
    }

    @Test
    void allInterfacesAreRawIp() {
        assertThat(PacketCapture.builder().linkType()).isEqualTo(LinkType.RAW);
        assertThat(PacketCapture.builder().interfaceName("any").options().allInterfaces()).isTrue();
    }
}
