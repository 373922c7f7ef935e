/**
 * Optimisation: {@link dev.lstmflink.train.optim.Adam} updating the flat parameter array in place, learning-rate
 * schedules, gradient clipping, and Keras' regularizers and constraints. May import {@code core} only.
 */
package dev.lstmflink.train.optim;
