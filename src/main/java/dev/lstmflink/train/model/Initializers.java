package dev.lstmflink.train.model;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.train.data.SplitMix64;

/**
 * Initial weights, drawn from a {@link SplitMix64} stream so that a seed fixes them.
 *
 * <ul>
 *   <li>{@link Scheme#PYTORCH}: {@code nn.LSTM}'s default, every parameter from {@code U(−1/√H, 1/√H)}; the head
 *       as {@code nn.Linear}, {@code U(−1/√in, 1/√in)}.</li>
 *   <li>{@link Scheme#KERAS}: Keras' LSTM defaults: {@code glorot_uniform} input kernel
 *       ({@code U(±√(6/(I + 4H)))}), {@code orthogonal} recurrent kernel, zero biases with {@code unit_forget_bias}
 *       (forget-gate bias 1, put in {@code b_ih}; {@code b_hh} stays 0 so their sum is Keras' single bias); the head
 *       as a Keras {@code Dense}: {@code glorot_uniform} weight, zero bias.</li>
 * </ul>
 *
 * <p>Keras' {@code unit_forget_bias} is also an option of its own ({@link #lstm(LstmConfig, Scheme, boolean,
 * SplitMix64, Precision)}): when true, every bias starts at zero except the forget gate's, which starts at 1 ("add 1
 * to the bias of the forget gate at initialization. Setting it to True will also force bias_initializer="zeros"",
 * Keras' {@code LSTM} docs; Jozefowicz et al. 2015), whichever scheme draws the weights. The weights are drawn from
 * the same stream positions either way, so the option changes the biases only. When false, the Keras scheme's biases
 * are all zero ({@code bias_initializer="zeros"}) and PyTorch's keep their uniform draw. Each scheme's default is
 * {@link #defaultUnitForgetBias}.
 */
public final class Initializers {

    public enum Scheme { PYTORCH, KERAS }

    private Initializers() {}

    /** Keras' LSTM default {@code unit_forget_bias=True} for the Keras scheme; PyTorch has no such option. */
    public static boolean defaultUnitForgetBias(Scheme scheme) {
        return scheme == Scheme.KERAS;
    }

    /** The LSTM's initial parameters, with the scheme's default {@code unit_forget_bias}. */
    public static <A> A lstm(LstmConfig cfg, Scheme scheme, SplitMix64 rnd, Precision<A> num) {
        return lstm(cfg, scheme, defaultUnitForgetBias(scheme), rnd, num);
    }

    /** The LSTM's initial parameters; {@code unitForgetBias} as Keras' {@code LSTM(unit_forget_bias=...)}. */
    public static <A> A lstm(LstmConfig cfg, Scheme scheme, boolean unitForgetBias, SplitMix64 rnd,
                             Precision<A> num) {
        LstmLayout layout = new LstmLayout(cfg);
        A flat = num.allocate(layout.size());
        double k = 1 / Math.sqrt(cfg.hiddenSize());
        for (TensorSpec spec : layout.tensors()) {
            double[] v = new double[spec.elementCount()];
            if (scheme == Scheme.PYTORCH) {
                uniform(v, k, rnd);
            } else {
                int rows = spec.shape()[0];
                switch (spec.kind()) {
                    case WEIGHT_IH, WEIGHT_HR -> uniform(v, Math.sqrt(6.0 / (spec.shape()[1] + rows)), rnd);
                    case WEIGHT_HH -> orthogonalColumns(v, rows, spec.shape()[1], rnd);
                    default -> { }   // biases: zeros (bias_initializer="zeros")
                }
            }
            if (unitForgetBias && (spec.kind() == LstmLayout.Kind.BIAS_IH || spec.kind() == LstmLayout.Kind.BIAS_HH)) {
                java.util.Arrays.fill(v, 0.0);
                if (spec.kind() == LstmLayout.Kind.BIAS_IH) {
                    int h = cfg.hiddenSize();
                    for (int i = h; i < 2 * h; i++) {
                        v[i] = 1.0;   // rows [H, 2H) are the forget gate; b_hh stays 0, so b_ih + b_hh = Keras' bias
                    }
                }
            }
            layout.pack(spec, v, num, flat);
        }
        return flat;
    }

    /** The head's weight {@code [out, in]}. */
    public static <A> A headWeight(int out, int in, Scheme scheme, SplitMix64 rnd, Precision<A> num) {
        double[] v = new double[out * in];
        uniform(v, scheme == Scheme.PYTORCH ? 1 / Math.sqrt(in) : Math.sqrt(6.0 / (in + out)), rnd);
        return num.fromDoubles(v);
    }

    /** The head's bias {@code [out]}. */
    public static <A> A headBias(int out, int in, Scheme scheme, SplitMix64 rnd, Precision<A> num) {
        double[] v = new double[out];
        if (scheme == Scheme.PYTORCH) {
            uniform(v, 1 / Math.sqrt(in), rnd);
        }
        return num.fromDoubles(v);
    }

    /**
     * {@code embedding.weight [N, D]} as {@code nn.Embedding.reset_parameters}: every value from N(0, 1) (whatever the
     * scheme: Keras' Embedding draws U(−0.05, 0.05), but the layer here is PyTorch's), then the {@code padding_idx}
     * row zeroed. Drawn after the LSTM and the head, so a model without an embedding keeps its stream positions.
     */
    public static <A> A embedding(dev.lstmflink.core.model.EmbeddingConfig cfg, SplitMix64 rnd, Precision<A> num) {
        double[] v = new double[cfg.weightCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) gaussian(rnd);
        }
        if (cfg.hasPadding()) {
            int d = cfg.embeddingDim();
            java.util.Arrays.fill(v, cfg.paddingIdx() * d, (cfg.paddingIdx() + 1) * d, 0.0);
        }
        return num.fromDoubles(v);
    }

    private static void uniform(double[] v, double limit, SplitMix64 rnd) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((2 * rnd.nextDouble() - 1) * limit);
        }
    }

    /**
     * Keras' {@code Orthogonal} for its recurrent kernel {@code [H, 4H]}, given here as PyTorch's {@code [4H, H]}
     * (its transpose): a Gaussian {@code rows × cols} matrix (rows ≥ cols) made orthonormal column by column
     * (modified Gram–Schmidt, which is QR with a positive diagonal, the sign fix Keras applies).
     */
    static void orthogonalColumns(double[] v, int rows, int cols, SplitMix64 rnd) {
        if (rows < cols) {
            throw new IllegalArgumentException("orthogonal init expects rows >= cols, got " + rows + "x" + cols);
        }
        double[][] c = new double[cols][rows];
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                c[j][i] = gaussian(rnd);
            }
            for (int p = 0; p < j; p++) {
                double d = 0;
                for (int i = 0; i < rows; i++) {
                    d += c[p][i] * c[j][i];
                }
                for (int i = 0; i < rows; i++) {
                    c[j][i] -= d * c[p][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < rows; i++) {
                norm += c[j][i] * c[j][i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < rows; i++) {
                c[j][i] /= norm;
            }
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                v[i * cols + j] = (float) c[j][i];
            }
        }
    }

    /** Box–Muller. */
    private static double gaussian(SplitMix64 rnd) {
        double u1 = Math.max(rnd.nextDouble(), 1e-300);
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

}
