/**
 * ONNX models in: the {@code LSTM} nodes of a {@code ModelProto}, decoded from the protobuf wire format with the
 * field numbers of {@code onnx.proto} and converted to PyTorch's layout ({@link dev.lstmflink.core.io.onnx.OnnxLstm}),
 * with the {@code nn.Linear} head on their output ({@code OnnxHead}) and checks of their state inputs and outputs
 * ({@code OnnxStates}). May import {@code core.model}, {@code core.nn} and {@code core.io.file}; not {@code core.io},
 * which reads ONNX files through this package. No Flink import.
 */
package dev.lstmflink.core.io.onnx;
