package dev.lstmflink.cli;

/**
 * A problem with what the user gave the command line tool (a bad CSV cell, clashing options): reported as its
 * message alone, with exit code {@link #EXIT_CODE}.
 */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The exit code for bad input, as picocli uses for usage errors. */
    static final int EXIT_CODE = 2;

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
