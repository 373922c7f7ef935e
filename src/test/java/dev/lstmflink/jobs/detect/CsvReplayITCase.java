package dev.lstmflink.jobs.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.nab.NabCorpus;
import dev.lstmflink.nab.NabProfile;
import dev.lstmflink.nab.NabReport;
import dev.lstmflink.nab.NabResults;
import dev.lstmflink.nab.NabScorer;
import dev.lstmflink.nab.NabSeries;
import dev.lstmflink.nab.NabWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** CSV replay: NAB's files in NAB's results format, rows in input order, bad rows kept in place. */
class CsvReplayITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final Path NAB = Path.of("examples/nab");
    /** The lowest NAB v1.1 standard score accepted over the three example files (see the test's comment). */
    static final double MIN_NAB_STANDARD = 40;

    /**
     * NAB's three example files, trained on their first 15 % and scored with the default (likelihood) scoring: results
     * in NAB's format, and alerts that find the labelled anomalies, as NAB v1.1 scores them ({@link NabScorer},
     * standard profile, NAB's probationary period left out; an alert is a detection). On every file: at least one
     * labelled window has an alert, and the alerts score above a detector that never alerts (what they find is worth
     * more than what their false alarms cost). Over the three files: a normalised standard score of at least
     * {@value #MIN_NAB_STANDARD}, and at least as many alerts inside the windows as outside them (after the
     * probationary period; the windows hold about 10 % of the rows): an alert at the shipped threshold is a rare event
     * (tail probability 10⁻⁵), and NAB's standard profile alone forgives many false alarms.
     *
     * <p>Measured (shipped settings, training seed 42): 49.8 over the three files; per file ambient_temperature 87.2
     * (both windows, 3 false alarms), machine_temperature 47.6 (2 of 4 windows, none), nyc_taxi 36.5 (2 of 5, none).
     * Training seeds 1 to 4 give 49.6 to 55.7, every file above its null score with a window found.
     * Alerts inside/outside the windows: 8/3 (seeds 1, 3, 4 the same; seed 2: 9/8). What fails: the dynamic mode on
     * the same models (NAB standard −16.3; 270/192 alerts), or the likelihood threshold at 0.1 (still 51.4 by NAB, but
     * 26/75 alerts). Here a window
     * turns from missed (raw −1) to found (up to +1) for at most 2/22 = 9.1 points, and a false alarm costs 0.5: the
     * bar allows one window fewer, or about 18 more false alarms, not two windows fewer or an alert every few hundred
     * rows. For scale, NAB's published standard scores over its whole corpus: random 16.8,
     * windowedGaussian 39.6, Numenta HTM 70.1.
     *
     * <p>Not checked any more: a higher mean score inside the windows than outside (the check of the dynamic mode). A
     * likelihood score is ~0.03 on an ordinary event and high on the few surprising ones, and NAB's windows are wide
     * (10 % of a file, centred on the labelled point), so the means are those of ordinary events on both sides: nyc_taxi
     * has 0.053 inside and 0.054 outside with seed 42, and falls either way with seeds 1 to 4.
     */
    @Test
    void nabFilesAreWrittenInNabsFormatAndTheAlertsFindTheLabelledAnomalies(@TempDir Path out) throws Exception {
        DetectConfig c = DetectConfig.defaults();
        assertEquals(ScoringConfig.Mode.LIKELIHOOD, c.scoring.mode, "the default scoring, which this test is about");
        c.output = out.toString();
        c.training.trainFraction = 0.15;
        List<String> log = new ArrayList<>();
        CsvReplay.Outcome o = CsvReplay.run(c, NAB, s -> { }, log::add);

        assertEquals(3, o.files().size());
        for (CsvReplay.FileResult f : o.files()) {
            Path rel = NAB.toAbsolutePath().relativize(f.input().toAbsolutePath());
            assertEquals(out.resolve(rel), f.output(), "same relative path under the output folder");
            List<String> in = Files.readAllLines(f.input());
            List<String> res = Files.readAllLines(f.output());
            assertTrue(res.get(0).startsWith("timestamp,value,anomaly_score,"), res.get(0));
            assertEquals(in.size(), res.size(), f.input() + ": one result row per input row");
            for (int i = 1; i < in.size(); i++) {
                String[] a = in.get(i).split(",");
                String[] b = res.get(i).split(",", -1);
                assertEquals(a[0], b[0], f.input() + " row " + i + ": timestamp, in the input's order");
                assertEquals(a[1], b[1], f.input() + " row " + i + ": value");
                double score = Double.parseDouble(b[2]);
                assertTrue(score >= 0 && score <= 1, "anomaly_score in [0, 1]: " + res.get(i));
            }
            assertTrue(f.run().counts().balances(), f.run().counts().summary());
            assertEquals(0, f.run().counts().deadLettered(), f.run().counts().summary());
            assertEquals(1, f.labelledWindows().size(), f.input() + " has labelled windows");
        }

        NabCorpus corpus = exampleCorpus();
        NabScorer scorer = new NabScorer(corpus);
        Map<String, double[]> alerts = NabResults.read(corpus, out, "", "anomaly");
        List<String> perFile = new ArrayList<>();
        for (NabSeries series : corpus.series()) {
            NabReport one = new NabScorer(NabCorpus.of(List.of(series), corpus.profiles())).reportAt("detect",
                    "anomaly", Map.of(series.relativePath(), alerts.get(series.relativePath())), 1.0);
            NabReport.ProfileResult p = one.profile("standard");
            String what = String.format(Locale.ROOT, "%s: NAB standard %.1f (raw %.3f, null %.1f), windows found %d of "
                    + "%d, false alarms %d", series.relativePath(), p.normalised(), p.raw(), p.nullScore(),
                    p.counts().tp(), series.windows().size(), p.counts().fp());
            perFile.add(what);
            assertTrue(p.counts().tp() >= 1, what);
            assertTrue(p.raw() > p.nullScore(), what + ": the alerts score below never alerting");
        }
        int inside = 0;
        int outside = 0;
        for (NabSeries series : corpus.series()) {
            double[] a = alerts.get(series.relativePath());
            for (int i = series.probationaryRows(); i < a.length; i++) {
                final int row = i;
                if (a[i] >= 1 && series.windows().stream().anyMatch(w -> w.contains(row))) {
                    inside++;
                } else if (a[i] >= 1) {
                    outside++;
                }
            }
        }
        assertTrue(inside >= outside, "alerts after the probationary period: " + inside + " inside the labelled "
                + "windows, " + outside + " outside\n" + String.join("\n", perFile));
        NabReport all = scorer.reportAt("detect", "anomaly", alerts, 1.0);
        double standard = all.profile("standard").normalised();
        assertTrue(standard >= MIN_NAB_STANDARD, String.format(Locale.ROOT, "NAB standard score %.1f over the three "
                + "files, below %.1f:%n%s%n%s", standard, MIN_NAB_STANDARD, String.join("\n", perFile), all.table()));
        // machine_temperature repeats an hour of timestamps: both copies are kept, in place
        List<String> machine = Files.readAllLines(out.resolve("realKnownCause/machine_temperature_system_failure.csv"));
        assertEquals(2, machine.stream().filter(l -> l.startsWith("2014-01-07 02:00:00,")).count());
        assertTrue(Files.readString(o.report()).contains("realKnownCause/nyc_taxi"));
    }

    /** NAB's three example files as a NAB corpus: their timestamps, windows.json, NAB's standard profile. */
    static NabCorpus exampleCorpus() throws Exception {
        JsonNode windows = new ObjectMapper().readTree(NAB.resolve("windows.json").toFile());
        List<NabSeries> series = new ArrayList<>();
        for (var it = windows.fields(); it.hasNext(); ) {
            var e = it.next();
            List<String> lines = Files.readAllLines(NAB.resolve(e.getKey()));
            List<LocalDateTime> ts = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                ts.add(NabCorpus.parseTimestamp(line.substring(0, line.indexOf(','))));
            }
            List<NabWindow> w = new ArrayList<>();
            for (JsonNode limits : e.getValue()) {
                w.add(NabWindow.locate(ts, NabCorpus.parseTimestamp(limits.get(0).asText()),
                        NabCorpus.parseTimestamp(limits.get(1).asText()), e.getKey()));
            }
            series.add(new NabSeries(e.getKey(), ts, w));
        }
        return NabCorpus.of(series, List.of(new NabProfile("standard", 1.0, 0.11, 1.0, 1.0)));
    }

    @Test
    void keyedCsvKeepsBadRowsInPlaceWithTheirReason(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in.resolve("site"));
        List<String> lines = new ArrayList<>();
        lines.add("key,ts,temperature");
        List<String> expectedReason = new ArrayList<>();
        for (int t = 0; t < 800; t++) {
            for (String key : new String[] {"a", "b"}) {
                double v = 20 + 3 * Math.sin(2 * Math.PI * t / 48.0) + (key.equals("b") ? 2 : 0);
                lines.add(key + "," + (1_700_000_000_000L + 60_000L * t) + "," + String.format(Locale.ROOT, "%.3f", v));
                expectedReason.add("");
            }
            if (t % 200 == 150) {
                lines.add("a," + (1_700_000_000_000L + 60_000L * t) + ",warm");
                expectedReason.add("bad_value");
                lines.add("b,yesterday,21.0");
                expectedReason.add("bad_ts");
            }
        }
        Files.write(in.resolve("site/sensors.csv"), lines);
        DetectConfig c = DetectConfig.defaults();
        c.output = dir.resolve("out").toString();
        c.training.trainFraction = 0.5;
        c.training.epochs = 3;
        c.flink.parallelism = 2;
        CsvReplay.Outcome o = CsvReplay.run(c, in, s -> { }, x -> { });

        List<String> res = Files.readAllLines(dir.resolve("out/site/sensors.csv"));
        assertEquals(lines.size(), res.size());
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = res.get(i).split(",", -1);
            assertEquals(expectedReason.get(i - 1), cells[8], "row " + i + ": " + res.get(i));
            String[] input = lines.get(i).split(",");
            assertEquals(input[1], cells[0], "row " + i);
            if (expectedReason.get(i - 1).isEmpty()) {
                assertEquals(input[0], cells[7], "row " + i + " key");
            }
        }
        assertEquals(8, o.files().get(0).run().counts().deadLettered());
        assertEquals(8, Files.readAllLines(o.deadLetters()).size());
    }
}
