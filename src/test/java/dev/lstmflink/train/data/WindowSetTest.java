package dev.lstmflink.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Windows over a SeriesSet: split by time, counts, contents, normalization fitted on training rows only. */
class WindowSetTest {

    /** One key with n rows of k features: feature j of row i is {@code f(i, j)}. */
    private static SeriesSet series(String key, int n, int k, java.util.function.BiFunction<Integer, Integer, Float> f) {
        SeriesSet set = new SeriesSet();
        add(set, key, n, k, f);
        return set;
    }

    private static void add(SeriesSet set, String key, int n, int k,
            java.util.function.BiFunction<Integer, Integer, Float> f) {
        for (int i = 0; i < n; i++) {
            float[] v = new float[k];
            for (int j = 0; j < k; j++) {
                v[j] = f.apply(i, j);
            }
            set.add(key + ".csv", new SeriesRow(key, 1000L * i, v));
        }
    }

    @Test
    void countsPerSplit() {
        // n = 100, f = 0.2: 80 training rows, 20 validation rows; T = 10 needs 11 rows.
        WindowSet w = WindowSet.build(series("a", 100, 1, (i, j) -> (float) i), 10, 1, 0.2);
        assertEquals(80, w.trainRows(0));
        assertEquals(70, w.train().size());   // starts 0..69
        assertEquals(10, w.validation().size());   // starts 80..89
        WindowSet s3 = WindowSet.build(series("a", 100, 1, (i, j) -> (float) i), 10, 3, 0.2);
        assertEquals(24, s3.train().size());   // 0, 3, ..., 69
        assertEquals(4, s3.validation().size());   // 80, 83, 86, 89
        assertEquals(69, s3.train().start(23));
        assertEquals(89, s3.validation().start(3));
    }

    @Test
    void noWindowCrossesTheSplit() {
        SeriesSet set = new SeriesSet();
        add(set, "a", 237, 2, (i, j) -> (float) (i + j));
        add(set, "b", 150, 2, (i, j) -> (float) (i * j));
        WindowSet w = WindowSet.build(set, 20, 7, 0.3);
        int T = w.windowLength();
        for (int x = 0; x < w.train().size(); x++) {
            int key = w.train().keyIndex(x);
            assertTrue(w.train().start(x) >= 0 && w.train().start(x) + T < w.trainRows(key), "train window " + x);
        }
        for (int x = 0; x < w.validation().size(); x++) {
            int key = w.validation().keyIndex(x);
            assertTrue(w.validation().start(x) >= w.trainRows(key) && w.validation().start(x) + T < w.length(key),
                    "validation window " + x);
        }
        // a: 165 train rows -> (165-21)/7+1 = 21; 72 val -> (72-21)/7+1 = 8. b: 105 -> 13; 45 -> 4.
        assertEquals(165, w.trainRows(0));
        assertEquals(105, w.trainRows(1));
        assertEquals(21 + 13, w.train().size());
        assertEquals(8 + 4, w.validation().size());
        assertEquals(List.of("a", "b"), w.keys());
        assertEquals("b", w.validation().key(11));
    }

    @Test
    void windowContentsAreTheNormalizedRawRowsTimeMajor() {
        SeriesSet set = new SeriesSet();
        add(set, "a", 60, 2, (i, j) -> (float) (i * 10 + j));
        add(set, "b", 60, 2, (i, j) -> (float) (-i * 10 - j));
        WindowSet w = WindowSet.build(set, 5, 2, 0.25);
        Normalization norm = w.normalization();
        Windows tr = w.train();
        int[] pick = {3, tr.size() - 1};   // a window of key a and the last window of key b
        int T = 5;
        int B = pick.length;
        int k = 2;
        float[] x = new float[T * B * k + 7];
        float[] y = new float[T * B * k + 7];
        tr.fillBatch(pick, x, y);
        assertEquals("a", tr.key(3));
        assertEquals(6, tr.start(3));
        assertEquals("b", tr.key(tr.size() - 1));
        for (int b = 0; b < B; b++) {
            Series raw = set.series(tr.key(pick[b]));
            int s = tr.start(pick[b]);
            for (int t = 0; t < T; t++) {
                float[] in = {raw.value(s + t, 0), raw.value(s + t, 1)};
                float[] next = {raw.value(s + t + 1, 0), raw.value(s + t + 1, 1)};
                norm.apply(in);
                norm.apply(next);
                for (int j = 0; j < k; j++) {
                    assertEquals(in[j], x[(t * B + b) * k + j], "x t=" + t + " b=" + b + " j=" + j);
                    assertEquals(next[j], y[(t * B + b) * k + j], "y t=" + t + " b=" + b + " j=" + j);
                }
            }
        }
        assertEquals(0f, x[T * B * k], "nothing written past T*B*k");
        // the first input row of key a's window 3 is row 6: (60, 61), normalized
        float[] row6 = {60, 61};
        norm.apply(row6);
        assertArrayEquals(row6, new float[] {x[0], x[1]});
    }

    @Test
    void slicesOfAPermutationFillTheSameAsArrays() {
        WindowSet w = WindowSet.build(series("a", 300, 1, (i, j) -> (float) Math.sin(i)), 10, 1, 0.1);
        int[] perm = new SplitMix64(3).permutation(w.train().size());
        float[] x1 = new float[10 * 4];
        float[] y1 = new float[10 * 4];
        w.train().fillBatch(perm, 8, 4, x1, y1);
        float[] x2 = new float[10 * 4];
        float[] y2 = new float[10 * 4];
        w.train().fillBatch(new int[] {perm[8], perm[9], perm[10], perm[11]}, x2, y2);
        assertArrayEquals(x2, x1);
        assertArrayEquals(y2, y1);
        assertThrows(IllegalArgumentException.class, () -> w.train().fillBatch(perm, 0, 5, x1, y1));
        assertThrows(IndexOutOfBoundsException.class,
                () -> w.train().fillBatch(new int[] {w.train().size()}, x1, y1));
    }

    @Test
    void normalizationIsFittedOnTheTrainingPartOnly() {
        // Training rows 0..79 alternate 0/2 (mean 1, std 1); validation rows 80..99 are 1000: a very different mean.
        WindowSet w = WindowSet.build(series("a", 100, 1, (i, j) -> i < 80 ? (i % 2 == 0 ? 0f : 2f) : 1000f),
                10, 1, 0.2);
        assertArrayEquals(new float[] {1f}, w.normalization().mean(), "the validation rows do not leak");
        assertArrayEquals(new float[] {1f}, w.normalization().std());
        float[] x = new float[10];
        float[] y = new float[10];
        w.validation().fillBatch(new int[] {0}, x, y);
        assertEquals(999f, x[0], "validation values scaled with training statistics");
        w.train().fillBatch(new int[] {0}, x, y);
        assertArrayEquals(new float[] {-1, 1, -1, 1, -1, 1, -1, 1, -1, 1}, x);
    }

    @Test
    void aGivenNormalizationIsUsedAsIs() {
        Normalization given = new Normalization(new float[] {10}, new float[] {2});
        WindowSet w = WindowSet.build(series("a", 50, 1, (i, j) -> (float) i), 4, 1, 0.2, given);
        assertEquals(given, w.normalization());
        float[] x = new float[4];
        float[] y = new float[4];
        w.train().fillBatch(new int[] {0}, x, y);
        assertArrayEquals(new float[] {-5f, -4.5f, -4f, -3.5f}, x);
        assertThrows(IllegalArgumentException.class, () -> WindowSet.build(series("a", 50, 1, (i, j) -> 0f), 4, 1,
                0.2, new Normalization(new float[] {0, 0}, new float[] {1, 1})));
    }

    @Test
    void tooShortSeriesIsAnErrorNamingKeyLengthTAndF() {
        SeriesSet set = new SeriesSet();
        add(set, "long", 1000, 1, (i, j) -> (float) i);
        add(set, "short", 150, 1, (i, j) -> (float) i);
        DataException e = assertThrows(DataException.class, () -> WindowSet.build(set, 100, 1, 0.2));
        assertEquals("series 'short' is too short: its 150 rows give 120 training and 30 validation rows with "
                + "validation fraction f = 0.2, but one window needs T+1 = 101 rows (T = 100) in each part",
                e.getMessage());
        // exactly long enough: 101 training and 101 validation rows
        assertEquals(1, WindowSet.build(series("x", 202, 1, (i, j) -> (float) i), 100, 1, 0.5).validation().size());
        assertThrows(DataException.class, () -> WindowSet.build(series("x", 201, 1, (i, j) -> (float) i), 100, 1, 0.5));
    }

    @Test
    void trainRowsIsFloorWithoutDoubleRoundingSurprises() {
        assertEquals(29, WindowSet.trainRows(100, 0.71));
        assertEquals(80, WindowSet.trainRows(100, 0.2));
        assertEquals(8, WindowSet.trainRows(11, 0.2));   // floor(8.8)
        assertEquals(11, WindowSet.trainRows(11, 0));
    }

    /** The peers' training task: 10,100 points, T = 100, stride 1, no validation: windows k = 0..9999. */
    @Test
    void benchmarkRecipeGivesTenThousandWindows() {
        SplitMix64 r = new SplitMix64(42);
        SeriesSet set = new SeriesSet();
        for (int t = 0; t < 10_100; t++) {
            double u = r.nextDouble();
            float s = (float) (Math.sin(2 * Math.PI * t / 37) + 0.5 * Math.sin(2 * Math.PI * t / 11) + 0.1 * (2 * u - 1));
            set.add("synthetic", new SeriesRow("s", t, new float[] {s}));
        }
        WindowSet w = WindowSet.build(set, 100, 1, 0.0, new Normalization(new float[] {0}, new float[] {1}));
        assertEquals(10_000, w.train().size());
        assertEquals(0, w.validation().size());
        assertEquals(9999, w.train().start(9999));
        float[] x = new float[100];
        float[] y = new float[100];
        w.train().fillBatch(new int[] {0}, x, y);
        assertEquals((float) 0.04831297695636749, x[0]);
        assertEquals((float) 0.3713033199310303, x[1]);
        assertEquals((float) 0.3713033199310303, y[0]);
    }

    @Test
    void invalidArguments() {
        SeriesSet set = series("a", 100, 1, (i, j) -> (float) i);
        assertThrows(IllegalArgumentException.class, () -> WindowSet.build(set, 0, 1, 0.2));
        assertThrows(IllegalArgumentException.class, () -> WindowSet.build(set, 10, 0, 0.2));
        assertThrows(IllegalArgumentException.class, () -> WindowSet.build(set, 10, 1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> WindowSet.build(set, 10, 1, -0.1));
        assertThrows(DataException.class, () -> WindowSet.build(new SeriesSet(), 10, 1, 0.2));
    }
}
