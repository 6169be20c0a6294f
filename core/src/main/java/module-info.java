/**
 * panatap core: live TCP capture from Linux {@code AF_PACKET} sockets through the Foreign Function &amp;
 * Memory API, zero-copy header parsing, and pcap/pcapng files. No dependencies beyond the JDK.
 */
module io.panatap.core {
    exports io.panatap;
    exports io.panatap.parse;
    exports io.panatap.pcap;
    exports io.panatap.capture;
    exports io.panatap.filter;
    exports io.panatap.flow;
    // io.panatap.internal.linux (FFM bindings to libc) is deliberately not exported.
}
