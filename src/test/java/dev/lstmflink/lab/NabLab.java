package dev.lstmflink.lab;

import dev.lstmflink.anomaly.KeyScorer;
import dev.lstmflink.anomaly.LikelihoodConfig;
import dev.lstmflink.anomaly.LikelihoodScorer;
import dev.lstmflink.anomaly.LikelihoodState;
import dev.lstmflink.nab.NabCorpus;
import dev.lstmflink.nab.NabReport;
import dev.lstmflink.nab.NabScorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lab tool, not part of the product: scores cached predictions ({@link NabPredictions}) with variants of
 * {@link LikelihoodScorer} and prints NAB's three normalised scores, to find what matters before the job runs it.
 *
 * <pre>java -cp ... dev.lstmflink.lab.NabLab NAB_DIR CACHE_DIR "name key=value ..." ...</pre>
 * keys: average, level, history, warmup, floor, spatial, rest, restScale, threshold (LikelihoodConfig's); error=
 * lstm (the cached predictions), naive (the last value predicts the next), max / min (of the two), select (per key
 * the one with the lower recent error), adaptMU (the head learning on the stream by normalised LMS with step MU),
 * adaptxMU (the same with the last value as an extra input), combine (an LSTM and a naive channel, max, then rest);
 * series=1 lists each series' windows found and false positives, cats=1 the categories.
 */
public final class NabLab {

    public static void main(String[] args) throws Exception {
        NabCorpus corpus = NabCorpus.load(Path.of(args[0]));
        Path cache = Path.of(args[1]);
        cacheDir = cache;
        Map<String, NabPredictions.Series> series = new LinkedHashMap<>();
        for (String rel : NabPredictions.list(cache)) {
            series.put(rel, NabPredictions.read(cache, rel));
        }
        // a partial cache scores the series it has (a sub-corpus, normalised on its own)
        corpus = NabCorpus.of(corpus.series().stream().filter(x -> series.containsKey(x.relativePath())).toList(),
                corpus.profiles());
        System.out.println(corpus.series().size() + " series, " + corpus.windowCount() + " windows");
        NabScorer scorer = new NabScorer(corpus);
        for (int v = 2; v < args.length; v++) {
            Map<String, String> kv = new HashMap<>();
            String[] parts = args[v].trim().split("\\s+");
            for (int i = 1; i < parts.length; i++) {
                String[] p = parts[i].split("=");
                kv.put(p[0], p[1]);
            }
            LikelihoodConfig d = LikelihoodConfig.defaults();
            LikelihoodConfig c = new LikelihoodConfig(
                    Integer.parseInt(kv.getOrDefault("average", "" + d.average())),
                    Integer.parseInt(kv.getOrDefault("level", "" + d.levelAverage())),
                    Integer.parseInt(kv.getOrDefault("history", "" + d.history())),
                    Integer.parseInt(kv.getOrDefault("warmup", "" + d.warmup())),
                    Double.parseDouble(kv.getOrDefault("floor", "" + d.floor())),
                    Double.parseDouble(kv.getOrDefault("spatial", "" + d.spatialTolerance())),
                    Integer.parseInt(kv.getOrDefault("rest", "" + d.rest())),
                    Double.parseDouble(kv.getOrDefault("restScale", "" + d.restScale())),
                    Double.parseDouble(kv.getOrDefault("threshold", "" + d.threshold())));
            String error = kv.getOrDefault("error", "lstm");
            Map<String, double[]> scores = new HashMap<>();
            Map<String, double[]> flags = new HashMap<>();
            for (var e : series.entrySet()) {
                double[][] sf = score(e.getValue(), c, error);
                scores.put(e.getKey(), sf[0]);
                flags.put(e.getKey(), sf[1]);
            }
            NabReport r = scorer.report(parts[0], "anomaly_score", scores);
            NabReport rf = scorer.reportAt(parts[0], "anomaly", flags, 1.0);
            List<String> cells = new ArrayList<>();
            for (NabReport.ProfileResult p : r.profiles()) {
                cells.add(String.format("%s %.2f @%.3f (tp %d fp %d fn %d)", p.profile().name().replace("reward_low_", "")
                        .replace("_rate", ""), p.normalised(), p.threshold(), p.counts().tp(), p.counts().fp(),
                        p.counts().fn()));
            }
            System.out.printf("%-28s %s | flags std %.2f%n", parts[0], String.join("  ", cells),
                    rf.profile("standard").normalised());
            if (kv.containsKey("series")) {
                double t = r.profile("standard").threshold();
                for (var ser : corpus.series()) {
                    double[] sc = scores.get(ser.relativePath());
                    int prob = ser.probationaryRows();
                    StringBuilder w = new StringBuilder();
                    int fp = 0;
                    boolean[] inWin = new boolean[sc.length];
                    for (var win : ser.windows()) {
                        int first = -1;
                        for (int i = win.firstRow(); i <= win.lastRow(); i++) {
                            inWin[i] = true;
                            if (i >= prob && sc[i] >= t && first < 0) {
                                first = i;
                            }
                        }
                        w.append(first < 0 ? " MISS" : String.format(" hit@%.2f", (first - win.firstRow())
                                / (double) (win.lastRow() - win.firstRow() + 1)));
                    }
                    for (int i = prob; i < sc.length; i++) {
                        fp += !inWin[i] && sc[i] >= t ? 1 : 0;
                    }
                    System.out.printf("    %-55s fp %3d%s%n", ser.relativePath(), fp, w);
                }
            }
            if (kv.containsKey("cats")) {
                for (var cr : r.profile("standard").categories()) {
                    System.out.printf("    %-24s %.2f%n", cr.category(), cr.normalised());
                }
            }
        }
    }

    static Path cacheDir;

    /** Predictions of the model whose head learns on the stream: normalised LMS, step mu, per series. */
    static float[] adapt(NabPredictions.Series s, double mu) {
        return adapt(s, mu, false);
    }

    static float[] adapt(NabPredictions.Series s, double mu, boolean withX) {
        try {
            var m = dev.lstmflink.core.io.LstmModelFile.read(java.nio.file.Files.readAllBytes(
                    cacheDir.resolve(s.rel() + ".safetensors")), s.rel());
            var stepper = m.lstm().stepper();
            float[] w = m.head().weight().clone();
            float b = m.head().bias() == null ? 0 : m.head().bias()[0];
            int h = w.length;
            float[] st = stepper.newState();
            int off = stepper.outputOffset();
            int n = s.x().length;
            float[] pred = new float[n];
            float[] v = new float[1];
            float[] hPrev = new float[h];
            double pending = Double.NaN;
            double a = 0;
            double xPrev = 0;
            for (int i = 0; i < n; i++) {
                pred[i] = (float) pending;
                if (i > 0) {   // learn from the error of the prediction made at i-1
                    double err = s.x()[i] - pending;
                    double norm = 1 + (withX ? xPrev * xPrev : 0);
                    for (int j = 0; j < h; j++) {
                        norm += hPrev[j] * hPrev[j];
                    }
                    for (int j = 0; j < h; j++) {
                        w[j] += (float) (mu * err * hPrev[j] / norm);
                    }
                    b += (float) (mu * err / norm);
                    if (withX) {
                        a += mu * err * xPrev / norm;
                    }
                }
                xPrev = s.x()[i];
                v[0] = s.x()[i];
                stepper.step(v, 0, st);
                double y = b + a * xPrev;
                for (int j = 0; j < h; j++) {
                    hPrev[j] = st[off + j];
                    y += w[j] * hPrev[j];
                }
                pending = y;
            }
            return pred;
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    static double[][] score(NabPredictions.Series s, LikelihoodConfig c, String error) {
        if (error.startsWith("combine")) {
            // two likelihoods (LSTM error with the spatial check, naive error without), max of the scores, then rest
            LikelihoodConfig noRest = new LikelihoodConfig(c.average(), 0, c.history(), c.warmup(), c.floor(),
                    c.spatialTolerance(), 0, 0, c.threshold());
            LikelihoodConfig noRestNoSpatial = new LikelihoodConfig(c.average(), 0, c.history(), c.warmup(), c.floor(),
                    0, 0, 0, c.threshold());
            double[] a = score(s, noRest, "lstm")[0];
            double[] b;
            if (error.startsWith("combine-k")) {   // a second LSTM channel with K2 errors in the short-term mean
                int k2 = Integer.parseInt(error.substring(9));
                b = score(s, new LikelihoodConfig(k2, 0, c.history(), c.warmup(), c.floor(), 0, 0, 0, c.threshold()),
                        "lstm")[0];
            } else if (error.startsWith("combine-level")) {
                b = score(s, new LikelihoodConfig(Integer.parseInt(error.substring(13)), 0, c.history(), c.warmup(),
                        c.floor(), 0, 0, 0, c.threshold()), "level")[0];
            } else {
                b = score(s, noRestNoSpatial, "naive")[0];
            }
            double[] out = new double[a.length];
            double[] flags = new double[a.length];
            int rest = 0;
            for (int i = 0; i < a.length; i++) {
                double v = error.equals("combine-mean") ? (a[i] + b[i]) / 2 : Math.max(a[i], b[i]);
                if (rest > 0) {
                    v *= c.restScale();
                    rest--;
                }
                out[i] = v;
                if (v >= c.threshold() && i > c.warmup()) {
                    flags[i] = 1;
                    rest = c.rest();
                }
            }
            return new double[][] {out, flags};
        }
        LikelihoodScorer scorer = new LikelihoodScorer(c);
        LikelihoodState st = scorer.newState(1);
        float[] adapted = error.startsWith("adaptx") ? adapt(s, Double.parseDouble(error.substring(6)), true)
                : error.startsWith("adapt") ? adapt(s, Double.parseDouble(error.substring(5))) : null;
        double ewL = 0, ewN = 0, lvl = s.x()[0];
        int n = s.x().length;
        double[] out = new double[n];
        double[] flags = new double[n];
        float[] x = new float[1];
        for (int i = 0; i < n; i++) {
            x[0] = s.x()[i];
            if (i == 0) {
                scorer.observe(x, st);
                continue;
            }
            double lstm = Math.abs((double) s.x()[i] - (adapted != null ? adapted[i] : s.pred()[i]));
            double naive = Math.abs((double) s.x()[i] - s.x()[i - 1]);
            double e = switch (error) {
                case "naive" -> naive;
                case "max" -> Math.max(lstm, naive);
                case "min" -> Math.min(lstm, naive);
                case "select" -> ewL <= ewN ? lstm : naive;
                case "level" -> Math.abs(s.x()[i] - lvl);
                default -> lstm;   // lstm, adapt*, adaptx*
            };
            lvl += Math.max(1.0 / (i + 1), 1.0 / c.history()) * (s.x()[i] - lvl);
            ewL += 0.01 * (lstm - ewL);
            ewN += 0.01 * (naive - ewN);
            KeyScorer.Result r = scorer.score(e, x, st);
            out[i] = r.score();
            flags[i] = r.anomaly() ? 1 : 0;
        }
        return new double[][] {out, flags};
    }
}
