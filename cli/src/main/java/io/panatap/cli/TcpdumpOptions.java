package io.panatap.cli;

import java.util.Map;

/**
 * The options of tcpdump 4.99.3 that panatap does not implement, so that each is refused with one line naming
 * what it does and the closest panatap option, instead of "unknown option". An option that takes a value in
 * tcpdump takes it here too, so that {@code -E spec} or {@code -T type} is refused as itself and its value is
 * not read as an option or as part of the filter expression.
 */
final class TcpdumpOptions {
    /**
     * One tcpdump option.
     *
     * @param what       what it does in tcpdump, in a few words
     * @param takesValue tcpdump reads a value after it
     * @param instead    the closest panatap option or what panatap does instead
     */
    record Unsupported(String what, boolean takesValue, String instead) {
        /** The one-line usage message for the option as it was written ({@code -X}, {@code --nano}). */
        String message(String shown) {
            return shown + " (" + what + ") is not supported yet; " + instead;
        }
    }

    private static final String NOTHING = "panatap captures and prints TCP segments only";

    private static final Map<Character, Unsupported> SHORT = Map.ofEntries(
            Map.entry('b', new Unsupported("BGP AS numbers in ASDOT", false, NOTHING)),
            Map.entry('H', new Unsupported("802.11s mesh headers", false, NOTHING)),
            Map.entry('u', new Unsupported("undecoded NFS handles", false, NOTHING)),
            Map.entry('m', new Unsupported("SMI MIB module", true, NOTHING)),
            Map.entry('E', new Unsupported("IPsec ESP decryption", true, NOTHING)),
            Map.entry('M', new Unsupported("TCP-MD5 secret", true, NOTHING)),
            Map.entry('T', new Unsupported("interpret packets as a protocol", true, NOTHING)),
            Map.entry('V', new Unsupported("read the capture files listed in a file", true, "-r FILE reads one file")),
            Map.entry('I', new Unsupported("monitor mode", false, "-p leaves the interface out of promiscuous mode")),
            Map.entry('j', new Unsupported("time stamp type", true, "the kernel's software timestamps are used")),
            Map.entry('J', new Unsupported("list time stamp types", false, "-D lists the interfaces")),
            Map.entry('L', new Unsupported("list data link types", false, "-D lists the interfaces")),
            Map.entry('y', new Unsupported("data link type", true, "the interface's own link type is used")),
            Map.entry('O', new Unsupported("no filter optimisation", false, "-d prints the program panatap compiles")));

    private static final Map<String, Character> LONG_TO_SHORT = Map.of(
            "monitor-mode", 'I',
            "time-stamp-type", 'j',
            "list-time-stamp-types", 'J',
            "list-data-link-types", 'L',
            "no-optimize", 'O',
            "linktype", 'y');

    private static final Map<String, Unsupported> LONG = Map.of(
            "print", new Unsupported("print rows while writing -w", false,
                    "run a second panatap without -w to print rows"),
            "fp-type", new Unsupported("floating-point check", false, NOTHING));

    private TcpdumpOptions() {
    }

    /** The tcpdump option {@code -c} that panatap does not implement, or null. */
    static Unsupported ofShort(char c) {
        return SHORT.get(c);
    }

    /** The tcpdump option {@code --name} that panatap does not implement, or null. */
    static Unsupported ofLong(String name) {
        Character c = LONG_TO_SHORT.get(name);
        return c != null ? SHORT.get(c) : LONG.get(name);
    }
}
