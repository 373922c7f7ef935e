package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * jobs/detect CSV replay with short series: fallbacks are named in the summary and exit 0; a file that cannot be
 * processed at all does not stop the others, and the run then exits 2 naming it; a hopeless single file is a
 * user-data error (exit 2) naming the file and its rows, never an internal error.
 */
class DetectCliShortSeriesITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1)
                    .build());

    private record Run(int code, String out, String err) {}

    private static Run detect(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        DetectCli cli = new DetectCli();
        cli.progressBar = false;
        int code = new CommandLine(cli).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void series(Path file, int rows) throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("timestamp,value");
        LocalDateTime t = LocalDateTime.of(2014, 1, 1, 0, 0);
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        for (int i = 0; i < rows; i++) {
            lines.add(f.format(t.plusMinutes(5L * i)) + "," + String.format(Locale.ROOT, "%.3f",
                    50 + 10 * Math.sin(2 * Math.PI * i / 288.0)));
        }
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
    }

    @Test
    void fallbacksAreNamedAndTheRunSucceeds(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in");
        series(in.resolve("normal.csv"), 600);
        series(in.resolve("short.csv"), 300);   // 150 training rows: 120 + 30, no validation window
        Run r = detect("--input", in.toString(), "--output", dir.resolve("out").toString(), "--train-fraction", "0.5",
                "--set", "training.epochs=2");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("2 of 2 file(s) scored, 1 series with a fallback, 0 file(s) not processed"),
                r.out());
        assertTrue(r.out().contains("\n  short.csv: trained without validation: 300 valid row(s), the first 150 for "
                + "training (train_fraction 0.5); 150 training rows give 120 training and 30 validation rows"), r.out());
        assertEquals(301, Files.readAllLines(dir.resolve("out/short.csv")).size());
        assertEquals(601, Files.readAllLines(dir.resolve("out/normal.csv")).size());
    }

    @Test
    void aFileThatCannotBeProcessedDoesNotStopTheOthers(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        Files.write(in.resolve("a_header_only.csv"), List.of("timestamp,value"));
        series(in.resolve("b_normal.csv"), 600);
        Run r = detect("--input", in.toString(), "--output", dir.resolve("out").toString(), "--train-fraction", "0.5",
                "--set", "training.epochs=2");
        assertEquals(2, r.code(), r.err() + r.out());
        assertEquals("detect: 1 of 2 file(s) could not be processed (no result written): a_header_only.csv\n",
                r.err());
        assertTrue(r.out().contains("files not processed (no result written):\n  a_header_only.csv: not scored: 0 data "
                + "rows (a header only); there is nothing to score; no result written"), r.out());
        assertEquals(601, Files.readAllLines(dir.resolve("out/b_normal.csv")).size(), "the file after it is scored");
        assertTrue(Files.isRegularFile(dir.resolve("out/report.html")));
    }

    @Test
    void aHopelessSingleFileIsAUserDataErrorNamingFileAndRows(@TempDir Path dir) throws Exception {
        Path tiny = dir.resolve("tiny.csv");
        series(tiny, 8);
        Run r = detect("--input", tiny.toString(), "--output", dir.resolve("out").toString(), "--train-fraction",
                "0.5");
        assertFalse(r.err().contains("internal error"), r.err());
        assertEquals(0, r.code(), r.err());   // scored without a model: each value predicted by the last
        assertTrue(r.out().contains("tiny.csv: no model: 8 valid row(s), the first 4 for training"), r.out());
        assertEquals(9, Files.readAllLines(dir.resolve("out/tiny.csv")).size(), "a result row per input row");

        Path empty = dir.resolve("empty.csv");
        Files.write(empty, new byte[0]);
        r = detect("--input", empty.toString(), "--output", dir.resolve("out").toString(), "--train-fraction", "0.5");
        assertEquals(2, r.code(), r.err());
        assertEquals("detect: empty.csv: not scored: the file is empty (0 rows); expected a header "
                + "timestamp,value[,...] or key,ts,v1[,...] and data rows; no result written\n", r.err());

        Path noValues = dir.resolve("no_values.csv");
        Files.write(noValues, List.of("timestamp,value", "2014-01-01 00:00:00,high", "2014-01-01 00:05:00,"));
        r = detect("--input", noValues.toString(), "--output", dir.resolve("out").toString(), "--train-fraction",
                "0.5");
        assertFalse(r.err().contains("internal error"), r.err());
        // no valid row: nothing to train on, so no model; both rows keep their place as dead letters
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("no_values.csv: no model: 0 valid row(s)"), r.out());
        List<String> result = Files.readAllLines(dir.resolve("out/no_values.csv"));
        assertEquals(3, result.size(), String.join("\n", result));
        assertTrue(result.get(1).endsWith(",bad_value") && result.get(2).endsWith(",bad_value"), String.join("\n", result));
    }
}
