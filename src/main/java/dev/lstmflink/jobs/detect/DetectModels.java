package dev.lstmflink.jobs.detect;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.file.FileTooLargeException;
import dev.lstmflink.jobs.RemoteFiles;
import dev.lstmflink.jobs.TrainJob;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.Trainer;
import dev.lstmflink.train.data.DataReport;
import dev.lstmflink.train.data.ParseResult;
import dev.lstmflink.train.data.SeriesLoader;
import dev.lstmflink.train.data.SeriesRow;
import dev.lstmflink.train.data.SeriesSet;
import dev.lstmflink.train.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains the next-step predictor the detector scores with, on normal data held by the client (the anomaly-free start
 * of the embedded sensors, or the first part of each CSV series), with the batch training job's code at parallelism 1,
 * in this JVM ({@code TrainJob.run(..., false)}: the same bits as the Flink job, without a Flink job per epoch):
 * nn.LSTM(k, H) + Linear(H, k) predicting every feature's next value, normalisation fitted on the training part and
 * stored in the model file, the best epoch by validation loss kept.
 *
 * <p>Series too short for the configured window and validation split train with what they have, as
 * {@link TrainingPlan} decides: without validation (every epoch, the last kept), with a shorter window, or not at all
 * ({@link Trained#model()} null: no model, for the detector's model-free scoring).
 */
public final class DetectModels {

    private DetectModels() {}

    /** Collects the normal rows to train on, per key, in the order added. */
    public static final class Rows {
        private record Row(String source, SeriesRow row) {}

        private final Map<String, List<Row>> byKey = new LinkedHashMap<>();
        private long count;

        public void add(String source, String key, long ts, float[] values) {
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new Row(source, new SeriesRow(key, ts, values)));
            count++;
        }

        /** Makes a series known even when none of its rows train (it then counts as a series of 0 rows). */
        public void declare(String key) {
            byKey.computeIfAbsent(key, k -> new ArrayList<>());
        }

        public boolean isEmpty() {
            return count == 0;
        }

        /** All rows. */
        public long count() {
            return count;
        }

        /** The rows of each series (declared ones included), in the order first seen. */
        public Map<String, Integer> counts() {
            Map<String, Integer> out = new LinkedHashMap<>();
            byKey.forEach((k, rows) -> out.put(k, rows.size()));
            return out;
        }

        /** The rows of {@code keys} as the training job reads them, each row counted as a good row. */
        SeriesLoader.Result data(Collection<String> keys) {
            SeriesSet set = new SeriesSet();
            DataReport report = new DataReport();
            for (String key : keys) {
                for (Row r : byKey.getOrDefault(key, List.of())) {
                    set.add(r.source(), r.row());
                    report.count(ParseResult.of(r.row()));
                }
            }
            return new SeriesLoader.Result(set, report);
        }
    }

    /**
     * What training gave.
     *
     * @param model     the model file's bytes, or null: no model (the series are too short to learn from, see
     *                  {@link TrainingPlan#reason()})
     * @param file      where the model was written, or null
     * @param plan      how it was trained (window, validation, the series that trained)
     * @param epochsRun the epochs run (all of them without validation)
     * @param keptEpoch the epoch whose weights were kept (the last one without validation), 0 without a model
     */
    public record Trained(byte[] model, Path file, TrainingPlan plan, int epochsRun, int keptEpoch) {

        public boolean hasModel() {
            return model != null;
        }
    }

    /**
     * Plans ({@link TrainingPlan}), trains and writes the model to {@code output}.
     *
     * @param listener each epoch's figures, for progress output
     */
    public static Trained train(Rows rows, DetectConfig.Training t, String name, Path output,
            Trainer.Listener listener) throws Exception {
        TrainingPlan plan = TrainingPlan.of(rows.counts(), t.window, t.validationFraction);
        if (!plan.trains()) {
            return new Trained(null, null, plan, 0, 0);
        }
        TrainOptions options = TrainOptions.defaults()
                .withEpochs(t.epochs)
                .withBatchSize(t.batchSize)
                .withSchedule(LrSchedule.constant(t.lr))
                .withPatience(t.patience)
                .withSeed(t.seed);
        TrainJob.Spec spec = new TrainJob.Spec(Path.of(name), output, t.hiddenSize, 1, 0.0, plan.window(), t.stride,
                plan.validationFraction(), options, 1);
        TrainJob.Outcome o = TrainJob.run(spec, rows.data(plan.keys()), listener, false);
        int run = o.result().history().size();
        int kept = plan.validationFraction() > 0 ? o.result().bestEpoch() : run;
        return new Trained(Files.readAllBytes(output), output, plan, run, kept);
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

    /**
     * The model file at {@code location}: a URI ({@code s3://}, {@code hdfs://}, {@code file://}) through Flink's file
     * systems ({@link RemoteFiles}), anything else a local path; refused over {@code model_max_bytes} either way.
     */
    public static byte[] read(DetectConfig c, String location) throws IOException {
        try {
            return RemoteFiles.readModel(location, c.modelMaxBytes());
        } catch (FileTooLargeException e) {
            throw new IllegalArgumentException(e.getMessage() + "; model_max_bytes is " + c.modelMaxBytes
                    + " (--set model_max_bytes=1gb raises it)", e);
        }
    }
}
