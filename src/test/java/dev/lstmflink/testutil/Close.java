package dev.lstmflink.testutil;

import static org.junit.jupiter.api.Assertions.fail;

/** The mixed tolerance of golden/FORMAT.md: {@code |a − e| ≤ tol·(1 + |e|)} for every element. */
public final class Close {

    private Close() {}

    public static void assertClose(String what, double[] expected, double[] actual, double tol) {
        if (expected.length != actual.length) {
            fail(what + ": " + actual.length + " values, expected " + expected.length);
        }
        int worst = -1;
        double worstScaled = 0;
        int bad = 0;
        for (int i = 0; i < expected.length; i++) {
            double scaled = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
            if (!(scaled <= tol)) {
                bad++;
            }
            if (!(scaled <= worstScaled)) {
                worstScaled = scaled;
                worst = i;
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %d of %d values off by more than %.1e·(1+|e|); worst at [%d]: expected %.17g, "
                            + "got %.17g (scaled error %.3e)", what, bad, expected.length, tol, worst,
                    expected[worst], actual[worst], worstScaled));
        }
    }

    public static double[] toDoubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
