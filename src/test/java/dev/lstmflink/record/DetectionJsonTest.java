package dev.lstmflink.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link DetectionJson}: the output topic's format, read back bit for bit, NaN as null, and its errors. */
class DetectionJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aScoredDetectionReadsBackEqualAndTheJsonHasTheDocumentedFields() throws Exception {
        Detection d = new Detection("pump-7", 1_404_172_800_000L, new float[] {0.5f, -1.25e-7f, 3.4e38f},
                new float[] {0.47f, 1e-45f, -2.5f}, 0.031, 0.41, 0.12, true, 42, "sha256:abc");
        byte[] bytes = DetectionJson.toBytes(d);
        assertEquals(d, DetectionJson.fromJson(bytes));
        assertEquals(new String(bytes, StandardCharsets.UTF_8), DetectionJson.toJson(d));
        assertEquals(d, DetectionJson.fromJson(DetectionJson.toJson(d)));

        JsonNode n = JSON.readTree(bytes);
        assertEquals("pump-7", n.get("key").textValue());
        assertEquals(1_404_172_800_000L, n.get("ts").longValue());
        assertEquals(3, n.get("values").size());
        assertEquals(0.47, n.get("prediction").get(0).doubleValue(), 1e-7);
        assertEquals(0.031, n.get("residual").doubleValue());
        assertEquals(0.41, n.get("score").doubleValue());
        assertEquals(0.12, n.get("threshold").doubleValue());
        assertTrue(n.get("anomaly").booleanValue());
        assertEquals(42, n.get("step").longValue());
        assertEquals("sha256:abc", n.get("modelVersion").textValue());
        assertEquals(10, n.size(), "exactly the ten documented fields: " + n);
        assertFalse(new String(bytes, StandardCharsets.UTF_8).contains("\n"), "one line per detection");
    }

    @Test
    void aFirstEventWithoutPredictionWritesNullsAndReadsBackNanAndNull() throws Exception {
        Detection d = new Detection("k", 5, new float[] {1f}, null, Double.NaN, Double.NaN, Double.NaN, false, 1, "v1");
        byte[] bytes = DetectionJson.toBytes(d);
        JsonNode n = JSON.readTree(bytes); // strict JSON: would fail on a bare NaN token
        assertTrue(n.get("prediction").isNull());
        assertTrue(n.get("residual").isNull());
        assertTrue(n.get("score").isNull());
        assertTrue(n.get("threshold").isNull());

        Detection back = DetectionJson.fromJson(bytes);
        assertEquals(d, back);
        assertNull(back.prediction);
        assertTrue(Double.isNaN(back.residual) && Double.isNaN(back.score) && Double.isNaN(back.threshold));
    }

    @Test
    void aWarmUpThresholdAndNonFiniteArrayEntriesAreNullInJsonAndNanOnReading() throws Exception {
        Detection d = new Detection("k", 5, new float[] {1f, Float.NaN}, new float[] {Float.POSITIVE_INFINITY, 2f},
                0.5, 0.25, Double.NaN, false, 7, null);
        byte[] bytes = DetectionJson.toBytes(d);
        JsonNode n = JSON.readTree(bytes);
        assertTrue(n.get("threshold").isNull());
        assertTrue(n.get("values").get(1).isNull());
        assertTrue(n.get("prediction").get(0).isNull());
        assertTrue(n.get("modelVersion").isNull());

        Detection back = DetectionJson.fromJson(bytes);
        assertArrayEquals(new float[] {1f, Float.NaN}, back.values);
        // JSON has one null for every non-finite number: an infinity comes back as NaN
        assertArrayEquals(new float[] {Float.NaN, 2f}, back.prediction);
        assertEquals(0.5, back.residual);
        assertTrue(Double.isNaN(back.threshold));
        assertNull(back.modelVersion);
    }

    @Test
    void randomFloatsAndDoublesReadBackBitForBit() {
        long seed = 20240611L;
        Random rnd = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            float[] v = new float[1 + rnd.nextInt(5)];
            float[] p = new float[v.length];
            for (int j = 0; j < v.length; j++) {
                v[j] = Float.intBitsToFloat(finiteFloatBits(rnd));
                p[j] = Float.intBitsToFloat(finiteFloatBits(rnd));
            }
            Detection d = new Detection("k" + i, rnd.nextLong(), v, p, finiteDouble(rnd), rnd.nextDouble(),
                    finiteDouble(rnd), rnd.nextBoolean(), rnd.nextInt(1 << 30), "m");
            assertEquals(d, DetectionJson.fromJson(DetectionJson.toBytes(d)), "seed " + seed + ", case " + i);
        }
    }

    /**
     * The {@link DetectionJson.Writer} against Jackson's UTF-8 generator, which wrote the Kafka values before it: the
     * same bytes for random detections, one writer reused throughout (its buffer grows, its cached doubles and model
     * version are hit and missed): keys of ASCII, quotes, backslashes, every control character, Latin-1, the BMP,
     * surrogate pairs and lone surrogates, empty, long and null; floats and doubles of random bits, NaN, infinities,
     * signed zeros, subnormals and sensor-like values; null and empty arrays; repeated and null model versions.
     */
    @Test
    void theWriterWritesJacksonsBytesForRandomDetections() {
        long seed = 20261206L;
        Random rnd = new Random(seed);
        DetectionJson.Writer writer = new DetectionJson.Writer();
        for (int i = 0; i < 20_000; i++) {
            Detection d = new Detection(randomKey(rnd), rnd.nextBoolean() ? rnd.nextLong() : rnd.nextInt(1 << 20),
                    randomFloats(rnd), randomFloats(rnd), randomDouble(rnd), randomDouble(rnd), randomDouble(rnd),
                    rnd.nextBoolean(), rnd.nextBoolean() ? rnd.nextLong() : i,
                    switch (rnd.nextInt(4)) {
                        case 0 -> null;
                        case 1 -> randomKey(rnd);
                        default -> "sha256:0123456789abcdef";
                    });
            byte[] expected = DetectionJson.toBytesWithJackson(d);
            String where = "seed " + seed + ", case " + i + ": " + d;
            assertArrayEquals(expected, writer.toBytes(d), where);
            assertArrayEquals(expected, DetectionJson.toBytes(d), where);
        }
    }

    private static final String[] ALPHABET = {"a", "Z", "0", "-", "_", " ", "/", "\"", "\\", "\u0000", "\b", "\t",
        "\n", "\u000b", "\f", "\r", "\u001f", "\u007f", "\u0080", "\u00e9", "\u07ff", "\u0800", "\u2028", "\uffff",
        "\ud83d\ude00", "\ud800", "\udfff", "\ud800x", "\u6e29\u5ea6"};

    private static String randomKey(Random rnd) {
        int kind = rnd.nextInt(10);
        if (kind == 0) {
            return null;
        }
        if (kind <= 5) {
            return "sensor-" + rnd.nextInt(10_000);   // the common case
        }
        int len = kind == 9 ? 200 + rnd.nextInt(2_000) : rnd.nextInt(12);   // long ones grow the buffer
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < len; i++) {
            b.append(rnd.nextInt(8) == 0 ? (char) rnd.nextInt(0x10000) : ALPHABET[rnd.nextInt(ALPHABET.length)]);
        }
        return b.toString();
    }

    private static float[] randomFloats(Random rnd) {
        int kind = rnd.nextInt(8);
        if (kind == 0) {
            return null;
        }
        float[] a = new float[kind == 1 ? 0 : 1 + rnd.nextInt(kind == 2 ? 40 : 3)];
        for (int i = 0; i < a.length; i++) {
            a[i] = switch (rnd.nextInt(8)) {
                case 0 -> Float.intBitsToFloat(rnd.nextInt());   // NaNs and infinities among them
                case 1 -> new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
                    Float.MIN_VALUE, Float.MAX_VALUE, Float.MIN_NORMAL, 1e7f, 1e-3f, 9.999999e-4f}[rnd.nextInt(11)];
                default -> (float) (20 + 5 * rnd.nextGaussian());
            };
        }
        return a;
    }

    private static double randomDouble(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> Double.longBitsToDouble(rnd.nextLong());
            case 1 -> new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0,
                Double.MIN_VALUE, Double.MAX_VALUE, 1e7, 1e-3, 0.5}[rnd.nextInt(10)];
            case 2 -> 0.5;   // repeats: the writer's cache
            default -> rnd.nextDouble();
        };
    }

    @Test
    void readingIgnoresUnknownFieldsAndAcceptsNanTokensAndIntegerValues() {
        Detection d = DetectionJson.fromJson("{\"schema\":{\"v\":[2]},\"key\":\"a\",\"ts\":3,\"values\":[1],"
                + "\"prediction\":[NaN],\"residual\":NaN,\"score\":1,\"anomaly\":false,\"step\":2}");
        assertEquals("a", d.key);
        assertEquals(3, d.ts);
        assertArrayEquals(new float[] {1f}, d.values);
        assertTrue(Float.isNaN(d.prediction[0]));
        assertTrue(Double.isNaN(d.residual));
        assertEquals(1.0, d.score);
        assertTrue(Double.isNaN(d.threshold), "a missing double is NaN");
        assertEquals(2, d.step);
    }

    @Test
    void badInputNamesTheField() {
        assertEquals("not a detection: field \"key\" is missing",
                assertThrows(UncheckedIOException.class, () -> DetectionJson.fromJson("{\"ts\":1}")).getMessage());
        assertEquals("not a detection: field \"ts\" is missing",
                assertThrows(UncheckedIOException.class, () -> DetectionJson.fromJson("{\"key\":\"a\"}")).getMessage());
        assertTrue(assertThrows(UncheckedIOException.class,
                () -> DetectionJson.fromJson("{\"key\":\"a\",\"ts\":\"soon\"}")).getMessage().contains("\"ts\""));
        assertTrue(assertThrows(UncheckedIOException.class,
                () -> DetectionJson.fromJson("{\"key\":\"a\",\"ts\":1,\"values\":[\"x\"]}")).getMessage()
                .contains("values[0]"));
        assertTrue(assertThrows(UncheckedIOException.class, () -> DetectionJson.fromJson("[1]")).getMessage()
                .contains("expected a JSON object"));
        assertThrows(UncheckedIOException.class, () -> DetectionJson.fromJson("{\"key\":\"a\",\"ts\":1"));
    }

    private static int finiteFloatBits(Random rnd) {
        while (true) {
            int bits = rnd.nextInt();
            if (Float.isFinite(Float.intBitsToFloat(bits))) {
                return bits;
            }
        }
    }

    private static double finiteDouble(Random rnd) {
        while (true) {
            double d = Double.longBitsToDouble(rnd.nextLong());
            if (Double.isFinite(d)) {
                return d;
            }
        }
    }
}
