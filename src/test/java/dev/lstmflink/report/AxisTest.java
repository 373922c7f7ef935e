package dev.lstmflink.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tick rules of both reports: round steps (1, 2 or 5 times a power of ten) on data ranges that are positive,
 * negative, straddle zero or are one value; log decades; the labels of each; and the time axis' steps and labels.
 */
class AxisTest {

    private static final double EPS = 1e-12;

    private static List<String> labels(Axis a) {
        List<String> out = new ArrayList<>();
        for (double t : a.ticks) {
            out.add(a.label(t));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------- nice

    @Test
    void niceSpansTheDataExactlyWithRoundTicksInside() {
        Axis a = Axis.nice(new double[] {0, 10}, 4);          // 10/4 = 2.5: step 5
        assertEquals(0, a.lo);
        assertEquals(10, a.hi);
        assertArrayEquals(new double[] {0, 5, 10}, a.ticks, EPS);
        assertEquals(List.of("0", "5", "10"), labels(a));

        a = Axis.nice(new double[] {17.3, 23.9}, 4);          // 6.6/4 = 1.65: step 2, ticks inside the range only
        assertEquals(17.3, a.lo);
        assertEquals(23.9, a.hi);
        assertArrayEquals(new double[] {18, 20, 22}, a.ticks, EPS);
    }

    @Test
    void niceOnNegativeValuesAndAcrossZero() {
        Axis a = Axis.nice(new double[] {-130, -20}, 4);      // 110/4 = 27.5: step 50
        assertArrayEquals(new double[] {-100, -50}, a.ticks, EPS);
        assertEquals(List.of("-100", "-50"), labels(a));

        a = Axis.nice(new double[] {-0.5, 0.5}, 4);           // step 0.5, one decimal on every label, no "-0.0"
        assertArrayEquals(new double[] {-0.5, 0, 0.5}, a.ticks, EPS);
        assertEquals(List.of("-0.5", "0.0", "0.5"), labels(a));
    }

    @Test
    void aConstantSeriesIsWidenedSoItStillHasTicks() {
        Axis a = Axis.nice(new double[] {42, 42}, 4);         // ±10%: [37.8, 46.2], step 5
        assertEquals(37.8, a.lo, EPS);
        assertEquals(46.2, a.hi, EPS);
        assertArrayEquals(new double[] {40, 45}, a.ticks, EPS);

        a = Axis.nice(new double[] {0, 0}, 4);                // ±1 around zero
        assertEquals(-1, a.lo);
        assertEquals(1, a.hi);
        assertEquals(List.of("-1.0", "-0.5", "0.0", "0.5", "1.0"), labels(a));

        a = Axis.nice(new double[] {-2, -2}, 3);              // negative: [-2.2, -1.8], step 0.2
        assertEquals(List.of("-2.2", "-2.0", "-1.8"), labels(a));
        assertEquals(0.5, a.fraction(-2), EPS);

        a = Axis.nice(null, 4);                               // no finite value at all: [0, 1]
        assertEquals(List.of("0.0", "0.5", "1.0"), labels(a));
    }

    @Test
    void labelsOfLargeAndTinyStepsUseSignificantDigits() {
        assertEquals(List.of("0", "2.00e+06", "4.00e+06"), labels(Axis.nice(new double[] {0, 5e6}, 4)));
        Axis tiny = Axis.nice(new double[] {0, 4e-7}, 4);     // step 1e-7: seven decimals would be unreadable
        assertEquals(List.of("0", "1.00e-07", "2.00e-07", "3.00e-07", "4.00e-07"), labels(tiny));
        assertEquals("0.00", Axis.fixed(-1, 1, new double[0], 2).label(-1e-12), "no minus on a rounded zero");
    }

    // ---------------------------------------------------------------------------------------------------- covering

    @Test
    void coveringWidensToTheTicksAroundTheData() {
        Axis a = Axis.covering(0.2, 0.52, 5);                 // 0.32/5 = 0.064: step 0.1
        assertEquals(0.2, a.lo, EPS);
        assertEquals(0.6, a.hi, EPS);
        assertArrayEquals(new double[] {0.2, 0.3, 0.4, 0.5, 0.6}, a.ticks, EPS);
        assertEquals(List.of("0.2", "0.3", "0.4", "0.5", "0.6"), labels(a));

        a = Axis.covering(-0.8, 0.49, 5);                     // negative to positive: step 0.5
        assertArrayEquals(new double[] {-1, -0.5, 0, 0.5}, a.ticks, EPS);
        assertEquals(-1, a.lo, EPS);
        assertEquals(0.5, a.hi, EPS);
        assertEquals(0.5, a.fraction(-0.25), EPS);

        a = Axis.covering(0.25, 0.25, 5);                     // constant: widened, and the value inside
        assertTrue(a.lo < 0.25 && a.hi > 0.25 && a.ticks.length >= 2, Arrays.toString(a.ticks));
        assertEquals(a.lo, a.ticks[0], EPS);
        assertEquals(a.hi, a.ticks[a.ticks.length - 1], EPS);
    }

    // ---------------------------------------------------------------------------------------------------- log

    @Test
    void logTicksAtPowersOfTenAndTwoAndFiveTimesThemOverFewDecades() {
        Axis a = Axis.log(1.5e-5, 1.2e-3);                    // decades 1e-5 .. 1e-2
        assertTrue(a.isLog());
        assertEquals(List.of("1e-5", "2e-5", "5e-5", "1e-4", "2e-4", "5e-4", "0.001", "0.002", "0.005", "0.01"),
                labels(a));
        assertEquals(0.5, Axis.log(1e-5, 1e-3).fraction(1e-4), EPS);

        a = Axis.log(1e-7, 2e4);                              // 12 decades: every second power of ten
        assertEquals(List.of("1e-7", "1e-5", "0.001", "0.1", "10", "1000", "1e5"), labels(a));

        a = Axis.log(0.2, 0.9);                               // inside one decade: that decade
        assertEquals(List.of("0.1", "0.2", "0.5", "1"), labels(a));
    }

    // ---------------------------------------------------------------------------------------------------- time

    @Test
    void timeStepIsTheSmallestRoundStepGivingAtMostEightTicks() {
        long t0 = 1_709_251_200_000L;                          // 2024-03-01T00:00:00Z
        TimeAxis day = new TimeAxis(t0, t0 + 5000 * 60_000L);  // 5000 minutes: every 12 hours
        assertEquals(12 * 3_600_000L, day.step);
        assertEquals("00:00", day.label(0));
        assertEquals("2024-03-01", day.dateUnder(0));
        assertNull(day.dateUnder(1), "the date only under the first tick of a day");
        assertEquals("2024-03-02", day.dateUnder(2));

        TimeAxis ms = new TimeAxis(t0 + 1, t0 + 1001);          // one second: every 200 ms, from the first multiple
        assertEquals(200, ms.step);
        assertArrayEquals(new long[] {t0 + 200, t0 + 400, t0 + 600, t0 + 800, t0 + 1000}, ms.ticks);
        assertEquals("00:00:00.200", ms.label(0));

        TimeAxis years = new TimeAxis(t0, t0 + 10 * 365 * 86_400_000L);
        assertEquals(2 * 365 * 86_400_000L, years.step, "past a year: whole years");
        assertNull(years.dateUnder(0), "date labels need no date under them");
        assertTrue(years.label(0).matches("\\d{4}-\\d\\d-\\d\\d"), years.label(0));

        assertEquals("2024-03-01 00:00:00", TimeAxis.stamp(t0));
        assertEquals("2024-03-01 00:00:00.042", TimeAxis.stamp(t0 + 42));
    }
}
