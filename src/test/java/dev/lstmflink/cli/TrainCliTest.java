package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.ConfigException;
import dev.lstmflink.config.TrainConfig;
import dev.lstmflink.jobs.TrainJob;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.Trainer;
import dev.lstmflink.train.model.Initializers;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import picocli.CommandLine;

/** {@code jobs/train} without Flink: the YAML config, its errors, flags over the file, and the HTML report. */
class TrainCliTest {

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- YAML config

    @Test
    void parsesEverySection() throws Exception {
        TrainConfig c = TrainConfig.parse("""
                data:
                  window: 24
                  stride: 24
                  validation_fraction: 0.25
                model:
                  hidden_size: 8
                  layers: 2
                  dropout: 0.1
                  init: keras
                optimiser:
                  epochs: 7
                  batch_size: 16
                  lr: 1e-2
                  betas: [0.8, 0.99]
                  eps: 1.0e-7
                  weight_decay: 0.0001
                  clip_norm: 0
                  schedule: step
                  step_size: 3
                  gamma: 0.5
                patience: 0
                seed: 7
                parallelism: 3
                report: out/r.html
                """, "test.yaml");
        assertEquals(24, c.data.window);
        assertEquals(24, c.data.stride);
        assertEquals(0.25, c.data.validationFraction);
        assertEquals(8, c.model.hiddenSize);
        assertEquals(2, c.model.layers);
        assertEquals(0.1, c.model.dropout);
        assertEquals(3, c.parallelism);
        assertEquals("out/r.html", c.report);
        TrainOptions o = c.options();
        assertEquals(7, o.epochs());
        assertEquals(16, o.batchSize());
        assertEquals(0.8, o.beta1());
        assertEquals(0.99, o.beta2());
        assertEquals(1e-7, o.eps());
        assertEquals(1e-4, o.weightDecay());
        assertEquals(0.0, o.clipNorm());
        assertEquals(0, o.patience());
        assertEquals(7L, o.seed());
        assertEquals(Initializers.Scheme.KERAS, o.init());
        assertEquals(1e-2, o.schedule().lr(0), 1e-15);   // "1e-2" without a dot is a YAML string: read as a number
        assertEquals(1e-2, o.schedule().lr(2), 1e-15);
        assertEquals(5e-3, o.schedule().lr(3), 1e-15);
    }

    @Test
    void cosineScheduleDefaultsItsPeriodToTheEpochs() throws Exception {
        TrainConfig c = TrainConfig.parse("optimiser: {epochs: 10, schedule: cosine, lr: 0.1, eta_min: 0.0}\n", "t");
        assertEquals(10, c.tMax());
        assertEquals(0.1, c.options().schedule().lr(0), 1e-12);
        assertEquals(0.05, c.options().schedule().lr(5), 1e-12);
        assertEquals(0.0, c.options().schedule().lr(10), 1e-12);
    }

    @Test
    void leftOutKeysAndAnEmptyFileKeepTheDefaults() throws Exception {
        TrainConfig empty = TrainConfig.parse("", "empty.yaml");
        TrainConfig partial = TrainConfig.parse("model:\n  hidden_size: 4\ndata:\n", "p.yaml");
        assertEquals(TrainConfig.defaults().settings(), empty.settings());
        assertEquals(4, partial.model.hiddenSize);
        assertEquals(TrainConfig.defaults().data.window, partial.data.window);
        assertNull(partial.report);
    }

    @Test
    void shippedConfigFileEqualsTheBuiltInDefaults() throws Exception {
        TrainConfig file = TrainConfig.read(Path.of("config/train.yaml"));
        TrainConfig builtIn = TrainConfig.defaults();
        assertEquals(builtIn.settings(), file.settings());
        assertNull(file.report);
        assertNull(file.optimiser.tMax);
        TrainOptions d = TrainOptions.defaults();
        TrainOptions o = file.options();
        assertEquals(d.epochs(), o.epochs());
        assertEquals(d.batchSize(), o.batchSize());
        assertEquals(d.schedule().lr(0), o.schedule().lr(0));
        assertEquals(d.schedule().lr(d.epochs() - 1), o.schedule().lr(d.epochs() - 1));
        assertEquals(d.beta1(), o.beta1());
        assertEquals(d.beta2(), o.beta2());
        assertEquals(d.eps(), o.eps());
        assertEquals(d.weightDecay(), o.weightDecay());
        assertEquals(d.clipNorm(), o.clipNorm());
        assertEquals(d.patience(), o.patience());
        assertEquals(d.seed(), o.seed());
        assertEquals(d.init(), o.init());
    }

    @Test
    void unknownKeyIsAnErrorNamingTheKeyAndTheClosestKnownOne() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TrainConfig.parse("model:\n  hiden_size: 8\n", "my.yaml"));
        assertTrue(e.getMessage().contains("my.yaml"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key 'model.hiden_size'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'model.hidden_size'"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> TrainConfig.parse("epochs: 3\n", "my.yaml"));
        assertTrue(e.getMessage().contains("unknown key 'epochs'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'optimiser.epochs'"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> TrainConfig.parse("colour: blue\n", "my.yaml"));
        assertTrue(e.getMessage().endsWith("unknown key 'colour'"), e.getMessage());
    }

    @Test
    void wrongTypeIsAnErrorNamingKeyAndValue() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TrainConfig.parse("data:\n  window: forty\n", "my.yaml"));
        assertTrue(e.getMessage().contains("key 'data.window'"), e.getMessage());
        assertTrue(e.getMessage().contains("\"forty\""), e.getMessage());
        assertTrue(e.getMessage().contains("integer"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> TrainConfig.parse("optimiser:\n  epochs: 2.5\n", "my.yaml"));
        assertTrue(e.getMessage().contains("key 'optimiser.epochs'") && e.getMessage().contains("2.5"),
                e.getMessage());

        e = assertThrows(ConfigException.class, () -> TrainConfig.parse("model:\n  init: xavier\n", "my.yaml"));
        assertTrue(e.getMessage().contains("key 'model.init'") && e.getMessage().contains("xavier")
                && e.getMessage().contains("pytorch or keras"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> TrainConfig.parse("data: 5\n", "my.yaml"));
        assertTrue(e.getMessage().contains("key 'data'") && e.getMessage().contains("5"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> TrainConfig.parse("optimiser:\n  lr: fast\n", "my.yaml"));
        assertTrue(e.getMessage().contains("key 'optimiser.lr'") && e.getMessage().contains("fast"), e.getMessage());
    }

    @Test
    void outOfRangeValueIsAnErrorNamingKeyAndValue() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TrainConfig.parse("data:\n  validation_fraction: 1.5\n", "my.yaml"));
        assertTrue(e.getMessage().contains("key 'data.validation_fraction'") && e.getMessage().contains("1.5"),
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> TrainConfig.parse("optimiser:\n  betas: [0.9]\n", "my.yaml"));
        assertTrue(e.getMessage().contains("key 'optimiser.betas'"), e.getMessage());
    }

    @Test
    void malformedYamlIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> TrainConfig.parse("data: [1, 2\n", "bad.yaml"));
        assertTrue(e.getMessage().startsWith("bad.yaml: not valid YAML"), e.getMessage());
    }

    @Test
    void flagsOverrideTheFile() throws Exception {
        Path yaml = tmp.resolve("t.yaml");
        Files.writeString(yaml, """
                data: {window: 10, stride: 5}
                model: {hidden_size: 4, layers: 2}
                optimiser: {epochs: 3}
                parallelism: 2
                report: from-config.html
                """);
        TrainCli cli = new TrainCli();
        new CommandLine(cli).parseArgs("--input", "x.csv", "--output", "m.safetensors", "--config", yaml.toString(),
                "--epochs", "9", "--hidden-size", "16", "--window", "30", "--parallelism", "1", "--report", "r.html");
        TrainConfig c = cli.settings().config();
        assertEquals(9, c.optimiser.epochs);
        assertEquals(16, c.model.hiddenSize);
        assertEquals(30, c.data.window);
        assertEquals(1, c.parallelism);
        assertEquals("r.html", c.report);
        assertEquals(2, c.model.layers, "not given as a flag: from the file");
        assertEquals(5, c.data.stride, "not given as a flag: from the file");

        TrainCli noFlags = new TrainCli();
        new CommandLine(noFlags).parseArgs("--input", "x.csv", "--output", "m.safetensors", "--config",
                yaml.toString());
        assertEquals(3, noFlags.settings().config().optimiser.epochs);
        assertEquals("from-config.html", noFlags.settings().config().report);
    }

    @Test
    void badFlagOrConfigIsExitCodeTwoWithoutStackTrace() throws Exception {
        Path yaml = tmp.resolve("bad.yaml");
        Files.writeString(yaml, "optimiser:\n  epoch: 3\n");
        Run r = run("--input", "x.csv", "--output", "m.safetensors", "--config", yaml.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("unknown key 'optimiser.epoch'") && r.err().contains("optimiser.epochs"),
                r.err());
        assertFalse(r.err().contains("\tat "), r.err());

        r = run("--input", "x.csv", "--output", "m.safetensors", "--config", yaml.resolveSibling("none.yaml")
                .toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("none.yaml: no such file"), r.err());

        r = run("--input", "x.csv", "--output", "m.safetensors", "--epochs", "0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--epochs must be >= 1, got 0"), r.err());

        r = run("--input", tmp.resolve("missing.csv").toString(), "--output", "m.safetensors");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("missing.csv: no such file or directory"), r.err());
    }

    @Test
    void aBlankModelVersionOrOneAlreadyPublishedIsRefusedBeforeTraining() throws Exception {
        Path csv = Files.writeString(tmp.resolve("data.csv"), "timestamp,value\n2024-01-01 00:00:00,1\n");
        Path out = tmp.resolve("m.safetensors");
        Run blank = run("--input", csv.toString(), "--output", out.toString(), "--model-version", " ");
        assertEquals(2, blank.code(), blank.err());
        assertEquals("train: --model-version is blank; give a name, or leave it out for the default",
                blank.err().strip());

        Path folder = Files.createDirectories(tmp.resolve("models"));
        Files.writeString(folder.resolve("taxi_v2.safetensors"), "published earlier");
        Run taken = run("--input", csv.toString(), "--output", out.toString(), "--model-version", "taxi v2",
                "--publish", folder.toString());
        assertEquals(2, taken.code(), taken.err());
        assertTrue(taken.err().startsWith("train: " + folder + ": version taxi v2 is already published there "
                + "(taxi_v2.safetensors)"), taken.err());
        assertFalse(taken.out().contains("epoch"), "refused before training: " + taken.out());
        assertFalse(Files.exists(out));
        assertThrows(IllegalArgumentException.class, () -> new TrainJob.Spec(csv, out, 4, 1, 0,
                4, 4, 0.2, TrainOptions.defaults(), 1, null, null, null, ""));
    }

    /** One run of the tool through picocli, as {@code main} does it but without exiting. */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TrainCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    // ---------------------------------------------------------------- console lines

    @Test
    void epochLineHasTheLossesRateEtaAndBestMark() {
        Trainer.EpochStats s = new Trainer.EpochStats(3, 20, 0.04123, 0.03981, 1e-3, 1.2, 12345.4, 42, true);
        assertEquals("epoch  3/20  train 0.0412  val 0.0398  12,345 windows/s  ETA 0:42  *best",
                TrainCli.epochLine(s));
        Trainer.EpochStats t = new Trainer.EpochStats(20, 20, 2.5e-5, 3e-5, 1e-3, 1.2, 99.6, 3725, false);
        assertEquals("epoch 20/20  train 2.500e-05  val 3.000e-05  100 windows/s  ETA 1:02:05", TrainCli.epochLine(t));
    }

    @Test
    void epochPrinterWithoutATerminalPrintsPlainLines() {
        StringWriter sw = new StringWriter();
        try (TrainCli.EpochPrinter p = new TrainCli.EpochPrinter(new PrintWriter(sw), null, 2)) {
            for (Trainer.EpochStats s : history(2, false)) {
                p.epoch(s);
            }
        }
        String[] lines = sw.toString().split("\n");
        assertEquals(2, lines.length, sw.toString());
        assertTrue(lines[0].startsWith("epoch 1/2  train "), lines[0]);
        assertFalse(sw.toString().contains("\033"), "no terminal control codes without a terminal");
    }

    // ---------------------------------------------------------------- HTML report

    static List<Trainer.EpochStats> history(int n, boolean wideRange) {
        List<Trainer.EpochStats> h = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (int e = 1; e <= n; e++) {
            double train = wideRange ? 2.0 * Math.pow(0.5, e) : 0.5 - 0.01 * e;
            double val = wideRange ? 2.2 * Math.pow(0.55, e) + (e > 8 ? 0.01 * (e - 8) : 0) : 0.52 - 0.008 * e;
            boolean b = val < best;
            best = Math.min(best, val);
            h.add(new Trainer.EpochStats(e, n, train, val, 1e-3, 0.5, 1000 + e, (n - e) * 0.5, b));
        }
        return h;
    }

    static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void reportHasTheChartWithTwoPolylinesTheEpochsTableAndTheSettings() throws Exception {
        List<Trainer.EpochStats> h = history(12, true);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("model.hidden_size", "8");
        settings.put("note", "<script>alert(1)</script>");
        TrainingReport.Content c = new TrainingReport.Content("Training report: m.safetensors", "data/x.csv",
                "m.safetensors", "data: data/x.csv\n  1 file, 100 rows read: 99 good, 1 bad\n  x.csv:3: bad", settings,
                h, 8, true);
        Path file = tmp.resolve("sub/training-report.html");
        TrainingReport.write(file, c);
        String html = Files.readString(file);

        assertTrue(html.startsWith("<!DOCTYPE html>"), html);
        assertTrue(html.contains("<title>Training report: m.safetensors</title>"), html);
        assertEquals(1, count(html, "<svg"), html);
        assertEquals(2, count(html, "<polyline"), html);
        assertTrue(html.contains("<polyline class=\"train\"") && html.contains("<polyline class=\"validation\""));
        Matcher pts = Pattern.compile("<polyline class=\"validation\"[^>]* points=\"([^\"]*)\"").matcher(html);
        assertTrue(pts.find());
        assertEquals(12, pts.group(1).trim().split(" ").length, "one point per epoch");
        assertTrue(html.contains("(log scale)"), "losses spanning more than a decade are plotted on a log scale");
        assertTrue(html.contains("best: epoch 8"), html);
        assertTrue(html.contains("<circle class=\"best\""), html);

        assertTrue(html.contains("<table class=\"epochs\">"), html);
        assertEquals(12 + 1, count(html.substring(html.indexOf("<table class=\"epochs\">")), "<tr"),
                "a header row and one row per epoch");
        assertEquals(1, count(html, "<tr class=\"best\">"));
        assertTrue(html.contains("x.csv:3: bad"), "the data summary");
        assertTrue(html.contains("model.hidden_size") && html.contains("Stopped early"), html);
        assertFalse(html.contains("<script"), "text is escaped");
        assertTrue(html.contains("&lt;script&gt;"), html);
        assertFalse(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "").contains("http"), "no links");
        assertFalse(html.contains("src=") || html.contains("href="), "self-contained: no external resources");

        // well-formed XML, as report.html is: the settings come back unescaped, a control character as U+FFFD
        settings.put("bell", "ding\u0007");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(TrainingReport.html(c)
                .getBytes(StandardCharsets.UTF_8)));
        String table = ((Element) doc.getElementsByTagName("table").item(0)).getTextContent();
        assertTrue(table.contains("note<script>alert(1)</script>") && table.contains("bellding\uFFFD"), table);
    }

    @Test
    void reportUsesALinearScaleForANarrowRangeAndHandlesOneEpoch() {
        String narrow = TrainingReport.html(new TrainingReport.Content("t", "i", "m", "d", Map.of(), history(5, false),
                5, false));
        assertFalse(narrow.contains("(log scale)"), narrow);
        assertEquals(2, count(narrow, "<polyline"));

        List<Trainer.EpochStats> tiny = new ArrayList<>();
        for (int e = 1; e <= 6; e++) {
            tiny.add(new Trainer.EpochStats(e, 6, 1e-3 * Math.pow(0.5, e), 1.2e-3 * Math.pow(0.5, e), 1e-3, 1, 1, 0,
                    true));
        }
        String small = TrainingReport.chart(tiny, 6);
        assertTrue(small.contains("(log scale)"), small);
        for (String label : List.of(">1e-5<", ">2e-5<", ">5e-5<", ">1e-4<", ">5e-4<", ">0.001<")) {
            assertTrue(small.contains(label), label + " in " + small);
        }

        String one = TrainingReport.html(new TrainingReport.Content("t", "i", "m", "d", Map.of(), history(1, false),
                1, false));
        assertEquals(2, count(one, "<polyline"));
        assertFalse(one.contains("NaN"), one);
    }
}
