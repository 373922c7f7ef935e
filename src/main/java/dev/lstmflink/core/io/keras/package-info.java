/**
 * Keras 3 models in: a {@code .weights.h5} ({@code model.save_weights}) or {@code .keras} archive of a Sequential
 * model of LSTM layers and an optional Dense head, read with a pure-Java HDF5 reader and converted to PyTorch's layout
 * ({@link dev.lstmflink.core.io.keras.KerasWeights}). May import {@code core.model}, {@code core.nn} and
 * {@code core.io.file}; not {@code core.io}, which reads Keras files through this package. No Flink import.
 */
package dev.lstmflink.core.io.keras;
