/**
 * One LSTM cell, one time step, for one key or a batch of keys: {@link dev.lstmflink.core.kernel.LstmKernel} with its
 * scalar reference, the Vector API version (it and {@code VectorBatchGemm} are the only places that import
 * {@code jdk.incubator.vector}) and a float64 one for gradient checks. May import {@code core.model} only.
 */
package dev.lstmflink.core.kernel;
