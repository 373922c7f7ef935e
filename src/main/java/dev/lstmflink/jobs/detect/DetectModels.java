package dev.lstmflink.jobs.detect;

import dev.lstmflink.core.io.FileTooLargeException;
import dev.lstmflink.core.io.LstmModelFile;

import dev.lstmflink.cli.DetectConfig;
import dev.lstmflink.jobs.TrainJob;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.Trainer;
import dev.lstmflink.train.data.DataReport;
import dev.lstmflink.train.data.SeriesLoader;
import dev.lstmflink.train.data.SeriesRow;
import dev.lstmflink.train.data.SeriesSet;
import dev.lstmflink.train.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Trains the next-step predictor the detector scores with, on normal data held by the client (the anomaly-free start
 * of the embedded sensors, or the first part of each CSV series), with the batch training job's code at parallelism 1:
 * nn.LSTM(k, H) + Linear(H, k) predicting every feature's next value, normalisation fitted on the training part and
 * stored in the model file, the best epoch by validation loss kept.
 */
public final class DetectModels {

    private DetectModels() {}

    /** Collects the normal rows to train on, per key. */
    public static final class Rows {
        private final SeriesSet set = new SeriesSet();

        public void add(String source, String key, long ts, float[] values) {
            set.add(source, new SeriesRow(key, ts, values));
        }

        public boolean isEmpty() {
            return set.isEmpty();
        }

        public long count() {
            return set.rowCount();
        }
    }

    /**
     * Trains and writes the model to {@code output}; returns its bytes.
     *
     * @param listener each epoch's figures, for progress output
     */
    public static byte[] train(Rows rows, DetectConfig.Training t, String name, Path output,
            Trainer.Listener listener) throws Exception {
        TrainOptions options = TrainOptions.defaults()
                .withEpochs(t.epochs)
                .withBatchSize(t.batchSize)
                .withSchedule(LrSchedule.constant(t.lr))
                .withPatience(t.patience)
                .withSeed(t.seed);
        TrainJob.Spec spec = new TrainJob.Spec(Path.of(name), output, t.hiddenSize, 1, 0.0, t.window, t.stride,
                t.validationFraction, options, 1);
        TrainJob.run(spec, new SeriesLoader.Result(rows.set, new DataReport()), listener);
        return Files.readAllBytes(output);
    }

    /**
     * The model file's bytes, refused before reading when it is larger than {@code model_max_bytes} (a crafted or
     * mistaken file must not take the JVM's memory).
     */
    public static byte[] read(DetectConfig c, Path file) throws IOException {
        try {
            return LstmModelFile.readBytes(file, c.modelMaxBytes());
        } catch (FileTooLargeException e) {
            throw new IllegalArgumentException(e.getMessage() + "; model_max_bytes is " + c.modelMaxBytes
                    + " (--set model_max_bytes=1gb raises it)", e);
        }
    }
}
