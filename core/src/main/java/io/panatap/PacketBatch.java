package io.panatap;

/**
 * Packets a source hands over together, in capture order, to a {@link PacketBatchListener}: a live capture's
 * batch is frames of one ring block. Every packet of the batch stays in the source's memory, unchanged, until
 * {@link PacketBatchListener#onBatch} returns, so a listener may go over the batch more than once, for example
 * to look up what all of its packets need before it handles the first.
 *
 * <p>{@link #get} returns a view, valid during the listener's call only ({@link Packet#copy()} keeps a
 * packet). A live capture's batch has a view of its own for each packet, whose decoded headers stay decoded
 * for the rest of the call; other implementations may point one view at each packet asked for in turn, so
 * read a packet before asking for another. Asking for a packet allocates nothing.
 */
public interface PacketBatch {

    /**
     * How many packets the batch holds.
     *
     * @return at least 1 in a batch a source delivers
     */
    int size();

    /**
     * Packet {@code index} of the batch.
     *
     * @param index 0 to {@link #size()} - 1
     * @return the packet's view (see the class comment for how long it shows this packet)
     * @throws IndexOutOfBoundsException if {@code index} is outside the batch
     */
    Packet get(int index);
}
