package io.panatap.filter;

/**
 * A filter expression does not follow the grammar; the message names the offending token and its column,
 * e.g. {@code syntax error at 'prot' (column 1)}.
 */
public class FilterSyntaxException extends FilterException {
    private static final long serialVersionUID = 1L;

    private final int column;

    public FilterSyntaxException(String message, int column) {
        super(message);
        this.column = column;
    }

    /** 1-based column of the offending token in the expression; one past the end for a missing token. */
    public int column() {
        return column;
    }
}
