/**
 * The LSTM library, usable on its own: the model's configuration and parameter layout ({@code core.model}), the cell
 * kernels ({@code core.kernel}), forward and backward passes and per-event stepping ({@code core.nn}), and model files
 * in and out ({@code core.io}). It is the lowest level of the project: it imports nothing else of
 * {@code dev.lstmflink} and no Flink ({@code LayeringTest} checks both). This package itself holds no classes.
 */
package dev.lstmflink.core;
