package dev.lstmflink.jobs.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.cli.DetectConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    @Test
    void nabFilesScoreHigherInsideTheirLabelledWindows(@TempDir Path out) throws Exception {
        DetectConfig c = DetectConfig.defaults();
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
            assertEquals(1, f.meanScores().size(), f.input() + " has labelled windows");
            f.meanScores().forEach((key, s) -> assertTrue(s[0] > s[1], String.format(Locale.ROOT,
                    "%s: mean score inside the labelled windows %.3f, outside %.3f", key, s[0], s[1])));
        }
        // machine_temperature repeats an hour of timestamps: both copies are kept, in place
        List<String> machine = Files.readAllLines(out.resolve("realKnownCause/machine_temperature_system_failure.csv"));
        assertEquals(2, machine.stream().filter(l -> l.startsWith("2014-01-07 02:00:00,")).count());
        assertTrue(Files.readString(o.report()).contains("realKnownCause/nyc_taxi"));
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
