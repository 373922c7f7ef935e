package dev.lstmflink.train;

import dev.lstmflink.core.model.Precision;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;
import dev.lstmflink.train.optim.GradientClipping;
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
     * Trains on {@code order[from..to)} in batches of {@code options.batchSize()}: forward, BPTT, clipping, one Adam
     * step per batch. Every dropout mask (between and inside the layers, {@code options.dropout()}) comes from
     * {@code dropout}.
     */
    public static Pass train(SequenceModel<float[]> model, Adam<float[]> adam, TrainingWindows data, int[] order,
                             int from, int to, TrainOptions options, double lr, RandomGenerator dropout) {
        int t = data.seqLen();
        int k = data.features();
        int b = options.batchSize();
        float[] x = new float[t * b * k];
        float[] y = new float[t * b * k];
        double lossSum = 0;
        for (int i = from; i < to; i += b) {
            int n = Math.min(b, to - i);
            if (n != b) {
                x = new float[t * n * k];
                y = new float[t * n * k];
            }
            data.fill(false, order, i, n, x, y);
            SequenceModel.Step<float[]> step = model.lossAndGradients(x, y, t, n, options.dropout(), dropout);
            if (options.clipNorm() > 0) {
                GradientClipping.clip(Precision.F32, step.gradients(), options.clipNorm());
            }
            adam.step(model.parameters(), step.gradients(), lr);
            lossSum += step.loss() * n;
        }
        return new Pass(lossSum, to - from);
    }

    /** Mean loss over every validation window (inference: no dropout). */
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
            SequenceModel.Step<float[]> step = model.lossAndGradients(x, y, t, n, null);
            lossSum += step.loss() * n;
        }
        return new Pass(lossSum, total);
    }
}
