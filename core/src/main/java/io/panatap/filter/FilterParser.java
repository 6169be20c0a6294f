package io.panatap.filter;

import io.panatap.filter.FilterExpr.And;
import io.panatap.filter.FilterExpr.Arith;
import io.panatap.filter.FilterExpr.ArithOp;
import io.panatap.filter.FilterExpr.Binary;
import io.panatap.filter.FilterExpr.Const;
import io.panatap.filter.FilterExpr.Dir;
import io.panatap.filter.FilterExpr.Host;
import io.panatap.filter.FilterExpr.Len;
import io.panatap.filter.FilterExpr.Length;
import io.panatap.filter.FilterExpr.Load;
import io.panatap.filter.FilterExpr.Negate;
import io.panatap.filter.FilterExpr.Not;
import io.panatap.filter.FilterExpr.Or;
import io.panatap.filter.FilterExpr.Port;
import io.panatap.filter.FilterExpr.Proto;
import io.panatap.filter.FilterExpr.Protocol;
import io.panatap.filter.FilterExpr.RelOp;
import io.panatap.filter.FilterExpr.Relation;
import io.panatap.filter.FilterExpr.Vlan;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Recursive-descent parser for the pcap-filter(7) subset. Follows libpcap's grammar where it matters:
 * {@code and} and {@code or} have equal precedence and associate to the left, {@code not} binds
 * tightest, and a bare address or number after {@code and}/{@code or}/{@code not} repeats the qualifiers
 * of the previous primitive ({@code port 80 or 443}).
 */
final class FilterParser {
    /** Token kinds: a word (keyword, number, address, name), an operator, or the end. */
    enum Kind { WORD, OP, END }

    record Token(Kind kind, String text, int column) {
        boolean is(String s) {
            return kind != Kind.END && text.equals(s);
        }
    }

    /** Qualifiers of a primitive such as {@code tcp src port}; repeated for bare ids. */
    private record Qualifiers(Proto proto, Dir dir, String type) {
    }

    private static final Map<String, Integer> ARITH_NAMES = Map.of(
            "tcpflags", 13, "tcp-fin", 0x01, "tcp-syn", 0x02, "tcp-rst", 0x04, "tcp-push", 0x08,
            "tcp-ack", 0x10, "tcp-urg", 0x20, "tcp-ece", 0x40, "tcp-cwr", 0x80);

    private static final int MAX_VLAN_ID = 4095;
    /** Longer expressions could not fit in the kernel's 4096 instructions anyway. */
    static final int MAX_TOKENS = 8192;
    /** Parentheses and negations deeper than this are rejected before the recursion gets deep. */
    static final int MAX_NESTING = 256;

    private final List<Token> tokens;
    private final int endColumn;
    private int pos;
    private int depth;
    private int vlans;
    private Qualifiers current;

    private FilterParser(List<Token> tokens, int endColumn) {
        this.tokens = tokens;
        this.endColumn = endColumn;
    }

    /** Parses {@code expression}; null for a blank expression (which matches every packet). */
    static FilterExpr parse(String expression) throws FilterException {
        List<Token> tokens = lex(expression);
        if (tokens.size() > MAX_TOKENS) {
            throw new FilterException("filter too large: " + (tokens.size() - 1) + " tokens (at most " + MAX_TOKENS
                    + ")");
        }
        FilterParser p = new FilterParser(tokens, expression.length() + 1);
        if (p.peek().kind == Kind.END) {
            return null;
        }
        FilterExpr e = p.expression();
        if (p.peek().kind != Kind.END) {
            throw syntaxError(p.peek());
        }
        return e;
    }

    // ---- lexer ----

    static List<Token> lex(String s) throws FilterSyntaxException {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int brackets = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            int start = i;
            if (isWordStart(c, brackets)) {
                // Addresses, numbers, keywords and names like tcp-syn or 20-30 are single words, as in libpcap.
                while (i < s.length() && isWordPart(s.charAt(i), brackets)) {
                    i++;
                }
                out.add(new Token(Kind.WORD, s.substring(start, i), start + 1));
                continue;
            }
            String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
            String op = switch (two) {
                case "&&", "||", "!=", "==", "<=", ">=", "<<", ">>" -> two;
                default -> "!=<>&|+-*/()[]:".indexOf(c) >= 0 ? String.valueOf(c) : null;
            };
            if (op == null) {
                throw syntaxError(new Token(Kind.WORD, String.valueOf(c), start + 1));
            }
            if (op.equals("[")) {
                brackets++;
            } else if (op.equals("]") && brackets > 0) {
                brackets--;
            }
            out.add(new Token(Kind.OP, op, start + 1));
            i += op.length();
        }
        out.add(new Token(Kind.END, "", s.length() + 1));
        return out;
    }

    private static boolean isWordStart(char c, int brackets) {
        return isAlnum(c) || c == '_' || (c == ':' && brackets == 0);
    }

    private static boolean isWordPart(char c, int brackets) {
        return isAlnum(c) || c == '_' || c == '.' || c == '-' || (c == ':' && brackets == 0);
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    // ---- boolean level ----

    private FilterExpr expression() throws FilterException {
        FilterExpr left = unary();
        while (true) {
            Token t = peek();
            if (t.is("and") || t.is("&&")) {
                pos++;
                left = new And(left, unary());
            } else if (t.is("or") || t.is("||")) {
                pos++;
                left = new Or(left, unary());
            } else {
                return left;
            }
        }
    }

    private FilterExpr unary() throws FilterException {
        Token t = peek();
        if (++depth > MAX_NESTING) {
            throw new FilterException("expression nested too deeply (column " + t.column + ")");
        }
        try {
            if (t.is("not") || t.is("!")) {
                pos++;
                return new Not(unary());
            }
            return primary();
        } finally {
            depth--;
        }
    }

    private FilterExpr primary() throws FilterException {
        Token t = peek();
        if (t.kind == Kind.END) {
            throw syntaxError(t);
        }
        FilterExpr relation = tryRelation();
        if (relation != null) {
            current = null;
            return relation;
        }
        if (t.is("(")) {
            pos++;
            Qualifiers before = current;
            FilterExpr e = expression();
            expect(")");
            current = before;
            return e;
        }
        if (t.kind != Kind.WORD) {
            throw syntaxError(t);
        }
        switch (t.text) {
            case "less", "greater" -> {
                pos++;
                int n = number(next(), 0xFFFFFFFFL);
                current = null;
                return new Length(t.text.equals("less"), n);
            }
            case "vlan" -> {
                pos++;
                int id = -1;
                if (peek().kind == Kind.WORD && isNumber(peek().text)) {
                    Token idToken = next();
                    id = number(idToken, Integer.MAX_VALUE);
                    if (id > MAX_VLAN_ID) {
                        throw new FilterException("VLAN id " + id + " is greater than " + MAX_VLAN_ID
                                + " (column " + idToken.column + ")");
                    }
                }
                current = null;
                return new Vlan(id, vlans++);
            }
            default -> {
                return qualifiedPrimitive();
            }
        }
    }

    /** {@code [proto] [dir] [type] id}, a protocol primitive, or a bare id with the previous qualifiers. */
    private FilterExpr qualifiedPrimitive() throws FilterException {
        Token t = peek();
        Proto proto = protoKeyword(t.text);
        if (proto != null) {
            pos++;
        }
        Dir dir = null;
        if (peek().is("src") || peek().is("dst")) {
            Token d = next();
            dir = d.text.equals("src") ? Dir.SRC : Dir.DST;
            String other = dir == Dir.SRC ? "dst" : "src";
            if ((peek().is("or") || peek().is("and")) && peekAt(1).is(other)) {
                dir = next().text.equals("or") ? Dir.EITHER : Dir.BOTH;
                pos++;
            }
        }
        String type = null;
        Token ty = peek();
        if (ty.is("host") || ty.is("net") || ty.is("port") || ty.is("portrange")) {
            type = ty.text;
            pos++;
        }
        if (dir == null && type == null) {
            if (proto != null) {
                current = null;
                return new Protocol(proto, vlans);
            }
            if (current == null || isKeyword(t.text)) {
                throw syntaxError(t);
            }
            return primitive(current, next());
        }
        Qualifiers q = new Qualifiers(proto, dir == null ? Dir.EITHER : dir, type);
        Token id = next();
        if (id.kind != Kind.WORD || isKeyword(id.text)) {
            throw syntaxError(id);
        }
        FilterExpr e = primitive(q, id);
        current = q;
        return e;
    }

    private FilterExpr primitive(Qualifiers q, Token id) throws FilterException {
        String type = q.type;
        if (type == null) {
            type = "host";
        }
        return switch (type) {
            case "port", "portrange" -> port(q, id, type.equals("portrange"));
            default -> hostOrNet(q, id, type.equals("net"));
        };
    }

    private FilterExpr port(Qualifiers q, Token id, boolean range) throws FilterException {
        if (q.proto == Proto.IP || q.proto == Proto.IP6) {
            throw new FilterException("illegal qualifier '" + q.proto.keyword() + "' of 'port' (column " + id.column
                    + ")");
        }
        int low;
        int high;
        if (range) {
            int dash = id.text.indexOf('-');
            if (dash <= 0) {
                throw new FilterException("port range '" + id.text + "' is not low-high (column " + id.column + ")");
            }
            low = portNumber(id, id.text.substring(0, dash));
            high = portNumber(id, id.text.substring(dash + 1));
            if (low > high) { // libpcap swaps a reversed range
                int t = low;
                low = high;
                high = t;
            }
        } else {
            low = high = portNumber(id, id.text);
        }
        return new Port(q.proto, q.dir, low, high, vlans);
    }

    private static int portNumber(Token id, String text) throws FilterException {
        if (!isNumber(text)) {
            throw new FilterException("'" + text + "' is not a port number (service names are not supported)"
                    + " (column " + id.column + ")");
        }
        long v = parseNumber(text);
        if (v < 0 || v > 65535) {
            throw new FilterException("illegal port number " + (v < 0 ? text : v) + " > 65535 (column "
                    + id.column + ")");
        }
        return (int) v;
    }

    private FilterExpr hostOrNet(Qualifiers q, Token id, boolean net) throws FilterException {
        if (q.proto != null && q.proto != Proto.IP && q.proto != Proto.IP6) {
            throw new FilterException("'" + q.proto.keyword() + "' modifier applied to " + (net ? "net" : "host")
                    + " (column " + id.column + ")");
        }
        String text = id.text;
        boolean v6 = text.indexOf(':') >= 0;
        if (v6 && q.proto == Proto.IP) {
            throw new FilterException("'ip' modifier applied to IPv6 address '" + text + "' (column " + id.column + ")");
        }
        if (!v6 && q.proto == Proto.IP6) {
            throw new FilterException("'ip6' modifier applied to IPv4 address '" + text + "' (column " + id.column + ")");
        }
        int[] address;
        int[] mask;
        if (v6) {
            address = ipv6(id);
            int bits = 128;
            if (peek().is("/")) {
                if (!net) {
                    throw new FilterException("a host is a single address; use 'net " + text + "/...' (column "
                            + id.column + ")");
                }
                pos++;
                bits = (int) prefixLength(next(), 128);
            } else if (peek().is("mask")) {
                throw new FilterException("'mask' applies to IPv4 networks only (column " + peek().column + ")");
            }
            mask = new int[4];
            for (int w = 0; w < 4; w++) {
                int b = Math.max(0, Math.min(32, bits - 32 * w));
                mask[w] = b == 0 ? 0 : -1 << (32 - b);
            }
        } else {
            long[] parsed = ipv4(id, net);
            address = new int[] {(int) parsed[0]};
            int bits = (int) parsed[1];
            if (net && peek().is("/")) {
                pos++;
                bits = (int) prefixLength(next(), 32);
                mask = new int[] {bits == 0 ? 0 : -1 << (32 - bits)};
            } else if (net && peek().is("mask")) {
                pos++;
                Token m = next();
                long[] mp = ipv4(m, false);
                mask = new int[] {(int) mp[0]};
            } else if (!net && (peek().is("/") || peek().is("mask"))) {
                throw new FilterException("a host is a single address; use 'net " + text + " ...' (column "
                        + peek().column + ")");
            } else {
                mask = new int[] {bits == 0 ? 0 : -1 << (32 - bits)};
            }
        }
        for (int w = 0; w < address.length; w++) {
            if ((address[w] & ~mask[w]) != 0) {
                throw new FilterException("non-network bits set in '" + text + "' (column " + id.column + ")");
            }
        }
        return new Host(q.proto, q.dir, address, mask, vlans);
    }

    /** {value, prefix bits}: four parts for a host; one to four (10, 10.1, ...) for a network. */
    private static long[] ipv4(Token id, boolean partial) throws FilterException {
        String text = id.text;
        if (text.chars().anyMatch(Character::isLetter)) {
            throw new FilterException("host names are not supported (no DNS lookups): '" + text
                    + "' (column " + id.column + "); give a numeric IPv4 or IPv6 address");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length > 4 || (!partial && parts.length != 4)) {
            throw new FilterException("'" + text + "' is not an IPv4 address (column " + id.column + ")");
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || !part.chars().allMatch(Character::isDigit) || part.length() > 3
                    || Integer.parseInt(part) > 255) {
                throw new FilterException("'" + text + "' is not an IPv4 address (column " + id.column + ")");
            }
            value = (value << 8) | Integer.parseInt(part);
        }
        value <<= 8 * (4 - parts.length);
        return new long[] {value & 0xFFFFFFFFL, 8L * parts.length};
    }

    private static int[] ipv6(Token id) throws FilterException {
        byte[] bytes;
        try {
            bytes = Inet6Address.ofLiteral(id.text).getAddress();
        } catch (IllegalArgumentException e) {
            bytes = null;
        }
        if (bytes == null || bytes.length != 16) {
            throw new FilterException("'" + id.text + "' is not an IPv6 address (column " + id.column + ")");
        }
        int[] words = new int[4];
        for (int i = 0; i < 16; i++) {
            words[i / 4] = (words[i / 4] << 8) | (bytes[i] & 0xFF);
        }
        return words;
    }

    private long prefixLength(Token t, int max) throws FilterException {
        if (t.kind != Kind.WORD || !isNumber(t.text)) {
            throw syntaxError(t);
        }
        long v = parseNumber(t.text);
        if (v < 0 || v > max) {
            throw new FilterException("prefix length " + t.text + " is out of range 0.." + max + " (column "
                    + t.column + ")");
        }
        return v;
    }

    // ---- relations and arithmetic ----

    /** Parses {@code arith relop arith} if the tokens at the cursor form one; otherwise consumes nothing. */
    private FilterExpr tryRelation() throws FilterException {
        if (!startsArith(peek())) {
            return null;
        }
        int start = pos;
        Arith left;
        try {
            left = arith();
        } catch (FilterSyntaxException e) {
            pos = start;
            return null;
        }
        RelOp op = relOp(peek());
        if (op == null) {
            // An arithmetic expression with no comparison: a parenthesised boolean or a bare id instead,
            // unless it could only have been arithmetic.
            if (left instanceof Load || left instanceof Binary || left instanceof Negate || left instanceof Len) {
                throw syntaxError(peek());
            }
            pos = start;
            return null;
        }
        pos++;
        Arith right = arith();
        if (left instanceof Const l && right instanceof Const r) {
            // No packet bytes involved: fold now, as libpcap does.
            return op.test(l.value(), r.value()) ? new Relation(RelOp.EQ, new Const(0), new Const(0), vlans)
                    : new Relation(RelOp.NE, new Const(0), new Const(0), vlans);
        }
        return new Relation(op, left, right, vlans);
    }

    private boolean startsArith(Token t) {
        if (t.is("(") || t.is("-")) {
            return true;
        }
        if (t.kind != Kind.WORD) {
            return false;
        }
        if (isNumber(t.text) || t.text.equals("len") || ARITH_NAMES.containsKey(t.text)) {
            return true;
        }
        return protoKeyword(t.text) != null && peekAt(1).is("[");
    }

    private static RelOp relOp(Token t) {
        if (t.kind != Kind.OP) {
            return null;
        }
        return switch (t.text) {
            case "=", "==" -> RelOp.EQ;
            case "!=" -> RelOp.NE;
            case "<" -> RelOp.LT;
            case "<=" -> RelOp.LE;
            case ">" -> RelOp.GT;
            case ">=" -> RelOp.GE;
            default -> null;
        };
    }

    private Arith arith() throws FilterException {
        Arith left = arithAnd();
        while (peek().is("|")) {
            pos++;
            left = binary(ArithOp.OR, left, arithAnd(), null);
        }
        return left;
    }

    private Arith arithAnd() throws FilterException {
        Arith left = arithShift();
        while (peek().is("&")) {
            pos++;
            left = binary(ArithOp.AND, left, arithShift(), null);
        }
        return left;
    }

    private Arith arithShift() throws FilterException {
        Arith left = arithAdd();
        while (peek().is("<<") || peek().is(">>")) {
            Token op = next();
            left = binary(op.text.equals("<<") ? ArithOp.LSH : ArithOp.RSH, left, arithAdd(), op);
        }
        return left;
    }

    private Arith arithAdd() throws FilterException {
        Arith left = arithMul();
        while (peek().is("+") || peek().is("-")) {
            Token op = next();
            left = binary(op.text.equals("+") ? ArithOp.ADD : ArithOp.SUB, left, arithMul(), op);
        }
        return left;
    }

    private Arith arithMul() throws FilterException {
        Arith left = arithUnary();
        while (peek().is("*") || peek().is("/")) {
            Token op = next();
            left = binary(op.text.equals("*") ? ArithOp.MUL : ArithOp.DIV, left, arithUnary(), op);
        }
        return left;
    }

    private Arith arithUnary() throws FilterException {
        if (++depth > MAX_NESTING) {
            throw new FilterException("expression nested too deeply (column " + peek().column + ")");
        }
        try {
            if (peek().is("-")) {
                pos++;
                Arith a = arithUnary();
                return a instanceof Const c ? new Const(-c.value()) : new Negate(a);
            }
            return arithAtom();
        } finally {
            depth--;
        }
    }

    private Arith arithAtom() throws FilterException {
        Token t = next();
        if (t.is("(")) {
            Arith a = arith();
            expect(")");
            return a;
        }
        if (t.kind != Kind.WORD) {
            throw syntaxError(t);
        }
        if (isNumber(t.text)) {
            return new Const(number(t, 0xFFFFFFFFL));
        }
        if (t.text.equals("len")) {
            return new Len();
        }
        Integer named = ARITH_NAMES.get(t.text);
        if (named != null) {
            return new Const(named);
        }
        Proto proto = protoKeyword(t.text);
        if (proto == null || !peek().is("[")) {
            throw syntaxError(t);
        }
        pos++;
        Arith index = arith();
        int size = 1;
        if (peek().is(":")) {
            pos++;
            Token s = next();
            if (s.kind != Kind.WORD || !isNumber(s.text)) {
                throw syntaxError(s);
            }
            long v = parseNumber(s.text);
            if (v != 1 && v != 2 && v != 4) {
                throw new FilterException("data size must be 1, 2, or 4 (column " + s.column + ")");
            }
            size = (int) v;
        }
        expect("]");
        return new Load(proto, index, size);
    }

    private static Arith binary(ArithOp op, Arith left, Arith right, Token at) throws FilterException {
        if (right instanceof Const r) {
            if ((op == ArithOp.DIV) && r.value() == 0) {
                throw new FilterException("division by zero (column " + at.column + ")");
            }
            if ((op == ArithOp.LSH || op == ArithOp.RSH) && Integer.compareUnsigned(r.value(), 31) > 0) {
                throw new FilterException("shift by more than 31 bits (column " + at.column + ")");
            }
            if (left instanceof Const l) {
                return new Const(op.apply(l.value(), r.value()));
            }
        }
        return new Binary(op, left, right);
    }

    // ---- tokens ----

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peekAt(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.kind != Kind.END) {
            pos++;
        }
        return t;
    }

    private void expect(String op) throws FilterSyntaxException {
        Token t = next();
        if (!t.is(op)) {
            throw syntaxError(t);
        }
    }

    private static FilterSyntaxException syntaxError(Token t) {
        if (t.kind == Kind.END) {
            return new FilterSyntaxException("syntax error at end of expression (column " + t.column + ")", t.column);
        }
        String message = "syntax error at '" + t.text + "' (column " + t.column + ")";
        if (UNSUPPORTED.contains(t.text.toLowerCase(java.util.Locale.ROOT))) {
            message += ": pcap-filter's '" + t.text + "' is not supported here; panatap filters know " + SUPPORTED;
        }
        return new FilterSyntaxException(message, t.column);
    }

    /** What the language offers, for messages about words of pcap-filter(7) it lacks. */
    private static final String SUPPORTED = "host, net, port, portrange, ip, ip6, tcp, udp, sctp, vlan, less, "
            + "greater, len and comparisons of ip[], ip6[], tcp[], udp[], sctp[] with + - * / & | << >>";

    /** Words of pcap-filter(7) (and its operators) that this subset does not have. */
    private static final java.util.Set<String> UNSUPPORTED = java.util.Set.of("ether", "arp", "rarp", "icmp",
            "icmp6", "igmp", "igrp", "pim", "ah", "esp", "vrrp", "carp", "proto", "protochain", "gateway",
            "broadcast", "multicast", "mpls", "pppoed", "pppoes", "geneve", "vxlan", "inbound", "outbound",
            "ifname", "on", "rnr", "rulenum", "reason", "rset", "ruleset", "srnr", "subrulenum", "action", "wlan",
            "type", "subtype", "dir", "link", "ppp", "slip", "fddi", "tr", "decnet", "iso", "stp", "ipx",
            "netbeui", "atalk", "aarp", "lat", "sca", "moprc", "mopdl", "llc", "ra", "ta", "addr1", "addr2",
            "addr3", "addr4", "bssid", "%", "^", "icmptype", "icmpcode", "icmp6type", "icmp6code");

    private int number(Token t, long max) throws FilterException {
        if (t.kind != Kind.WORD || !isNumber(t.text)) {
            throw syntaxError(t);
        }
        long v = parseNumber(t.text);
        if (v < 0 || v > max) {
            throw new FilterException("number " + t.text + " is out of range (column " + t.column + ")");
        }
        return (int) v;
    }

    private static Proto protoKeyword(String s) {
        return switch (s) {
            case "ip" -> Proto.IP;
            case "ip6" -> Proto.IP6;
            case "tcp" -> Proto.TCP;
            case "udp" -> Proto.UDP;
            case "sctp" -> Proto.SCTP;
            default -> null;
        };
    }

    private static boolean isKeyword(String s) {
        return switch (s) {
            case "and", "or", "not", "host", "net", "port", "portrange", "src", "dst", "ip", "ip6", "tcp", "udp",
                 "sctp", "vlan", "less", "greater", "len", "mask" -> true;
            default -> false;
        };
    }

    /** Decimal, 0x hexadecimal or 0-prefixed octal, like libpcap's lexer. */
    static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        if (s.length() > 2 && (s.startsWith("0x") || s.startsWith("0X"))) {
            return s.substring(2).chars().allMatch(c -> Character.digit(c, 16) >= 0);
        }
        if (s.length() > 1 && s.charAt(0) == '0') {
            return s.chars().allMatch(c -> c >= '0' && c <= '7');
        }
        return s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** The value of a {@link #isNumber number}, or -1 if it does not fit in 32 bits. */
    static long parseNumber(String s) {
        int radix = 10;
        String digits = s;
        if (s.length() > 2 && (s.startsWith("0x") || s.startsWith("0X"))) {
            radix = 16;
            digits = s.substring(2);
        } else if (s.length() > 1 && s.charAt(0) == '0') {
            radix = 8;
        }
        if (digits.length() > 12) {
            return -1;
        }
        long v = Long.parseLong(digits, radix);
        return v > 0xFFFFFFFFL ? -1 : v;
    }
}
