package dev.lstmflink.train.optim;

import java.io.Serializable;

/**
 * A weight penalty as Keras 3 defines {@code keras.regularizers.L1L2} (and {@code L1}, {@code L2}, its special cases):
 * {@code penalty(w) = l1·Σ|w| + l2·Σw²} over every element of the tensor, added to the loss that is minimised
 * (keras/src/regularizers/regularizers.py). Its gradient is {@code l1·sign(w) + 2·l2·w} with {@code sign(0) = 0}, what
 * the TensorFlow and PyTorch backends give for the gradient of {@code abs} at 0 (JAX's gives 1 there).
 *
 * <p>Which tensors a penalty applies to, and how, is {@link Penalties}' business.
 *
 * @param l1 the L1 factor, a finite number {@code >= 0}
 * @param l2 the L2 factor, a finite number {@code >= 0}
 */
public record Regularizer(double l1, double l2) implements Serializable {

    /** Keras' factor when {@code 'l1'}, {@code 'l2'} or {@code 'l1_l2'} is given by name. */
    public static final double KERAS_DEFAULT_FACTOR = 0.01;

    /** No penalty. */
    public static final Regularizer NONE = new Regularizer(0, 0);

    public Regularizer {
        // Keras' validate_float_arg: a non-negative, finite number
        if (!(l1 >= 0) || !Double.isFinite(l1) || !(l2 >= 0) || !Double.isFinite(l2)) {
            throw new IllegalArgumentException("regularizer factors l1 and l2 must be finite numbers >= 0, got l1="
                    + l1 + ", l2=" + l2);
        }
    }

    /** {@code keras.regularizers.L1(l1)}. */
    public static Regularizer l1(double l1) {
        return new Regularizer(l1, 0);
    }

    /** {@code keras.regularizers.L2(l2)}. */
    public static Regularizer l2(double l2) {
        return new Regularizer(0, l2);
    }

    /** True when both factors are 0: the penalty and its gradient are 0 everywhere. */
    public boolean isZero() {
        return l1 == 0 && l2 == 0;
    }

    /** {@code l1·absSum + l2·squareSum}, from the two sums of a tensor, as Keras multiplies after summing. */
    public double penalty(double absSum, double squareSum) {
        double p = 0;
        if (l1 != 0) {
            p += l1 * absSum;
        }
        if (l2 != 0) {
            p += l2 * squareSum;
        }
        return p;
    }

    /** {@code ∂penalty/∂w = l1·sign(w) + 2·l2·w}, {@code sign(0) = 0}. */
    public double gradient(double w) {
        return l1 * Math.signum(w) + 2 * l2 * w;
    }

    /** As written in the config file: {@code {l1: .., l2: ..}}. */
    @Override
    public String toString() {
        return "{l1: " + l1 + ", l2: " + l2 + "}";
    }
}
