package io.panatap.cli;

/** The command line is wrong: the command prints the message and the usage text and exits with 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message, null, false, false);
    }
}
