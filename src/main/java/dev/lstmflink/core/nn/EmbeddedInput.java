package dev.lstmflink.core.nn;

import dev.lstmflink.core.model.EmbeddingConfig;

/**
 * A batch's LSTM input from its numeric values and categorical ids, PyTorch's
 * {@code torch.cat([v, embedding(ids).flatten(-2)], dim=-1)}: for every step (row)
 * {@code x = [v[0..m) ; E[ids[0]] ; ... ; E[ids[k-1]]]}.
 *
 * <p>Shapes: R = T·B rows, in the order {@link Lstm#forward} takes them ({@code [T,B,·]}, or {@code [B,T,·]} when
 * the LSTM is batch-first); {@code values [R, m]}, {@code ids [R, k]} in that same row order, and the result
 * {@code x [R, m + k·D]}. The concatenation is row by row, so the order only matters for naming a bad id's batch
 * element and step.
 *
 * <p>Every id is checked before any is looked up: an id outside {@code [0, N)} is an {@link IllegalArgumentException}
 * naming its batch element, step and position and the value.
 */
public final class EmbeddedInput {

    private EmbeddedInput() {}

    /** The float32 input, rows looked up with {@link Embedding#lookup(int, float[], int)}. */
    public static float[] f32(Embedding e, float[] values, int numeric, int[] ids, int seqLen, int batch,
                              boolean batchFirst) {
        int rows = check(e, values.length, numeric, ids, seqLen, batch, batchFirst);
        int k = e.config().idsPerStep();
        int d = e.config().embeddingDim();
        int width = numeric + k * d;
        float[] x = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * numeric, x, r * width, numeric);
            for (int j = 0; j < k; j++) {
                e.lookup(ids[r * k + j], x, r * width + numeric + j * d);
            }
        }
        return x;
    }

    /** The float64 input, rows looked up with {@link Embedding#lookup(int, double[], int)}. */
    public static double[] f64(Embedding e, double[] values, int numeric, int[] ids, int seqLen, int batch,
                               boolean batchFirst) {
        int rows = check(e, values.length, numeric, ids, seqLen, batch, batchFirst);
        int k = e.config().idsPerStep();
        int d = e.config().embeddingDim();
        int width = numeric + k * d;
        double[] x = new double[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * numeric, x, r * width, numeric);
            for (int j = 0; j < k; j++) {
                e.lookup(ids[r * k + j], x, r * width + numeric + j * d);
            }
        }
        return x;
    }

    /**
     * Why {@code ids} (R·k of them, in the row order above) cannot be embedded, naming the first bad one by batch
     * element, step and position, e.g. {@code "ids[b=1, t=3, 0] is 12, outside [0, num_embeddings = 10)"}; null when
     * all can.
     */
    public static String invalidIds(EmbeddingConfig c, int[] ids, int seqLen, int batch, boolean batchFirst) {
        int k = c.idsPerStep();
        for (int i = 0; i < ids.length; i++) {
            int r = i / k;
            int t = batchFirst ? r % seqLen : r / batch;
            int b = batchFirst ? r / seqLen : r % batch;
            String bad = c.invalidId("ids[b=" + b + ", t=" + t + ", " + (i % k) + "]", ids[i]);
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    private static int check(Embedding e, int valueCount, int numeric, int[] ids, int seqLen, int batch,
                             boolean batchFirst) {
        if (seqLen <= 0 || batch <= 0) {
            throw new IllegalArgumentException("seqLen and batch must be > 0, got " + seqLen + " and " + batch);
        }
        if (numeric < 0) {
            throw new IllegalArgumentException("numeric values per step must be >= 0, got " + numeric);
        }
        int rows = seqLen * batch;
        int k = e.config().idsPerStep();
        if (valueCount != rows * numeric) {
            throw new IllegalArgumentException("values has " + valueCount + " entries, expected T x B x numeric = "
                    + seqLen + " x " + batch + " x " + numeric + " = " + rows * numeric);
        }
        if (ids == null || ids.length != rows * k) {
            throw new IllegalArgumentException("ids has " + (ids == null ? "no" : Integer.toString(ids.length))
                    + " entries, expected T x B x ids_per_step = " + seqLen + " x " + batch + " x " + k + " = "
                    + rows * k);
        }
        String bad = invalidIds(e.config(), ids, seqLen, batch, batchFirst);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
        return rows;
    }
}
