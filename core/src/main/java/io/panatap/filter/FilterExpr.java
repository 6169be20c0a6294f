package io.panatap.filter;

/**
 * The parsed form of a filter expression. Every primitive records how many {@code vlan} keywords precede
 * it in the text: like libpcap, each {@code vlan} moves the link-layer offsets of everything after it by
 * four bytes.
 */
sealed interface FilterExpr {

    /** Direction qualifier: {@code src}, {@code dst}, {@code src or dst} (the default), {@code src and dst}. */
    enum Dir { SRC, DST, EITHER, BOTH }

    /** Protocol qualifier or protocol primitive. {@code number} is the IP protocol number, -1 for IP/IPv6. */
    enum Proto {
        IP(-1), IP6(-1), TCP(6), UDP(17), SCTP(132);

        final int number;

        Proto(int number) {
            this.number = number;
        }

        String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    record And(FilterExpr left, FilterExpr right) implements FilterExpr {
    }

    record Or(FilterExpr left, FilterExpr right) implements FilterExpr {
    }

    record Not(FilterExpr operand) implements FilterExpr {
    }

    /** {@code ip}, {@code ip6}, {@code tcp}, {@code udp}, {@code sctp}. */
    record Protocol(Proto proto, int vlans) implements FilterExpr {
    }

    /**
     * {@code host} and {@code net}: the address field (source, destination) masked with {@code mask} equals
     * {@code address}. One word for IPv4, four for IPv6. {@code proto} is null (IPv4: IP, ARP and RARP
     * like tcpdump; IPv6: IPv6 only), {@link Proto#IP} or {@link Proto#IP6}.
     */
    record Host(Proto proto, Dir dir, int[] address, int[] mask, int vlans) implements FilterExpr {
        boolean ipv6() {
            return address.length == 4;
        }
    }

    /**
     * {@code port} and {@code portrange}: TCP, UDP or SCTP port in {@code [low, high]}; {@code proto} null
     * means any of the three, as in tcpdump.
     */
    record Port(Proto proto, Dir dir, int low, int high, int vlans) implements FilterExpr {
    }

    /** {@code vlan [id]}: an 802.1Q / 802.1ad tag ({@code id} -1 for any) after {@code vlans} earlier tags. */
    record Vlan(int id, int vlans) implements FilterExpr {
    }

    /** {@code less n} (length at most n) or {@code greater n} (at least n). */
    record Length(boolean less, int bound) implements FilterExpr {
    }

    /** {@code arith relop arith}. */
    record Relation(RelOp op, Arith left, Arith right, int vlans) implements FilterExpr {
    }

    enum RelOp {
        EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        final String symbol;

        RelOp(String symbol) {
            this.symbol = symbol;
        }

        /** The operator with its operands swapped: {@code a < b} is {@code b > a}. */
        RelOp mirrored() {
            return switch (this) {
                case LT -> GT;
                case LE -> GE;
                case GT -> LT;
                case GE -> LE;
                default -> this;
            };
        }

        boolean test(int a, int b) {
            int c = Integer.compareUnsigned(a, b);
            return switch (this) {
                case EQ -> c == 0;
                case NE -> c != 0;
                case LT -> c < 0;
                case LE -> c <= 0;
                case GT -> c > 0;
                case GE -> c >= 0;
            };
        }
    }

    enum ArithOp {
        ADD("+"), SUB("-"), MUL("*"), DIV("/"), AND("&"), OR("|"), LSH("<<"), RSH(">>");

        final String symbol;

        ArithOp(String symbol) {
            this.symbol = symbol;
        }

        /** 32-bit unsigned arithmetic as BPF does it; callers rule out division by zero. */
        int apply(int a, int b) {
            return switch (this) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> Integer.divideUnsigned(a, b);
                case AND -> a & b;
                case OR -> a | b;
                case LSH -> a << b;
                case RSH -> a >>> b;
            };
        }
    }

    /** Arithmetic over packet bytes, unsigned 32-bit. */
    sealed interface Arith {
    }

    record Const(int value) implements Arith {
    }

    /** {@code len}: the packet's length on the wire. */
    record Len() implements Arith {
    }

    /** {@code proto[index : size]}, big-endian, relative to the start of that protocol's header. */
    record Load(Proto proto, Arith index, int size) implements Arith {
    }

    record Binary(ArithOp op, Arith left, Arith right) implements Arith {
    }

    record Negate(Arith operand) implements Arith {
    }
}
