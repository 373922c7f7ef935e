package dev.lstmflink.train;

import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;
import dev.lstmflink.train.optim.GradientClipping;
import dev.lstmflink.train.optim.Penalties;
import java.util.random.RandomGenerator;

/**
 * One pass of mini-batch training over a list of training windows, and the validation loss: the part the in-process
 * trainer and each data-parallel Flink subtask share, so that at parallelism 1 they compute the same bits.
 */
public final class EpochRunner {

    private EpochRunner() {}

    /** Sum of batch losses weighted by batch size, and the number of windows, of one pass. */
    public record Pass(double lossSum, long windows) {
        public double meanLoss() {
            return windows == 0 ? Double.NaN : lossSum / windows;
        }
    }

    /**
     * Trains on {@code order[from..to)} in batches of {@code options.batchSize()}: forward, BPTT, the gradient of the
     * Keras penalties ({@code options.penalties()}), clipping, one Adam step, the Keras constraints, per batch. Every
     * dropout mask (between and inside the layers, {@code options.dropout()}) comes from {@code dropout}. The loss
     * summed into the pass includes the penalty at the batch's weights before its step, as Keras' {@code loss} does.
     */
    public static Pass train(SequenceModel<float[]> model, Adam<float[]> adam, TrainingWindows data, int[] order,
                             int from, int to, TrainOptions options, double lr, RandomGenerator dropout) {
        int t = data.seqLen();
        int k = data.features();
        int b = options.batchSize();
        float[] x = new float[t * b * k];
        float[] y = new float[t * b * k];
        int kIds = model.idsPerStep();
        int[] ids = kIds == 0 ? null : new int[t * b * kIds];
        Penalties pen = options.penalties();
        LstmLayout layout = pen.regularizes() || pen.constrains() ? new LstmLayout(model.lstm().config()) : null;
        double lossSum = 0;
        for (int i = from; i < to; i += b) {
            int n = Math.min(b, to - i);
            if (n != b) {
                x = new float[t * n * k];
                y = new float[t * n * k];
                ids = kIds == 0 ? null : new int[t * n * kIds];
            }
            data.fill(false, order, i, n, x, y);
            if (ids != null) {
                data.fillIds(false, order, i, n, ids);
            }
            SequenceModel.Step<float[]> step = model.lossAndGradients(x, ids, y, t, n, options.dropout(), dropout);
            double penalty = 0;
            if (pen.regularizes()) {
                penalty = pen.addGradients(layout, Precision.F32, model.lstm().params(), step.gradients().get(0));
            }
            if (options.clipNorm() > 0) {
                GradientClipping.clip(Precision.F32, step.gradients(), options.clipNorm());
            }
            adam.step(model.parameters(), step.gradients(), lr);
            if (pen.constrains()) {
                pen.constrain(layout, Precision.F32, model.lstm().params());
            }
            lossSum += (step.loss() + penalty) * n;
        }
        return new Pass(lossSum, to - from);
    }

    /**
     * Mean loss over every validation window (inference: no dropout) plus the Keras penalty of the current weights
     * ({@code options.penalties()}), as Keras' {@code val_loss} includes it.
     */
    public static Pass validate(SequenceModel<float[]> model, TrainingWindows data, TrainOptions options) {
        Pass p = validate(model, data, options.batchSize());
        Penalties pen = options.penalties();
        if (!pen.regularizes() || p.windows() == 0) {
            return p;
        }
        double penalty = pen.penalty(new LstmLayout(model.lstm().config()), Precision.F32, model.lstm().params());
        return new Pass(p.lossSum() + penalty * p.windows(), p.windows());
    }

    /** Mean loss over every validation window (inference: no dropout), without any penalty. */
    public static Pass validate(SequenceModel<float[]> model, TrainingWindows data, int batchSize) {
        int t = data.seqLen();
        int k = data.features();
        int total = data.valCount();
        int[] ids = new int[total];
        for (int i = 0; i < total; i++) {
            ids[i] = i;
        }
        double lossSum = 0;
        for (int i = 0; i < total; i += batchSize) {
            int n = Math.min(batchSize, total - i);
            float[] x = new float[t * n * k];
            float[] y = new float[t * n * k];
            data.fill(true, ids, i, n, x, y);
            int[] idBatch = null;
            if (model.idsPerStep() > 0) {
                idBatch = new int[t * n * model.idsPerStep()];
                data.fillIds(true, ids, i, n, idBatch);
            }
            SequenceModel.Step<float[]> step = model.lossAndGradients(x, idBatch, y, t, n, null, null);
            lossSum += step.loss() * n;
        }
        return new Pass(lossSum, total);
    }
}
