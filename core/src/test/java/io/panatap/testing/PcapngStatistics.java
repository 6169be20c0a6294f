package io.panatap.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the interface statistics blocks of a pcapng file, which tshark and capinfos 4.0 do not print. */
public final class PcapngStatistics {
    private PcapngStatistics() {
    }

    /**
     * The interface statistics blocks of a little-endian pcapng file: per block its options by code (64-bit
     * counts; timestamps as nanoseconds), and the interface id under -1.
     */
    public static List<Map<Integer, Long>> of(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Map<Integer, Long>> out = new ArrayList<>();
        int p = 0;
        while (p < file.length) {
            int type = b.getInt(p);
            int length = b.getInt(p + 4);
            if (type == 5) {
                Map<Integer, Long> m = new LinkedHashMap<>();
                m.put(-1, (long) b.getInt(p + 8));
                int o = p + 20;
                while (o < p + length - 4) {
                    int code = b.getShort(o) & 0xFFFF;
                    int len = b.getShort(o + 2) & 0xFFFF;
                    if (code == 0) {
                        break;
                    }
                    long value = code == 2 || code == 3
                            ? ((long) b.getInt(o + 4) << 32) | (b.getInt(o + 8) & 0xFFFFFFFFL) : b.getLong(o + 4);
                    m.put(code, value);
                    o += 4 + ((len + 3) & ~3);
                }
                out.add(m);
            }
            p += length;
        }
        return out;
    }
}
