package dev.lstmflink.core.nn;

/**
 * The gradients of a scalar loss from {@link ForwardPass#backward}.
 *
 * @param params ∂L/∂θ, in the layout of {@link dev.lstmflink.core.model.LstmLayout} (unpack by PyTorch name there)
 * @param input  ∂L/∂input, shaped as the input ({@code [T,B,I]} or {@code [B,T,I]}); zero past each length
 * @param h0     ∂L/∂h0 {@code [L·D,B,Hout]}
 * @param c0     ∂L/∂c0 {@code [L·D,B,H]}
 * @param <A>    {@code float[]} or {@code double[]}
 */
public record Gradients<A>(A params, A input, A h0, A c0) {}
