package dev.lstmflink.lab;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.jobs.detect.DetectModels;
import dev.lstmflink.train.data.Normalization;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Lab tool, not part of the product: the next-step predictions of the detection job's model for every NAB series,
 * cached so that scoring variants can be compared in seconds. Trains as CSV replay does (the first
 * min(floor(0.15 n), 750) rows, the shipped training settings) and steps the LSTM over every row.
 *
 * <pre>java -cp ... dev.lstmflink.lab.NabPredictions NAB_DIR CACHE_DIR</pre>
 */
public final class NabPredictions {

    /** One series: raw values, normalised values and the prediction made for each row (NaN for the first). */
    public record Series(String rel, float[] raw, float[] x, float[] pred) {}

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    public static void main(String[] args) throws Exception {
        Path nab = Path.of(args[0]);
        Path cache = Path.of(args[1]);
        Path data = nab.resolve("data");
        List<Path> files;
        try (Stream<Path> s = Files.walk(data)) {
            files = s.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        }
        for (Path f : files) {
            String rel = data.relativize(f).toString();
            Path out = cache.resolve(rel + ".bin");
            if (Files.exists(out)) {
                continue;
            }
            long t0 = System.nanoTime();
            Series s = predict(f, rel, cache.resolve(rel + ".safetensors"));
            Files.createDirectories(out.getParent());
            write(out, s);
            System.out.printf("%s: %d rows, %.1f s%n", rel, s.raw.length, (System.nanoTime() - t0) / 1e9);
        }
    }

    static Series predict(Path file, String rel, Path modelFile) throws Exception {
        List<String> lines = Files.readAllLines(file);
        int n = lines.size() - 1;
        float[] raw = new float[n];
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
            String[] c = lines.get(i + 1).split(",");
            ts[i] = LocalDateTime.parse(c[0].trim(), TS).toInstant(ZoneOffset.UTC).toEpochMilli();
            raw[i] = Float.parseFloat(c[1].trim());
        }
        int probation = Math.min((int) Math.floor(0.15 * n), 750);
        DetectConfig.Training t = DetectConfig.defaults().training;
        t.hiddenSize = Integer.getInteger("lab.hidden", t.hiddenSize);
        t.epochs = Integer.getInteger("lab.epochs", t.epochs);
        t.window = Integer.getInteger("lab.window", t.window);
        t.patience = Integer.getInteger("lab.patience", t.patience);
        t.lr = Double.parseDouble(System.getProperty("lab.lr", "" + t.lr));
        t.seed = Long.getLong("lab.seed", t.seed);
        DetectModels.Rows rows = new DetectModels.Rows();
        for (int i = 0; i < probation; i++) {
            rows.add("train", rel, ts[i], new float[] {raw[i]});
        }
        Files.createDirectories(modelFile.getParent());
        // as CsvReplay trains (TrainingPlan decides about short series); every NAB series gets a model
        byte[] bytes = DetectModels.train(rows, t, rel, modelFile, (e) -> { }).model();
        LstmModel m = LstmModelFile.read(bytes, modelFile.toString());
        String norm = m.metadata().get("normalization");
        Normalization nz = norm == null ? null : Normalization.fromJson(norm);
        LstmStepper<float[]> stepper = m.lstm().stepper();
        LinearHead head = m.head();
        float[] state = stepper.newState();
        float[] x = new float[n];
        float[] pred = new float[n];
        float[] v = new float[1];
        float[] next = new float[1];
        float pending = Float.NaN;
        for (int i = 0; i < n; i++) {
            v[0] = raw[i];
            if (nz != null) {
                nz.apply(v);
            }
            x[i] = v[0];
            pred[i] = pending;
            stepper.step(v, 0, state);
            head.apply(state, stepper.outputOffset(), next, 0);
            pending = next[0];
        }
        return new Series(rel, raw, x, pred);
    }

    static void write(Path out, Series s) throws IOException {
        try (DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(out)))) {
            o.writeInt(s.raw.length);
            for (float[] a : new float[][] {s.raw, s.x, s.pred}) {
                for (float v : a) {
                    o.writeFloat(v);
                }
            }
        }
    }

    public static Series read(Path cache, String rel) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
                Files.newInputStream(cache.resolve(rel + ".bin"))))) {
            int n = in.readInt();
            float[][] a = new float[3][n];
            for (float[] arr : a) {
                for (int i = 0; i < n; i++) {
                    arr[i] = in.readFloat();
                }
            }
            return new Series(rel, a[0], a[1], a[2]);
        }
    }

    public static List<String> list(Path cache) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(cache)) {
            s.filter(p -> p.toString().endsWith(".csv.bin")).sorted().forEach(p -> {
                String r = cache.relativize(p).toString();
                out.add(r.substring(0, r.length() - 4));
            });
        }
        return out;
    }
}
