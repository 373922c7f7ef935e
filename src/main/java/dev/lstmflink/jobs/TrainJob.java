package dev.lstmflink.jobs;

import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.flink.train.DataParallelEpochs;
import dev.lstmflink.flink.train.ShardPlan;
import dev.lstmflink.flink.train.ShardedTraining;
import dev.lstmflink.train.CellOptions;
import dev.lstmflink.train.ModelFileWriter;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.Trainer;
import dev.lstmflink.train.TrainingWindows;
import dev.lstmflink.train.data.DataException;
import dev.lstmflink.train.data.DataReport;
import dev.lstmflink.train.data.IdColumns;
import dev.lstmflink.train.data.SeriesLoader;
import dev.lstmflink.train.data.WindowSet;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.SequenceModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The batch training job: reads CSV series with Flink's {@code FileSource} in {@code BATCH} mode, cuts them into
 * windows, trains LSTM + linear head data-parallel (one Flink batch job per epoch, each of the P subtasks training its
 * share of the shuffled windows, parameters and Adam moments averaged after the epoch, as DL4J does on Spark), keeps
 * the best model by validation loss, and writes the model file. At P = 1 the result is bit-identical to
 * {@link Trainer#train}.
 *
 * <p>{@link #run(Spec, Trainer.Listener)} (what {@code jobs/train} runs) lets every epoch's subtasks read their own
 * shards from the files ({@link ShardedTraining}): the client ships paths, settings, one row count per key and the
 * weights, so the job graph does not grow with the rows. {@link #run(Spec, SeriesLoader.Result, Trainer.Listener)}
 * trains on rows already in the client's memory and ships the windows inside each epoch's job graph
 * ({@link DataParallelEpochs}); it suits small data, and with {@code onFlink} false the detection job's per-series
 * models.
 */
public final class TrainJob {

    /**
     * What to train.
     *
     * @param input       a CSV file or a folder of them
     * @param output      the model file to write
     * @param hiddenSize  H
     * @param layers      L
     * @param dropout     between layers, in training
     * @param window      T
     * @param stride      distance between window starts
     * @param valFraction the last part of every series, for validation
     * @param parallelism P
     * @param idColumns   the CSV columns holding categorical ids (none: {@link IdColumns#NONE})
     * @param embedding   the embedding front end of those ids, or null (then there must be no id columns); its
     *                    {@code ids_per_step} is the number of id columns
     * @param cell        bias, projection and activations of the LSTM ({@link CellOptions#DEFAULT}: nn.LSTM's)
     * @param version     the model file's {@code model_version}, or null for {@code trained-<seed hex>-epoch<k>}
     */
    public record Spec(Path input, Path output, int hiddenSize, int layers, double dropout, int window, int stride,
                       double valFraction, TrainOptions options, int parallelism, IdColumns idColumns,
                       EmbeddingConfig embedding, CellOptions cell, String version) {

        public Spec {
            idColumns = idColumns == null ? IdColumns.NONE : idColumns;
            cell = cell == null ? CellOptions.DEFAULT : cell;
            if (version != null && version.isBlank()) {
                throw new IllegalArgumentException("the model version is blank, got '" + version + "'");
            }
            int k = embedding == null ? 0 : embedding.idsPerStep();
            if (k != idColumns.count()) {
                throw new IllegalArgumentException("the embedding embeds " + k + " id(s) per step but "
                        + idColumns.count() + " id column(s) are given: " + idColumns.names());
            }
        }

        /** With the default version name ({@code trained-<seed hex>-epoch<k>}). */
        public Spec(Path input, Path output, int hiddenSize, int layers, double dropout, int window, int stride,
                    double valFraction, TrainOptions options, int parallelism, IdColumns idColumns,
                    EmbeddingConfig embedding, CellOptions cell) {
            this(input, output, hiddenSize, layers, dropout, window, stride, valFraction, options, parallelism,
                    idColumns, embedding, cell, null);
        }

        /** With nn.LSTM's cell (bias, no projection, tanh and sigmoid). */
        public Spec(Path input, Path output, int hiddenSize, int layers, double dropout, int window, int stride,
                    double valFraction, TrainOptions options, int parallelism, IdColumns idColumns,
                    EmbeddingConfig embedding) {
            this(input, output, hiddenSize, layers, dropout, window, stride, valFraction, options, parallelism,
                    idColumns, embedding, CellOptions.DEFAULT);
        }

        /** Without categorical ids. */
        public Spec(Path input, Path output, int hiddenSize, int layers, double dropout, int window, int stride,
                    double valFraction, TrainOptions options, int parallelism) {
            this(input, output, hiddenSize, layers, dropout, window, stride, valFraction, options, parallelism,
                    IdColumns.NONE, null);
        }
    }

    /**
     * The data that was read, the trained model (best epoch's weights) and the training history; {@code windows} is
     * null when the subtasks read their own shards ({@link #run(Spec, ShardedTraining.Scan, Trainer.Listener)}), and
     * {@code epochJobGraphBytes} (the serialized size of the first epoch's job graph) is −1 when they did not.
     */
    public record Outcome(DataReport report, WindowSet windows, SequenceModel<float[]> model, Trainer.Result result,
                          long epochJobGraphBytes) {}

    private TrainJob() {}

    /** Reads the files on Flink and trains with subtasks that read their own shards ({@link ShardedTraining}). */
    public static Outcome run(Spec spec, Trainer.Listener listener) throws Exception {
        return run(spec, scan(spec), listener);
    }

    /** The first pass over the files of {@code spec} (report, keys, normalization; see {@link ShardedTraining}). */
    public static ShardedTraining.Scan scan(Spec spec) throws Exception {
        return ShardedTraining.scan(ShardedTraining.Input.of(spec.input(), spec.idColumns()), spec.parallelism(),
                spec.window(), spec.stride(), spec.valFraction());
    }

    /**
     * Trains on Flink with every epoch's subtasks reading their shards of the windows from the files: the client
     * sends paths, settings, one row count per key and the weights, never rows. At parallelism 1 the result is
     * bit-identical to {@link Trainer#train} on {@code WindowSet.build} of the same files.
     */
    public static Outcome run(Spec spec, ShardedTraining.Scan scan, Trainer.Listener listener) throws Exception {
        int k = scan.features();
        EmbeddingConfig emb = spec.embedding();
        if (scan.ids() != (emb == null ? 0 : emb.idsPerStep())) {
            throw new DataException("the data carry " + scan.ids() + " id(s) per row, the embedding embeds "
                    + (emb == null ? 0 : emb.idsPerStep()));
        }
        ShardPlan plan = scan.plan(spec.window(), spec.stride(), spec.valFraction(), spec.parallelism());
        SequenceModel<float[]> model = newModel(spec, k);
        boolean validated = plan.valCount() > 0;
        TrainOptions options = validated ? spec.options() : spec.options().withPatience(0);
        ShardedTraining.Outcome o = ShardedTraining.train(model, ShardedTraining.Input.of(spec.input(),
                spec.idColumns()), scan, spec.window(), spec.stride(), spec.valFraction(), options,
                spec.parallelism(), listener);
        write(spec, model, o.result(), validated, scan.normalization().toJson(),
                trainingSummary(spec, scan.report(), plan.trainCount(), plan.valCount(), o.result(), validated));
        return new Outcome(scan.report(), null, model, o.result(), o.epochJobGraphBytes());
    }

    private static SequenceModel<float[]> newModel(Spec spec, int k) {
        EmbeddingConfig emb = spec.embedding();
        int inputs = k + (emb == null ? 0 : emb.embeddedWidth());
        LstmConfig cfg = spec.cell().config(inputs, spec.hiddenSize(), spec.layers(), spec.dropout());
        HeadSpec head = new HeadSpec(HeadSpec.Kind.REGRESSION, cfg.outputSize(), k, true);   // numeric values only
        return Trainer.newModel(cfg, head, emb, spec.options());
    }

    /** Keeps the best epoch's weights (the last epoch's without validation) and writes the model file. */
    private static void write(Spec spec, SequenceModel<float[]> model, Trainer.Result result, boolean validated,
                              String normalization, String summary) throws Exception {
        if (validated) {
            List<float[]> best = result.bestParams();
            List<float[]> live = model.parameters();
            for (int i = 0; i < live.size(); i++) {
                System.arraycopy(best.get(i), 0, live.get(i), 0, best.get(i).length);
            }
        }
        int kept = validated ? result.bestEpoch() : result.history().size();
        Path parent = spec.output().toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ModelFileWriter.write(spec.output(), model, normalization, summary, spec.version() != null ? spec.version()
                : "trained-" + Long.toHexString(spec.options().seed()) + "-epoch" + kept);
    }

    /** Trains on rows already read into memory (e.g. by {@link SeriesLoader#load}), shipping the windows to Flink. */
    public static Outcome run(Spec spec, SeriesLoader.Result data, Trainer.Listener listener) throws Exception {
        return run(spec, data, listener, true);
    }

    /**
     * As {@link #run(Spec, SeriesLoader.Result, Trainer.Listener)}; {@code onFlink} false trains in this JVM with
     * {@link Trainer#train}, which computes the same bits as the Flink job at parallelism 1
     * ({@code TrainDataParallelITCase}) without starting a Flink job per epoch (about 0.5 s each): the detection job
     * trains one small model per series this way.
     */
    public static Outcome run(Spec spec, SeriesLoader.Result data, Trainer.Listener listener, boolean onFlink)
            throws Exception {
        if (!onFlink && spec.parallelism() != 1) {
            throw new IllegalArgumentException("training in this JVM is parallelism 1, got " + spec.parallelism());
        }
        WindowSet windows = WindowSet.build(data.series(), spec.window(), spec.stride(), spec.valFraction());
        int k = windows.featureCount();
        EmbeddingConfig emb = spec.embedding();
        if (windows.idCount() != (emb == null ? 0 : emb.idsPerStep())) {
            throw new DataException("the data carry " + windows.idCount() + " id(s) per row, the embedding embeds "
                    + (emb == null ? 0 : emb.idsPerStep()));
        }
        SequenceModel<float[]> model = newModel(spec, k);
        // Without validation windows (validation fraction 0) there is no best epoch to pick: every epoch runs (no
        // early stopping) and the last one's weights are kept.
        boolean validated = windows.validation().size() > 0;
        TrainOptions options = validated ? spec.options() : spec.options().withPatience(0);
        Trainer.Result result = onFlink
                ? DataParallelEpochs.train(model, TrainingWindows.of(windows), options, spec.parallelism(), listener)
                : Trainer.train(model, TrainingWindows.of(windows), options, listener);
        write(spec, model, result, validated, windows.normalization().toJson(), trainingSummary(spec, data.report(),
                windows.train().size(), windows.validation().size(), result, validated));
        return new Outcome(data.report(), windows, model, result, -1);
    }

    /** The {@code training} metadata of the model file; without validation, the kept epoch is the last. */
    private static String trainingSummary(Spec spec, DataReport report, int trainWindows, int valWindows,
                                          Trainer.Result r, boolean validated) {
        int kept = validated ? r.bestEpoch() : r.history().size();
        return "{\"input\": \"" + spec.input().getFileName() + "\", \"rows\": " + report.goodRows() + ", \"bad_rows\": "
                + report.badRows() + ", \"window\": " + spec.window() + ", \"stride\": " + spec.stride()
                + ", \"validation_fraction\": " + spec.valFraction()
                + ", \"train_windows\": " + trainWindows + ", \"val_windows\": " + valWindows
                + ", \"epochs_run\": " + r.history().size() + ", \"best_epoch\": " + kept
                + ", \"kept\": \"" + (validated ? "best" : "last") + "\""
                + ", \"best_val_loss\": " + (validated ? Double.toString(r.bestValLoss()) : "null")
                + ", \"batch_size\": " + spec.options().batchSize()
                + ", \"seed\": " + spec.options().seed() + ", \"parallelism\": " + spec.parallelism() + "}";
    }
}
