package io.panatap.cli;

import io.panatap.Packet;

/** Decides in-process whether a packet matches the filter expression (used when reading files). */
@FunctionalInterface
interface PacketFilter {
    boolean matches(Packet packet);
}
