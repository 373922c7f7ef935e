package dev.lstmflink.cli;

import dev.lstmflink.config.TrainConfig;
import dev.lstmflink.flink.train.ShardPlan;
import dev.lstmflink.flink.train.ShardedTraining;
import dev.lstmflink.jobs.TrainJob;
import dev.lstmflink.jobs.models.ModelPublisher;
import dev.lstmflink.train.CellOptions;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.Trainer;
import dev.lstmflink.train.data.DataException;
import dev.lstmflink.train.data.DataReport;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jobs/train}: trains an LSTM + linear head for next-step prediction on CSV series with the Flink training job
 * ({@link TrainJob}) and writes the model file and an HTML training report.
 *
 * <p>Settings come from a YAML file ({@code --config}, by default {@code config/train.yaml} when it exists, else the
 * built-in defaults, see {@link TrainConfig}); the flags override it. Prints a data summary, one line per epoch and
 * where the results went; on a terminal also a live progress bar.
 *
 * <p>Exit codes: 0 success; 2 bad usage, a bad config or unusable data (the message names the file, key or line); 1
 * an internal error. Stack traces only with {@code --verbose}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = LstmCli.Version.class,
        description = {"Trains an LSTM (nn.LSTM + nn.Linear head, next-step prediction of every feature) on CSV "
                + "series with Flink and writes a safetensors model that PyTorch and jobs/stream load, plus an HTML "
                + "training report."},
        footer = {"", "Settings not given as flags come from --config (see config/train.yaml for every setting).",
            "", "Examples:",
            "  jobs/train --input data/nyc_taxi.csv --output target/taxi.safetensors",
            "  jobs/train --input data/ --output model.safetensors --epochs 50 --hidden-size 64 --parallelism 4",
            "  jobs/train --input data/ --output model.safetensors --model-version taxi-v2 \\",
            "             --publish s3://bucket/models/"})
public final class TrainCli implements Callable<Integer> {

    /** The config file used when {@code --config} is not given, relative to the working directory. */
    static final Path DEFAULT_CONFIG = Path.of("config", "train.yaml");

    /** The report's file name when neither {@code --report} nor the config names one: next to the model. */
    static final String REPORT_NAME = "training-report.html";

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE_OR_DIR",
            description = "a CSV file, or a folder of *.csv files, with the header 'timestamp,value' (one series "
                    + "per file, as NAB) or 'key,ts,v1,...,vk' (many series, k features)")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "MODEL.safetensors",
            description = "the model file to write")
    Path output;

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML settings (default: config/train.yaml if it exists, else built-in defaults)")
    Path config;

    @Option(names = "--epochs", paramLabel = "N", description = "overrides optimiser.epochs")
    Integer epochs;

    @Option(names = "--hidden-size", paramLabel = "H", description = "overrides model.hidden_size")
    Integer hiddenSize;

    @Option(names = "--layers", paramLabel = "L", description = "overrides model.layers")
    Integer layers;

    @Option(names = "--window", paramLabel = "T", description = "overrides data.window (time steps per window)")
    Integer window;

    @Option(names = "--parallelism", paramLabel = "P", description = "overrides parallelism (Flink subtasks)")
    Integer parallelism;

    @Option(names = "--report", paramLabel = "FILE",
            description = "the HTML report (default: report in the config, else training-report.html next to the "
                    + "model)")
    Path report;

    @Option(names = "--model-version", paramLabel = "NAME",
            description = "the model file's model_version metadata (default: trained-<seed hex>-epoch<k>); "
                    + "--version prints the tool's version")
    String modelVersion;

    @Option(names = "--publish", paramLabel = "FOLDER",
            description = "after writing --output, publish it to the folder a detection job watches (a local path "
                    + "or a URI), as jobs/lstm publish does")
    String publish;

    @Option(names = "--verbose", description = "print stack traces of errors")
    boolean verbose;

    /** Whether to show the live progress bar; a terminal only, so that logs and CI output stay plain lines. */
    boolean progressBar = System.console() != null;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainCli()).execute(args));
    }

    @Override
    public Integer call() {
        return CliRunner.run(spec, verbose, this::run);
    }

    /** The config file and the flags, flags winning; {@code source} says where the settings came from. */
    record Settings(TrainConfig config, String source) {}

    Settings settings() throws Exception {
        TrainConfig c;
        String source;
        if (config != null) {
            if (Files.isDirectory(config)) {
                throw new CliException(config + ": is a directory, expected a YAML file");
            }
            c = TrainConfig.read(config);
            source = config.toString();
        } else if (Files.isRegularFile(DEFAULT_CONFIG)) {
            c = TrainConfig.read(DEFAULT_CONFIG);
            source = DEFAULT_CONFIG + " (default)";
        } else {
            c = TrainConfig.defaults();
            source = "built-in defaults (no " + DEFAULT_CONFIG + ")";
        }
        if (epochs != null) {
            c.optimiser.epochs = atLeast("--epochs", epochs, 1);
        }
        if (hiddenSize != null) {
            c.model.hiddenSize = atLeast("--hidden-size", hiddenSize, 1);
        }
        if (layers != null) {
            c.model.layers = atLeast("--layers", layers, 1);
        }
        if (window != null) {
            c.data.window = atLeast("--window", window, 1);
        }
        if (parallelism != null) {
            c.parallelism = atLeast("--parallelism", parallelism, 1);
        }
        if (report != null) {
            c.report = report.toString();
        }
        c.validate(source);
        return new Settings(c, source);
    }

    private static int atLeast(String flag, int value, int min) throws CliException {
        if (value < min) {
            throw new CliException(flag + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    private void run() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Settings s = settings();
        TrainConfig c = s.config();
        if (!Files.exists(input)) {
            throw new CliException(input + ": no such file or directory");
        }
        if (modelVersion != null && modelVersion.isBlank()) {
            throw new CliException("--model-version is blank; give a name, or leave it out for the default");
        }
        if (modelVersion != null && publish != null && ModelPublisher.isPublished(publish, modelVersion)) {
            throw new CliException(publish + ": version " + modelVersion + " is already published there ("
                    + ModelPublisher.fileName(modelVersion) + "); a published model is never replaced, choose "
                    + "another --model-version");
        }
        if (Files.isDirectory(output)) {
            throw new CliException(output + ": is a directory, expected a model file name such as model.safetensors");
        }
        Path reportFile = c.report != null ? Path.of(c.report)
                : output.toAbsolutePath().resolveSibling(REPORT_NAME);
        if (reportFile.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
            throw new CliException(reportFile + ": the report would overwrite the model; choose another --report");
        }
        TrainOptions options = c.options();
        out.println("config: " + s.source());
        out.flush();
        try {
            var emb = c.embeddingConfig();
            TrainJob.Spec job = new TrainJob.Spec(input, output, c.model.hiddenSize, c.model.layers, c.model.dropout,
                    c.data.window, c.data.stride, c.data.validationFraction, options, c.parallelism, c.idColumns(),
                    emb, c.cellOptions(), modelVersion);
            // The summary comes first, before the epochs: a first pass on Flink counts and checks the data (the rows
            // stay on the cluster), then each epoch's subtasks read their own shards.
            ShardedTraining.Scan scan = TrainJob.scan(job);
            ShardPlan plan = scan.plan(c.data.window, c.data.stride, c.data.validationFraction, 1);
            String summary = dataSummary(input, scan.report(), plan.trainCount(), plan.valCount(), c.data.window,
                    c.data.stride, c.data.validationFraction, scan.keys().size(), scan.features());
            out.println(summary);
            int k = scan.features();
            if (emb != null) {
                out.printf(Locale.ROOT, "embedding: nn.Embedding(%d, %d) of %s -> %d more LSTM inputs%n",
                        emb.numEmbeddings(), emb.embeddingDim(), c.data.idColumns, emb.embeddedWidth());
            }
            out.printf(Locale.ROOT, "model: LSTM(%d -> %d, %d layer%s) + Linear(%d -> %d); %d epochs, batch %d, lr %s "
                            + "(%s), patience %d, seed %d, parallelism %d%n",
                    k + (emb == null ? 0 : emb.embeddedWidth()), c.model.hiddenSize, c.model.layers,
                    c.model.layers == 1 ? "" : "s", c.model.projSize > 0 ? c.model.projSize : c.model.hiddenSize, k,
                    options.epochs(), options.batchSize(),
                    c.settings().get("optimiser.lr"), c.settings().get("optimiser.schedule"), options.patience(),
                    options.seed(), c.parallelism);
            if (!c.cellOptions().equals(CellOptions.DEFAULT)) {
                CellOptions cell = c.cellOptions();
                out.printf(Locale.ROOT, "cell: bias %s, proj_size %d, activation %s, recurrent_activation %s%n",
                        cell.bias(), cell.projSize(), cell.activation().kerasName(),
                        cell.recurrentActivation().kerasName());
            }
            out.flush();

            TrainJob.Outcome outcome;
            try (EpochPrinter printer = new EpochPrinter(out, progressBar ? System.out : null, options.epochs())) {
                outcome = TrainJob.run(job, scan, printer);
            }
            out.printf(Locale.ROOT, "epoch job graph: %,d bytes (paths, settings, %,d keys' row counts, weights; "
                    + "no rows)%n", outcome.epochJobGraphBytes(), scan.keys().size());
            Trainer.Result r = outcome.result();

            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("input", input.toString());
            settings.put("output", output.toString());
            settings.put("config", s.source());
            settings.putAll(c.settings());
            TrainingReport.write(reportFile, new TrainingReport.Content("Training report: " + output.getFileName(),
                    input.toString(), output.toString(), summary, settings, r.history(), r.bestEpoch(),
                    r.stoppedEarly()));

            Trainer.EpochStats best = r.history().get(r.bestEpoch() - 1);
            out.printf(Locale.ROOT, "best epoch %d of %d: train %s  val %s%s%n", r.bestEpoch(), r.history().size(),
                    TrainingReport.loss(best.trainLoss()), TrainingReport.loss(best.valLoss()),
                    r.stoppedEarly() ? "  (stopped early: no better validation loss for " + options.patience()
                            + " epochs)" : "");
            out.println("model: " + output + " (weights of epoch " + r.bestEpoch() + ")");
            out.println("report: " + reportFile);
            if (publish != null) {
                out.println(PublishCommand.line(ModelPublisher.publish(output.toString(), publish)));
            }
            out.flush();
        } catch (Exception e) {
            DataException data = dataException(e);
            if (data != null) {
                throw new CliException(data.getMessage(), e);
            }
            throw e;
        }
    }

    /** The data problem behind a failure, also when a Flink job wrapped it. */
    private static DataException dataException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DataException d) {
                return d;
            }
        }
        return null;
    }

    /** Files, rows, bad rows (the first few with {@code file:line: reason}) and the windows made of them. */
    static String dataSummary(Path input, DataReport report, int trainWindows, int valWindows, int window,
                              int stride, double validationFraction, int keys, int features) {
        StringBuilder sb = new StringBuilder("data: ").append(input).append('\n');
        List<String> files = report.files();
        int shown = Math.min(5, files.size());
        sb.append("  files: ");
        for (int i = 0; i < shown; i++) {
            sb.append(i > 0 ? ", " : "").append(Path.of(files.get(i)).getFileName());
        }
        if (files.size() > shown) {
            sb.append(", ... (").append(files.size()).append(" in all)");
        }
        sb.append("\n  ").append(report.toString().replace("\n", "\n  ")).append('\n');
        sb.append(String.format(Locale.ROOT, "  windows: %,d training, %,d validation (window %d, stride %d, last %s "
                        + "of every series for validation); %d series, %d feature%s",
                trainWindows, valWindows, window, stride, percent(validationFraction), keys, features,
                features == 1 ? "" : "s"));
        return sb.toString();
    }

    private static String percent(double f) {
        double p = f * 100;
        return (p == Math.rint(p) ? Long.toString((long) p) : String.format(Locale.ROOT, "%.1f", p)) + "%";
    }

    /** {@code epoch 3/20  train 0.0412  val 0.0398  12,345 windows/s  ETA 0:42  *best}. */
    static String epochLine(Trainer.EpochStats s) {
        int width = Integer.toString(s.epochs()).length();
        return String.format(Locale.ROOT, "epoch %" + width + "d/%d  train %s  val %s  %s windows/s  ETA %s%s",
                s.epoch(), s.epochs(), TrainingReport.loss(s.trainLoss()),
                Double.isNaN(s.valLoss()) ? "-" : TrainingReport.loss(s.valLoss()),   // no validation windows
                TrainingReport.rate(s.samplesPerSecond()), duration(s.etaSeconds()), s.best() ? "  *best" : "");
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "-";
        }
        long t = Math.round(seconds);
        long h = t / 3600;
        long m = (t / 60) % 60;
        long sec = t % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
                : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }

    /**
     * Prints every epoch's line and, when given a terminal stream, keeps a live progress bar below the lines: each
     * line clears the bar's line first and the bar is redrawn after it. The bar's timer thread prints through the
     * same stream, whose lock is held while a line is written, so the two never interleave within a line.
     */
    static final class EpochPrinter implements Trainer.Listener, AutoCloseable {
        private final PrintWriter out;
        private final PrintStream terminal;
        private final ProgressBar bar;

        EpochPrinter(PrintWriter out, PrintStream terminal, int epochs) {
            this.out = out;
            this.terminal = terminal;
            this.bar = terminal == null ? null : new ProgressBarBuilder().setTaskName("train")
                    .setInitialMax(epochs).setUnit(" epochs", 1).setUpdateIntervalMillis(500)
                    .setConsumer(new ConsoleProgressBarConsumer(terminal)).build();
        }

        @Override
        public void epoch(Trainer.EpochStats s) {
            String line = epochLine(s);
            if (bar == null) {
                out.println(line);
                out.flush();
                return;
            }
            synchronized (terminal) {
                out.print("\r\033[K");
                out.println(line);
                out.flush();
                bar.stepTo(s.epoch());
                bar.setExtraMessage(Double.isNaN(s.valLoss()) ? "" : "val " + TrainingReport.loss(s.valLoss()));
                bar.refresh();
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();   // not under the stream's lock: close waits for the bar's last redraw
            }
        }
    }
}
