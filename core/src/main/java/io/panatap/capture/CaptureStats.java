package io.panatap.capture;

/**
 * Cumulative capture statistics since the capture was opened (the kernel resets its own counters on every
 * read; panatap adds them up).
 *
 * @param received packets that passed the socket filter and reached the ring or were dropped
 *                 ({@code tp_packets}); tcpdump's "received by filter"
 * @param dropped  packets the kernel dropped because the ring was full ({@code tp_drops})
 * @param freezes  times the kernel froze the ring queue ({@code tp_freeze_q_cnt})
 * @param delivered packets panatap handed to listeners ("captured")
 */
public record CaptureStats(long received, long dropped, long freezes, long delivered) {
}
