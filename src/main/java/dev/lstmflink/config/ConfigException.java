package dev.lstmflink.config;

/**
 * A problem with the settings a user gave (a YAML file, a {@code --set} override, a value out of range): its message
 * names the file or flag, the key and what was expected, and is meant to be shown as it is. The command-line tools
 * report it like their own bad-input errors (exit code 2, no stack trace).
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
