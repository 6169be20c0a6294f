/** The PCAP-over-IP server ({@code --listen}) fed at a fixed packet rate in-process, with a reading client. */
package io.panatap.bench.stream;
