package dev.lstmflink.nab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reproduces NAB's published scores with our scorer, from NAB's own per-detector result files. It needs NAB's corpus
 * and NAB's {@code results/} folder (290 MB, not in this repository), so it runs only when both are given as system
 * properties, and is skipped otherwise:
 * <pre>
 *   mvn -q -o test -Dtest='dev.lstmflink.nab.NabPublishedScoresTest' \
 *       -Dnab.dir=/path/to/NAB -Dnab.results=/path/to/NAB/results
 * </pre>
 * ({@code nab.dir}: a folder with {@code data/}, {@code labels/combined_windows.json}, {@code config/profiles.json} and
 * {@code config/thresholds.json}, e.g. a clone of https://github.com/numenta/NAB at commit ea702d75; {@code nab.results}:
 * its {@code results/} folder. Surefire passes {@code -D} properties of the Maven command line to the test JVM as
 * system properties, so no {@code -DargLine} is needed.)
 *
 * <p>The published figures ({@code results/final_results.json}, NAB's README scoreboard) were computed at the
 * thresholds of {@code config/thresholds.json}, which for most detectors came from NAB's older hill-climbing
 * optimiser (before the exact sweep of 2019); at those thresholds our scores must match to 0.01. At our exact optimum
 * a score can only be higher or equal.
 */
class NabPublishedScoresTest {

    private static NabScorer scorer;
    private static Path results;
    private static JsonNode thresholds;

    /** Published normalised scores (standard, reward_low_FP_rate, reward_low_FN_rate), final_results.json. */
    private static final Map<String, double[]> PUBLISHED = Map.of(
            "numenta", new double[] {70.10105611943965, 63.11684160219828, 74.3202443095115},
            "windowedGaussian", new double[] {39.649523496077585, 20.86798582474138, 47.4100271583046},
            "random", new double[] {16.831768350517237, 5.763682319827586, 25.876351314080456},
            "htmjava", new double[] {65.54990960125, 53.25694971610345, 70.42407766520115},
            "ARTime", new double[] {74.85377223215792, 65.15400017974811, 80.36228493638114},
            "contextOSE", new double[] {69.89956896844828, 66.97713919047413, 73.18167250416667},
            "randomCutForest", new double[] {51.717054557073276, 38.360772142413786, 59.74876476310345},
            "null", new double[] {0.0, 0.0, 0.0});

    private static final List<String> PROFILES = List.of("standard", "reward_low_FP_rate", "reward_low_FN_rate");

    /** Each test is skipped, with this explanation, unless both properties are set; the corpus is read once. */
    @BeforeEach
    void corpus() throws IOException {
        String nab = System.getProperty("nab.dir");
        String res = System.getProperty("nab.results");
        Assumptions.assumeTrue(nab != null && res != null, "skipped: set -Dnab.dir=<NAB corpus> and "
                + "-Dnab.results=<NAB's results folder> to check the published NAB scores (see the class comment)");
        if (scorer == null) {
            scorer = new NabScorer(NabCorpus.load(Path.of(nab)));
            results = Path.of(res);
            thresholds = JsonMapper.builder().build().readTree(Path.of(nab, "config", "thresholds.json").toFile());
        }
    }

    private static NabReport atPublishedThresholds(String detector) throws IOException {
        Map<String, Double> t = NabThresholds.read(Path.of(System.getProperty("nab.dir"), "config", "thresholds.json"),
                detector);
        Map<String, double[]> scores = NabResults.read(scorer.corpus(), results.resolve(detector), detector + "_",
                NabResults.SCORE_COLUMN);
        return scorer.report(detector, NabResults.SCORE_COLUMN, scores, t);
    }

    private static void assertPublished(String detector) throws IOException {
        NabReport r = atPublishedThresholds(detector);
        double[] published = PUBLISHED.get(detector);
        for (int i = 0; i < PROFILES.size(); i++) {
            assertEquals(published[i], r.profile(PROFILES.get(i)).normalised(), 0.005,
                    detector + " " + PROFILES.get(i) + "\n" + r.table());
        }
        NabReport best = scorer.scoreColumn(results.resolve(detector), detector + "_", NabResults.SCORE_COLUMN);
        for (String p : PROFILES) {
            assertTrue(best.profile(p).raw() >= r.profile(p).raw() - 1e-9, detector + " " + p);
        }
    }

    @Test
    void numenta() throws IOException {
        assertPublished("numenta");
        // NAB's numenta_standard_scores.csv, Totals: score 46.6344501971, TP 240, TN 299194, FP 153, FN 33255 (rows)
        NabReport.ProfileResult s = atPublishedThresholds("numenta").profile("standard");
        assertEquals(46.6344501971, s.raw(), 1e-9);
        assertEquals(new NabReport.Counts(96, 153, 20, 240, 299194, 33255), s.counts());
        assertEquals(-116.0, s.nullScore(), 0.0);
        assertEquals(116.0, s.perfect(), 0.0);
    }

    @Test
    void windowedGaussian() throws IOException {
        assertPublished("windowedGaussian");
    }

    @Test
    void random() throws IOException {
        assertPublished("random");
    }

    @Test
    void otherPublishedDetectors() throws IOException {
        for (String d : List.of("htmjava", "ARTime", "contextOSE", "randomCutForest", "null")) {
            if (Files.isDirectory(results.resolve(d))) {
                assertPublished(d);
            }
        }
    }

    @Test
    void theExactSweepFindsTheThresholdsNabsOwnSweepPublished() throws IOException {
        // ARTime's thresholds were added (2021) after NAB's optimiser became the exact sweep: ours are the same
        NabReport best = scorer.scoreColumn(results.resolve("ARTime"), null, NabResults.SCORE_COLUMN);
        for (String p : PROFILES) {
            JsonNode nab = thresholds.path("ARTime").path(p);
            assertEquals(nab.path("threshold").asDouble(), best.profile(p).threshold(), 0.0, p);
            assertEquals(nab.path("score").asDouble(), best.profile(p).raw(), 1e-9, p);
        }
    }
}
