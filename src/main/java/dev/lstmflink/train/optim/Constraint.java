package dev.lstmflink.train.optim;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A weight constraint as Keras 3 defines it (keras/src/constraints/constraints.py): a projection applied to a weight
 * after every optimiser step. Each works on the tensor in <em>Keras' layout</em> (an LSTM kernel {@code [I, 4H]}, a
 * recurrent kernel {@code [H, 4H]}, a bias {@code [4H]}), so that {@code axis} means what it means in Keras;
 * {@link Penalties} maps PyTorch's layout to it and back.
 *
 * <ul>
 *   <li>{@link MaxNorm}: {@code w · clip(n, 0, max_value) / (ε + n)}, {@code n} the 2-norm along {@code axis} —
 *       applied always, so a weight below the bound is also scaled, by {@code n / (ε + n)}, as Keras does;</li>
 *   <li>{@link NonNeg}: {@code max(w, 0)};</li>
 *   <li>{@link UnitNorm}: {@code w / (ε + n)}.</li>
 * </ul>
 * {@code ε} is Keras' {@code backend.epsilon()}, 1e-7. Norms are computed in double precision (Keras: in the
 * variable's float32), which can differ from Keras in the last bit.
 */
public sealed interface Constraint extends Serializable {

    /** Keras' {@code backend.epsilon()}. */
    double EPSILON = 1e-7;

    /** Projects {@code w} (row-major, of the given Keras shape) in place. */
    void apply(double[] w, int[] shape);

    /** Whether the constraint's axes exist for a tensor of this rank (Keras: an error at the first step). */
    default boolean fits(int rank) {
        return true;
    }

    /** {@code keras.constraints.MaxNorm(max_value, axis)}; {@code axis} may list several axes, negative counts back. */
    record MaxNorm(double maxValue, int[] axis) implements Constraint {

        /** Keras' defaults: {@code max_value=2, axis=0}. */
        public static final double DEFAULT_MAX_VALUE = 2.0;

        public MaxNorm {
            if (!(maxValue > 0) || !Double.isFinite(maxValue)) {
                throw new IllegalArgumentException("max_norm max_value must be a finite number > 0, got " + maxValue);
            }
            axis = checkAxes(axis);
        }

        public MaxNorm(double maxValue, int axis) {
            this(maxValue, new int[] {axis});
        }

        @Override
        public void apply(double[] w, int[] shape) {
            double[] norms = norms(w, shape, axis);
            int[] group = groups(shape, axis);
            for (int i = 0; i < w.length; i++) {
                double n = norms[group[i]];
                double desired = Math.min(Math.max(n, 0), maxValue);   // ops.clip(norms, 0, max_value)
                w[i] = w[i] * (desired / (EPSILON + n));
            }
        }

        @Override
        public boolean fits(int rank) {
            return axesFit(axis, rank);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MaxNorm m && m.maxValue == maxValue && Arrays.equals(m.axis, axis);
        }

        @Override
        public int hashCode() {
            return Double.hashCode(maxValue) * 31 + Arrays.hashCode(axis);
        }

        @Override
        public String toString() {
            return "{max_norm: {max_value: " + maxValue + ", axis: " + axesString(axis) + "}}";
        }
    }

    /** {@code keras.constraints.NonNeg()}. */
    record NonNeg() implements Constraint {
        @Override
        public void apply(double[] w, int[] shape) {
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.max(w[i], 0);
            }
        }

        @Override
        public String toString() {
            return "non_neg";
        }
    }

    /** {@code keras.constraints.UnitNorm(axis)}. */
    record UnitNorm(int[] axis) implements Constraint {

        public UnitNorm {
            axis = checkAxes(axis);
        }

        public UnitNorm(int axis) {
            this(new int[] {axis});
        }

        @Override
        public void apply(double[] w, int[] shape) {
            double[] norms = norms(w, shape, axis);
            int[] group = groups(shape, axis);
            for (int i = 0; i < w.length; i++) {
                w[i] = w[i] / (EPSILON + norms[group[i]]);
            }
        }

        @Override
        public boolean fits(int rank) {
            return axesFit(axis, rank);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UnitNorm u && Arrays.equals(u.axis, axis);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(axis);
        }

        @Override
        public String toString() {
            return "{unit_norm: {axis: " + axesString(axis) + "}}";
        }
    }

    private static int[] checkAxes(int[] axis) {
        if (axis == null || axis.length == 0) {
            throw new IllegalArgumentException("a constraint's axis must name at least one axis");
        }
        return axis.clone();
    }

    private static boolean axesFit(int[] axis, int rank) {
        for (int a : axis) {
            if (a < -rank || a >= rank) {
                return false;
            }
        }
        return true;
    }

    private static String axesString(int[] axis) {
        return axis.length == 1 ? Integer.toString(axis[0]) : Arrays.toString(axis);
    }

    /**
     * For every element of a row-major tensor, the index of its group: the elements that share all coordinates but
     * those of the reduced axes ({@code ops.sum(..., axis, keepdims=True)}).
     */
    private static int[] groups(int[] shape, int[] axis) {
        int rank = shape.length;
        boolean[] reduced = new boolean[rank];
        for (int a : axis) {
            if (a < -rank || a >= rank) {
                throw new IllegalArgumentException("axis " + a + " does not exist for a tensor of rank " + rank);
            }
            reduced[a < 0 ? a + rank : a] = true;
        }
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        int[] group = new int[n];
        int[] coord = new int[rank];
        for (int i = 0; i < n; i++) {
            int g = 0;
            for (int d = 0; d < rank; d++) {
                if (!reduced[d]) {
                    g = g * shape[d] + coord[d];
                }
            }
            group[i] = g;
            for (int d = rank - 1; d >= 0; d--) {   // next row-major coordinate
                if (++coord[d] < shape[d]) {
                    break;
                }
                coord[d] = 0;
            }
        }
        return group;
    }

    /** {@code sqrt(sum(square(w), axis, keepdims=True))}, one value per group of {@link #groups}. */
    private static double[] norms(double[] w, int[] shape, int[] axis) {
        int[] group = groups(shape, axis);
        int count = 0;
        for (int g : group) {
            count = Math.max(count, g + 1);
        }
        double[] sq = new double[count];
        for (int i = 0; i < w.length; i++) {
            sq[group[i]] += w[i] * w[i];
        }
        for (int g = 0; g < count; g++) {
            sq[g] = Math.sqrt(sq[g]);
        }
        return sq;
    }
}
