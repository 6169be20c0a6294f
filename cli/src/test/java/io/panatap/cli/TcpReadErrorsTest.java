package io.panatap.cli;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code -r tcp://HOST:PORT} that cannot be read: one line and status 1. */
class TcpReadErrorsTest {
    @Test
    void aMalformedAddressSaysTheForm() throws Exception {
        CommandRunner.Result r = CommandRunner.run("-r", "tcp://localhost");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("panatap: tcp://localhost: give -r tcp://HOST:PORT, e.g. tcp://127.0.0.1:57012\n");
    }

    @Test
    void aRefusedConnectionIsOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there now
        }
        CommandRunner.Result r = CommandRunner.run("-r", "tcp://127.0.0.1:" + port);
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("panatap: tcp://127.0.0.1:" + port + ": cannot connect (Connection refused)")
                .hasLineCount(1);
    }
}
