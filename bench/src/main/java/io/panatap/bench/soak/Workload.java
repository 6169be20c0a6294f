package io.panatap.bench.soak;

import io.panatap.Packet;
import io.panatap.PacketListener;
import io.panatap.parse.PacketHeaders;

/**
 * What a worker does with each packet in the harnesses: parse the headers and render the addresses and
 * ports into a reused buffer, as a line printer would before writing. One instance per worker thread.
 */
final class Workload implements PacketListener {
    private final StringBuilder line = new StringBuilder(128);
    long tcp;
    long checksum;

    @Override
    public void onPacket(Packet packet) {
        PacketHeaders h = packet.headers();
        if (!h.isTcp()) {
            return;
        }
        tcp++;
        line.setLength(0);
        h.appendSource(line).append('.').append(h.sourcePort()).append(" > ");
        h.appendDestination(line).append('.').append(h.destinationPort());
        checksum += line.length() + h.sequenceNumber();
    }
}
