package dev.lstmflink.nab;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jobs/nab-score}: the NAB v1.1 score of a folder of detector results (see {@link NabScorer} for the rules,
 * {@link NabResults} for the layout). By default every profile is scored at its exact corpus-wide optimal threshold;
 * {@code --threshold-from config/thresholds.json --detector D} scores at the thresholds NAB published for detector
 * D (and prints the optimum after it), {@code --threshold T} at one threshold for every profile (e.g. 1 for a 0/1
 * column).
 *
 * <p>Exit codes: 0 success; 2 bad usage or bad input (a missing or short result file, a bad corpus: the message names
 * the file and the counts); 1 an internal error. Stack traces only with {@code --verbose}.
 */
@Command(name = "nab-score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"NAB v1.1 scoring (Numenta Anomaly Benchmark) of a folder of detector results:",
                "raw, null, perfect and normalised score per profile, and per category."},
        footer = {"", "Examples:",
            "  jobs/nab-score --nab NAB --results NAB/results/numenta",
            "  jobs/nab-score --nab NAB --results NAB/results/numenta \\",
            "                 --threshold-from NAB/config/thresholds.json",
            "  jobs/nab-score --nab NAB --results target/nab --column anomaly --threshold 1"})
public final class NabScore implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--nab", required = true, paramLabel = "DIR",
            description = "the NAB corpus: data/, labels/combined_windows.json, config/profiles.json")
    Path nab;

    @Option(names = "--results", required = true, paramLabel = "DIR",
            description = "the results: DIR/<category>/<prefix><file>.csv, one row per data row")
    Path results;

    @Option(names = "--prefix", paramLabel = "P",
            description = "file-name prefix of the results, e.g. numenta_ (default: detected from the file names)")
    String prefix;

    @Option(names = "--column", paramLabel = "NAME", defaultValue = NabResults.SCORE_COLUMN,
            description = "the column to score (default: ${DEFAULT-VALUE})")
    String column;

    @Option(names = "--threshold-from", paramLabel = "FILE",
            description = "score at the thresholds of this NAB thresholds.json for --detector instead of optimising")
    Path thresholdFrom;

    @Option(names = "--detector", paramLabel = "NAME",
            description = "the detector's name in --threshold-from (default: the prefix without its '_')")
    String detector;

    @Option(names = "--threshold", paramLabel = "T",
            description = "score every profile at this threshold (a detection: score >= T) instead of optimising")
    Double threshold;

    @Option(names = "--verbose", description = "print stack traces of errors")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(new CommandLine(new NabScore()).execute(args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            run(out);
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("nab-score: " + e.getMessage());
            if (verbose) {
                e.printStackTrace(err);
            }
            return 2;
        } catch (RuntimeException e) {
            err.println("nab-score: internal error: " + e + (verbose ? "" : " (run with --verbose for the stack trace)"));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private void run(PrintWriter out) throws IOException {
        if (thresholdFrom != null && threshold != null) {
            throw new IllegalArgumentException("--threshold-from and --threshold both fix the thresholds; give one");
        }
        if (detector != null && thresholdFrom == null) {
            throw new IllegalArgumentException("--detector names the detector in --threshold-from; give that too");
        }
        NabScorer scorer = new NabScorer(NabCorpus.load(nab));
        String p = prefix != null ? prefix : NabResults.detectPrefix(scorer.corpus(), results);
        String label = NabResults.label(results, p);
        Map<String, double[]> scores = NabResults.read(scorer.corpus(), results, p, column);
        if (threshold != null) {
            out.print(scorer.reportAt(label, column, scores, threshold).table());
            return;
        }
        if (thresholdFrom != null) {
            String name = detector != null ? detector : p.isEmpty() ? null : label;
            if (name == null) {
                throw new IllegalArgumentException("--threshold-from needs --detector (the results have no prefix)");
            }
            out.print(scorer.report(label, column, scores, NabThresholds.read(thresholdFrom, name)).table());
            out.println();
            out.println("The same results at the exact optimum of every profile:");
        }
        out.print(scorer.report(label, column, scores).table());
    }
}
