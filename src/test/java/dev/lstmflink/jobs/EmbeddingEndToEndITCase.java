package dev.lstmflink.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.cli.DetectCli;
import dev.lstmflink.cli.TrainCli;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.DeadLetterJson;
import dev.lstmflink.core.io.EmbeddingConfigJson;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.nn.Embedding;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.train.data.Normalization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The embedding front end through the product, as a user runs it, with real files: {@code jobs/train} (the
 * {@link TrainCli} command, Flink batch jobs) trains on a CSV with a categorical column {@code machine_state}
 * ({@code data.id_columns}, {@code model.embedding} in a YAML config); the model file it writes has the embedding;
 * {@code jobs/detect --input} (the {@link DetectCli} command's CSV replay on local Flink) scores a CSV with the id
 * column, bad ids among its rows.
 *
 * <p>The data make the ids matter: each step's value depends on the machine's state at the previous step, which the
 * values alone do not reveal (the state changes at random), so a model that learnt the embedding predicts much better
 * with the true ids than with wrong ones. State 0 ("off") is the padding row, present in the data, so training must
 * keep it zero although it is looked up.
 *
 * <p>The detector's predictions are checked against a reference computed here from the same model file with the core
 * alone: the whole sequence of each key's good rows through {@link LstmModel#forward} (the batch forward, where the
 * operator steps one event at a time), the head, and the file's normalisation.
 */
class EmbeddingEndToEndITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final String HEADER = "key,ts,value,machine_state";
    private static final String[] KEYS = {"press-1", "press-2", "press-3"};
    private static final long T0 = 1_767_225_600_000L;   // 2026-01-01T00:00:00Z
    /** What each state adds to the next value: v_{t+1} = 0.7 v_t + DRIVE[s_t] + noise. State 0 is "off". */
    private static final double[] DRIVE = {0.0, 1.0, -1.0, 2.0};
    /** Bad ids of the detection file (num_embeddings is 4), at (step, key index). */
    private static final String[] BAD_IDS = {"9", "x", "1.5", "-1"};
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    /** One CSV data row as written; {@code good} when its id is one the model can embed. */
    private record Row(String key, long ts, String value, String id, boolean good, int line) {
        String text() {
            return key + "," + ts + "," + value + "," + id;
        }
    }

    @Test
    void trainsWithAnEmbeddingThenDetectsWithItAsTheCoreComputes() throws Exception {
        // ---- 1. train with jobs/train on a CSV with a categorical column
        Path trainCsv = dir.resolve("data/train.csv");
        List<Row> trainRows = machines(400, 11, new int[0][]);
        List<String> trainLines = lines(trainRows);
        // two bad training rows: the trainer reports them by file and line and trains on the rest
        trainLines.add(5, KEYS[0] + "," + (T0 - 60_000L) + ",0.5,9");
        trainLines.add(9, KEYS[1] + "," + (T0 - 60_000L) + ",0.5,x");
        Files.createDirectories(trainCsv.getParent());
        Files.write(trainCsv, trainLines);
        Path config = dir.resolve("train.yaml");
        Files.writeString(config, """
                data:
                  window: 16
                  stride: 4
                  validation_fraction: 0.2
                  id_columns: [machine_state]
                model:
                  hidden_size: 8
                  embedding: {num_embeddings: 4, embedding_dim: 2, padding_idx: 0}
                optimiser:
                  epochs: 12
                  batch_size: 16
                  lr: 0.02
                patience: 0
                seed: 5
                parallelism: 2
                """);
        Path modelFile = dir.resolve("model/machines.safetensors");
        Run train = run(new TrainCli(), "--input", trainCsv.toString(), "--output", modelFile.toString(),
                "--config", config.toString());
        String trainLog = train.out() + train.err();
        assertEquals(0, train.code(), trainLog);
        assertTrue(train.out().contains((trainRows.size() + 2) + " rows read: " + trainRows.size() + " good, 2 bad"),
                trainLog);
        assertTrue(train.out().contains("train.csv:6: column 'machine_state': id 9 is outside [0, num_embeddings "
                + "= 4)"), trainLog);
        assertTrue(train.out().contains("train.csv:10: column 'machine_state': not an id"), trainLog);
        assertTrue(train.out().contains("embedding: nn.Embedding(4, 2) of [machine_state] -> 2 more LSTM inputs"),
                trainLog);
        assertTrue(train.out().contains("model: LSTM(3 -> 8, 1 layer) + Linear(8 -> 1)"), trainLog);
        assertTrue(train.out().contains("epoch 12/12"), trainLog);

        // ---- 2. the model file has the embedding
        LstmModel model = LstmModelFile.read(modelFile);
        Embedding emb = model.embedding();
        assertNotNull(emb, "the model file has embedding.weight: " + model.metadata());
        EmbeddingConfig ec = emb.config();
        assertEquals(4, ec.numEmbeddings());
        assertEquals(2, ec.embeddingDim());
        assertEquals(0, ec.paddingIdx());
        assertEquals(1, ec.idsPerStep());
        assertFalse(ec.hasMaxNorm());
        assertNotNull(model.metadata().get(EmbeddingConfigJson.METADATA_KEY), model.metadata().toString());
        assertEquals(3, model.lstm().config().inputSize(), "1 value + 1 id x embedding_dim 2");
        assertEquals(1, model.numericInputs());
        assertEquals(1, model.idsPerStep());
        assertEquals(1, model.head().outFeatures(), "the head predicts the numeric value only");
        float[] table = emb.weight();
        assertEquals(4 * 2, table.length, "embedding.weight [4, 2]");
        assertEquals(0f, table[0], "the padding row starts at zero and never learns, although state 0 is in the data");
        assertEquals(0f, table[1], "the padding row starts at zero and never learns, although state 0 is in the data");
        for (int i = 2; i < table.length; i++) {
            assertTrue(Float.isFinite(table[i]) && table[i] != 0f, "embedding.weight[" + i / 2 + "]: " + table[i]);
        }
        Normalization norm = Normalization.fromJson(model.metadata().get("normalization"));
        assertEquals(1, norm.featureCount(), "normalisation covers the numeric column only");

        // ---- 3. jobs/detect replays a CSV with the id column, bad ids among the rows
        int[][] bad = {{20, 0}, {45, 1}, {70, 2}, {90, 0}};
        List<Row> rows = machines(120, 99, bad);
        Path detectCsv = dir.resolve("replay/detect.csv");
        Files.createDirectories(detectCsv.getParent());
        Files.write(detectCsv, lines(rows));
        Path out = dir.resolve("out");
        Run detect = run(new DetectCli(), "--input", detectCsv.toString(), "--model", modelFile.toString(),
                "--output", out.toString(), "--parallelism", "2");
        String detectLog = detect.out() + detect.err();
        assertEquals(0, detect.code(), detectLog);

        long good = rows.stream().filter(Row::good).count();
        Matcher counts = Pattern.compile("received ([\\d,]+) = scored ([\\d,]+) \\+ dead-lettered ([\\d,]+) \\+ "
                + "late ([\\d,]+)").matcher(detect.out());
        assertTrue(counts.find(), detectLog);
        long received = number(counts.group(1));
        long scored = number(counts.group(2));
        long deadLettered = number(counts.group(3));
        long late = number(counts.group(4));
        assertEquals(received, scored + deadLettered + late, "the books balance: " + counts.group());
        assertEquals(rows.size(), received, counts.group());
        assertEquals(good, scored, counts.group());
        assertEquals(BAD_IDS.length, deadLettered, counts.group());
        assertEquals(0, late, counts.group());
        assertFalse(detect.out().contains("DOES NOT BALANCE"), detectLog);

        // every bad id is a dead letter with reason bad_id, its file and line, and the line as it was
        Map<Long, DeadLetter> letters = new HashMap<>();
        for (String json : Files.readAllLines(out.resolve("dead-letters.jsonl"))) {
            DeadLetter d = DeadLetterJson.fromJson(json);
            assertNull(letters.put(d.offset, d), "one dead letter per line: " + json);
        }
        assertEquals(BAD_IDS.length, letters.size(), letters.toString());
        for (Row r : rows) {
            DeadLetter d = letters.get((long) r.line());
            if (r.good()) {
                assertNull(d, "line " + r.line() + " is good: " + d);
                continue;
            }
            assertNotNull(d, "line " + r.line() + " (" + r.text() + ") has a dead letter: " + letters);
            assertEquals(DeadLetter.BAD_ID, d.reason, d.toString());
            assertEquals("detect.csv", d.source, d.toString());
            assertEquals(r.text(), d.raw, d.toString());
            assertTrue(d.detail.startsWith("id1 (column 4)") && d.detail.contains(r.id()), d.detail);
        }

        // every good row got a detection, in place, with the prediction the core computes from the model file
        Map<Row, Float> reference = reference(model, rows, IntUnaryOperator.identity());
        List<String> result = Files.readAllLines(out.resolve("detect.csv"));
        assertEquals(rows.size() + 1, result.size(), "one result row per input row");
        assertTrue(result.get(0).startsWith("timestamp,value,anomaly_score,prediction,residual,threshold,anomaly,"
                + "key,dead_letter"), result.get(0));
        double maxDiff = 0;
        double errTrue = 0;
        int predicted = 0;
        Map<String, Integer> seen = new HashMap<>();
        for (Row r : rows) {
            String[] cells = result.get(r.line() - 1).split(",", -1);
            assertEquals(9, cells.length, result.get(r.line() - 1));
            assertEquals(Long.toString(r.ts()), cells[0], "line " + r.line());
            if (!r.good()) {
                assertEquals(DeadLetter.BAD_ID, cells[8], "line " + r.line() + ": " + result.get(r.line() - 1));
                continue;
            }
            assertEquals("", cells[8], "line " + r.line() + ": " + result.get(r.line() - 1));
            assertEquals(r.key(), cells[7], "line " + r.line());
            boolean first = seen.merge(r.key(), 1, Integer::sum) == 1;
            Float want = reference.get(r);
            if (first) {
                assertNull(want);
                assertEquals("", cells[3], "a key's first event has no prediction: " + result.get(r.line() - 1));
                continue;
            }
            float got = Float.parseFloat(cells[3]);
            double diff = Math.abs(got - want);
            maxDiff = Math.max(maxDiff, diff);
            assertTrue(diff <= TOLERANCE, String.format(Locale.ROOT, "line %d (%s): detector predicted %s, the core "
                    + "%s", r.line(), r.text(), got, want));
            errTrue += Math.abs(want - Float.parseFloat(r.value()));
            predicted++;
        }
        assertEquals(good - KEYS.length, predicted, "a prediction for every good row but each key's first");

        // the embedding matters: the same model fed the wrong states predicts far worse
        Map<Row, Float> wrong = reference(model, rows, id -> id == 1 ? 2 : id == 2 ? 1 : id);
        double errWrong = 0;
        for (Map.Entry<Row, Float> e : wrong.entrySet()) {
            errWrong += Math.abs(e.getValue() - Float.parseFloat(e.getKey().value()));
        }
        System.out.printf(Locale.ROOT, "EmbeddingEndToEndITCase: %d predictions, max |detector - core| %.2e; mean "
                        + "absolute error %.4f with the true states, %.4f with states 1 and 2 swapped%n", predicted,
                maxDiff, errTrue / predicted, errWrong / predicted);
        assertTrue(errTrue < 0.5 * errWrong, String.format(Locale.ROOT, "mean absolute error with the true states "
                + "%.4f, with states 1 and 2 swapped %.4f", errTrue / predicted, errWrong / predicted));
    }

    /**
     * Every key's machine for {@code steps} steps, rows interleaved by time; at each {@code {step, key index}} of
     * {@code bad} one more row of that key with a bad id (which the machine does not take). Lines are numbered from
     * 2 (the header is line 1).
     */
    private static List<Row> machines(int steps, long seed, int[][] bad) {
        Random rnd = new Random(seed);
        double[] v = new double[KEYS.length];
        int[] s = new int[KEYS.length];
        List<Row> rows = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
            for (int k = 0; k < KEYS.length; k++) {
                long ts = T0 + 60_000L * t;
                rows.add(new Row(KEYS[k], ts, String.format(Locale.ROOT, "%.4f", v[k]), Integer.toString(s[k]), true,
                        rows.size() + 2));
                for (int b = 0; b < bad.length; b++) {
                    if (bad[b][0] == t && bad[b][1] == k) {
                        rows.add(new Row(KEYS[k], ts + 1, String.format(Locale.ROOT, "%.4f", v[k]), BAD_IDS[b],
                                false, rows.size() + 2));
                    }
                }
                // v_{t+1} depends on s_t; s_{t+1} is drawn afresh half of the time, so the values cannot tell it
                v[k] = 0.7 * v[k] + DRIVE[s[k]] + 0.05 * rnd.nextGaussian();
                if (rnd.nextBoolean()) {
                    s[k] = rnd.nextInt(DRIVE.length);
                }
            }
        }
        return rows;
    }

    private static List<String> lines(List<Row> rows) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        rows.forEach(r -> lines.add(r.text()));
        return lines;
    }

    /**
     * The prediction made for each good row but each key's first, in the data's units: each key's good rows as one
     * sequence, values normalised with the file's normalisation, ids mapped by {@code ids}, through
     * {@link LstmModel#forward} from zero state; the head on step t-1's output predicts row t.
     */
    private static Map<Row, Float> reference(LstmModel model, List<Row> rows, IntUnaryOperator ids) {
        Normalization norm = Normalization.fromJson(model.metadata().get("normalization"));
        Map<String, List<Row>> byKey = new LinkedHashMap<>();
        rows.stream().filter(Row::good).forEach(r -> byKey.computeIfAbsent(r.key(), x -> new ArrayList<>()).add(r));
        Map<Row, Float> out = new HashMap<>();
        int hidden = model.lstm().config().outputSize();
        byKey.forEach((key, seq) -> {
            int n = seq.size();
            float[] values = new float[n];
            int[] idSeq = new int[n];
            for (int t = 0; t < n; t++) {
                values[t] = (float) Double.parseDouble(seq.get(t).value());
                idSeq[t] = ids.applyAsInt(Integer.parseInt(seq.get(t).id()));
            }
            norm.apply(values);
            float[] h = model.forward(values, idSeq, n, 1, null, null).output();   // [T, 1, H]
            float[] y = new float[1];
            for (int t = 1; t < n; t++) {
                model.head().apply(h, (t - 1) * hidden, y, 0);
                norm.invert(y);
                out.put(seq.get(t), y[0]);
            }
        });
        return out;
    }

    private static long number(String s) {
        return Long.parseLong(s.replace(",", ""));
    }

    private record Run(int code, String out, String err) {}

    private static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(command).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
