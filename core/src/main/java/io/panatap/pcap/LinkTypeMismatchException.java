package io.panatap.pcap;

import io.panatap.parse.LinkType;
import java.io.IOException;

/**
 * {@link PcapWriter#write(io.panatap.Packet)} refused a packet whose link type is not the one the pcap file
 * was started with: a classic pcap file holds a single link type, and a frame written under another one
 * would be misread ({@link PcapngWriter} keeps each link type under its own interface). Nothing of the
 * packet was written; the file stays valid up to the packet before it.
 */
public final class LinkTypeMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long frameNumber;
    private final int packetLinkType;
    private final int fileLinkType;

    LinkTypeMismatchException(String fileName, long frameNumber, int packetLinkType, int fileLinkType) {
        super("cannot write to " + fileName + ": packet " + frameNumber + " has link type "
                + describe(packetLinkType) + " but the file's link type is " + describe(fileLinkType)
                + "; a pcap file holds one link type");
        this.frameNumber = frameNumber;
        this.packetLinkType = packetLinkType;
        this.fileLinkType = fileLinkType;
    }

    /** A link type as messages show it, e.g. {@code RAW (101)}. */
    public static String describe(int linkType) {
        return LinkType.describe(linkType);
    }

    /** {@link io.panatap.Packet#frameNumber()} of the refused packet. */
    public long frameNumber() {
        return frameNumber;
    }

    /** The refused packet's link type. */
    public int packetLinkType() {
        return packetLinkType;
    }

    /** The link type in the file header. */
    public int fileLinkType() {
        return fileLinkType;
    }
}
