package io.panatap.parse;

/**
 * The 4 bytes of an IEEE 802.1Q / 802.1ad tag that follow its TPID (the TPID itself sits where the EtherType
 * would be). Offsets are relative to the byte after the TPID.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | PCP |D|        VLAN id        |   inner EtherType / TPID      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class VlanTag {
    public static final int TCI_OFFSET = 0;
    public static final int ETHER_TYPE_OFFSET = 2;
    public static final int LENGTH = 4;
    public static final int VLAN_ID_MASK = 0x0FFF;

    private VlanTag() {
    }
}
