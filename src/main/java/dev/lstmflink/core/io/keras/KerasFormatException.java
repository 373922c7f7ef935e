package dev.lstmflink.core.io.keras;

import java.io.IOException;

/**
 * A Keras file (or its config) cannot be read as a model of this project: not HDF5, a group or variable missing, a
 * shape that does not fit, or a layer option the core does not support yet. As for safetensors, the message starts
 * with the source (usually the file path) and names the layer, the variable and the value.
 */
public final class KerasFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;

    public KerasFormatException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    public KerasFormatException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file path or name given to the reader. */
    public String source() {
        return source;
    }
}
