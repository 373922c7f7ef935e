package dev.lstmflink.report;

import java.util.Arrays;
import java.util.Locale;

/**
 * A value axis of a report chart: its range, where its ticks go and how they are labelled. It exists so that the
 * detection chart ({@link Chart}) and the training report's loss chart ({@code cli.TrainingReport}) choose round ticks
 * with one rule instead of two copies: a step of 1, 2 or 5 times a power of ten giving about the number of intervals
 * asked for, or, on a log axis, the powers of ten. A range of one value is widened (±10%, or ±1 around 0) first, so a
 * constant series still gets an axis with ticks.
 *
 * <p>Three linear shapes: {@link #fixed} (the score's [0, 1]), {@link #nice} (exactly the data's range, ticks inside
 * it; the chart pads its panels so the ends stay off the frame) and {@link #covering} (widened to the ticks around
 * the data, for a plot without padding). The time axis under the detection chart is {@link TimeAxis}.
 */
public final class Axis {

    final boolean log;
    final double lo;
    final double hi;
    final double[] ticks;
    /** Decimals of a linear axis' labels: enough for its step, the same for every tick. */
    final int decimals;

    private Axis(boolean log, double lo, double hi, double[] ticks, int decimals) {
        this.log = log;
        this.lo = lo;
        this.hi = hi;
        this.ticks = ticks;
        this.decimals = decimals;
    }

    /** A linear axis on [lo, hi] with the ticks given, labelled with {@code decimals} decimals. */
    static Axis fixed(double lo, double hi, double[] ticks, int decimals) {
        return new Axis(false, lo, hi, ticks, decimals);
    }

    /**
     * An axis on exactly [min, max] of {@code range} ([0, 1] when null), with ticks at the multiples of a round step
     * inside it, about {@code target} intervals.
     */
    static Axis nice(double[] range, int target) {
        double[] r = widened(range == null ? 0 : range[0], range == null ? 1 : range[1]);
        double step = step(r[0], r[1], target);
        long first = (long) Math.ceil(r[0] / step - 1e-9);
        long last = (long) Math.floor(r[1] / step + 1e-9);
        return new Axis(false, r[0], r[1], multiples(first, last, step), decimals(step));
    }

    /**
     * An axis from the last multiple of a round step at or below {@code min} to the first at or above {@code max},
     * about {@code target} intervals, a tick at each multiple.
     */
    public static Axis covering(double min, double max, int target) {
        double[] r = widened(min, max);
        double step = step(r[0], r[1], target);
        long first = (long) Math.floor(r[0] / step);
        long last = (long) Math.ceil(r[1] / step);
        return new Axis(false, first * step, last * step, multiples(first, last, step), decimals(step));
    }

    /**
     * A log10 axis on the decades that cover [min, max] (both > 0), a tick at every power of ten (every second or
     * more over more than six decades), and at 2 and 5 times each over at most three decades.
     */
    public static Axis log(double min, double max) {
        int a = (int) Math.floor(Math.log10(min));
        int b = (int) Math.ceil(Math.log10(max));
        if (b == a) {
            b++;
        }
        int every = Math.max(1, (b - a + 5) / 6);
        double[] ticks = new double[3 * (b - a + 1)];
        int n = 0;
        for (int d = a; d <= b; d += every) {
            ticks[n++] = Math.pow(10, d);
            if (b - a <= 3 && d < b) {
                ticks[n++] = 2 * Math.pow(10, d);
                ticks[n++] = 5 * Math.pow(10, d);
            }
        }
        return new Axis(true, Math.pow(10, a), Math.pow(10, b), Arrays.copyOf(ticks, n), 0);
    }

    /** The ticks, lowest first. */
    public double[] ticks() {
        return ticks.clone();
    }

    public boolean isLog() {
        return log;
    }

    /** Where {@code v} lies on the axis: 0 at the bottom, 1 at the top (log10 on a log axis, clamped below at lo). */
    public double fraction(double v) {
        if (log) {
            double lv = Math.log10(Math.max(v, lo));
            return (lv - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
        }
        return (v - lo) / (hi - lo);
    }

    /**
     * A tick's label. Linear: fixed {@link #decimals} (no "-0"), or three significant digits (and a plain "0") for
     * values from 10^6 on and steps below 10^-6. Log: the plain number from 0.001 to 10^4 (no trailing zeros), else
     * {@code 2e-5}.
     */
    public String label(double v) {
        if (log) {
            if (v >= 1e-3 && v <= 1e4) {
                return stripZeros(String.format(Locale.ROOT, "%.6f", v));
            }
            long e = (long) Math.floor(Math.log10(v) + 1e-9);
            return Math.round(v / Math.pow(10, e)) + "e" + e;
        }
        double a = Math.abs(v);
        if (a >= 1e6 || decimals > 6) {
            return a == 0 ? "0" : String.format(Locale.ROOT, "%.3g", v);
        }
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
    }

    // ---------------------------------------------------------------------------------------------------- rules

    /** [min, max], widened around a single value (relative width below 10^-9) so it has a step. */
    private static double[] widened(double min, double max) {
        if (max - min < 1e-9 * Math.max(1, Math.abs(max))) {
            double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
            return new double[] {min - pad, max + pad};
        }
        return new double[] {min, max};
    }

    /** 1, 2, 5 or 10 times the power of ten below (max - min) / target: the first at least that wide. */
    private static double step(double min, double max, int target) {
        double raw = (max - min) / target;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double r = raw / mag;
        return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
    }

    private static double[] multiples(long first, long last, double step) {
        double[] ticks = new double[(int) Math.max(0, last - first + 1)];
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = (first + i) * step;
        }
        return ticks;
    }

    private static int decimals(double step) {
        return (int) Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    }

    private static String stripZeros(String s) {
        if (s.indexOf('.') < 0) {
            return s;
        }
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
