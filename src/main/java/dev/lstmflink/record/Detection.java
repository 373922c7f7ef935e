package dev.lstmflink.record;

import java.util.Arrays;
import java.util.Objects;

/**
 * One scored event, emitted by {@code flink.detect.DetectFunction}: the event, the prediction the model made for it at
 * the previous step (in the data's units), and what {@code KeyScorer} made of the difference. A Flink POJO (public fields,
 * no-argument constructor).
 *
 * <p>The first event of a key (and the first after a {@code reset}) has no prediction: {@link #prediction} is null,
 * {@link #residual} and {@link #score} are NaN, {@link #threshold} is NaN and {@link #anomaly} is false.
 */
public class Detection {

    public String key;
    /** Event time, epoch milliseconds. */
    public long ts;
    /** The event's values, raw units. */
    public float[] values;
    /** x̂_t in raw units (x̂_norm · std + mean), predicted at the previous step; null when there was none. */
    public float[] prediction;
    /** e_t: mean absolute error over the features, in the model's normalised units; NaN without a prediction. */
    public double residual;
    /** In [0, 1]; NaN without a prediction. */
    public double score;
    /** Dynamic: ε in smoothed-error units (NaN during warm-up); fixed: t in score units; NaN without a prediction. */
    public double threshold;
    public boolean anomaly;
    /** The key's step count after this event (1 for its first event). */
    public long step;
    public String modelVersion;

    public Detection() {}

    public Detection(String key, long ts, float[] values, float[] prediction, double residual, double score,
            double threshold, boolean anomaly, long step, String modelVersion) {
        this.key = key;
        this.ts = ts;
        this.values = values;
        this.prediction = prediction;
        this.residual = residual;
        this.score = score;
        this.threshold = threshold;
        this.anomaly = anomaly;
        this.step = step;
        this.modelVersion = modelVersion;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Detection d && ts == d.ts && step == d.step && anomaly == d.anomaly
                && Double.compare(residual, d.residual) == 0 && Double.compare(score, d.score) == 0
                && Double.compare(threshold, d.threshold) == 0 && Objects.equals(key, d.key)
                && Arrays.equals(values, d.values) && Arrays.equals(prediction, d.prediction)
                && Objects.equals(modelVersion, d.modelVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, ts, step, Arrays.hashCode(values), Arrays.hashCode(prediction));
    }

    @Override
    public String toString() {
        return "Detection{key=" + key + ", ts=" + ts + ", step=" + step + ", values=" + Arrays.toString(values)
                + ", prediction=" + Arrays.toString(prediction) + ", residual=" + residual + ", score=" + score
                + ", threshold=" + threshold + (anomaly ? ", ANOMALY" : "") + ", model=" + modelVersion + "}";
    }
}
