package dev.lstmflink.train;

import dev.lstmflink.core.nn.DropoutConfig;
import dev.lstmflink.train.model.Initializers;
import dev.lstmflink.train.optim.LrSchedule;
import dev.lstmflink.train.optim.Penalties;
import java.io.Serializable;

/**
 * How a model is trained. Defaults in {@link #defaults()}, one place.
 *
 * @param epochs      passes over the training windows
 * @param batchSize   windows per Adam step
 * @param schedule    learning rate per epoch
 * @param beta1       Adam β1
 * @param beta2       Adam β2
 * @param eps         Adam ε
 * @param weightDecay L2 penalty added to the gradient, as torch.optim.Adam's weight_decay
 * @param clipNorm    clip gradients to this global 2-norm; 0 = off
 * @param patience    stop after this many epochs without a better validation loss; 0 = never stop early
 * @param seed        fixes initial weights, shuffling and dropout
 * @param init        initialiser scheme
 * @param unitForgetBias Keras' {@code unit_forget_bias}: forget-gate biases start at 1, the other biases at 0 (see
 *                    {@link Initializers}); the scheme's default when not given
 * @param dropout     dropout inside the LSTM layers in training (Keras' dropout and recurrent_dropout, Wolfram's
 *                    VariationalWeights and StateUpdate, see {@link DropoutConfig}); none when not given. Dropout
 *                    between layers is the model config's ({@code LstmConfig.dropout()})
 * @param penalties   Keras' kernel/recurrent/bias regularizers and constraints of the LSTM (see {@link Penalties});
 *                    none when not given. A penalty is added to the loss before clipping, and so to the reported
 *                    training and validation losses (as Keras reports them); constraints apply after every Adam step
 */
public record TrainOptions(int epochs, int batchSize, LrSchedule schedule, double beta1, double beta2, double eps,
                           double weightDecay, double clipNorm, int patience, long seed, Initializers.Scheme init,
                           boolean unitForgetBias, DropoutConfig dropout, Penalties penalties)
        implements Serializable {

    /** Without regularizers and constraints. */
    public TrainOptions(int epochs, int batchSize, LrSchedule schedule, double beta1, double beta2, double eps,
                        double weightDecay, double clipNorm, int patience, long seed, Initializers.Scheme init,
                        boolean unitForgetBias, DropoutConfig dropout) {
        this(epochs, batchSize, schedule, beta1, beta2, eps, weightDecay, clipNorm, patience, seed, init,
                unitForgetBias, dropout, Penalties.NONE);
    }

    /** Without dropout inside the layers. */
    public TrainOptions(int epochs, int batchSize, LrSchedule schedule, double beta1, double beta2, double eps,
                        double weightDecay, double clipNorm, int patience, long seed, Initializers.Scheme init,
                        boolean unitForgetBias) {
        this(epochs, batchSize, schedule, beta1, beta2, eps, weightDecay, clipNorm, patience, seed, init,
                unitForgetBias, DropoutConfig.NONE);
    }

    /** With the scheme's default {@code unit_forget_bias} (true for Keras, false for PyTorch). */
    public TrainOptions(int epochs, int batchSize, LrSchedule schedule, double beta1, double beta2, double eps,
                        double weightDecay, double clipNorm, int patience, long seed, Initializers.Scheme init) {
        this(epochs, batchSize, schedule, beta1, beta2, eps, weightDecay, clipNorm, patience, seed, init,
                Initializers.defaultUnitForgetBias(init));
    }

    public TrainOptions {
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch_size must be > 0, got " + batchSize);
        }
        if (dropout == null) {
            throw new IllegalArgumentException("dropout must not be null (DropoutConfig.NONE for none)");
        }
        if (penalties == null) {
            throw new IllegalArgumentException("penalties must not be null (Penalties.NONE for none)");
        }
        if (clipNorm < 0 || patience < 0) {
            throw new IllegalArgumentException("clip_norm and patience must be >= 0, got " + clipNorm + " and "
                    + patience);
        }
    }

    public static TrainOptions defaults() {
        return new TrainOptions(20, 32, LrSchedule.constant(1e-3), 0.9, 0.999, 1e-8, 0.0, 1.0, 5, 42L,
                Initializers.Scheme.PYTORCH);
    }

    public TrainOptions withEpochs(int n) {
        return new TrainOptions(n, batchSize, schedule, beta1, beta2, eps, weightDecay, clipNorm, patience, seed,
                init, unitForgetBias, dropout, penalties);
    }

    public TrainOptions withSeed(long s) {
        return new TrainOptions(epochs, batchSize, schedule, beta1, beta2, eps, weightDecay, clipNorm, patience, s,
                init, unitForgetBias, dropout, penalties);
    }

    public TrainOptions withSchedule(LrSchedule s) {
        return new TrainOptions(epochs, batchSize, s, beta1, beta2, eps, weightDecay, clipNorm, patience, seed,
                init, unitForgetBias, dropout, penalties);
    }

    public TrainOptions withBatchSize(int b) {
        return new TrainOptions(epochs, b, schedule, beta1, beta2, eps, weightDecay, clipNorm, patience, seed,
                init, unitForgetBias, dropout, penalties);
    }

    public TrainOptions withUnitForgetBias(boolean b) {
        return new TrainOptions(epochs, batchSize, schedule, beta1, beta2, eps, weightDecay, clipNorm, patience, seed,
                init, b, dropout, penalties);
    }

    public TrainOptions withDropout(DropoutConfig d) {
        return new TrainOptions(epochs, batchSize, schedule, beta1, beta2, eps, weightDecay, clipNorm, patience, seed,
                init, unitForgetBias, d, penalties);
    }

    public TrainOptions withPatience(int p) {
        return new TrainOptions(epochs, batchSize, schedule, beta1, beta2, eps, weightDecay, clipNorm, p, seed,
                init, unitForgetBias, dropout, penalties);
    }

    public TrainOptions withPenalties(Penalties p) {
        return new TrainOptions(epochs, batchSize, schedule, beta1, beta2, eps, weightDecay, clipNorm, patience, seed,
                init, unitForgetBias, dropout, p);
    }
}
