package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.train.data.Normalization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jobs/train} in process, running real Flink jobs in a local environment: NAB's nyc_taxi for two epochs with a
 * small model gives a model file that loads with its head and normalization, and the HTML report; malformed rows
 * are reported by file and line and the good rows train; an empty file is exit code 2 with a clear message.
 */
class TrainCliITCase {

    private static final Path TAXI = Path.of("src/test/resources/data/nab/nyc_taxi.csv");

    @TempDir
    static Path tmp;

    /** Small and fast: windows of 24 half-hours, not overlapping. */
    static Path config;

    @BeforeAll
    static void writeConfig() throws Exception {
        config = tmp.resolve("small.yaml");
        Files.writeString(config, """
                data:
                  stride: 24
                  validation_fraction: 0.2
                optimiser:
                  batch_size: 32
                  lr: 0.01
                patience: 0
                """);
    }

    @Test
    void trainsOnNycTaxiAndWritesTheModelAndTheReport() throws Exception {
        Path out = tmp.resolve("taxi/taxi.safetensors");
        TrainCliTest.Run r = TrainCliTest.run("--input", TAXI.toString(), "--output", out.toString(), "--config",
                config.toString(), "--epochs", "2", "--hidden-size", "8", "--window", "24", "--parallelism", "1");
        String log = r.out() + r.err();
        assertEquals(0, r.code(), log);
        assertEquals("", r.err(), "errors go to stderr, and there are none");

        assertTrue(r.out().contains("config: " + config), log);
        assertTrue(r.out().contains("1 file, 10320 rows read: 10320 good, 0 bad"), log);
        assertTrue(r.out().contains("nyc_taxi.csv"), log);
        assertTrue(Pattern.compile("(?m)^epoch 1/2  train \\d\\.\\d{4}  val \\d\\.\\d{4}  [\\d,]+ windows/s  "
                + "ETA \\d+:\\d\\d  \\*best$").matcher(r.out()).find(), log);
        assertTrue(Pattern.compile("(?m)^epoch 2/2  train ").matcher(r.out()).find(), log);
        assertTrue(r.out().contains("model: " + out), log);
        assertTrue(Pattern.compile("best epoch [12] of 2").matcher(r.out()).find(), log);

        LstmModel model = LstmModelFile.read(out);
        assertEquals(1, model.lstm().config().inputSize());
        assertEquals(8, model.lstm().config().hiddenSize());
        assertEquals(1, model.head().outFeatures());
        String norm = model.metadata().get("normalization");
        assertTrue(norm != null && norm.contains("\"mean\"") && norm.contains("\"std\""), model.metadata().toString());
        Normalization n = Normalization.fromJson(norm);
        assertTrue(n.mean()[0] > 1000 && n.std()[0] > 1000, "taxi passengers per half hour: " + n);

        Path report = out.resolveSibling("training-report.html");
        assertTrue(r.out().contains("report: " + report), log);
        String html = Files.readString(report);
        assertTrue(html.contains("<svg") && html.contains("<polyline class=\"validation\""), html);
        assertTrue(html.contains("<table class=\"epochs\">"), html);
    }

    @Test
    void malformedRowsAreReportedByFileAndLineAndTheGoodRowsTrain() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        Path csv = dir.resolve("mixed.csv");
        StringBuilder sb = new StringBuilder("timestamp,value\n");
        int line = 1;
        int good = 0;
        for (int t = 0; t < 400; t++) {
            line++;
            if (line == 5) {
                sb.append("2024-01-01 00:03:00,abc\n");           // not a number
            } else if (line == 9) {
                sb.append("2024-01-01 00:07:00\n");               // missing the value
            } else if (line == 200) {
                sb.append("yesterday,1.5\n");                     // not a timestamp
            } else {
                sb.append(String.format(Locale.ROOT, "2024-01-01 %02d:%02d:00,%.4f%n", t / 60, t % 60,
                        Math.sin(t / 5.0)));
                good++;
            }
        }
        Files.writeString(csv, sb);
        Path out = dir.resolve("m.safetensors");
        TrainCliTest.Run r = TrainCliTest.run("--input", csv.toString(), "--output", out.toString(), "--config",
                config.toString(), "--epochs", "1", "--hidden-size", "4", "--window", "12");
        String log = r.out() + r.err();
        assertEquals(0, r.code(), log);
        assertTrue(r.out().contains("400 rows read: " + good + " good, 3 bad"), log);
        assertTrue(r.out().contains("mixed.csv:5: "), log);
        assertTrue(r.out().contains("mixed.csv:9: "), log);
        assertTrue(r.out().contains("mixed.csv:200: "), log);
        assertTrue(Files.isRegularFile(out) && Files.isRegularFile(dir.resolve("training-report.html")), log);
        assertTrue(Files.readString(dir.resolve("training-report.html")).contains("mixed.csv:200: "));
    }

    @Test
    void modelVersionNamesTheModelAndPublishPutsItInTheWatchedFolder() throws Exception {
        Path out = tmp.resolve("published/taxi.safetensors");
        Path folder = tmp.resolve("published/models");
        TrainCliTest.Run r = TrainCliTest.run("--input", TAXI.toString(), "--output", out.toString(), "--config",
                config.toString(), "--epochs", "1", "--hidden-size", "4", "--window", "24", "--parallelism", "1",
                "--model-version", "taxi v2", "--publish", folder.toString());
        String log = r.out() + r.err();
        assertEquals(0, r.code(), log);
        assertEquals("taxi v2", LstmModelFile.read(out).version());
        assertEquals("taxi v2", LstmModelFile.read(out).metadata().get(LstmModelFile.VERSION_KEY));

        Path published = folder.resolve("taxi_v2.safetensors").toAbsolutePath();
        assertTrue(r.out().contains("published taxi v2 to " + published + " (" + Files.size(out) + " bytes)"), log);
        assertEquals("taxi v2", LstmModelFile.read(published).version());
        assertTrue(Arrays.equals(Files.readAllBytes(out), Files.readAllBytes(published)));
    }

    @Test
    void emptyFileIsExitCodeTwoWithAClearMessage() throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.csv"));
        Path out = tmp.resolve("never.safetensors");
        TrainCliTest.Run r = TrainCliTest.run("--input", empty.toString(), "--output", out.toString(), "--epochs", "1");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("train: ") && r.err().contains("empty.csv") && r.err().contains("empty"),
                r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
        assertFalse(Files.exists(out));
    }
}
