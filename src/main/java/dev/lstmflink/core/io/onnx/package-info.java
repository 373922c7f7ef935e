/**
 * ONNX models in: the {@code LSTM} nodes of a {@code ModelProto}, decoded from the protobuf wire format with the
 * field numbers of {@code onnx.proto} and converted to PyTorch's layout ({@link dev.lstmflink.core.io.onnx.OnnxLstm}).
 * No Flink import.
 */
package dev.lstmflink.core.io.onnx;
