package io.panatap.cli;

/**
 * A user-level failure (no such interface, no permission, unreadable file): one line on stderr starting with
 * {@code panatap:}, no stack trace, exit status 1.
 */
final class CommandException extends Exception {
    private static final long serialVersionUID = 1L;

    CommandException(String message) {
        super(message, null, false, false);
    }

    CommandException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
