package dev.lstmflink.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The state's bytes and bounds, and the config's validation. */
class ScoringStateTest {

    @Test
    void writeHasTheDocumentedSizeAndReadsBackEqual() throws IOException {
        for (ScoringConfig c : new ScoringConfig[] {ScoringConfig.dynamic(), ScoringConfig.dynamic().withWindow(37)}) {
            KeyScorer k = new KeyScorer(c);
            ScoringState s = k.newState();
            assertEquals(s, roundTrip(s, c.window()), "a new key");
            Random rnd = new Random(1);
            for (int t = 0; t < 3 * c.window() + 5; t++) {   // past a wrap of the ring
                k.scoreResidual(rnd.nextDouble(), s);
            }
            ScoringState back = roundTrip(s, c.window());
            assertEquals(s, back);
            // the restored state goes on exactly as the original
            for (int t = 0; t < 50; t++) {
                double r = rnd.nextDouble() * (t == 25 ? 30 : 1);
                assertEquals(k.scoreResidual(r, s), k.scoreResidual(r, back), "event " + t);
            }
        }
        assertEquals(4_072, ScoringState.serializedSize(1000));
    }

    private static ScoringState roundTrip(ScoringState s, int w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.write(new DataOutputStream(bytes));
        assertEquals(ScoringState.serializedSize(w), bytes.size(), "72 + 4W bytes");
        return ScoringState.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    @Test
    void corruptBytesAreAnIoExceptionNamingThePart() throws IOException {
        ScoringState s = new ScoringState(10);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.write(new DataOutputStream(bytes));
        byte[] good = bytes.toByteArray();
        byte[] badSize = good.clone();
        badSize[31] = 11;   // size (bytes 28-31) = 11 > W = 10
        IOException e = assertThrows(IOException.class, () -> read(badSize));
        assertTrue(e.getMessage().contains("size"), e.getMessage());
        byte[] badW = good.clone();
        badW[68] = 0x7f;    // W (bytes 68-71) huge
        e = assertThrows(IOException.class, () -> read(badW));
        assertTrue(e.getMessage().contains("window capacity"), e.getMessage());
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        assertThrows(IOException.class, () -> read(truncated));
    }

    private static ScoringState read(byte[] b) throws IOException {
        return ScoringState.read(new DataInputStream(new ByteArrayInputStream(b)));
    }

    @Test
    void inconsistentPartsAreRejected() {
        float[] w = new float[10];
        assertThrows(IllegalArgumentException.class,
                () -> new ScoringState(5, 0, 0, w, 10, 5, 0, 0, 0, 0, 0), "head out of range");
        assertThrows(IllegalArgumentException.class,
                () -> new ScoringState(5, 0, 0, w, 3, 5, 0, 0, 0, 0, 0), "head != size before the ring is full");
        assertThrows(IllegalArgumentException.class,
                () -> new ScoringState(3, 0, 0, w, 5, 5, 0, 0, 0, 0, 0), "size > count");
        assertThrows(IllegalArgumentException.class,
                () -> new ScoringState(-1, 0, 0, w, 0, 0, 0, 0, 0, 0, 0), "negative count");
        assertThrows(IllegalArgumentException.class, () -> new ScoringState(0));
        new ScoringState(50, 0, 0, w, 7, 10, 3, 0, 0, 0, 0);   // a full ring may start anywhere
    }

    @Test
    void configErrorsNameTheSettingAndTheValue() {
        ScoringConfig d = ScoringConfig.dynamic();
        assertMessage(() -> d.withWindow(5), "window", "5");
        assertMessage(() -> d.withRecomputeEvery(0), "recompute-every", "0");
        assertMessage(() -> d.withWarmup(1), "warmup", "1");
        assertMessage(() -> d.withEwmaSpan(0.5), "ewma-span", "0.5");
        assertMessage(() -> d.withEwmaSpan(Double.NaN), "ewma-span", "NaN");
        assertMessage(() -> d.withZRange(0, 12, 0.5), "z-min", "0");
        assertMessage(() -> d.withZRange(2.5, 2.5, 0.5), "z-max", "2.5");
        assertMessage(() -> d.withZRange(2.5, 12, 0), "z-step", "0");
        assertMessage(() -> d.withZRange(2.5, 12, 1e-6), "candidates", "");
        assertMessage(() -> d.withPruneP(1), "prune-p", "1");
        assertMessage(() -> d.withPruneP(-0.1), "prune-p", "-0.1");
        assertMessage(() -> d.withErrorBuffer(0), "error-buffer", "0");
        assertMessage(() -> d.withErrorBuffer(1000), "error-buffer", "1000");
        assertMessage(() -> d.withFixedThreshold(0), "fixed-threshold", "0");
        assertMessage(() -> d.withFixedThreshold(1.5), "fixed-threshold", "1.5");
        assertMessage(() -> d.withMode(null), "mode", "null");
        assertEquals(19, d.zCandidates(), "2.5, 3.0, ..., 11.5 as np.arange(2.5, 12.0, 0.5)");
    }

    private static void assertMessage(Runnable r, String setting, String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().startsWith(setting) || e.getMessage().contains(setting), e.getMessage());
        assertTrue(e.getMessage().contains(value), e.getMessage());
    }
}
