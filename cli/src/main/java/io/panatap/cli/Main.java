package io.panatap.cli;

/** The {@code panatap} command. STUB: to be implemented (issue 6). */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("panatap: not implemented yet");
        System.exit(1);
    }
}
