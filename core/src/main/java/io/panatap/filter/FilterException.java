package io.panatap.filter;

/**
 * A filter expression cannot be compiled: it names something unsupported (a host name, an unknown link
 * type), a value is out of range, or the program would exceed the kernel's limits. The message is meant
 * for the user as is.
 */
public class FilterException extends Exception {
    private static final long serialVersionUID = 1L;

    public FilterException(String message) {
        super(message);
    }
}
