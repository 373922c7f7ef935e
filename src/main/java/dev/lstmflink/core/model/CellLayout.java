package dev.lstmflink.core.model;

/**
 * Where one cell's (one layer, one direction) parameters sit in the flat parameter array, and its sizes.
 *
 * <p>The weights are stored <em>transposed</em> with respect to PyTorch, {@code Wt = [W_ih W_hh]^T} of shape
 * {@code (R, 4H)} with R = I + Hout rows, so that the gate pre-activations are a sum of rows scaled by the inputs
 * ({@code z += u_j · Wt[j, :]}): AXPYs that need no horizontal reduction. {@code Wt} is cut into <em>panels</em> of
 * {@value #PANEL} columns, each stored row after row ({@code (R, 64)}, the last panel narrower when 4H is not a
 * multiple of 64), as GEMM libraries pack a matrix: a kernel that keeps a panel's 64 sums in registers then reads the
 * weights as one sequential stream, which is what the hardware prefetcher serves best (measured in BENCHMARKS.md).
 * Gradients use the same layout, so an optimiser treats the array as one flat vector. PyTorch's names and shapes are
 * restored by {@link LstmLayout} when reading or writing.
 *
 * <pre>
 *   w   at wOff:   panels p = 0 .. ⌈4H/64⌉-1 of (R, width_p)   rows 0..I-1 = W_ih^T, rows I..R-1 = W_hh^T;
 *                  columns of the whole matrix: [i | f | g | o], H each
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

    /** Columns of a weight panel: four 512-bit vectors of floats. */
    public static final int PANEL = 64;

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

    /** R = I + Hout: rows of {@code Wt}, the length of {@code [x; h]}. */
    public int rows() {
        return inputSize + outputSize;
    }

    public int panelCount() {
        return (gateSize() + PANEL - 1) / PANEL;
    }

    /** Columns in panel p: {@value #PANEL}, or fewer in the last one. */
    public int panelWidth(int p) {
        return Math.min(PANEL, gateSize() - p * PANEL);
    }

    /** Offset of panel p; its row j starts {@code j · panelWidth(p)} later. */
    public int panelOffset(int p) {
        return wOff + p * PANEL * rows();
    }

    /** Offset of {@code Wt[j, r]}: the weight from input j ({@code x} then {@code h}) to gate row r. */
    public int weightIndex(int j, int r) {
        int p = r / PANEL;
        return panelOffset(p) + j * panelWidth(p) + r % PANEL;
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
