package dev.lstmflink.jobs.detect;

import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.connect.CsvRecordParser;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.EventShape;
import dev.lstmflink.connect.Parsed;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.csv.CsvCells;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.train.Trainer;
import dev.lstmflink.train.data.DataException;
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
 * its series, at most {@code training.max_rows} rows (what users with a history of normal data do); that model is
 * written beside the result. A series too short for the training window and validation split trains with what it has
 * ({@link TrainingPlan}: without validation, with a shorter window, or no model).
 *
 * <p>A problem with one file's data (empty, a header only, an unreadable header, columns that do not fit the model,
 * no data row) is a {@link Note} naming the file, its rows and what was needed; the run goes on
 * with the other files. The summary ends with every series that had a fallback and every file that was not processed
 * ({@link Outcome#notProcessed()}; {@code jobs/detect} then exits with 2 after writing the others).
 */
public final class CsvReplay {

    /** One input file's run; {@code modelVersion} is null when it was scored without a model. */
    public record FileResult(Path input, Path output, LocalRun.Result run, String modelVersion,
                             Map<String, List<long[]>> labelledWindows, Map<String, double[]> meanScores) {}

    /** What was done with a series (or a whole file) that could not be handled the normal way. */
    public enum Action {
        TRAINED_WITHOUT_VALIDATION("trained without validation"),
        TRAINED_WITH_SHORTER_WINDOW("trained with a shorter window"),
        LEFT_OUT_OF_TRAINING("left out of training"),
        NO_MODEL("no model"),
        NOT_SCORED("not scored");

        private final String label;

        Action(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * A series with a fallback, or a file that could not be processed ({@link Action#NOT_SCORED}: no result was
     * written for it).
     *
     * @param input  the input file
     * @param file   its path relative to the input folder
     * @param series the series (key), or null for the whole file
     * @param detail the rows it has, what was needed and what was done
     */
    public record Note(Path input, String file, String series, Action action, String detail) {

        /** {@code file[ (series s)]: action: detail}. */
        public String line() {
            String key = file.endsWith(".csv") ? file.substring(0, file.length() - 4) : file;
            return file + (series == null || series.equals(key) ? "" : " (series " + series + ")") + ": "
                    + action.label() + ": " + detail;
        }
    }

    /**
     * All files, the notes on series with fallbacks and on files not processed, the summary lines and the report.
     */
    public record Outcome(List<FileResult> files, List<Note> notes, List<String> summary, Path report,
                          Path deadLetters) {

        /** The files that could not be processed at all (no result written). */
        public List<Note> notProcessed() {
            return notes.stream().filter(n -> n.action() == Action.NOT_SCORED).toList();
        }

        /** True when every input file got its result (some series perhaps with fallbacks). */
        public boolean allProcessed() {
            return notProcessed().isEmpty();
        }
    }

    /** A problem with one input file's data: the file is not processed, the run goes on with the others. */
    static final class FileProblem extends Exception {
        private static final long serialVersionUID = 1L;

        FileProblem(String message) {
            super(message);
        }
    }

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
        // A given model is the run's, not a file's: a problem with it stops the run before any file.
        Given given = null;
        if (c.training.trainFraction == null) {
            byte[] bytes = DetectModels.read(c, c.model);
            given = new Given(bytes, LstmModelFile.read(bytes, c.model));
        }
        Path out = Path.of(c.output);
        Files.createDirectories(out);
        Map<String, List<long[]>> windows = NabLabels.find(root);
        if (!windows.isEmpty()) {
            log.accept("labelled anomaly windows for " + windows.size() + " file(s) from " + NabLabels.FILE);
        }
        List<FileResult> results = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        List<DeadLetter> allDeadLetters = new ArrayList<>();
        for (Path f : files) {
            String rel = root.relativize(f.toAbsolutePath()).toString().replace('\\', '/');
            List<Note> fileNotes = new ArrayList<>();
            try {
                FileResult r = replay(c, given, f, rel, out, windows.getOrDefault(rel, List.of()), epochs, log,
                        fileNotes);
                results.add(r);
                allDeadLetters.addAll(r.run().deadLetters());
            } catch (FileProblem | IllegalArgumentException | DataException e) {
                // a problem with this file's data: the others go on
                fileNotes.add(new Note(f, rel, null, Action.NOT_SCORED, e.getMessage() + "; no result written"));
            }
            for (Note n : fileNotes) {
                log.accept(n.line());
            }
            notes.addAll(fileNotes);
        }
        Path deadLetters = out.resolve("dead-letters.jsonl");
        DetectFiles.writeDeadLetters(deadLetters, allDeadLetters);
        Path report = out.resolve("report.html");
        List<String> summary = summary(results, notes, files.size(), c.scoring().mode());
        Reports.replay(report, results, summary, c.scoring().mode());
        return new Outcome(results, notes, summary, report, deadLetters);
    }

    /** The model given with --model: its bytes and what they hold. */
    private record Given(byte[] bytes, LstmModel model) {}

    private static FileResult replay(DetectConfig c, Given given, Path file, String rel, Path outDir,
            List<long[]> labelled, Trainer.Listener epochs, Consumer<String> log, List<Note> notes)
            throws Exception {
        List<String> lines;
        try {
            lines = lines(file);
        } catch (IOException e) {
            throw new FileProblem("cannot be read: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        if (lines.isEmpty()) {
            throw new FileProblem("the file is empty (0 rows); expected a header timestamp,value[,...] or "
                    + "key,ts,v1[,...] and data rows");
        }
        List<String> header = CsvCells.splitOrNull(lines.get(0));
        int columns = header == null ? 0 : header.size();
        boolean keyed = header != null && !header.isEmpty() && header.get(0).trim().equalsIgnoreCase("key");
        int k = columns - (keyed ? 2 : 1);
        if (k < 1) {
            throw new FileProblem("expected a header timestamp,value[,...] or key,ts,v1[,...], got "
                    + (header == null ? "an unreadable line" : header.size() + " column(s): " + lines.get(0)));
        }
        String key = rel.endsWith(".csv") ? rel.substring(0, rel.length() - 4) : rel;
        // A given model says how the k columns after the timestamp split into values and ids (its embedding's); a
        // model trained here takes them all as values.
        if (given != null) {
            checkColumns(k, given.model(), c.model);
        }
        EventShape shape = given == null ? EventShape.values(k) : EventShape.of(given.model());
        CsvRecordParser parser = keyed ? new CsvRecordParser(shape, c.input.maxRecordBytes)
                : CsvRecordParser.singleSeries(key, shape, c.input.maxRecordBytes);
        int first = parser.isHeader(lines.get(0)) ? 1 : 0;
        List<RawRecord> records = new ArrayList<>(lines.size());
        for (int i = first; i < lines.size(); i++) {
            records.add(RawRecord.line(rel, i + 1, lines.get(i)));
        }
        if (records.isEmpty()) {
            throw new FileProblem("0 data rows (a header only); there is nothing to score");
        }

        byte[] model;
        String modelName;
        if (given == null) {
            Path modelFile = outDir.resolve(key + ".safetensors");
            Files.createDirectories(modelFile.toAbsolutePath().getParent());
            Training training = trainingRows(records, parser, c.training.trainFraction, c.training.maxRows);
            if (!keyed) {
                training.rows().declare(key);   // a series none of whose rows parse is still a series (of 0 rows)
            }
            log.accept(String.format(Locale.ROOT, "%s: training on the first %s%% of each series%s (%,d rows)", rel,
                    percent(c.training.trainFraction), c.training.maxRows == null ? ""
                            : String.format(Locale.ROOT, ", at most %,d rows", c.training.maxRows),
                    training.rows().count()));
            DetectModels.Trained t = train(c, training, rel, records.size(), modelFile, epochs, notes, file);
            model = t.model();
            modelName = t.hasModel() ? modelFile.toString() : "no model (" + rel + ")";
        } else {
            model = given.bytes();
            modelName = c.model;
        }
        LstmModel m = given != null ? given.model() : model == null ? null : LstmModelFile.read(model, modelName);
        if (m != null) {
            checkColumns(k, m, modelName);
        }
        String version = m == null ? null : m.version();
        log.accept(String.format("%s: scoring %,d rows with %s", rel, records.size(),
                m == null ? "no model (the last value predicts the next)" : "model " + version));
        // model == null: no model; the detection operator predicts each value by the last one (DetectFunction)
        LocalRun.Result run = LocalRun.run("lstm-flink detect (replay " + rel + ")", records, parser, c.scoring(),
                c.detectOptions(false), model, modelName, c.flink.parallelism, n -> { });
        Path output = outDir.resolve(rel);
        Files.createDirectories(output.toAbsolutePath().getParent());
        writeResult(output, records, parser, run);
        Map<String, List<long[]>> windows = labelled.isEmpty() ? Map.of() : Map.of(key, labelled);
        return new FileResult(file, output, run, version, windows, meanScores(run.detections(), windows));
    }

    /**
     * Trains the file's model as {@link TrainingPlan} decides and notes each series with a fallback; a data problem
     * in training (a {@link DataException}) gives no model, with its message.
     */
    private static DetectModels.Trained train(DetectConfig c, Training training, String rel, int records,
            Path modelFile, Trainer.Listener epochs, List<Note> notes, Path file) throws Exception {
        DetectConfig.Training t = c.training;
        DetectModels.Trained trained;
        try {
            trained = DetectModels.train(training.rows(), t, rel, modelFile, epochs);
        } catch (Exception e) {
            DataException data = dataException(e);
            if (data == null) {
                throw e;
            }
            notes.add(new Note(file, rel, null, Action.NO_MODEL, "training failed: " + data.getMessage()));
            return new DetectModels.Trained(null, null, null, 0, 0);
        }
        TrainingPlan plan = trained.plan();
        Map<String, Integer> counts = training.rows().counts();
        String rows = counts.size() == 1 ? rowsOf(training, counts.keySet().iterator().next(), t) + "; "
                : String.format(Locale.ROOT, "%,d rows, %,d series; ", records, counts.size());
        String epochsDone = String.format(Locale.ROOT, " (%d epochs, the last kept)", trained.epochsRun());
        switch (plan.kind()) {
            case FULL -> { }
            case NO_VALIDATION -> notes.add(new Note(file, rel, single(counts), Action.TRAINED_WITHOUT_VALIDATION,
                    rows + plan.reason() + epochsDone));
            case SHORTER_WINDOW -> notes.add(new Note(file, rel, single(counts), Action.TRAINED_WITH_SHORTER_WINDOW,
                    rows + plan.reason() + epochsDone));
            case NO_MODEL -> notes.add(new Note(file, rel, single(counts), Action.NO_MODEL,
                    rows + (training.valid() == 0 ? "none of its " + records + " rows is valid (see the dead "
                            + "letters)" : plan.reason())));
        }
        plan.leftOut().forEach((series, why) -> notes.add(new Note(file, rel, series, Action.LEFT_OUT_OF_TRAINING,
                rowsOf(training, series, t) + "; " + why)));
        return trained;
    }

    /** The one series of a file that has one, else null (the note is about the whole file). */
    private static String single(Map<String, Integer> counts) {
        return counts.size() == 1 ? counts.keySet().iterator().next() : null;
    }

    /** "1,243 valid rows, the first 186 for training (train_fraction 0.15)". */
    private static String rowsOf(Training training, String series, DetectConfig.Training t) {
        int valid = training.valid(series);
        int used = training.rows().counts().getOrDefault(series, 0);
        boolean capped = t.maxRows != null && used == t.maxRows && Math.floor(valid * t.trainFraction) > t.maxRows;
        return String.format(Locale.ROOT, "%,d valid row(s), the first %,d for training (%s)", valid, used,
                capped ? "max_rows " + t.maxRows : "train_fraction " + t.trainFraction);
    }

    private static String percent(double f) {
        String s = String.format(Locale.ROOT, "%.2f", 100 * f);
        return s.replaceAll("\\.?0+$", "");
    }

    /** The data problem behind a failure, also when a Flink job wrapped it. */
    static DataException dataException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DataException d) {
                return d;
            }
        }
        return null;
    }

    /** The {@code k} columns after the timestamp are the model's numeric values followed by its ids. */
    private static void checkColumns(int k, LstmModel m, String modelName) throws FileProblem {
        if (m.numericInputs() + m.idsPerStep() != k) {
            throw new FileProblem(k + " value column(s), model " + modelName
                    + " takes input_size " + m.lstm().config().inputSize() + (m.idsPerStep() == 0 ? ""
                    : " (" + m.numericInputs() + " value column(s) then " + m.idsPerStep() + " id column(s))"));
        }
    }

    /**
     * The rows a file's model trains on, and each series' valid (parsed) rows.
     *
     * @param validRows the parsed rows of each series
     */
    record Training(DetectModels.Rows rows, Map<String, Integer> validRows) {

        int valid(String series) {
            return validRows.getOrDefault(series, 0);
        }

        int valid() {
            return validRows.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /**
     * The first min(⌊fraction · n⌋, maxRows) of each key's n parsed rows ({@code maxRows} null: no cap). NAB's
     * probationary period is min(⌊0.15 · n⌋, 750), computed in double as here.
     */
    static Training trainingRows(List<RawRecord> records, CsvRecordParser parser, double fraction,
            Integer maxRows) {
        Map<String, List<SensorEvent>> byKey = new LinkedHashMap<>();
        for (RawRecord r : records) {
            Parsed p = parser.parse(r);
            if (p.isOk()) {
                byKey.computeIfAbsent(p.event().key, x -> new ArrayList<>()).add(p.event());
            }
        }
        DetectModels.Rows rows = new DetectModels.Rows();
        Map<String, Integer> valid = new LinkedHashMap<>();
        byKey.forEach((key, events) -> {
            valid.put(key, events.size());
            rows.declare(key);
            int n = (int) Math.floor(events.size() * fraction);
            if (maxRows != null) {
                n = Math.min(n, maxRows);
            }
            for (int i = 0; i < n; i++) {
                rows.add("train", key, events.get(i).ts, events.get(i).values);
            }
        });
        return new Training(rows, valid);
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

    private static List<String> summary(List<FileResult> results, List<Note> notes, int files,
            ScoringConfig.Mode mode) {
        List<String> out = new ArrayList<>();
        for (FileResult r : results) {
            LocalRun.Result run = r.run();
            long flagged = run.detections().stream().filter(d -> d.anomaly).count();
            out.add(String.format(Locale.ROOT, "%s -> %s: %s; %,d flagged; %s", r.input(), r.output(),
                    run.counts().summary().replace('\n', ' '), flagged,
                    r.modelVersion() == null ? "no model" : "model " + r.modelVersion()));
            r.meanScores().forEach((k, s) -> out.add(String.format(Locale.ROOT,
                    "  %s: mean anomaly_score %.3f inside the labelled windows, %.3f outside", k, s[0], s[1])));
        }
        List<Note> fallbacks = notes.stream().filter(n -> n.action() != Action.NOT_SCORED).toList();
        List<Note> skipped = notes.stream().filter(n -> n.action() == Action.NOT_SCORED).toList();
        out.add(String.format(Locale.ROOT, "%d of %d file(s) scored, %d series with a fallback, %d file(s) not "
                + "processed", results.size(), files, fallbacks.size(), skipped.size()));
        if (!fallbacks.isEmpty()) {
            out.add("series with a fallback:");
            fallbacks.forEach(n -> out.add("  " + n.line()));
        }
        if (!skipped.isEmpty()) {
            out.add("files not processed (no result written):");
            skipped.forEach(n -> out.add("  " + n.line()));
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
