package dev.lstmflink.core.model;

/**
 * Where one cell's (one layer, one direction) parameters sit in the flat parameter array, and its sizes.
 *
 * <p>The weights are stored <em>transposed</em> with respect to PyTorch so that the gate pre-activations are a sum of
 * contiguous rows scaled by the inputs ({@code z += u_j · Wt[j, :]}): an AXPY over 4H contiguous floats that the
 * vector kernel runs without any horizontal reduction. The same holds for the gradients, so an optimiser can treat the
 * array as one flat vector. PyTorch's names and shapes are restored by {@link LstmLayout} when reading or writing.
 *
 * <pre>
 *   w   at wOff:   (I + Hout, 4H)  rows 0..I-1 = W_ih^T, rows I..I+Hout-1 = W_hh^T; columns [i | f | g | o]
 *   bih at bihOff: (4H)            only if bias, else -1
 *   bhh at bhhOff: (4H)            only if bias, else -1
 *   wr  at wrOff:  (H, P)          W_hr^T, only if P &gt; 0, else -1
 * </pre>
 *
 * @param inputSize  I, size of this layer's input
 * @param hiddenSize H
 * @param outputSize Hout (P if projecting, else H)
 * @param projSize   P, or 0
 */
public record CellLayout(
        int inputSize, int hiddenSize, int outputSize, int projSize, int wOff, int bihOff, int bhhOff, int wrOff) {

    /** 4H: rows of z, the four gates' pre-activations. */
    public int gateSize() {
        return 4 * hiddenSize;
    }

    public boolean hasBias() {
        return bihOff >= 0;
    }

    public boolean hasProjection() {
        return projSize > 0;
    }

    /** Offset of row {@code j} of {@code W_hh^T}, the weights applied to {@code h_{t-1}[j]}. */
    public int recurrentRow(int j) {
        return wOff + (inputSize + j) * gateSize();
    }

    /** Number of parameters of this cell. */
    public int parameterCount() {
        int n = (inputSize + outputSize) * gateSize();
        if (hasBias()) {
            n += 2 * gateSize();
        }
        return n + hiddenSize * projSize;
    }
}
