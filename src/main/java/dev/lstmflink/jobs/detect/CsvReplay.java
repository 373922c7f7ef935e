package dev.lstmflink.jobs.detect;

import dev.lstmflink.cli.DetectConfig;
import dev.lstmflink.connect.CsvCells;
import dev.lstmflink.connect.CsvRecordParser;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.EventShape;
import dev.lstmflink.connect.Parsed;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.flink.SensorEvent;
import dev.lstmflink.flink.detect.Detection;
import dev.lstmflink.train.Trainer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code jobs/detect --input FILE_OR_DIR --output DIR}: the detection pipeline over CSV files, one local Flink run per
 * file, writing one result CSV per input at the same relative path under the output folder.
 *
 * <p>Layouts: {@code key,ts,v1,...,vk} when the header's first column is {@code key}, else single-series
 * {@code timestamp,v1,...,vk} keyed by the file's path without {@code .csv} (the Numenta Anomaly Benchmark's files);
 * the first line is a header when it looks like one.
 *
 * <p>Each result has one row per input row (the header aside), in the input's order, duplicate timestamps kept,
 * with the columns {@code timestamp,value,anomaly_score} (NAB's results format; the input's timestamp text and first
 * value as they were) followed by {@code prediction,residual,threshold,anomaly,key,dead_letter}. A row that could not
 * be parsed keeps its place with an anomaly_score of 0 and the dead letter's reason; a key's first row has no
 * prediction and a score of 0. Dead letters are also written, whole, to {@code dead-letters.jsonl}.
 *
 * <p>The model is {@code --model}, or with {@code --train-fraction F} one trained per file on the first F of each of
 * its series (what users with a history of normal data do); that model is written beside the result.
 */
public final class CsvReplay {

    /** One input file's run. */
    public record FileResult(Path input, Path output, LocalRun.Result run, String modelVersion,
                             Map<String, List<long[]>> labelledWindows, Map<String, double[]> meanScores) {}

    /** All files, the summary lines and the report. */
    public record Outcome(List<FileResult> files, List<String> summary, Path report, Path deadLetters) {}

    private static final String RESULT_HEADER =
            "timestamp,value,anomaly_score,prediction,residual,threshold,anomaly,key,dead_letter";

    private CsvReplay() {}

    public static Outcome run(DetectConfig c, Path input, Trainer.Listener epochs, Consumer<String> log)
            throws Exception {
        if (!Files.exists(input)) {
            throw new IllegalArgumentException("--input " + input + ": no such file or directory");
        }
        if (c.model == null && c.training.trainFraction == null) {
            throw new IllegalArgumentException("CSV replay needs a model: give --model FILE, or --train-fraction F "
                    + "to train one on the first part F of each series");
        }
        Path root = Files.isDirectory(input) ? input.toAbsolutePath() : input.toAbsolutePath().getParent();
        List<Path> files = Files.isDirectory(input) ? csvFilesRecursively(input) : List.of(input);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--input " + input + ": the folder holds no *.csv file");
        }
        Path out = Path.of(c.output);
        Files.createDirectories(out);
        Map<String, List<long[]>> windows = NabLabels.find(root);
        if (!windows.isEmpty()) {
            log.accept("labelled anomaly windows for " + windows.size() + " file(s) from " + NabLabels.FILE);
        }
        List<FileResult> results = new ArrayList<>();
        List<DeadLetter> allDeadLetters = new ArrayList<>();
        for (Path f : files) {
            String rel = root.relativize(f.toAbsolutePath()).toString().replace('\\', '/');
            FileResult r = replay(c, f, rel, out, windows.getOrDefault(rel, List.of()), epochs, log);
            results.add(r);
            allDeadLetters.addAll(r.run().deadLetters());
        }
        Path deadLetters = out.resolve("dead-letters.jsonl");
        DetectFiles.writeDeadLetters(deadLetters, allDeadLetters);
        Path report = out.resolve("report.html");
        List<String> summary = summary(results);
        Reports.replay(report, results, summary, c.scoring().mode());
        return new Outcome(results, summary, report, deadLetters);
    }

    private static FileResult replay(DetectConfig c, Path file, String rel, Path outDir, List<long[]> labelled,
            Trainer.Listener epochs, Consumer<String> log) throws Exception {
        List<String> lines = lines(file);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + ": the file is empty");
        }
        List<String> header = CsvCells.splitOrNull(lines.get(0));
        int columns = header == null ? 0 : header.size();
        boolean keyed = header != null && !header.isEmpty() && header.get(0).trim().equalsIgnoreCase("key");
        int k = columns - (keyed ? 2 : 1);
        if (k < 1) {
            throw new IllegalArgumentException(file + ": expected a header timestamp,value[,...] or key,ts,v1[,...], "
                    + "got " + (header == null ? "an unreadable line" : header.size() + " column(s): " + lines.get(0)));
        }
        String key = rel.endsWith(".csv") ? rel.substring(0, rel.length() - 4) : rel;
        // A given model says how the k columns after the timestamp split into values and ids (its embedding's); a
        // model trained here takes them all as values.
        byte[] model = null;
        LstmModel given = null;
        if (c.training.trainFraction == null) {
            model = DetectModels.read(c, Path.of(c.model));
            given = LstmModelFile.read(model, c.model);
            checkColumns(file, k, given, c.model);
        }
        EventShape shape = given == null ? EventShape.values(k) : EventShape.of(given);
        CsvRecordParser parser = keyed ? new CsvRecordParser(shape, c.input.maxRecordBytes)
                : CsvRecordParser.singleSeries(key, shape, c.input.maxRecordBytes);
        int first = parser.isHeader(lines.get(0)) ? 1 : 0;
        List<RawRecord> records = new ArrayList<>(lines.size());
        for (int i = first; i < lines.size(); i++) {
            records.add(RawRecord.line(rel, i + 1, lines.get(i)));
        }

        String modelName;
        if (c.training.trainFraction != null) {
            Path modelFile = outDir.resolve(key + ".safetensors");
            Files.createDirectories(modelFile.toAbsolutePath().getParent());
            DetectModels.Rows rows = trainingRows(records, parser, c.training.trainFraction);
            log.accept(String.format(Locale.ROOT, "%s: training on the first %.0f%% of each series (%,d rows)", rel,
                    100 * c.training.trainFraction, rows.count()));
            model = DetectModels.train(rows, c.training, rel, modelFile, epochs);
            modelName = modelFile.toString();
        } else {
            modelName = c.model;
        }
        LstmModel m = given != null ? given : LstmModelFile.read(model, modelName);
        checkColumns(file, k, m, modelName);
        log.accept(String.format("%s: scoring %,d rows with model %s", rel, records.size(), m.version()));
        LocalRun.Result run = LocalRun.run("lstm-flink detect (replay " + rel + ")", records, parser, c.scoring(),
                c.detectOptions(false), model, modelName, c.flink.parallelism, n -> { });
        Path output = outDir.resolve(rel);
        Files.createDirectories(output.toAbsolutePath().getParent());
        writeResult(output, records, parser, run);
        Map<String, List<long[]>> windows = labelled.isEmpty() ? Map.of() : Map.of(key, labelled);
        return new FileResult(file, output, run, m.version(), windows, meanScores(run.detections(), windows));
    }

    /** The {@code k} columns after the timestamp are the model's numeric values followed by its ids. */
    private static void checkColumns(Path file, int k, LstmModel m, String modelName) {
        if (m.numericInputs() + m.idsPerStep() != k) {
            throw new IllegalArgumentException(file + " has " + k + " value column(s), model " + modelName
                    + " takes input_size " + m.lstm().config().inputSize() + (m.idsPerStep() == 0 ? ""
                    : " (" + m.numericInputs() + " value column(s) then " + m.idsPerStep() + " id column(s))"));
        }
    }

    /** The first fraction of each key's parsed rows. */
    static DetectModels.Rows trainingRows(List<RawRecord> records, CsvRecordParser parser, double fraction) {
        Map<String, List<SensorEvent>> byKey = new LinkedHashMap<>();
        for (RawRecord r : records) {
            Parsed p = parser.parse(r);
            if (p.isOk()) {
                byKey.computeIfAbsent(p.event().key, x -> new ArrayList<>()).add(p.event());
            }
        }
        DetectModels.Rows rows = new DetectModels.Rows();
        byKey.forEach((key, events) -> {
            int n = (int) Math.floor(events.size() * fraction);
            for (int i = 0; i < n; i++) {
                rows.add("train", key, events.get(i).ts, events.get(i).values);
            }
        });
        return rows;
    }

    /**
     * One row per record in the records' order: its detection (each key's detections arrive in its records' order,
     * so a queue per key puts them back in place) or its dead letter (found by line number).
     */
    static void writeResult(Path output, List<RawRecord> records, CsvRecordParser parser, LocalRun.Result run)
            throws IOException {
        Map<String, ArrayDeque<Detection>> byKey = new HashMap<>();
        for (Detection d : run.detections()) {
            byKey.computeIfAbsent(d.key, x -> new ArrayDeque<>()).add(d);
        }
        Map<Long, DeadLetter> byLine = new HashMap<>();
        for (DeadLetter d : run.deadLetters()) {
            byLine.put(d.offset, d);
        }
        try (BufferedWriter w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            w.write(RESULT_HEADER);
            w.write('\n');
            for (RawRecord r : records) {
                List<String> cells = CsvCells.splitOrNull(r.text);
                int tsCol = parser.tsColumn();
                String ts = cells != null && cells.size() > tsCol ? cells.get(tsCol) : "";
                String value = cells != null && cells.size() > tsCol + 1 ? cells.get(tsCol + 1) : "";
                DeadLetter dead = byLine.get(r.offset);
                StringBuilder row = new StringBuilder();
                row.append(Csv.cell(ts)).append(',').append(Csv.cell(value)).append(',');
                if (dead != null) {
                    row.append("0,,,,0,,").append(Csv.cell(dead.reason));
                } else {
                    Parsed p = parser.parse(r);
                    ArrayDeque<Detection> q = p.isOk() ? byKey.get(p.event().key) : null;
                    Detection d = q == null ? null : q.poll();
                    if (d == null) {
                        throw new IllegalStateException(output + ": no detection for line " + r.offset + " ("
                                + r.text + "); the run lost a record");
                    }
                    row.append(Double.isNaN(d.score) ? "0" : Double.toString(d.score)).append(',')
                            .append(d.prediction == null ? "" : Float.toString(d.prediction[0])).append(',')
                            .append(Csv.number(d.residual)).append(',').append(Csv.number(d.threshold)).append(',')
                            .append(d.anomaly ? 1 : 0).append(',').append(Csv.cell(d.key)).append(',');
                }
                w.write(row.append('\n').toString());
            }
        }
    }

    /** Per key with labelled windows: {mean score inside the windows, mean score outside}. */
    static Map<String, double[]> meanScores(List<Detection> detections, Map<String, List<long[]>> windows) {
        Map<String, double[]> sums = new HashMap<>();   // in, nIn, out, nOut
        for (Detection d : detections) {
            List<long[]> w = windows.get(d.key);
            if (w == null || Double.isNaN(d.score)) {
                continue;
            }
            boolean in = w.stream().anyMatch(x -> d.ts >= x[0] && d.ts <= x[1]);
            double[] s = sums.computeIfAbsent(d.key, x -> new double[4]);
            s[in ? 0 : 2] += d.score;
            s[in ? 1 : 3]++;
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        sums.forEach((k, s) -> out.put(k, new double[] {s[0] / s[1], s[2] / s[3]}));
        return out;
    }

    private static List<String> summary(List<FileResult> results) {
        List<String> out = new ArrayList<>();
        for (FileResult r : results) {
            LocalRun.Result run = r.run();
            long flagged = run.detections().stream().filter(d -> d.anomaly).count();
            out.add(String.format(Locale.ROOT, "%s -> %s: %s; %,d flagged; model %s", r.input(), r.output(),
                    run.counts().summary().replace('\n', ' '), flagged, r.modelVersion()));
            r.meanScores().forEach((k, s) -> out.add(String.format(Locale.ROOT,
                    "  %s: mean anomaly_score %.3f inside the labelled windows, %.3f outside", k, s[0], s[1])));
        }
        return out;
    }

    /** The lines of a file as text; bytes that are not UTF-8 become U+FFFD (the row is then dead-lettered). */
    static List<String> lines(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(text.lines().toList());
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    static List<Path> csvFilesRecursively(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".csv"))
                    .map(Path::toAbsolutePath).sorted().toList();
        }
    }
}
