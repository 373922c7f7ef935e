package dev.lstmflink.train;

import dev.lstmflink.core.kernel.LstmKernels;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.train.data.SplitMix64;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.Initializers;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The in-process trainer: epochs of shuffled mini-batches ({@link EpochRunner}), validation after each, early
 * stopping with patience, and the best model by validation loss kept. The Flink training job runs the same epochs
 * data-parallel ({@code TrainJob}); at parallelism 1 both give the same bits.
 */
public final class Trainer {

    /** Called after every epoch, e.g. to print progress. */
    public interface Listener {
        void epoch(EpochStats stats);
    }

    /** What one epoch did. {@code best} marks a new best validation loss. */
    public record EpochStats(int epoch, int epochs, double trainLoss, double valLoss, double lr, double seconds,
                             double samplesPerSecond, double etaSeconds, boolean best) {}

    /** The best parameters (copies), the epoch they come from, and every epoch's figures. */
    public record Result(List<float[]> bestParams, int bestEpoch, double bestValLoss, List<EpochStats> history,
                         boolean stoppedEarly) {}

    private Trainer() {}

    /** A fresh model with initial weights from {@code options.seed()}. */
    public static SequenceModel<float[]> newModel(LstmConfig cfg, HeadSpec head, TrainOptions options) {
        return newModel(cfg, head, null, options);
    }

    /**
     * A fresh model with an embedding front end when {@code embedding} is not null ({@code cfg.inputSize()} then
     * counts its k·D inputs), initial weights from {@code options.seed()}: LSTM, head, then the embedding's N(0, 1).
     */
    public static SequenceModel<float[]> newModel(LstmConfig cfg, HeadSpec head, EmbeddingConfig embedding,
                                                  TrainOptions options) {
        SplitMix64 rnd = new SplitMix64(options.seed());
        float[] lstm = Initializers.lstm(cfg, options.init(), options.unitForgetBias(), rnd, Precision.F32);
        float[] w = Initializers.headWeight(head.outFeatures(), head.inFeatures(), options.init(), rnd, Precision.F32);
        float[] b = head.bias() ? Initializers.headBias(head.outFeatures(), head.inFeatures(), options.init(), rnd,
                Precision.F32) : null;
        float[] e = embedding == null ? null : Initializers.embedding(embedding, rnd, Precision.F32);
        return new SequenceModel<>(cfg, LstmKernels.preferred(), head, lstm, w, b, embedding, e);
    }

    /** The shuffling stream: one for the whole run, as the benchmark recipe prescribes. */
    public static SplitMix64 shuffleStream(TrainOptions options) {
        return new SplitMix64(options.seed() ^ 0x5DEECE66DL);
    }

    /** The dropout stream of an epoch's shard (shard 0 of 1 in process). */
    public static SplittableRandom dropoutStream(TrainOptions options, int epoch, int shard) {
        return new SplittableRandom(options.seed() * 1_000_003L + epoch * 1_009L + shard);
    }

    /** This epoch's order of the training windows. */
    public static int[] epochOrder(SplitMix64 stream, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        stream.shuffle(order);
        return order;
    }

    public static Result train(SequenceModel<float[]> model, TrainingWindows data, TrainOptions options,
                               Listener listener) {
        Adam<float[]> adam = new Adam<>(Precision.F32, options.beta1(), options.beta2(), options.eps(),
                options.weightDecay());
        options.penalties().checkFits(new dev.lstmflink.core.model.LstmLayout(model.lstm().config()));
        SplitMix64 shuffle = shuffleStream(options);
        EarlyStopping stop = new EarlyStopping(options.patience());
        List<EpochStats> history = new ArrayList<>();
        long start = System.nanoTime();
        for (int epoch = 0; epoch < options.epochs(); epoch++) {
            long t0 = System.nanoTime();
            double lr = options.schedule().lr(epoch);
            int[] order = epochOrder(shuffle, data.trainCount());
            EpochRunner.Pass pass = EpochRunner.train(model, adam, data, order, 0, order.length, options, lr,
                    dropoutStream(options, epoch, 0));
            double val = EpochRunner.validate(model, data, options).meanLoss();
            EpochStats s = stop.record(epoch, options.epochs(), pass.meanLoss(), val, lr, t0, start,
                    data.trainCount(), model.parameters());
            history.add(s);
            if (listener != null) {
                listener.epoch(s);
            }
            if (stop.shouldStop()) {
                return stop.result(history, true);
            }
        }
        return stop.result(history, false);
    }
}
