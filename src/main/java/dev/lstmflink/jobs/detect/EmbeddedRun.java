package dev.lstmflink.jobs.detect;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.connect.JsonRecordParser;
import dev.lstmflink.connect.SyntheticSensors;
import dev.lstmflink.connect.SyntheticSensors.Anomaly;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.record.Detection;
import dev.lstmflink.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The embedded default of {@code jobs/detect}: generate {@link SyntheticSensors}, train a small model on their
 * anomaly-free start (or load the configured one), stream every reading through {@link LocalRun} as JSON records,
 * and score the detections against the injected anomalies with {@link Evaluation}. Writes {@code model.safetensors}
 * (when trained), {@code detections.csv}, {@code dead-letters.jsonl} and {@code report.html} into the output folder.
 */
public final class EmbeddedRun {

    /** What a run produced. */
    public record Outcome(SyntheticSensors.Data data, LocalRun.Result run, Evaluation.Result evaluation,
                          Path model, boolean trained, String modelVersion, Path detections, Path deadLetters,
                          Path report) {}

    /** Detections up to this long after an anomaly's end still count for it: a quarter of a day. */
    static long tolerance(SyntheticSensors.Data d) {
        return d.spec().period() / 4 * d.intervalMillis();
    }

    /** Flags at most this far apart are one detected sequence: five readings. */
    static long mergeGap(SyntheticSensors.Data d) {
        return 5 * d.intervalMillis();
    }

    private EmbeddedRun() {}

    /**
     * @param epochs   each training epoch, for progress output
     * @param progress outputs collected so far
     * @param log      one line per step
     */
    public static Outcome run(DetectConfig c, Trainer.Listener epochs, LongConsumer progress, Consumer<String> log)
            throws Exception {
        Path dir = Path.of(c.output);
        Files.createDirectories(dir);
        DetectConfig.Embedded e = c.embedded;
        SyntheticSensors.Data data = SyntheticSensors.generate(new SyntheticSensors.Spec(e.sensors, e.points,
                e.trainPoints, e.period, e.anomaliesPerSensor, e.badRecords, e.seed));
        log.accept(String.format("embedded source: %d sensors x %,d readings (%d a day), %d anomalies injected after "
                + "reading %,d, %d malformed records mixed in", e.sensors, e.points, e.period,
                data.anomalies().size(), e.trainPoints, e.badRecords));

        Path modelFile;
        boolean trained = c.model == null;
        byte[] model;
        if (trained) {
            modelFile = dir.resolve("model.safetensors");
            DetectModels.Rows rows = new DetectModels.Rows();
            for (int s = 0; s < data.keys().size(); s++) {
                for (int t = 0; t < e.trainPoints; t++) {
                    rows.add(SyntheticSensors.SOURCE, data.keys().get(s), data.ts(t), new float[] {data.values()[s][t]});
                }
            }
            log.accept(String.format("training LSTM(1, %d) + Linear(%d, 1) on the first %,d readings of each sensor",
                    c.training.hiddenSize, c.training.hiddenSize, e.trainPoints));
            DetectModels.Trained t = DetectModels.train(rows, c.training, "embedded", modelFile, epochs);
            if (!t.hasModel()) {
                // embedded.train_points >= 2 training windows is checked with the settings: cannot happen
                throw new IllegalArgumentException("embedded: no model: " + t.plan().reason());
            }
            if (t.plan().kind() != TrainingPlan.Kind.FULL) {
                log.accept("embedded: " + t.plan().kind().label() + ": " + t.plan().reason() + "; "
                        + t.epochsRun() + " epochs, the last kept");
            }
            model = t.model();
        } else {
            modelFile = Path.of(c.model);
            model = DetectModels.read(c, modelFile);
        }
        LstmModel loaded = LstmModelFile.read(model, modelFile.toString());
        if (loaded.idsPerStep() > 0) {
            // the demo's sensors send one value and no categorical ids: every record would be a dead letter
            throw new IllegalArgumentException("model " + modelFile + " embeds " + loaded.idsPerStep() + " categorical "
                    + "id(s) per event, which the embedded demo's sensors do not send; use a model without an "
                    + "embedding, or replay CSV files or a Kafka topic whose records carry \"ids\"");
        }
        String version = loaded.version();
        log.accept("scoring " + data.records().size() + " records with model " + version + " (" + modelFile + ")");

        LocalRun.Result run = LocalRun.run("lstm-flink detect (embedded)", data.records(),
                new JsonRecordParser(1, c.input.maxRecordBytes), c.scoring(), c.detectOptions(false), model,
                modelFile.toString(), c.flink.parallelism, progress);

        Map<String, long[]> flagged = flagged(run.detections());
        Evaluation.Result evaluation = Evaluation.evaluate(data.anomalies(), flagged, tolerance(data), mergeGap(data));
        Path detections = dir.resolve("detections.csv");
        Path deadLetters = dir.resolve("dead-letters.jsonl");
        DetectFiles.writeDetections(detections, run.detections());
        DetectFiles.writeDeadLetters(deadLetters, run.deadLetters());
        Path report = dir.resolve("report.html");
        Reports.embedded(report, data, run, evaluation, version, c.scoring().mode(), List.of(
                "records: " + run.counts().summary().replace("\n", "; "),
                "model: " + modelFile + " (" + version + ")" + (trained ? ", trained on the first "
                        + e.trainPoints + " readings of each sensor" : "")));
        return new Outcome(data, run, evaluation, modelFile, trained, version, detections, deadLetters, report);
    }

    /** Per key, the timestamps of flagged detections, ascending. */
    static Map<String, long[]> flagged(List<Detection> detections) {
        Map<String, List<Long>> byKey = new HashMap<>();
        for (Detection d : detections) {
            if (d.anomaly) {
                byKey.computeIfAbsent(d.key, k -> new ArrayList<>()).add(d.ts);
            }
        }
        Map<String, long[]> out = new HashMap<>();
        byKey.forEach((k, v) -> out.put(k, v.stream().mapToLong(Long::longValue).sorted().toArray()));
        return out;
    }

    /** The anomalies of one key, for the report. */
    static List<Anomaly> of(SyntheticSensors.Data data, String key) {
        return data.anomalies().stream().filter(a -> a.key().equals(key)).toList();
    }
}
