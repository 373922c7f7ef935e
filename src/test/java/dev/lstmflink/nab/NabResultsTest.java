package dev.lstmflink.nab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading result folders in NAB's layout, and scoring a named column from them, on the sweep fixture of
 * {@link NabScorerTest} (its hand-computed optimum: custom 0.511552036588816 at 0.6, normalised 75.19253394314693).
 */
class NabResultsTest {

    @TempDir
    Path dir;

    private static final NabCorpus CORPUS = NabCorpus.of(List.of(
            NabFixtures.series("alpha/a.csv", 40, new int[] {10, 19}),
            NabFixtures.series("beta/b.csv", 20, new int[] {12, 15}),
            NabFixtures.series("beta/c.csv", 20)), List.of(NabFixtures.STANDARD, NabFixtures.CUSTOM));

    private Path results(String prefix) throws IOException {
        return NabFixtures.writeResults(dir.resolve("results"), prefix, CORPUS, NabScorerTest.sweepScores());
    }

    @Test
    void readsTheNamedColumnInRowOrder() throws IOException {
        Path r = results("");
        Map<String, double[]> x = NabResults.read(CORPUS, r, "", NabResults.SCORE_COLUMN);
        for (Map.Entry<String, double[]> e : NabScorerTest.sweepScores().entrySet()) {
            assertArrayEquals(e.getValue(), x.get(e.getKey()), 0.0, e.getKey());
        }
        double[] flags = NabResults.read(CORPUS, r, "", "anomaly").get("beta/b.csv");
        assertEquals(2.0, java.util.Arrays.stream(flags).sum(), 0.0);   // rows 5 and 12
        assertEquals(1.0, flags[12], 0.0);
    }

    @Test
    void thePrefixIsDetectedFromTheFileNames() throws IOException {
        assertEquals("", NabResults.detectPrefix(CORPUS, results("")));
        Path nab = NabFixtures.writeResults(dir.resolve("nab"), "numenta_", CORPUS, NabScorerTest.sweepScores());
        assertEquals("numenta_", NabResults.detectPrefix(CORPUS, nab));
        assertEquals("numenta", NabResults.label(nab, "numenta_"));
        NabFixtures.writeResults(dir.resolve("nab"), "", CORPUS, NabScorerTest.sweepScores());
        IOException e = assertThrows(IOException.class, () -> NabResults.detectPrefix(CORPUS, nab));
        assertTrue(e.getMessage().contains("['', 'numenta_']"), e.getMessage());
        e = assertThrows(IOException.class, () -> NabResults.detectPrefix(CORPUS, dir));
        assertTrue(e.getMessage().contains("no file-name prefix"), e.getMessage());
    }

    @Test
    void aRowCountThatDiffersFromTheDataIsAnErrorNamingTheFileAndTheCounts() throws IOException {
        Path r = results("");
        Path c = r.resolve("beta/c.csv");
        List<String> lines = Files.readAllLines(c);
        Files.write(c, lines.subList(0, lines.size() - 1));   // 19 rows for 20
        IOException e = assertThrows(IOException.class, () -> NabResults.read(CORPUS, r, "", "anomaly_score"));
        assertEquals(c + ": 19 result rows, but the data file beta/c.csv has 20 rows (a result file needs one row per "
                + "data row, in order)", e.getMessage());
    }

    @Test
    void aMissingFileIsAnErrorNamingIt() throws IOException {
        Path r = results("");
        Files.delete(r.resolve("alpha/a.csv"));
        IOException e = assertThrows(IOException.class, () -> NabResults.read(CORPUS, r, "", "anomaly_score"));
        assertEquals("1 of the 3 result files are missing: " + r.resolve("alpha/a.csv") + " (prefix '')",
                e.getMessage());
    }

    @Test
    void aBadCellOrAMissingColumnIsAnErrorNamingTheFile() throws IOException {
        Path r = results("");
        Path b = r.resolve("beta/b.csv");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(b));
        lines.set(4, lines.get(4).replace(",0.1,", ",NaN,"));   // line 5 of the file
        Files.write(b, lines);
        IOException e = assertThrows(IOException.class, () -> NabResults.read(CORPUS, r, "", "anomaly_score"));
        assertEquals(b + " line 5: anomaly_score is 'NaN', not a finite number", e.getMessage());
        e = assertThrows(IOException.class, () -> NabResults.read(CORPUS, r, "", "anomaly_scor"));
        assertTrue(e.getMessage().contains("no column named 'anomaly_scor'")
                && e.getMessage().contains("[timestamp, value, anomaly_score, anomaly, dead_letter]"), e.getMessage());
    }

    @Test
    void scoresTheScoreColumnAndTheFlagColumn() throws IOException {
        Path r = results("");
        NabScorer scorer = new NabScorer(CORPUS);
        NabReport scores = scorer.scoreColumn(r, null, NabResults.SCORE_COLUMN);
        assertEquals("results", scores.detector());
        assertEquals(0.6, scores.profile("custom").threshold(), 0.0);
        assertEquals(75.19253394314693, scores.profile("custom").normalised(), 1e-9);

        // the flags are 1 exactly on the rows scored >= 0.5, so flag >= 1 detects what score >= 0.6 does
        NabReport flags = scorer.scoreColumn(r, "", "anomaly");
        assertEquals("anomaly", flags.column());
        assertEquals(1.0, flags.profile("custom").threshold(), 0.0);
        assertEquals(0.511552036588816, flags.profile("custom").raw(), 1e-12);
        NabReport fixed = scorer.scoreColumnAt(r, null, "anomaly", 1.0);
        assertEquals(75.19253394314693, fixed.profile("custom").normalised(), 1e-9);
        assertEquals(91.36711959922928, fixed.profile("standard").normalised(), 1e-9);
        assertEquals(new NabReport.Counts(2, 3, 0, 2, 51, 12), fixed.profile("custom").counts());
    }
}
