package dev.lstmflink.report;

import java.util.Arrays;
import java.util.List;

/**
 * The data of one key's plot in {@code report.html}, grown one detection at a time while the job runs: per event the
 * timestamp, the values, the model's prediction, the score, the threshold, the residual and the anomaly flag, plus the
 * key's known anomaly windows (injected by the simulator or labelled in the data). {@link ReportHtml} draws it.
 *
 * <p>Everything is kept in growable primitive arrays (a key can have 100k+ events): 8 + 4·(2F + 3) bytes per event for
 * F features, so 28 MB for 10 keys × 100k events × 2 features. Scores, thresholds and residuals are kept as
 * {@code float}: they are only drawn and shown in tooltips. Not thread-safe.
 *
 * <p>Events may be added out of timestamp order; the drawing sorts them by timestamp.
 */
public final class ReportSeries {

    /** What the threshold passed to {@link #add} is measured in, which decides the panel it is drawn on. */
    public enum ThresholdUnits {
        /**
         * Dynamic mode: ε in smoothed-error units (NaN during the warm-up); drawn with the residual on their own axis,
         * below the score.
         */
        ERROR,
        /** Fixed mode: t in score units; drawn on the score panel, on [0, 1]. */
        SCORE
    }

    private static final int INITIAL_CAPACITY = 256;

    private final String key;
    private final int features;
    private final ThresholdUnits thresholdUnits;
    private final String[] featureNames;

    private int size;
    private long[] ts = new long[INITIAL_CAPACITY];
    private float[] values;       // (size, features)
    private float[] prediction;   // (size, features), NaN where there was no prediction
    private float[] score = new float[INITIAL_CAPACITY];
    private float[] threshold = new float[INITIAL_CAPACITY];
    private float[] residual = new float[INITIAL_CAPACITY];
    private boolean ordered = true;   // timestamps non-decreasing so far
    private boolean anyPrediction;

    private int anomalies;
    private int[] anomalyIndex = new int[16];   // the flagged events, in arrival order

    private int truths;
    private long[] truthStart = new long[4];
    private long[] truthEnd = new long[4];
    private String[] truthKind = new String[4];

    /** A series whose threshold is in smoothed-error units (the dynamic mode). */
    public ReportSeries(String key, int features) {
        this(key, features, ThresholdUnits.ERROR);
    }

    /**
     * @param key            the key (sensor) as the job knows it; any text, escaped when written
     * @param features       the number of values per event, at least 1
     * @param thresholdUnits what the thresholds passed to {@link #add} are measured in
     */
    public ReportSeries(String key, int features, ThresholdUnits thresholdUnits) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        if (features < 1) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        if (thresholdUnits == null) {
            throw new IllegalArgumentException("thresholdUnits must be ERROR or SCORE, got null");
        }
        this.key = key;
        this.features = features;
        this.thresholdUnits = thresholdUnits;
        this.featureNames = new String[features];
        for (int f = 0; f < features; f++) {
            featureNames[f] = features == 1 ? "value" : "value " + f;
        }
        this.values = new float[INITIAL_CAPACITY * features];
        this.prediction = new float[INITIAL_CAPACITY * features];
    }

    /** Names the features in the legend (default {@code value}, or {@code value 0}, {@code value 1}, ...). */
    public ReportSeries featureNames(List<String> names) {
        if (names == null || names.size() != features) {
            throw new IllegalArgumentException("featureNames must have " + features + " names (features), got "
                    + (names == null ? "null" : names.size()));
        }
        for (int f = 0; f < features; f++) {
            featureNames[f] = names.get(f) == null ? "" : names.get(f);
        }
        return this;
    }

    /**
     * Appends one scored event.
     *
     * @param ts         event time, epoch milliseconds
     * @param values     the event's values, {@code features} of them (copied)
     * @param prediction the model's prediction for this event in the values' units, or null when there was none
     * @param score      in [0, 1], NaN when there was none
     * @param threshold  in the series' {@link ThresholdUnits}, NaN when there was none (warm-up)
     * @param residual   the prediction error, drawn with the threshold when that is in {@link ThresholdUnits#ERROR}
     *                   (ε applies to the smoothed error e_s, so pass e_s when you have it), NaN when there was none
     * @param anomaly    whether the detector flagged the event
     */
    public void add(long ts, float[] values, float[] prediction, double score, double threshold, double residual,
            boolean anomaly) {
        if (values == null || values.length != features) {
            throw new IllegalArgumentException("values must have " + features + " entries (features), got "
                    + (values == null ? "null" : values.length) + " at ts " + ts + " of key " + key);
        }
        if (prediction != null && prediction.length != features) {
            throw new IllegalArgumentException("prediction must be null or have " + features
                    + " entries (features), got " + prediction.length + " at ts " + ts + " of key " + key);
        }
        if (size == this.ts.length) {
            grow();
        }
        if (size > 0 && ts < this.ts[size - 1]) {
            ordered = false;
        }
        this.ts[size] = ts;
        System.arraycopy(values, 0, this.values, size * features, features);
        if (prediction != null) {
            System.arraycopy(prediction, 0, this.prediction, size * features, features);
            anyPrediction = true;
        } else {
            Arrays.fill(this.prediction, size * features, (size + 1) * features, Float.NaN);
        }
        this.score[size] = (float) score;
        this.threshold[size] = (float) threshold;
        this.residual[size] = (float) residual;
        if (anomaly) {
            if (anomalies == anomalyIndex.length) {
                anomalyIndex = Arrays.copyOf(anomalyIndex, anomalies * 2);
            }
            anomalyIndex[anomalies++] = size;
        }
        size++;
    }

    /**
     * Adds a known anomaly window, [startTs, endTs] inclusive, epoch milliseconds; {@code kind} (e.g. {@code spike})
     * labels it and may be null.
     */
    public void addTruth(long startTs, long endTs, String kind) {
        if (endTs < startTs) {
            throw new IllegalArgumentException("truth window of key " + key + ": endTs " + endTs
                    + " is before startTs " + startTs);
        }
        if (truths == truthStart.length) {
            truthStart = Arrays.copyOf(truthStart, truths * 2);
            truthEnd = Arrays.copyOf(truthEnd, truths * 2);
            truthKind = Arrays.copyOf(truthKind, truths * 2);
        }
        truthStart[truths] = startTs;
        truthEnd[truths] = endTs;
        truthKind[truths] = kind == null ? "" : kind;
        truths++;
    }

    private void grow() {
        int cap = ts.length + (ts.length >> 1);
        ts = Arrays.copyOf(ts, cap);
        values = Arrays.copyOf(values, cap * features);
        prediction = Arrays.copyOf(prediction, cap * features);
        score = Arrays.copyOf(score, cap);
        threshold = Arrays.copyOf(threshold, cap);
        residual = Arrays.copyOf(residual, cap);
    }

    public String key() {
        return key;
    }

    public int features() {
        return features;
    }

    public ThresholdUnits thresholdUnits() {
        return thresholdUnits;
    }

    /** The number of events added. */
    public int size() {
        return size;
    }

    /** The number of events flagged. */
    public int anomalyCount() {
        return anomalies;
    }

    /** The number of known anomaly windows. */
    public int truthCount() {
        return truths;
    }

    String featureName(int f) {
        return featureNames[f];
    }

    long ts(int i) {
        return ts[i];
    }

    float value(int i, int f) {
        return values[i * features + f];
    }

    float prediction(int i, int f) {
        return prediction[i * features + f];
    }

    float score(int i) {
        return score[i];
    }

    float threshold(int i) {
        return threshold[i];
    }

    float residual(int i) {
        return residual[i];
    }

    boolean hasPrediction() {
        return anyPrediction;
    }

    /** Whether the events were added in non-decreasing timestamp order. */
    boolean ordered() {
        return ordered;
    }

    /** The index (in arrival order) of the k-th flagged event. */
    int anomalyIndex(int k) {
        return anomalyIndex[k];
    }

    long truthStart(int k) {
        return truthStart[k];
    }

    long truthEnd(int k) {
        return truthEnd[k];
    }

    String truthKind(int k) {
        return truthKind[k];
    }
}
