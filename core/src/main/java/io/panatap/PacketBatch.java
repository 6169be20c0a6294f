package io.panatap;

/**
 * Packets a source hands over together, in capture order, to a {@link PacketBatchListener}: a live capture's
 * batch is frames of one ring block. Every packet of the batch stays in the source's memory, unchanged, until
 * {@link PacketBatchListener#onBatch} returns, so a listener may go over the batch more than once, for example
 * to look up what all of its packets need before it handles the first.
 *
 * <p>{@link #get} returns a view: one {@link Packet} object that each call points at another packet. Read a
 * packet before asking for the next one (or {@link Packet#copy()} it). Asking for a packet allocates nothing.
 */
public interface PacketBatch {

    /**
     * How many packets the batch holds.
     *
     * @return at least 1 in a batch a source delivers
     */
    int size();

    /**
     * Packet {@code index} of the batch, valid until the next call of this method on the batch or the end of
     * {@link PacketBatchListener#onBatch}, whichever comes first.
     *
     * @param index 0 to {@link #size()} - 1
     * @return the packet (the same view object for every index)
     * @throws IndexOutOfBoundsException if {@code index} is outside the batch
     */
    Packet get(int index);
}
