package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lstmflink.nab.NabCorpus;
import dev.lstmflink.nab.NabReport;
import dev.lstmflink.nab.NabScorer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * jobs/bench-nab on a two-series NAB corpus made from examples/nab (NAB's own files and windows, NAB's profiles): the
 * detection job runs as the benchmark says (training on the probationary rows only, min(floor(0.15 n), 750)), every
 * series gets a result row per data row, the printed scores are NAB's scoring of those results, the detector finds
 * more than never firing, and --score-only rescores without running.
 */
class BenchNabCliITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1)
                    .build());

    static final List<String> FILES = List.of("realKnownCause/ambient_temperature_system_failure.csv",
            "realKnownCause/nyc_taxi.csv");

    private record Run(int code, String out, String err) {}

    private static Run bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new BenchNabCli()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** data/ with the two series, labels/combined_windows.json with their windows, NAB's profiles. */
    private static Path corpus(Path dir) throws Exception {
        Path examples = Path.of("examples/nab");
        ObjectMapper json = new ObjectMapper();
        ObjectNode all = (ObjectNode) json.readTree(examples.resolve("windows.json").toFile());
        ObjectNode windows = json.createObjectNode();
        for (String f : FILES) {
            Path to = dir.resolve("data").resolve(f);
            Files.createDirectories(to.getParent());
            Files.copy(examples.resolve(f), to);
            windows.set(f, all.get(f));
        }
        Files.createDirectories(dir.resolve("labels"));
        json.writeValue(dir.resolve("labels/combined_windows.json").toFile(), windows);
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/profiles.json"), """
                {"standard": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.11, "tnWeight": 1.0}},
                 "reward_low_FP_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.22,
                   "tnWeight": 1.0}},
                 "reward_low_FN_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 2.0, "fpWeight": 0.11,
                   "tnWeight": 1.0}}}
                """);
        return dir;
    }

    /** The three scores on the comparison table's line for {@code row}. */
    private static double[] printed(String out, String row) {
        Matcher m = Pattern.compile(Pattern.quote(row) + "\\s+(-?[\\d.]+)\\s+(-?[\\d.]+)\\s+(-?[\\d.]+)").matcher(out);
        assertTrue(m.find(), row + " in\n" + out);
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
            Double.parseDouble(m.group(3))};
    }

    @Test
    void runsTheJobAsTheBenchmarkSaysAndPrintsNabsScoresOfItsResults(@TempDir Path tmp) throws Exception {
        Path nab = corpus(tmp.resolve("nab"));
        Path out = tmp.resolve("out");
        Run r = bench("--nab", nab.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err() + r.out());

        // trained on the probationary rows: 7,267 rows -> min(1,090, 750); 10,320 -> min(1,548, 750)
        for (String f : FILES) {
            assertTrue(r.out().contains(f + ": training on the first 15% of each series, at most 750 rows (750 rows)"),
                    f + " in\n" + r.out());
            List<String> data = Files.readAllLines(nab.resolve("data").resolve(f));
            List<String> result = Files.readAllLines(out.resolve(f));
            assertEquals(data.size(), result.size(), f + ": a result row per data row");
            assertTrue(result.get(0).startsWith("timestamp,value,anomaly_score,"), result.get(0));
        }

        // the printed scores are NAB's scoring of the results written
        NabScorer scorer = new NabScorer(NabCorpus.load(nab));
        NabReport scores = scorer.scoreColumn(out, "", "anomaly_score");
        NabReport alerts = scorer.scoreColumnAt(out, "", "anomaly", 1.0);
        double[] col = printed(r.out(), "lstm-flink anomaly_score");
        double[] flags = printed(r.out(), "lstm-flink alerts (anomaly)");
        String[] profiles = {"standard", "reward_low_FP_rate", "reward_low_FN_rate"};
        for (int i = 0; i < 3; i++) {
            assertEquals(scores.profile(profiles[i]).normalised(), col[i], 0.005, profiles[i]);
            assertEquals(alerts.profile(profiles[i]).normalised(), flags[i], 0.005, profiles[i]);
        }
        // on these two real series the detector does better than never firing, with its alerts too
        assertTrue(col[0] > 10 && flags[0] > 10, String.format(Locale.ROOT, "standard %.2f, alerts %.2f", col[0],
                flags[0]));
        assertTrue(scores.profile("standard").counts().tp() >= 2, scores.table());
        assertTrue(r.out().contains("rerun: jobs/bench-nab --nab " + nab), r.out());

        // --score-only rescores the same results without running the job
        Run again = bench("--nab", nab.toString(), "--output", out.toString(), "--score-only");
        assertEquals(0, again.code(), again.err());
        assertTrue(!again.out().contains("training on"), again.out());
        assertEquals(col[0], printed(again.out(), "lstm-flink anomaly_score")[0]);
    }

    @Test
    void aFolderWithoutNabsDataIsAUserError(@TempDir Path tmp) {
        Run r = bench("--nab", tmp.toString(), "--output", tmp.resolve("out").toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("--nab " + tmp + ": no data/ folder"), r.err());
    }
}
