/**
 * One LSTM cell, one time step: {@link dev.lstmflink.core.kernel.LstmKernel} with its scalar reference, the Vector API
 * version (the only place that imports {@code jdk.incubator.vector}) and a float64 one for gradient checks. May import
 * {@code core.model} only.
 */
package dev.lstmflink.core.kernel;
