package dev.lstmflink.train.data;

import java.util.List;
import java.util.Locale;

/**
 * Next-step training windows over a {@link SeriesSet}, split by time into training and validation.
 *
 * <p>Per key with n rows, the first {@code ⌊(1−f)·n⌋} rows are the training part and the rest the validation part:
 * the split is by time, so validation is always later than training, and no window crosses it. A window starting at
 * row s covers rows s..s+T (T+1 rows): its input is rows s..s+T−1 and its target rows s+1..s+T, all k features
 * (next-step prediction of every feature). Starts are 0, S, 2S, ... within the training part and
 * {@code ⌊(1−f)·n⌋}, +S, ... within the validation part.
 *
 * <p>Values are {@linkplain Normalization normalized} with statistics of the training parts of all keys (or with a
 * given normalization, e.g. a saved model's). Storage is compact: one normalized {@code float[n·k]} per key plus a
 * (key, start) pair per window; batches are copied out with {@link Windows#fillBatch}.
 *
 * <p>A validation fraction of 0 gives no validation part (all rows train). Every key must give at least one
 * training window and, when f &gt; 0, one validation window; a shorter series is an error that names it.
 */
public final class WindowSet implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final int windowLength;
    private final int stride;
    private final double validationFraction;
    private final int featureCount;
    private final List<String> keys;
    private final int[] lengths;
    private final int[] trainRows;
    private final float[][] data;
    private final int idCount;
    private final int[][] idData;
    private final Normalization normalization;
    private final Windows train;
    private final Windows validation;

    private WindowSet(SeriesSet set, int windowLength, int stride, double f, Normalization given) {
        if (windowLength < 1 || stride < 1) {
            throw new IllegalArgumentException("window length T and stride S must be >= 1, got T = "
                    + windowLength + ", S = " + stride);
        }
        if (!(f >= 0 && f < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + f);
        }
        if (set.isEmpty()) {
            throw new DataException("no series to make windows from");
        }
        this.windowLength = windowLength;
        this.stride = stride;
        this.validationFraction = f;
        this.featureCount = set.featureCount();
        this.keys = set.keys();
        int nk = keys.size();
        this.lengths = new int[nk];
        this.trainRows = new int[nk];
        this.data = new float[nk][];
        this.idCount = set.idCount();
        this.idData = new int[nk][];
        int rowsPerWindow = windowLength + 1;
        long trainWindows = 0;
        long valWindows = 0;
        Series[] series = new Series[nk];
        for (int i = 0; i < nk; i++) {
            Series s = set.series(keys.get(i));
            series[i] = s;
            int n = s.length();
            int nTrain = trainRows(n, f);
            int nVal = n - nTrain;
            checkLength(s.key(), n, windowLength, f);
            lengths[i] = n;
            trainRows[i] = nTrain;
            trainWindows += count(nTrain, rowsPerWindow, stride);
            valWindows += count(nVal, rowsPerWindow, stride);
        }
        if (trainWindows > Integer.MAX_VALUE || valWindows > Integer.MAX_VALUE) {
            throw new DataException("too many windows (" + trainWindows + " training, " + valWindows
                    + " validation): use a larger stride");
        }
        Normalization.Builder fit = given == null ? Normalization.builder(featureCount) : null;
        for (int i = 0; i < nk; i++) {
            if (fit != null) {
                fit.add(series[i].values(), 0, trainRows[i]);
            }
        }
        this.normalization = given != null ? given : fit.build();
        if (normalization.featureCount() != featureCount) {
            throw new IllegalArgumentException("the normalization has " + normalization.featureCount()
                    + " features, the series have " + featureCount);
        }
        int[] tKey = new int[(int) trainWindows];
        int[] tStart = new int[(int) trainWindows];
        int[] vKey = new int[(int) valWindows];
        int[] vStart = new int[(int) valWindows];
        int t = 0;
        int v = 0;
        for (int i = 0; i < nk; i++) {
            float[] values = series[i].values().clone();
            normalization.apply(values);
            data[i] = values;
            idData[i] = series[i].ids();   // ids are not normalized
            for (int s = 0; s + windowLength < trainRows[i]; s += stride) {
                tKey[t] = i;
                tStart[t++] = s;
            }
            for (int s = trainRows[i]; s + windowLength < lengths[i]; s += stride) {
                vKey[v] = i;
                vStart[v++] = s;
            }
        }
        this.train = new Windows(this, "training", tKey, tStart);
        this.validation = new Windows(this, "validation", vKey, vStart);
    }

    /**
     * Windows of length T and stride S over {@code set}, normalized with statistics of the training parts.
     *
     * @param windowLength T, the time steps of a window's input (and of its target)
     * @param stride S, the distance between window starts
     * @param validationFraction f in [0, 1): the last part of each series kept for validation
     * @throws DataException when a series is too short (see the class comment)
     */
    public static WindowSet build(SeriesSet set, int windowLength, int stride, double validationFraction) {
        return new WindowSet(set, windowLength, stride, validationFraction, null);
    }

    /** As {@link #build(SeriesSet, int, int, double)}, but normalized with {@code normalization} if not null. */
    public static WindowSet build(SeriesSet set, int windowLength, int stride, double validationFraction,
            Normalization normalization) {
        return new WindowSet(set, windowLength, stride, validationFraction, normalization);
    }

    /**
     * The training rows of a series of n rows: {@code ⌊(1−f)·n⌋}, with a tolerance of 1e-9 so that e.g.
     * {@code (1 − 0.71)·100}, which is 28.999999999999996 in double, gives 29.
     */
    public static int trainRows(int n, double validationFraction) {
        return (int) Math.min(n, Math.floor((1 - validationFraction) * n + 1e-9));
    }

    /**
     * Checks that a series of n rows gives at least one training window and, when f &gt; 0, one validation window.
     *
     * @throws DataException naming the series when it is too short
     */
    public static void checkLength(String key, int n, int windowLength, double f) {
        int rowsPerWindow = windowLength + 1;
        int nTrain = trainRows(n, f);
        int nVal = n - nTrain;
        if (nTrain < rowsPerWindow || (f > 0 && nVal < rowsPerWindow)) {
            throw new DataException(String.format(Locale.ROOT,
                    "series '%s' is too short: its %d rows give %d training and %d validation rows with "
                            + "validation fraction f = %s, but one window needs T+1 = %d rows (T = %d) in %s",
                    key, n, nTrain, nVal, f, rowsPerWindow, windowLength,
                    f > 0 ? "each part" : "the training part"));
        }
    }

    private static long count(int rows, int rowsPerWindow, int stride) {
        return rows < rowsPerWindow ? 0 : (rows - rowsPerWindow) / stride + 1;
    }

    /** The training windows. */
    public Windows train() {
        return train;
    }

    /** The validation windows (none when f = 0). */
    public Windows validation() {
        return validation;
    }

    /** The normalization applied (fitted on the training parts, or the one given). */
    public Normalization normalization() {
        return normalization;
    }

    /** T. */
    public int windowLength() {
        return windowLength;
    }

    /** S. */
    public int stride() {
        return stride;
    }

    /** f. */
    public double validationFraction() {
        return validationFraction;
    }

    /** k. */
    public int featureCount() {
        return featureCount;
    }

    /** m, the categorical ids of each row (0 without id columns). */
    public int idCount() {
        return idCount;
    }

    /** The ids of key {@code keyIndex}, row-major {@code n × m}; shared, do not modify. */
    int[] ids(int keyIndex) {
        return idData[keyIndex];
    }

    /** The keys, sorted; a window's key index points into this list. */
    public List<String> keys() {
        return keys;
    }

    /** The rows of key {@code keyIndex}. */
    public int length(int keyIndex) {
        return lengths[keyIndex];
    }

    /** The training rows of key {@code keyIndex}: rows {@code [0, trainRows)} train, the rest validate. */
    public int trainRows(int keyIndex) {
        return trainRows[keyIndex];
    }

    /** The normalized values of key {@code keyIndex}, row-major {@code n × k}; shared, do not modify. */
    float[] normalized(int keyIndex) {
        return data[keyIndex];
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "WindowSet(%d keys, k=%d, T=%d, S=%d, f=%s: %d training, %d validation "
                + "windows)", keys.size(), featureCount, windowLength, stride, validationFraction, train.size(),
                validation.size());
    }
}
