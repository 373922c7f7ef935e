package dev.lstmflink.train.data;

/**
 * Input data that cannot be used as a whole (an empty file, an unknown header, keys with different feature counts,
 * a series too short for the windows asked for). The message names the file or key and says what was expected.
 *
 * <p>Single malformed rows are not errors: they become {@link BadRow}s, are counted in the {@link DataReport}, and
 * the good rows are kept.
 */
public class DataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
