package dev.lstmflink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.nab.NabCorpus;
import dev.lstmflink.nab.NabReport;
import dev.lstmflink.nab.NabScorer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jobs/bench-nab}: the detection job on the Numenta Anomaly Benchmark, run as a user runs it, then scored with
 * NAB v1.1's rules ({@link NabScorer}).
 *
 * <p>The run is exactly {@code jobs/detect --input NAB/data --output OUT --train-fraction 0.15 --set
 * training.max_rows=750} with the shipped config (or {@code --config}) and any {@code --set} given here: CSV replay,
 * each series trained on its first min(floor(0.15·n), 750) rows only, which is NAB's probationary period, the part of a
 * series a detector may learn from without being scored, then every row scored by the same configuration. The
 * {@code anomaly_score} column is scored at NAB's corpus-wide best threshold per profile; the {@code anomaly} column
 * (the alerts a user gets, flagged at {@code scoring.likelihood.threshold}) is scored as it is. The published scores
 * of NAB's detectors ({@code config/published_final_results.json}) are printed beside ours.
 */
@Command(name = "bench-nab", mixinStandardHelpOptions = true, versionProvider = LstmCli.Version.class,
        sortOptions = false,
        description = {"Runs jobs/detect over the Numenta Anomaly Benchmark (58 series) and scores it with NAB v1.1's "
                + "rules: the three normalised scores, thresholds, per-category scores, the alerts' scores, and the "
                + "published detectors beside them."})
public final class BenchNabCli implements Callable<Integer> {

    /** NAB's probationary period: a detector learns from at most the first min(floor(0.15 n), 750) rows. */
    static final double PROBATION_FRACTION = 0.15;
    static final int PROBATION_MAX_ROWS = 750;

    @Spec
    CommandSpec spec;

    @Option(names = "--nab", paramLabel = "DIR", required = true,
            description = "the NAB corpus: a folder with data/, labels/combined_windows.json and config/profiles.json")
    Path nab;

    @Option(names = "--output", paramLabel = "DIR", defaultValue = "target/bench-nab",
            description = "where the results go (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--config", paramLabel = "FILE",
            description = "settings file (default: config/detect.yaml when present, else built-in defaults)")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "override one setting, as jobs/detect --set (repeatable)")
    List<String> set = new ArrayList<>();

    @Option(names = "--score-only", description = "score the results already in --output, without running the job")
    boolean scoreOnly;

    @Option(names = "--verbose", description = "print stack traces of errors")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchNabCli()).execute(args));
    }

    @Override
    public Integer call() {
        return CliRunner.run(spec, verbose, this::run);
    }

    private void run() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path data = nab.resolve(NabCorpus.DATA_DIR);
        if (!Files.isDirectory(data)) {
            throw new CliException("--nab " + nab + ": no " + NabCorpus.DATA_DIR + "/ folder; expected NAB's corpus "
                    + "(data/, labels/combined_windows.json, config/profiles.json)");
        }
        NabCorpus corpus = NabCorpus.load(nab);
        long t0 = System.nanoTime();
        if (!scoreOnly) {
            List<String> args = new ArrayList<>(List.of("--input", data.toString(), "--output", output.toString(),
                    "--train-fraction", Double.toString(PROBATION_FRACTION),
                    "--set", "training.max_rows=" + PROBATION_MAX_ROWS));
            if (config != null) {
                args.addAll(List.of("--config", config.toString()));
            }
            for (String s : set) {
                args.addAll(List.of("--set", s));
            }
            out.println("bench-nab: jobs/detect " + String.join(" ", args));
            out.flush();
            CommandLine detect = new CommandLine(new DetectCli());
            detect.setOut(out);
            detect.setErr(spec.commandLine().getErr());
            int code = detect.execute(args.toArray(String[]::new));
            if (code != 0) {
                throw new CliException("jobs/detect failed (exit code " + code + "); see above");
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        NabScorer scorer = new NabScorer(corpus);
        NabReport scores = scorer.scoreColumn(output, "", "anomaly_score");
        NabReport alerts = scorer.scoreColumnAt(output, "", "anomaly", 1.0);   // the flags as they are
        out.println();
        out.println(scores.table());
        out.println(alerts.table());
        out.println(comparison(scores, alerts, nab.resolve("config/published_final_results.json")));
        if (!scoreOnly) {
            out.printf(Locale.ROOT, "run: %.0f s for %d series (%,d rows), settings %s%n", seconds,
                    corpus.series().size(), corpus.rowCount(), set.isEmpty() ? "as shipped" : String.join(" ", set));
        }
        out.println("rerun: jobs/bench-nab --nab " + nab + (set.isEmpty() ? "" : " --set " + String.join(" --set ", set)));
    }

    /** Ours beside the published detectors, best first. */
    static String comparison(NabReport scores, NabReport alerts, Path published) throws Exception {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("lstm-flink anomaly_score", scores));
        rows.add(row("lstm-flink alerts (anomaly)", alerts));
        if (Files.isRegularFile(published)) {
            JsonNode root = new ObjectMapper().readTree(published.toFile());
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                rows.add(new String[] {e.getKey() + " (published)", fmt(e.getValue().path("standard").asDouble()),
                        fmt(e.getValue().path("reward_low_FP_rate").asDouble()),
                        fmt(e.getValue().path("reward_low_FN_rate").asDouble())});
            }
        }
        rows.sort((a, b) -> Double.compare(Double.parseDouble(b[1]), Double.parseDouble(a[1])));
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-34s %9s %9s %9s%n", "detector", "standard",
                "low FP", "low FN"));
        for (String[] r : rows) {
            b.append(String.format(Locale.ROOT, "%-34s %9s %9s %9s%n", (Object[]) r));
        }
        return b.toString();
    }

    private static String[] row(String name, NabReport r) {
        return new String[] {name, fmt(r.profile("standard").normalised()),
                fmt(r.profile("reward_low_FP_rate").normalised()), fmt(r.profile("reward_low_FN_rate").normalised())};
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
