/** Capture-file benchmarks: reading a generated pcap with the parser, against tcpdump and tshark. */
package io.panatap.bench.files;
