/**
 * Networks built from the kernels: stacked LSTMs with sequence forward and BPTT ({@code ForwardPass},
 * {@code Gradients}), event-at-a-time stepping ({@code LstmStepper}), embeddings, dropout, the linear head and
 * {@link dev.lstmflink.core.nn.LstmModel} (embedding + LSTM + head, as the operators run it). May import
 * {@code core.model} and {@code core.kernel}.
 */
package dev.lstmflink.core.nn;
