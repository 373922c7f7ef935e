package dev.lstmflink.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** SplitMix64 and its shuffle against the check values of the PyTorch peer's recipe (shared/peers/README.md). */
class SplitMix64Test {

    @Test
    void firstValuesOfSeed42() {
        SplitMix64 r = new SplitMix64(42);
        assertEquals("13679457532755275413", Long.toUnsignedString(r.next()));
        assertEquals("2949826092126892291", Long.toUnsignedString(r.next()));
    }

    @Test
    void nextDoubleIsTopBitsOfNext() {
        SplitMix64 a = new SplitMix64(7);
        SplitMix64 b = new SplitMix64(7);
        for (int i = 0; i < 1000; i++) {
            double d = a.nextDouble();
            assertEquals((b.next() >>> 11) * 0x1.0p-53, d);
            assertEquals(true, d >= 0 && d < 1);
        }
    }

    /** The benchmark series s[t] of the recipe, whose noise is nextDouble() of SplitMix64(42). */
    @Test
    void benchmarkSeriesCheckValues() {
        SplitMix64 r = new SplitMix64(42);
        float[] s = new float[4];
        for (int t = 0; t < 4; t++) {
            double u = r.nextDouble();
            s[t] = (float) (Math.sin(2 * Math.PI * t / 37) + 0.5 * Math.sin(2 * Math.PI * t / 11) + 0.1 * (2 * u - 1));
        }
        assertArrayEquals(new float[] {(float) 0.04831297695636749, (float) 0.3713033199310303,
            (float) 0.7436760067939758, (float) 0.9514437913894653}, s);
    }

    @Test
    void shuffleEpochsOfSeed12345() {
        SplitMix64 r = new SplitMix64(12345);
        int[] epoch1 = identity(10_000);
        r.shuffle(epoch1);
        assertArrayEquals(new int[] {7078, 7366, 1930, 4892, 1857, 9753, 9123, 5303}, Arrays.copyOf(epoch1, 8));
        int[] epoch2 = r.permutation(10_000);   // same stream, fresh [0..9999]
        assertArrayEquals(new int[] {9214, 3032, 7674, 7157, 1395, 8455, 5190, 6389}, Arrays.copyOf(epoch2, 8));
        int[] sorted = epoch2.clone();
        Arrays.sort(sorted);
        assertArrayEquals(identity(10_000), sorted, "a permutation");
    }

    @Test
    void shuffleDrawsOneValuePerSwap() {
        SplitMix64 a = new SplitMix64(1);
        a.shuffle(new int[5]);
        SplitMix64 b = new SplitMix64(1);
        for (int i = 0; i < 4; i++) {
            b.next();
        }
        assertEquals(b.next(), a.next());
        SplitMix64 c = new SplitMix64(1);
        c.shuffle(new int[1]);
        c.shuffle(new int[0]);
        assertEquals(new SplitMix64(1).next(), c.next(), "n <= 1 draws nothing");
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
