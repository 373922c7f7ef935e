package dev.lstmflink.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LikelihoodScorerTest {

    /** K = 1 (m = e), L large (plain running moments), warm-up 2, no floor, no spatial check, no rest. */
    private static LikelihoodConfig plain(int average) {
        return new LikelihoodConfig(average, 0, 1_000_000, 2, 0, 0, 0, 0, 0.5);
    }

    private static final float[] ZERO = {0f};

    @Test
    void erfcMatchesTabulatedValues() {
        // Abramowitz & Stegun, table 7.1: erfc(x) = 1 - erf(x)
        assertEquals(1.0, LikelihoodScorer.erfc(0), 1.2e-7);
        assertEquals(0.157299207050285, LikelihoodScorer.erfc(1), 1.2e-7 * 0.1573);
        assertEquals(0.004677734981047, LikelihoodScorer.erfc(2), 1.2e-7 * 0.0047);
        assertEquals(2.209049699858544e-5, LikelihoodScorer.erfc(3), 1.2e-7 * 2.21e-5);
        assertEquals(1.842700792949715, LikelihoodScorer.erfc(-1), 1.2e-7 * 1.84);
    }

    @Test
    void logScoreIsNumentasScale() {
        // z = 0: Q = 0.5, log(0.5)/log(1e-10) = 0.0301029995..., the baseline of Numenta's NAB results
        assertEquals(Math.log(0.5 + 1e-10) / Math.log(1e-10), LikelihoodScorer.logScore(0), 1e-8);
        assertEquals(0.030103, LikelihoodScorer.logScore(0), 1e-6);
        // Q = 1e-5 at z = 4.264890794: score 0.5
        assertEquals(0.5, LikelihoodScorer.logScore(4.264890794), 1e-6);
        assertEquals(1.0, LikelihoodScorer.logScore(Double.POSITIVE_INFINITY));
        assertEquals(1.0, LikelihoodScorer.logScore(40));
        assertTrue(LikelihoodScorer.logScore(-3) < 0.001);
    }

    @Test
    void handComputedScores() {
        LikelihoodScorer s = new LikelihoodScorer(plain(1));
        LikelihoodState st = s.newState(1);
        // warm-up: errors 1 and 3 score 0; mean 2, population variance 1
        assertEquals(0.0, s.score(1, ZERO, st).score());
        assertEquals(0.0, s.score(3, ZERO, st).score());
        assertEquals(2.0, st.mean(), 1e-12);
        assertEquals(1.0, st.variance(), 1e-12);
        // error 4: z = (4 - 2)/1 = 2, Q(2) = 0.02275013194817921, score = log(Q + 1e-10)/log(1e-10)
        KeyScorer.Result r = s.score(4, ZERO, st);
        assertEquals(Math.log(0.02275013194817921 + 1e-10) / Math.log(1e-10), r.score(), 1e-7);
        assertEquals(0.164302, r.score(), 1e-6);
        assertFalse(r.anomaly());
        // then mean (1+3+4)/3, variance of {1,3,4}
        assertEquals(8.0 / 3, st.mean(), 1e-12);
        assertEquals((Math.pow(1 - 8.0 / 3, 2) + Math.pow(3 - 8.0 / 3, 2) + Math.pow(4 - 8.0 / 3, 2)) / 3,
                st.variance(), 1e-12);
    }

    @Test
    void shortTermMeanIsTheMeanOfTheLastKErrors() {
        LikelihoodScorer s = new LikelihoodScorer(plain(3));
        LikelihoodState st = s.newState(1);
        double[] e = {1, 2, 3, 4, 5, 6};
        double[] expected = {1, 1.5, 2, 3, 4, 5};
        for (int i = 0; i < e.length; i++) {
            assertEquals(expected[i], s.score(e[i], ZERO, st).smoothedError(), 1e-6, "m at " + i);
        }
    }

    @Test
    void warmupNeverFlagsAndAJumpDoes() {
        LikelihoodConfig c = new LikelihoodConfig(1, 0, 1000, 50, 0, 0, 0, 0, 0.5);
        LikelihoodScorer s = new LikelihoodScorer(c);
        LikelihoodState st = s.newState(1);
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 50; i++) {
            KeyScorer.Result r = s.score(rnd.nextDouble(), ZERO, st);
            assertEquals(0.0, r.score());
            assertFalse(r.anomaly());
        }
        for (int i = 0; i < 200; i++) {
            assertFalse(s.score(rnd.nextDouble(), ZERO, st).anomaly(), "uniform noise flagged at " + i);
        }
        KeyScorer.Result big = s.score(10, ZERO, st);   // z = (10 - 0.5)/0.29 ~ 33
        assertEquals(1.0, big.score(), 1e-9);
        assertTrue(big.anomaly());
    }

    @Test
    void spatialCheckScoresNewExtremesOne() {
        LikelihoodConfig c = new LikelihoodConfig(1, 0, 1000, 5, 0, 0.05, 0, 0, 0.5);
        LikelihoodScorer s = new LikelihoodScorer(c);
        LikelihoodState st = s.newState(1);
        for (int i = 0; i <= 10; i++) {
            s.score(1, new float[] {i / 10f}, st);   // range [0, 1], same error every time: z = 0
        }
        assertEquals(LikelihoodScorer.logScore(0), s.score(1, new float[] {1.04f}, st).score(), 1e-9);  // within 5 %
        assertEquals(1.0, s.score(1, new float[] {1.2f}, st).score());   // 1.2 > 1.04 + 0.05 * 1.04
        assertEquals(1.0, s.score(1, new float[] {-0.1f}, st).score());
    }

    @Test
    void floorKeepsTinyErrorsOfANoiseFreeSeriesQuiet() {
        // a perfect sine prediction with 1e-6 jitter in the error: without the floor, a 1e-5 error is a huge surprise
        for (double floor : new double[] {0, 0.05}) {
            LikelihoodScorer s = new LikelihoodScorer(new LikelihoodConfig(1, 0, 1000, 100, floor, 0, 0, 0, 0.5));
            LikelihoodState st = s.newState(1);
            SplittableRandom rnd = new SplittableRandom(3);
            for (int i = 0; i < 500; i++) {
                s.score(1e-6 * rnd.nextDouble(), new float[] {(float) Math.sin(i / 10.0)}, st);
            }
            double score = s.score(1e-5, new float[] {(float) Math.sin(50.0)}, st).score();
            if (floor == 0) {
                assertEquals(1.0, score, 1e-9);
            } else {
                assertTrue(score < 0.05, "score " + score);   // z ~ 1e-5 / (0.05 * 0.7)
            }
        }
    }

    @Test
    void theLevelChannelFindsALevelThatMovesAndStaysWhenTheErrorsDoNot() {
        // the predictor follows the shift (its error stays small), the level moves by 10 sd of the noise and stays
        for (int levelAverage : new int[] {0, 5}) {
            LikelihoodScorer s = new LikelihoodScorer(
                    new LikelihoodConfig(1, levelAverage, 100_000, 50, 0, 0, 0, 0, 0.5));
            LikelihoodState st = s.newState(1);
            SplittableRandom rnd = new SplittableRandom(9);
            int flags = 0;
            int firstFlag = -1;
            for (int i = 0; i < 400; i++) {
                float x = (float) (0.1 * rnd.nextGaussian() + (i >= 300 ? 1.0 : 0.0));
                KeyScorer.Result r = s.score(0.01 + 0.001 * rnd.nextDouble(), new float[] {x}, st);
                if (r.anomaly()) {
                    flags++;
                    firstFlag = firstFlag < 0 ? i : firstFlag;
                }
            }
            if (levelAverage == 0) {
                assertEquals(0, flags, "the error channel alone does not see it");
            } else {
                assertTrue(firstFlag >= 300 && firstFlag <= 304, "found within K_level events: " + firstFlag);
            }
        }
    }

    @Test
    void restScalesTheScoresAfterAnAlert() {
        LikelihoodScorer s = new LikelihoodScorer(new LikelihoodConfig(1, 0, 1000, 10, 0, 0, 3, 0.25, 0.5));
        LikelihoodState st = s.newState(1);
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < 100; i++) {
            s.score(rnd.nextDouble(), ZERO, st);
        }
        assertTrue(s.score(100, ZERO, st).anomaly());
        assertEquals(3, st.rest());
        // the next three score a quarter of what they would (a fresh copy without the rest tells what that is)
        for (int i = 0; i < 3; i++) {
            LikelihoodState free = st.copy();
            free.rest = 0;
            double unscaled = s.score(100, ZERO, free).score();
            KeyScorer.Result r = s.score(100, ZERO, st);
            assertEquals(0.25 * unscaled, r.score(), 1e-12);
            assertFalse(r.anomaly());
        }
        assertEquals(0, st.rest());
        assertTrue(s.score(1000, ZERO, st).anomaly());   // the rest is over
    }

    @Test
    void scoresDoNotDependOnTheUnits() {
        LikelihoodScorer s = new LikelihoodScorer(LikelihoodConfig.defaults());
        LikelihoodState a = s.newState(2);
        LikelihoodState b = s.newState(2);
        SplittableRandom rnd = new SplittableRandom(11);
        float scale = 1024f;   // a power of two: every float operation scales exactly
        for (int i = 0; i < 3000; i++) {
            float[] x = {(float) Math.sin(i / 15.0) + (float) rnd.nextGaussian() * 0.1f, (float) rnd.nextDouble()};
            if (i == 2000) {
                x[0] += 3;
            }
            float[] xs = {x[0] * scale, x[1] * scale};
            double e = Math.abs(rnd.nextGaussian()) * 0.1 + (i == 2000 ? 3 : 0);
            KeyScorer.Result ra = s.score(e, x, a);
            KeyScorer.Result rb = s.score(e * scale, xs, b);
            assertEquals(ra.score(), rb.score(), 1e-12, "event " + i);
            assertEquals(ra.anomaly(), rb.anomaly(), "event " + i);
        }
    }

    @Test
    void thePerEventPathAllocatesNothingButTheResult() {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported(), "this JVM cannot measure allocation");
        mx.setThreadAllocatedMemoryEnabled(true);
        LikelihoodScorer s = new LikelihoodScorer(LikelihoodConfig.defaults());
        LikelihoodState st = s.newState(3);
        SplittableRandom rnd = new SplittableRandom(6);
        double[] noise = rnd.doubles(4096).toArray();
        float[] x = new float[3];
        float[] predicted = new float[3];
        int events = 10_000;
        long tid = Thread.currentThread().getId();
        KeyScorer.Result[] kept = new KeyScorer.Result[1024];   // the results escape, so each is allocated
        long best = Long.MAX_VALUE;
        int flagged = 0;
        for (int round = 0; round < 30; round++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < events; i++) {
                x[i % 3] = (float) (noise[i & 4095] * ((i % 997) == 0 ? 40 : 1));   // now and then an alert
                kept[i & 1023] = s.score(x, predicted, st);
                flagged += kept[i & 1023].anomaly() ? 1 : 0;
            }
            best = Math.min(best, mx.getThreadAllocatedBytes(tid) - before);
        }
        assertTrue(flagged > 0, "alerts and rest periods ran");
        // one Result (a 5-field record, 48 bytes with alignment) per event and nothing else
        assertTrue(best <= 48L * events + 256, best + " bytes over " + events + " events");
    }

    @Test
    void badInputChangesNothing() {
        LikelihoodScorer s = new LikelihoodScorer(LikelihoodConfig.defaults());
        LikelihoodState st = s.newState(1);
        s.score(1, ZERO, st);
        LikelihoodState before = st.copy();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.score(-1, ZERO, st));
        assertEquals("error must be a finite number >= 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.score(1, new float[] {Float.NaN}, st));
        assertEquals("values[0] = NaN is not finite", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.score(1, new float[2], st));
        assertEquals("the event has 2 values, the state was made for 1", e.getMessage());
        assertEquals(before, st);
    }

    @Test
    void configErrorsNameTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LikelihoodConfig(0, 0, 1000, 100, 0.05, 0.05, 100, 0, 0.5));
        assertEquals("average must be in [1, 1000], got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new LikelihoodConfig(10, 0, 1000, 100, 0.05, 0.05, 100, 1, 0.5));
        assertEquals("rest_scale must be in [0, 1), got 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new LikelihoodConfig(10, 0, 1000, 100, 0.05, 0.05, 100, 0, 0));
        assertEquals("threshold must be in (0, 1], got 0.0", e.getMessage());
    }

    @Test
    void stateRoundTripsAndSizeIsBounded() throws IOException {
        LikelihoodScorer s = new LikelihoodScorer(LikelihoodConfig.defaults());
        LikelihoodState st = s.newState(3);
        SplittableRandom rnd = new SplittableRandom(2);
        for (int i = 0; i < 5000; i++) {
            s.score(rnd.nextDouble(), new float[] {(float) rnd.nextGaussian(), 1, 2}, st);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        st.write(new DataOutputStream(bytes));
        assertEquals(LikelihoodState.serializedSize(3, 20, 50), bytes.size());
        assertEquals(80 + 80 + 200 + 48, bytes.size());
        LikelihoodState back = LikelihoodState.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(st, back);
        byte[] corrupt = bytes.toByteArray();
        corrupt[23] = 0;   // k = 0 (bytes 20..23 hold k)
        IOException e = assertThrows(IOException.class,
                () -> LikelihoodState.read(new DataInputStream(new ByteArrayInputStream(corrupt))));
        assertEquals("corrupt likelihood state: 0 features is not in [1, 65536]", e.getMessage());
    }
}
