package dev.lstmflink.jobs.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.jobs.detect.CsvReplay.Action;
import dev.lstmflink.jobs.detect.CsvReplay.Note;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV replay over a folder of series of every length (issue 13, item 4): a normal one, one too short for validation,
 * one too short for the window, one with almost no rows, an empty file and a header without rows. Every file that
 * can be scored is, one result row per input row; the summary names each fallback; the models have the windows the
 * fallbacks promise; max_rows caps the training rows.
 */
class ShortSeriesReplayITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final DateTimeFormatter NAB_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A NAB-style file of {@code rows} readings of a daily cycle every 5 minutes. */
    static void series(Path file, int rows) throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("timestamp,value");
        LocalDateTime t = LocalDateTime.of(2014, 1, 1, 0, 0);
        for (int i = 0; i < rows; i++) {
            double v = 50 + 10 * Math.sin(2 * Math.PI * i / 288.0) + 2 * Math.sin(i * 1.7);
            lines.add(NAB_TS.format(t.plusMinutes(5L * i)) + "," + String.format(Locale.ROOT, "%.3f", v));
        }
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
    }

    private static JsonNode training(Path modelFile) throws Exception {
        LstmModel m = LstmModelFile.read(Files.readAllBytes(modelFile), modelFile.toString());
        return JSON.readTree(m.metadata().get("training"));
    }

    @Test
    void everyFileIsProcessedAndEachFallbackIsNamed(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in");
        series(in.resolve("a/normal.csv"), 1000);        // 500 training rows, capped at 300: 240 + 60
        series(in.resolve("a/no_validation.csv"), 300);  // 150 training rows: 120 + 30 < T+1 = 49
        series(in.resolve("b/short_window.csv"), 60);    // 30 training rows < 49: T' = 29
        series(in.resolve("b/tiny.csv"), 12);            // 6 training rows < 16: no model
        Files.write(in.resolve("b/empty.csv"), new byte[0]);
        Files.write(in.resolve("b/header_only.csv"), List.of("timestamp,value"));
        DetectConfig c = DetectConfig.defaults();
        c.output = dir.resolve("out").toString();
        c.training.trainFraction = 0.5;
        c.training.maxRows = 300;
        c.training.epochs = 3;
        c.training.patience = 1;   // with validation it may stop early; without, every epoch runs
        List<String> log = new ArrayList<>();
        CsvReplay.Outcome o = CsvReplay.run(c, in, s -> { }, log::add);

        // every scored file: one result row per input row, in order, scores in [0, 1]
        List<String> scored = o.files().stream().map(f -> in.relativize(f.input()).toString()).sorted().toList();
        assertEquals(List.of("a/no_validation.csv", "a/normal.csv", "b/short_window.csv", "b/tiny.csv"), scored);
        for (CsvReplay.FileResult f : o.files()) {
            List<String> input = Files.readAllLines(f.input());
            List<String> result = Files.readAllLines(f.output());
            assertEquals(input.size(), result.size(), f.input() + ": one result row per input row");
            for (int i = 1; i < input.size(); i++) {
                String[] a = input.get(i).split(",");
                String[] b = result.get(i).split(",", -1);
                assertEquals(a[0], b[0], f.input() + " row " + i);
                double score = Double.parseDouble(b[2]);
                assertTrue(score >= 0 && score <= 1, result.get(i));
            }
            assertEquals(input.size() - 1, f.run().counts().scored(), f.run().counts().summary());
            assertTrue(f.run().counts().balances());
        }

        // the notes: one per fallback, and one per file that could not be processed
        List<String> lines = o.notes().stream().map(Note::line).toList();
        assertEquals(5, o.notes().size(), String.join("\n", lines));
        Note noValidation = note(o, "a/no_validation.csv");
        assertEquals(Action.TRAINED_WITHOUT_VALIDATION, noValidation.action());
        assertEquals("a/no_validation.csv: trained without validation: 300 valid row(s), the first 150 for training "
                + "(train_fraction 0.5); 150 training rows give 120 training and 30 validation rows with "
                + "validation_fraction 0.2, but one window needs T+1 = 49 rows (T = 48) in each part: all of them "
                + "train with T = 48, without validation (3 epochs, the last kept)", noValidation.line());
        Note shortWindow = note(o, "b/short_window.csv");
        assertEquals(Action.TRAINED_WITH_SHORTER_WINDOW, shortWindow.action());
        assertEquals("b/short_window.csv: trained with a shorter window: 60 valid row(s), the first 30 for training "
                + "(train_fraction 0.5); 30 training rows, but one window of T = 48 needs T+1 = 49: trained with "
                + "T' = 29 on all of them (one window), without validation (3 epochs, the last kept)",
                shortWindow.line());
        Note tiny = note(o, "b/tiny.csv");
        String tinyWhy = "12 valid row(s), the first 6 for training (train_fraction 0.5); 6 training row(s), but one "
                + "window of T = 48 needs T+1 = 49 rows and the shortest window trained instead, T' = 15, needs 16";
        assertEquals(Action.NO_MODEL, tiny.action());
        assertEquals("b/tiny.csv: no model: " + tinyWhy, tiny.line());
        assertEquals("b/empty.csv: not scored: the file is empty (0 rows); expected a header timestamp,value[,...] "
                + "or key,ts,v1[,...] and data rows; no result written", note(o, "b/empty.csv").line());
        assertEquals("b/header_only.csv: not scored: 0 data rows (a header only); there is nothing to score; no "
                + "result written", note(o, "b/header_only.csv").line());
        assertEquals(2, o.notProcessed().size());
        assertFalse(o.allProcessed());

        // the summary (and the report, which shows it) names every one of them
        String summary = String.join("\n", o.summary());
        for (String line : lines) {
            assertTrue(summary.contains("  " + line), line + " in\n" + summary);
        }
        // scored without a model, tiny is a series with a fallback (no model)
        assertTrue(summary.contains("4 of 6 file(s) scored, 3 series with a fallback, 2 file(s) not processed"),
                summary);
        String report = Files.readString(o.report());
        assertTrue(report.contains("no_validation.csv: trained without validation"), "report names the fallbacks");
        assertTrue(report.contains("short_window.csv: trained with a shorter window"));

        // the models have the windows, splits and epochs the fallbacks say; max_rows capped the normal series
        JsonNode normal = training(dir.resolve("out/a/normal.safetensors"));
        assertEquals(300, normal.get("rows").asInt(), "min(floor(0.5 * 1000), max_rows 300)");
        assertEquals(48, normal.get("window").asInt());
        assertEquals(0.2, normal.get("validation_fraction").asDouble());
        assertEquals((240 - 49) / 2 + 1, normal.get("train_windows").asInt());
        assertEquals((60 - 49) / 2 + 1, normal.get("val_windows").asInt());
        assertEquals("best", normal.get("kept").asText());

        JsonNode nv = training(dir.resolve("out/a/no_validation.safetensors"));
        assertEquals(150, nv.get("rows").asInt());
        assertEquals(48, nv.get("window").asInt());
        assertEquals(0.0, nv.get("validation_fraction").asDouble());
        assertEquals((150 - 49) / 2 + 1, nv.get("train_windows").asInt(), "all 150 rows train");
        assertEquals(0, nv.get("val_windows").asInt());
        assertEquals(3, nv.get("epochs_run").asInt(), "no early stopping without validation (patience 1)");
        assertEquals(3, nv.get("best_epoch").asInt());
        assertEquals("last", nv.get("kept").asText());
        assertTrue(nv.get("best_val_loss").isNull());
        assertTrue(o.files().stream().filter(f -> f.input().endsWith("no_validation.csv")).findFirst().orElseThrow()
                .modelVersion().endsWith("-epoch3"));

        JsonNode sw = training(dir.resolve("out/b/short_window.safetensors"));
        assertEquals(30, sw.get("rows").asInt());
        assertEquals(29, sw.get("window").asInt(), "T' = rows - 1");
        assertEquals(1, sw.get("train_windows").asInt());
        assertEquals(0, sw.get("val_windows").asInt());
        assertEquals(3, sw.get("epochs_run").asInt());
        assertFalse(Files.exists(dir.resolve("out/b/tiny.safetensors")), "no model for tiny");
        assertTrue(log.stream().anyMatch(l -> l.startsWith("a/no_validation.csv: trained without validation")),
                log.stream().collect(Collectors.joining("\n")));
    }

    private static Note note(CsvReplay.Outcome o, String file) {
        return o.notes().stream().filter(n -> n.file().equals(file)).findFirst().orElseThrow(() ->
                new AssertionError("no note for " + file + " in " + o.notes()));
    }
}
