package dev.lstmflink.train.optim;

import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import java.io.Serializable;

/**
 * Keras' {@code kernel_regularizer}, {@code recurrent_regularizer}, {@code bias_regularizer} and
 * {@code kernel_constraint}, {@code recurrent_constraint}, {@code bias_constraint} of an LSTM layer, applied to our
 * PyTorch-layout LSTM as Keras applies them to its own (Keras 3: {@code Layer.losses} summed into the loss by
 * {@code Trainer.compute_loss}; constraints assigned after every optimiser step by {@code BaseOptimizer.apply}).
 *
 * <p>What maps to what, in every layer and direction:
 * <ul>
 *   <li>kernel ({@code [I, 4H]} in Keras) = {@code weight_ih_l*} ({@code [4H, I]}, its transpose); recurrent kernel
 *       ({@code [H, 4H]}) = {@code weight_hh_l*} ({@code [4H, H]}). A constraint's Keras {@code axis=0} (the norm
 *       of each column of Keras' kernel, i.e. of the input weights of one gate unit) is therefore the norm of each
 *       <em>row</em> of PyTorch's matrix; {@code axis=1} of each column.</li>
 *   <li>bias ({@code [4H]}, Keras has one) = {@code bias_ih + bias_hh}: the penalty is of the sum, so both get the
 *       same gradient, the penalty's gradient at the sum; the constraint is applied to the sum {@code b} and stored
 *       as {@code bias_ih = c(b) − bias_hh}, so that the sum is the constrained value. The gate order i, f, g, o is
 *       the same in both.</li>
 *   <li>the projection {@code weight_hr_l*} (Keras' LSTM has no projection) and the dense head (Keras sets a Dense
 *       layer's penalties on the Dense layer, not here) are neither regularised nor constrained. With a projection,
 *       {@code weight_hh} is {@code [4H, P]} and is still the recurrent kernel.</li>
 * </ul>
 *
 * <p>Null fields mean none. The penalty is added to the training loss that is reported, as Keras' {@code loss} does,
 * and to the validation loss, as Keras' {@code val_loss} does (both come from {@code compute_loss}).
 *
 * @param kernelRegularizer    on every {@code weight_ih}
 * @param recurrentRegularizer on every {@code weight_hh}
 * @param biasRegularizer      on every {@code bias_ih + bias_hh}
 * @param kernelConstraint     on every {@code weight_ih}, after every step
 * @param recurrentConstraint  on every {@code weight_hh}, after every step
 * @param biasConstraint       on every {@code bias_ih + bias_hh}, after every step
 */
public record Penalties(Regularizer kernelRegularizer, Regularizer recurrentRegularizer, Regularizer biasRegularizer,
                        Constraint kernelConstraint, Constraint recurrentConstraint, Constraint biasConstraint)
        implements Serializable {

    /** No penalty and no constraint. */
    public static final Penalties NONE = new Penalties(null, null, null, null, null, null);

    public Penalties {
        kernelRegularizer = nullIfZero(kernelRegularizer);
        recurrentRegularizer = nullIfZero(recurrentRegularizer);
        biasRegularizer = nullIfZero(biasRegularizer);
        if (kernelConstraint != null && !kernelConstraint.fits(2)) {
            throw new IllegalArgumentException("kernel_constraint " + kernelConstraint + ": the kernel has 2 axes");
        }
        if (recurrentConstraint != null && !recurrentConstraint.fits(2)) {
            throw new IllegalArgumentException("recurrent_constraint " + recurrentConstraint
                    + ": the recurrent kernel has 2 axes");
        }
        if (biasConstraint != null && !biasConstraint.fits(1)) {
            throw new IllegalArgumentException("bias_constraint " + biasConstraint
                    + ": the bias has 1 axis (axis 0 or -1)");
        }
    }

    /** A zero penalty is no penalty: it changes neither the loss nor a gradient. */
    private static Regularizer nullIfZero(Regularizer r) {
        return r == null || r.isZero() ? null : r;
    }

    public Penalties withKernelRegularizer(Regularizer r) {
        return new Penalties(r, recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint,
                biasConstraint);
    }

    public Penalties withRecurrentRegularizer(Regularizer r) {
        return new Penalties(kernelRegularizer, r, biasRegularizer, kernelConstraint, recurrentConstraint,
                biasConstraint);
    }

    public Penalties withBiasRegularizer(Regularizer r) {
        return new Penalties(kernelRegularizer, recurrentRegularizer, r, kernelConstraint, recurrentConstraint,
                biasConstraint);
    }

    public Penalties withKernelConstraint(Constraint c) {
        return new Penalties(kernelRegularizer, recurrentRegularizer, biasRegularizer, c, recurrentConstraint,
                biasConstraint);
    }

    public Penalties withRecurrentConstraint(Constraint c) {
        return new Penalties(kernelRegularizer, recurrentRegularizer, biasRegularizer, kernelConstraint, c,
                biasConstraint);
    }

    public Penalties withBiasConstraint(Constraint c) {
        return new Penalties(kernelRegularizer, recurrentRegularizer, biasRegularizer, kernelConstraint,
                recurrentConstraint, c);
    }

    /** Whether any penalty is set (non-zero). */
    public boolean regularizes() {
        return kernelRegularizer != null || recurrentRegularizer != null || biasRegularizer != null;
    }

    /** Whether any constraint is set. */
    public boolean constrains() {
        return kernelConstraint != null || recurrentConstraint != null || biasConstraint != null;
    }

    /** Refuses a bias penalty or constraint for an LSTM without biases (Keras' {@code use_bias=False}). */
    public void checkFits(LstmLayout layout) {
        if (!layout.config().bias() && (biasRegularizer != null || biasConstraint != null)) {
            throw new IllegalArgumentException("bias_regularizer and bias_constraint need an LSTM with biases");
        }
    }

    /** The total penalty of the LSTM parameters {@code p} (flat, {@link LstmLayout} order). */
    public <A> double penalty(LstmLayout layout, Precision<A> num, A p) {
        return accumulate(layout, num, p, null);
    }

    /**
     * Adds the gradient of the penalty to {@code grad} (the LSTM's flat gradient, same layout as {@code p}) and
     * returns the penalty.
     */
    public <A> double addGradients(LstmLayout layout, Precision<A> num, A p, A grad) {
        return accumulate(layout, num, p, grad);
    }

    private <A> double accumulate(LstmLayout layout, Precision<A> num, A p, A grad) {
        checkFits(layout);
        double total = 0;
        for (TensorSpec spec : layout.tensors()) {
            Regularizer r = switch (spec.kind()) {
                case WEIGHT_IH -> kernelRegularizer;
                case WEIGHT_HH -> recurrentRegularizer;
                case BIAS_IH -> biasRegularizer;   // with BIAS_HH of the same cell, below
                default -> null;
            };
            if (r == null) {
                continue;
            }
            double abs = 0;
            double sq = 0;
            int n = spec.elementCount();
            if (spec.kind() == LstmLayout.Kind.BIAS_IH) {
                int bih = spec.cell().bihOff();
                int bhh = spec.cell().bhhOff();
                for (int k = 0; k < n; k++) {
                    double b = num.get(p, bih + k) + num.get(p, bhh + k);   // Keras' single bias
                    abs += Math.abs(b);
                    sq += b * b;
                    if (grad != null) {
                        double g = r.gradient(b);   // ∂P/∂b_ih = ∂P/∂b_hh = P'(b_ih + b_hh)
                        num.set(grad, bih + k, num.get(grad, bih + k) + g);
                        num.set(grad, bhh + k, num.get(grad, bhh + k) + g);
                    }
                }
            } else {
                for (int k = 0; k < n; k++) {
                    int i = spec.packedIndex(k);
                    double w = num.get(p, i);
                    abs += Math.abs(w);
                    sq += w * w;
                    if (grad != null) {
                        num.set(grad, i, num.get(grad, i) + r.gradient(w));
                    }
                }
            }
            total += r.penalty(abs, sq);
        }
        return total;
    }

    /** Applies the constraints to the LSTM parameters {@code p}, in place: once after every optimiser step. */
    public <A> void constrain(LstmLayout layout, Precision<A> num, A p) {
        checkFits(layout);
        for (TensorSpec spec : layout.tensors()) {
            switch (spec.kind()) {
                case WEIGHT_IH -> constrainMatrix(kernelConstraint, spec, num, p);
                case WEIGHT_HH -> constrainMatrix(recurrentConstraint, spec, num, p);
                case BIAS_IH -> constrainBias(biasConstraint, spec, num, p);
                default -> { }
            }
        }
    }

    /** PyTorch's {@code [4H, in]} seen as Keras' {@code [in, 4H]}: element (j, r) of Keras is (r, j) of PyTorch. */
    private static <A> void constrainMatrix(Constraint c, TensorSpec spec, Precision<A> num, A p) {
        if (c == null) {
            return;
        }
        int rows = spec.shape()[0];   // 4H
        int cols = spec.shape()[1];   // in
        double[] keras = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                keras[j * rows + r] = num.get(p, spec.packedIndex(r * cols + j));
            }
        }
        c.apply(keras, new int[] {cols, rows});
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                num.set(p, spec.packedIndex(r * cols + j), keras[j * rows + r]);
            }
        }
    }

    private static <A> void constrainBias(Constraint c, TensorSpec spec, Precision<A> num, A p) {
        if (c == null) {
            return;
        }
        int n = spec.elementCount();
        int bih = spec.cell().bihOff();
        int bhh = spec.cell().bhhOff();
        double[] b = new double[n];
        for (int k = 0; k < n; k++) {
            b[k] = num.get(p, bih + k) + num.get(p, bhh + k);
        }
        c.apply(b, new int[] {n});
        for (int k = 0; k < n; k++) {
            num.set(p, bih + k, b[k] - num.get(p, bhh + k));   // b_ih + b_hh = c(b)
        }
    }

    /** The settings as config keys (for the report), none left out. */
    public java.util.Map<String, String> settings() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("kernel_regularizer", str(kernelRegularizer));
        m.put("recurrent_regularizer", str(recurrentRegularizer));
        m.put("bias_regularizer", str(biasRegularizer));
        m.put("kernel_constraint", str(kernelConstraint));
        m.put("recurrent_constraint", str(recurrentConstraint));
        m.put("bias_constraint", str(biasConstraint));
        return m;
    }

    private static String str(Object o) {
        return o == null ? "null" : o.toString();
    }
}
