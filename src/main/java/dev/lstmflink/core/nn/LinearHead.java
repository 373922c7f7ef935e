package dev.lstmflink.core.nn;

/**
 * A dense layer on the LSTM's output, PyTorch's {@code nn.Linear(Hout, K)}: {@code y = W h + b} with {@code W [K, Hout]}
 * (row-major, as {@code head.weight} is saved) and {@code b [K]} ({@code head.bias}, optional). Optionally followed by
 * a softmax for class probabilities. Allocation-free; immutable.
 */
public final class LinearHead {

    private final float[] weight;   // (K, Hout)
    private final float[] bias;     // (K) or null
    private final int in;
    private final int out;

    public LinearHead(float[] weight, float[] bias, int outFeatures, int inFeatures) {
        if (outFeatures <= 0 || inFeatures <= 0) {
            throw new IllegalArgumentException("head must have in_features > 0 and out_features > 0, got "
                    + inFeatures + " and " + outFeatures);
        }
        if (weight.length != outFeatures * inFeatures) {
            throw new IllegalArgumentException("head.weight has " + weight.length + " values, expected ["
                    + outFeatures + ", " + inFeatures + "]");
        }
        if (bias != null && bias.length != outFeatures) {
            throw new IllegalArgumentException("head.bias has " + bias.length + " values, expected " + outFeatures);
        }
        this.weight = weight.clone();
        this.bias = bias == null ? null : bias.clone();
        this.in = inFeatures;
        this.out = outFeatures;
    }

    /** weight [K, Hout], row-major, as nn.Linear holds it (the array itself, not a copy: do not change it). */
    public float[] weight() {
        return weight;
    }

    /** bias [K], or null (the array itself). */
    public float[] bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    /**
     * {@code y[yOff..yOff+K) = W h + b}, summed in double and rounded once, in the order the trainer's head uses, so
     * that a trained model streams exactly the predictions it made in training.
     */
    public void apply(float[] h, int hOff, float[] y, int yOff) {
        for (int k = 0; k < out; k++) {
            double s = bias == null ? 0 : bias[k];
            int row = k * in;
            for (int j = 0; j < in; j++) {
                s += (double) weight[row + j] * h[hOff + j];
            }
            y[yOff + k] = (float) s;
        }
    }

    /** In place: {@code y ← softmax(y)} over {@code K} entries, shifted by the maximum so that exp cannot overflow. */
    public static void softmax(float[] y, int off, int k) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            max = Math.max(max, y[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < k; i++) {
            double e = Math.exp(y[off + i] - max);
            y[off + i] = (float) e;
            sum += e;
        }
        for (int i = 0; i < k; i++) {
            y[off + i] = (float) (y[off + i] / sum);
        }
    }
}
