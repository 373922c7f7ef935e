/**
 * Model files: safetensors read and write (PyTorch's names), the Wolfram JSON format, and
 * {@link dev.lstmflink.core.io.LstmModelFile}, which reads a model of any known format (chosen by content) and is
 * what every tool and operator calls. May import {@code core.model}, {@code core.nn}, {@code core.io.file} and the
 * format packages {@code core.io.keras} and {@code core.io.onnx}, which in turn never import this package.
 */
package dev.lstmflink.core.io;
