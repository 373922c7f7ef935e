package dev.lstmflink.nab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code nab-score} command line on the sweep fixture of {@link NabScorerTest}, written to disk. */
class NabScoreTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new NabScore());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private Path corpus() throws IOException {
        NabCorpus c = NabCorpus.of(List.of(NabFixtures.series("alpha/a.csv", 40, new int[] {10, 19}),
                NabFixtures.series("beta/b.csv", 20, new int[] {12, 15}), NabFixtures.series("beta/c.csv", 20)),
                List.of(NabFixtures.STANDARD, NabFixtures.CUSTOM));
        Path nab = NabFixtures.writeCorpus(dir.resolve("nab"), c);
        NabFixtures.writeResults(dir.resolve("results/fix"), "fix_", c, NabScorerTest.sweepScores());
        NabFixtures.writeResults(dir.resolve("ours"), "", c, NabScorerTest.sweepScores());
        return nab;
    }

    @Test
    void printsTheOptimisedReport() throws IOException {
        Path nab = corpus();
        assertEquals(0, run("--nab", nab.toString(), "--results", dir.resolve("results/fix").toString()), err.toString());
        String s = out.toString();
        assertTrue(s.contains("NAB v1.1 scores of fix (column anomaly_score): 3 series, 2 windows"), s);
        assertTrue(s.matches("(?s).*\\ncustom\\s+0\\.6\\s+0\\.5116\\s+-4\\.0000\\s+2\\.0000\\s+75\\.19\\s+2\\s+0\\s+3\\n.*"),
                s);
        assertTrue(s.matches("(?s).*\\nstandard\\s+0\\.6\\s+1\\.6547\\s+-2\\.0000\\s+2\\.0000\\s+91\\.37\\s.*"), s);
        assertTrue(s.matches("(?s).*\\nalpha\\s+1\\s+1\\s+93\\.73\\s+83\\.72\\n.*"), s);   // standard, custom
    }

    @Test
    void scoresAFlagColumnAtAFixedThreshold() throws IOException {
        Path nab = corpus();
        assertEquals(0, run("--nab", nab.toString(), "--results", dir.resolve("ours").toString(), "--column", "anomaly",
                "--threshold", "1"), err.toString());
        String s = out.toString();
        assertTrue(s.contains("NAB v1.1 scores of ours (column anomaly)") && s.contains("thresholds: given"), s);
        assertTrue(s.matches("(?s).*\\ncustom\\s+1\\.0\\s+0\\.5116\\s.*\\s75\\.19\\s.*"), s);
    }

    @Test
    void scoresAtPublishedThresholdsThenAtTheOptimum() throws IOException {
        Path nab = corpus();
        Path thresholds = Files.writeString(dir.resolve("thresholds.json"),
                "{\"fix\": {\"custom\": {\"score\": 0, \"threshold\": 0.7}, \"standard\": {\"threshold\": 0.9}}}");
        assertEquals(0, run("--nab", nab.toString(), "--results", dir.resolve("results/fix").toString(),
                "--threshold-from", thresholds.toString()), err.toString());
        String s = out.toString();
        // custom at 0.7: −1.9884479634111842, 100 · 2.0115520365888158 / 6 = 33.53
        assertTrue(s.matches("(?s).*\\ncustom\\s+0\\.7\\s+-1\\.9884\\s.*\\s33\\.53\\s.*"), s);
        assertTrue(s.contains("The same results at the exact optimum of every profile:"), s);
        assertTrue(s.matches("(?s).*optimum.*\\ncustom\\s+0\\.6\\s+0\\.5116\\s.*"), s);
    }

    @Test
    void aShortResultFileFailsWithItsNameAndTheCounts() throws IOException {
        Path nab = corpus();
        Path c = dir.resolve("ours/beta/c.csv");
        List<String> lines = Files.readAllLines(c);
        Files.write(c, lines.subList(0, 15));
        assertEquals(2, run("--nab", nab.toString(), "--results", dir.resolve("ours").toString()));
        assertEquals("nab-score: " + c + ": 14 result rows, but the data file beta/c.csv has 20 rows (a result file "
                + "needs one row per data row, in order)", err.toString().trim());
        assertEquals("", out.toString());
    }

    @Test
    void usageErrorsExitWithTwo() throws IOException {
        assertEquals(2, run("--results", "x"));
        assertTrue(err.toString().contains("--nab"), err.toString());
        Path nab = corpus();
        assertEquals(2, run("--nab", nab.toString(), "--results", dir.resolve("ours").toString(), "--threshold", "1",
                "--threshold-from", "t.json"));
        assertEquals(2, run("--nab", nab.toString(), "--results", dir.resolve("ours").toString(),
                "--threshold-from", dir.resolve("missing.json").toString()));
        assertTrue(err.toString().contains("--detector"), err.toString());
    }
}
