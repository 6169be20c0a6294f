/** JMH benchmarks and live-capture harnesses for panatap. */
package io.panatap.bench;
