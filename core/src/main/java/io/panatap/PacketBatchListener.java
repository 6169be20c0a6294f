package io.panatap;

/**
 * A {@link PacketListener} that can take several packets in one call. A live capture
 * ({@code io.panatap.capture.PacketCapture}) hands such a listener the packets of a poll as batches of up to
 * {@value #MAX_BATCH} packets of one ring block, through {@link #onBatch}; sources without batches (capture
 * files) call {@link #onPacket} for each packet. A listener must give the same results both ways: a batch
 * only lets it prepare for its packets before handling them one by one in order, as
 * {@link io.panatap.flow.FlowTable} does to overlap the memory waits of its lookups.
 *
 * <p>If {@link #onBatch} throws, the exception propagates from the source's poll and every packet of the batch
 * counts as delivered.
 */
public interface PacketBatchListener extends PacketListener {

    /** The most packets a live capture puts in one batch. */
    int MAX_BATCH = 256;

    /**
     * Receives packets that are all valid until this method returns.
     *
     * @param batch the packets, in capture order; valid only during the call
     */
    void onBatch(PacketBatch batch);
}
