package dev.lstmflink.cli;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.jobs.RemoteFiles;
import dev.lstmflink.jobs.detect.CsvReplay;
import dev.lstmflink.jobs.detect.EmbeddedRun;
import dev.lstmflink.jobs.detect.Evaluation;
import dev.lstmflink.jobs.detect.KafkaRun;
import dev.lstmflink.jobs.detect.LocalRun;
import dev.lstmflink.train.data.DataException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jobs/detect}: anomaly detection on sensor streams, in one of three modes chosen by the flags:
 * <ul>
 *   <li>no source flag: the embedded default (synthetic sensors with injected anomalies, a model trained on their
 *       normal start, local Flink, a summary with precision/recall/F1 and {@code report.html});</li>
 *   <li>{@code --input FILE_OR_DIR --output DIR}: CSV replay, one result CSV per input in NAB's results format;</li>
 *   <li>{@code --kafka HOST:PORT}: Kafka in, Kafka out, until stopped.</li>
 * </ul>
 * Settings come from {@code config/detect.yaml} (or {@code --config}); flags override it, {@code --set key=value}
 * overrides any setting.
 */
@Command(name = "detect", mixinStandardHelpOptions = true, versionProvider = LstmCli.Version.class,
        sortOptions = false,
        description = {"Anomaly detection on sensor streams with an LSTM next-step predictor on Flink.",
                "No source flag: the embedded demo (synthetic sensors, local Flink, summary and report.html).",
                "--input: CSV replay. --kafka: Kafka in and out until stopped."})
public final class DetectCli implements Callable<Integer> {

    static final Path DEFAULT_CONFIG = Path.of("config/detect.yaml");
    /** A settings file larger than this is not one (the shipped one is about 10 KB). */
    static final long MAX_CONFIG_BYTES = 1 << 20;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "settings file, a path or a URI (s3://, hdfs://, file://: read through Flink's file systems) "
                    + "(default: config/detect.yaml when present, else built-in defaults)")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "override one setting of the config file, e.g. --set scoring.window=500 (repeatable)")
    List<String> set = new ArrayList<>();

    @Option(names = "--model", paramLabel = "FILE",
            description = "the model file, a path or (Kafka mode) a URI read through Flink's file systems (overrides "
                    + "model)")
    String model;

    @Option(names = "--model-updates", paramLabel = "FOLDER",
            description = "Kafka mode: a folder (path or URI) watched for published models, each swapped in while the "
                    + "job runs (overrides model_updates; publish with jobs/lstm publish or jobs/train --publish)")
    String modelUpdates;

    @Option(names = "--output", paramLabel = "DIR",
            description = "local modes: folder for the results, report.html and dead-letters.jsonl (overrides output)")
    Path output;

    @Option(names = "--input", paramLabel = "FILE_OR_DIR", description = "CSV replay: a CSV file or a folder of them")
    Path input;

    @Option(names = "--train-fraction", paramLabel = "F",
            description = "CSV replay: train on the first part F of each series, then score all of it")
    Double trainFraction;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Kafka mode: the bootstrap servers")
    String kafka;

    @Option(names = "--input-topic", paramLabel = "T", description = "Kafka mode (overrides kafka.input_topic)")
    String inputTopic;

    @Option(names = "--output-topic", paramLabel = "T", description = "Kafka mode (overrides kafka.output_topic)")
    String outputTopic;

    @Option(names = "--dead-letter-topic", paramLabel = "T",
            description = "Kafka mode (overrides kafka.dead_letter_topic)")
    String deadLetterTopic;

    @Option(names = "--group-id", paramLabel = "G", description = "Kafka mode (overrides kafka.group_id)")
    String groupId;

    @Option(names = "--parallelism", paramLabel = "P", description = "Flink parallelism (overrides flink.parallelism)")
    Integer parallelism;

    @Option(names = "--verbose", description = "print stack traces of errors")
    boolean verbose;

    /** Progress bars only on a terminal. */
    boolean progressBar = System.console() != null;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DetectCli()).execute(args));
    }

    @Override
    public Integer call() {
        return CliRunner.run(spec, verbose, this::run);
    }

    /** The config file with --set applied, then the flags. */
    DetectConfig settings() throws Exception {
        String source;
        String text;
        if (config != null && RemoteFiles.isUri(config)) {
            text = new String(RemoteFiles.read(config, MAX_CONFIG_BYTES), StandardCharsets.UTF_8);
            source = config;
        } else if (config != null) {
            Path file = Path.of(config);
            if (Files.isDirectory(file)) {
                throw new CliException(file + ": is a directory, expected a YAML file");
            }
            text = Files.readString(file);
            source = file.toString();
        } else if (Files.isRegularFile(DEFAULT_CONFIG)) {
            text = Files.readString(DEFAULT_CONFIG);
            source = DEFAULT_CONFIG.toString();
        } else {
            text = "";
            source = "built-in defaults (no " + DEFAULT_CONFIG + ")";
        }
        DetectConfig c = DetectConfig.parse(text, source, set);
        if (model != null) {
            c.model = model;
        }
        if (modelUpdates != null) {
            c.modelUpdates = modelUpdates;
        }
        if (output != null) {
            c.output = output.toString();
        }
        if (trainFraction != null) {
            c.training.trainFraction = trainFraction;
        }
        if (inputTopic != null) {
            c.kafka.inputTopic = inputTopic;
        }
        if (outputTopic != null) {
            c.kafka.outputTopic = outputTopic;
        }
        if (deadLetterTopic != null) {
            c.kafka.deadLetterTopic = deadLetterTopic;
        }
        if (groupId != null) {
            c.kafka.groupId = groupId;
        }
        if (parallelism != null) {
            c.flink.parallelism = parallelism;
        }
        c.validate(source + " and the flags");
        return c;
    }

    private void run() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        DetectConfig c = settings();
        if (kafka != null && input != null) {
            throw new CliException("--kafka and --input are two different modes; give one of them");
        }
        if (kafka == null && (inputTopic != null || outputTopic != null || deadLetterTopic != null
                || groupId != null)) {
            throw new CliException("--input-topic, --output-topic, --dead-letter-topic and --group-id need --kafka");
        }
        if (kafka == null && c.modelUpdates != null) {
            throw new CliException("model_updates = " + c.modelUpdates + ": model updates are for the Kafka job, which "
                    + "runs until stopped; give --kafka (the local modes read their input once, with one model)");
        }
        if (input == null && trainFraction != null) {
            throw new CliException("--train-fraction is for CSV replay and needs --input");
        }
        try {
            runMode(c, out);
        } catch (IllegalArgumentException | DataException e) {
            // the runs report bad input (a missing file, a model that does not fit the data) this way
            throw new CliException(e.getMessage(), e);
        }
    }

    private void runMode(DetectConfig c, PrintWriter out) throws Exception {
        if (kafka != null) {
            KafkaRun.run(c, kafka, line -> {
                out.println(line);
                out.flush();
            });
        } else if (input != null) {
            csvReplay(c, out);
        } else {
            embedded(c, out);
        }
    }

    private void embedded(DetectConfig c, PrintWriter out) throws Exception {
        EmbeddedRun.Outcome o;
        long records = (long) c.embedded.sensors * c.embedded.points + c.embedded.badRecords;
        try (TrainCli.EpochPrinter epochs = new TrainCli.EpochPrinter(out, terminal(), c.training.epochs);
             Progress progress = new Progress(terminal(), "score", records, epochs)) {
            o = EmbeddedRun.run(c, epochs, progress, line -> {
                out.println(line);
                out.flush();
            });
        }
        LocalRun.Result r = o.run();
        out.println();
        out.println("== summary ==");
        out.printf(Locale.ROOT, "records: %s%nscored in %.1f s (%,.0f records/s, local Flink, parallelism %d)%n",
                r.counts().summary(), r.seconds(), r.counts().received() / r.seconds(), c.flink.parallelism);
        long flagged = r.detections().stream().filter(d -> d.anomaly).count();
        out.printf(Locale.ROOT, "anomalies flagged: %,d events of %,d scored%n", flagged, r.counts().scored());
        out.println("against the " + o.data().anomalies().size() + " injected anomalies (found = flagged within the "
                + "anomaly or up to a quarter day after it):");
        out.println(o.evaluation().table());
        Evaluation.Figures all = o.evaluation().total();
        out.printf(Locale.ROOT, "F1 %.3f (precision %.3f, recall %.3f)%n", all.f1(), all.precision(), all.recall());
        out.println("model:        " + o.model() + (o.trained() ? " (trained now)" : ""));
        out.println("detections:   " + o.detections());
        out.println("dead letters: " + o.deadLetters());
        out.println("report:       " + o.report());
        out.flush();
    }

    private void csvReplay(DetectConfig c, PrintWriter out) throws Exception {
        CsvReplay.Outcome o;
        try (TrainCli.EpochPrinter epochs = new TrainCli.EpochPrinter(out, terminal(), c.training.epochs)) {
            o = CsvReplay.run(c, input, epochs, line -> {
                out.println(line);
                out.flush();
            });
        }
        out.println();
        out.println("== summary ==");
        for (String line : o.summary()) {
            out.println(line);
        }
        out.println("report: " + o.report());
        out.flush();
        List<CsvReplay.Note> failed = o.notProcessed();
        if (!failed.isEmpty()) {
            // every other file was processed and written; the run still says that not all of them could be
            throw new CliException(o.files().isEmpty() && failed.size() == 1 ? failed.get(0).line()
                    : String.format(Locale.ROOT, "%d of %d file(s) could not be processed (no result written): %s",
                            failed.size(), failed.size() + o.files().size(),
                            String.join(", ", failed.stream().map(CsvReplay.Note::file).toList())));
        }
    }

    private PrintStream terminal() {
        return progressBar ? System.err : null;
    }

    /**
     * A progress bar over the outputs of a local run (nothing without a terminal), started on the first progress
     * report, after closing the training's bar so that the two never share the line.
     */
    static final class Progress implements LongConsumer, AutoCloseable {
        private final PrintStream terminal;
        private final String task;
        private final long max;
        private final AutoCloseable before;
        private ProgressBar bar;

        Progress(PrintStream terminal, String task, long max, AutoCloseable before) {
            this.terminal = terminal;
            this.task = task;
            this.max = max;
            this.before = before;
        }

        @Override
        public void accept(long n) {
            if (terminal == null) {
                return;
            }
            if (bar == null) {
                try {
                    before.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setUnit(" records", 1)
                        .setUpdateIntervalMillis(250).setConsumer(new ConsoleProgressBarConsumer(terminal)).build();
            }
            bar.stepTo(n);
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
