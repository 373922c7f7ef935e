package dev.lstmflink.core.io.onnx;

import java.io.IOException;

/**
 * An ONNX file cannot be read as an LSTM of this project: malformed protobuf, no LSTM node, a missing or misshapen
 * weight, or an LSTM option the core does not support. The message starts with the source (usually the file path)
 * and names the node, the attribute or tensor, and the value.
 */
public final class OnnxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String problem;

    public OnnxFormatException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
        this.problem = problem;
    }

    /** The message without the source. */
    public String problem() {
        return problem;
    }

    /** The file path or name given to the reader. */
    public String source() {
        return source;
    }
}
