/**
 * TCP connections from packets: a bounded flow table with connection events ({@link io.panatap.flow.FlowTable},
 * {@link io.panatap.flow.FlowListener}) and per-direction stream reassembly
 * ({@link io.panatap.flow.StreamListener}).
 */
package io.panatap.flow;
