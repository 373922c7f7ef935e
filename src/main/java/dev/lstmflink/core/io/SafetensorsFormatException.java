package dev.lstmflink.core.io;

import java.io.IOException;

/**
 * A safetensors file (or byte array) is malformed: bad header length, bad JSON, inconsistent
 * tensor entries or a data buffer that does not match them. {@link LstmModelFile} also reports
 * every other model file problem with it (a wolfram-lstm JSON file, a file of no known format),
 * so that callers that refuse a bad model catch one type; the name predates the other formats.
 *
 * <p>It is an {@link IOException} because a corrupt file is an input problem the caller must
 * handle, just like a missing one. The message always starts with the source (usually the file
 * path), so that a job that loads several checkpoints tells you which one is broken.
 */
public final class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;

    /**
     * @param source where the bytes came from (a file path or a caller-supplied name)
     * @param problem what is wrong, naming the tensor and the offending value where there is one
     */
    public SafetensorsFormatException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    /** As {@link #SafetensorsFormatException(String, String)}, keeping the underlying cause. */
    public SafetensorsFormatException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file path or name given to the reader. */
    public String source() {
        return source;
    }
}
