package dev.lstmflink.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Per-feature standardization: statistics, constant features, apply/invert and the JSON form. */
class NormalizationTest {

    @Test
    void meanAndPopulationStdPerFeatureOverTheGivenRows() {
        // rows: (1, 10), (2, 10), (3, 10), (100, -5): the last row is outside [0, 3)
        float[] v = {1, 10, 2, 10, 3, 10, 100, -5};
        Normalization n = Normalization.fit(v, 2, 0, 3);
        assertArrayEquals(new float[] {2f, 10f}, n.mean());
        assertArrayEquals(new float[] {(float) Math.sqrt(2.0 / 3), 1f}, n.std(), "constant feature: std 1");
        float[] row = {3, 10};
        n.apply(row);
        assertArrayEquals(new float[] {(float) (1.0 / n.std()[0]), 0f}, row, "(x - mean) / std with the stored float std");
        n.invert(row);
        assertArrayEquals(new float[] {3, 10}, row, 1e-6f);
    }

    @Test
    void builderPoolsSeveralSeries() {
        Normalization a = Normalization.builder(1).add(new float[] {1, 2}, 0, 2).add(new float[] {3, 4, 99}, 0, 2).build();
        Normalization b = Normalization.fit(new float[] {1, 2, 3, 4}, 1, 0, 4);
        assertEquals(b, a);
        assertEquals(2.5f, a.mean()[0]);
        assertEquals((float) Math.sqrt(1.25), a.std()[0]);
    }

    @Test
    void accumulatesInDouble() {
        // 1e4 rows around 1e4 with spread 1e-2: float accumulation would lose the variance.
        int n = 10_000;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 10_000f + ((i % 2 == 0) ? 0.0078125f : -0.0078125f);   // exact in float
        }
        Normalization z = Normalization.fit(v, 1, 0, n);
        assertEquals(10_000f, z.mean()[0]);
        assertEquals(0.0078125f, z.std()[0]);
    }

    @Test
    void jsonRoundTripIsExact() {
        Normalization n = new Normalization(new float[] {0.1f, -3.4028235e38f, 1.17549435e-38f},
                new float[] {0.3f, 1e-7f, 16777217f});
        String json = n.toJson();
        assertEquals("{\"mean\":[0.1,-3.4028235E38,1.17549435E-38],\"std\":[0.3,1.0E-7,1.6777216E7]}", json);
        assertEquals(n, Normalization.fromJson(json));
        assertEquals(new Normalization(new float[] {1.5f}, new float[] {2f}),
                Normalization.fromJson("{ \"std\": [2], \"mean\": [1.5] }"));
    }

    @Test
    void invalidJsonOrValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Normalization.fromJson("{\"mean\":[1]}"));
        assertThrows(IllegalArgumentException.class, () -> Normalization.fromJson("{\"mean\":[1],\"std\":[0]}"));
        assertThrows(IllegalArgumentException.class, () -> Normalization.fromJson("{\"mean\":[1,2],\"std\":[1]}"));
        assertThrows(IllegalArgumentException.class, () -> Normalization.fromJson("{\"mean\":[\"a\"],\"std\":[1]}"));
        assertThrows(IllegalArgumentException.class, () -> Normalization.fromJson("[1]"));
        assertThrows(IllegalArgumentException.class, () -> Normalization.fromJson("{"));
        Normalization one = new Normalization(new float[] {0}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[] {0, 1}, new float[] {1, 1})
                .apply(new float[3]));
        assertEquals(1, one.featureCount());
    }
}
