package dev.lstmflink.train.model;

import dev.lstmflink.core.model.Precision;

/** The losses of the trainer, each with its gradient, averaged as PyTorch's default {@code reduction='mean'}. */
final class Losses {

    private Losses() {}

    /** {@code nn.MSELoss}: {@code mean((y − t)²)} over every element; writes {@code ∂L/∂y = 2(y − t)/N}. */
    static <A> double mse(Precision<A> num, A y, A target, A dy) {
        int n = num.length(y);
        if (num.length(target) != n) {
            throw new IllegalArgumentException("target has " + num.length(target) + " values, the head gives " + n);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double e = num.get(y, i) - num.get(target, i);
            sum += e * e;
            num.set(dy, i, 2 * e / n);
        }
        return sum / n;
    }

    /**
     * {@code nn.CrossEntropyLoss} on logits {@code [rows, K]} and class indices {@code [rows]}: the mean of
     * {@code −log softmax(y_r)[c_r]}; writes {@code ∂L/∂y = (softmax(y) − onehot(c))/rows}. The softmax is shifted by
     * the row's maximum, so large logits cannot overflow.
     */
    static <A> double crossEntropy(Precision<A> num, A y, A labels, int rows, int k, A dy) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double label = num.get(labels, r);
            int c = (int) label;
            if (c != label || c < 0 || c >= k) {
                throw new IllegalArgumentException("class label at row " + r + " must be an integer in [0, " + k
                        + "), got " + label);
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < k; o++) {
                max = Math.max(max, num.get(y, r * k + o));
            }
            double sum = 0;
            for (int o = 0; o < k; o++) {
                sum += Math.exp(num.get(y, r * k + o) - max);
            }
            double logZ = max + Math.log(sum);
            total += logZ - num.get(y, r * k + c);
            for (int o = 0; o < k; o++) {
                double p = Math.exp(num.get(y, r * k + o) - logZ);
                num.set(dy, r * k + o, (p - (o == c ? 1 : 0)) / rows);
            }
        }
        return total / rows;
    }
}
