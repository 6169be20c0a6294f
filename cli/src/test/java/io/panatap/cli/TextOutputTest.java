package io.panatap.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextOutputTest {

    @Test
    void writesNothingUntilFlushedThenEverythingInOneWrite() throws IOException {
        CountingStream sink = new CountingStream();
        TextOutput out = new TextOutput(sink, 1024);
        out.append("one\n");
        out.append("two\n");
        assertThat(sink.writes).isZero();
        out.flush();
        assertThat(sink.writes).isEqualTo(1);
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("one\ntwo\n");
    }

    @Test
    void encodesUtf8AndGrowsForLongText() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        TextOutput out = new TextOutput(sink, 8);
        String text = "é€😀 and a line longer than the buffer";
        out.append(text);
        out.flush();
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo(text);
    }

    @Test
    void reportsAClosedPipeAsAnIOException() throws IOException {
        TextOutput out = new TextOutput(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("Broken pipe");
            }
        }, 64);
        out.append("row\n");
        assertThatThrownBy(out::flush).isInstanceOf(IOException.class).hasMessage("Broken pipe");
        assertThat(Main.isBrokenPipe(new IOException("Broken pipe"))).isTrue();
        assertThat(Main.isBrokenPipe(new IOException("No space left on device"))).isFalse();
    }

    private static final class CountingStream extends ByteArrayOutputStream {
        int writes;

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes++;
            super.write(b, off, len);
        }
    }
}
