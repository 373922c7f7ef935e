package dev.lstmflink.report;

import static dev.lstmflink.report.HtmlPage.esc;
import static dev.lstmflink.report.Polyline.tenths;
import static dev.lstmflink.report.TimeAxis.stamp;

import java.util.Locale;

/**
 * One key's chart in {@code report.html}: three panels on one time axis (UTC), as {@link ReportHtml} describes them,
 * in inline SVG. It is its own class because it is most of the report and all of its geometry: the layout of legend
 * and panels, the event order, the downsampled lines, and the flags and known windows, which are never downsampled.
 * The page around it is {@link ReportHtml}; ticks and labels come from {@link Axis} and {@link TimeAxis}.
 */
final class Chart {

    /** The chart's width in SVG units; the page scales it to the window. */
    static final int WIDTH = 1080;
    static final int LEFT = 64;
    /** The plot area's width, one downsampling bucket per unit. */
    static final int PLOT_W = 1000;
    static final int BUCKETS = PLOT_W;
    static final int SIGNAL_H = 180;
    static final int SCORE_H = 80;
    static final int ERROR_H = 80;
    /** The space between panels, which holds the lower panel's caption. */
    private static final int GAP = 20;
    private static final int AXIS_H = 34;
    /** Top and bottom margin inside a panel, so lines at the range's ends are not drawn on the frame. */
    private static final double PAD = 4;
    /** The width of one character at 11px, to lay out the legend and the window labels. */
    static final double CHAR_W = 6.2;

    private static final String[] FEATURE_COLOURS = {"#3274d9", "#56a64b", "#b877d9", "#1f9ea8", "#c48a00", "#7b8794"};
    private static final String PREDICTION_COLOUR = "#ff9830";
    private static final String SCORE_COLOUR = "#8f3bb8";
    private static final String RESIDUAL_COLOUR = "#5794f2";
    private static final String THRESHOLD_COLOUR = "#37872d";

    /** The chart's styles, after {@link HtmlPage#CSS} in the page's style sheet. */
    static final String CSS = """
            svg.chart{display:block;width:100%;height:auto}
            svg text{font-size:11px;fill:#5b6270}
            svg .caption{font-size:10.5px;fill:#8a909a;letter-spacing:.02em}
            svg .frame{fill:none;stroke:#d5d9e0}
            svg .grid{fill:none;stroke:#eef0f3}
            svg .line{fill:none;stroke-width:1.2;stroke-linejoin:round;stroke-linecap:round}
            svg .dash{stroke-dasharray:5 3}
            svg .truth{fill:#f2cc0c;fill-opacity:.22}
            svg .tlabel{font-size:10px;fill:#8a6d00;paint-order:stroke;stroke:#fff;stroke-width:3px;\
            stroke-linejoin:round}
            svg .flag{fill:#e02f44;stroke:#fff;stroke-width:1}
            svg .flag:hover{stroke:#1f2328}
            svg .flagdot{fill:none;stroke:#e02f44;stroke-width:5;stroke-linecap:round}
            svg .rug{fill:none;stroke:#e02f44;stroke-width:1.2}
            """;

    private final ReportSeries s;
    private final StringBuilder g;
    /** Event indices in timestamp order; null when they arrived in order. */
    private final int[] order;
    private final long t0;
    private final long t1;
    private final TimeAxis time;

    private Chart(StringBuilder g, ReportSeries s) {
        this.g = g;
        this.s = s;
        this.order = s.ordered() ? null : sortedByTs(s);
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        if (s.size() > 0) {
            lo = s.ts(idx(0));
            hi = s.ts(idx(s.size() - 1));
        }
        for (int w = 0; w < s.truthCount(); w++) {
            lo = Math.min(lo, s.truthStart(w));
            hi = Math.max(hi, s.truthEnd(w));
        }
        if (hi == lo) {
            lo -= 500;
            hi += 500;
        }
        t0 = lo;
        t1 = hi;
        time = new TimeAxis(t0, t1);
    }

    private int idx(int j) {
        return order == null ? j : order[j];
    }

    private double x(long ts) {
        return (ts - t0) * (double) PLOT_W / (t1 - t0);
    }

    private int bucket(long ts) {
        return (int) Math.min(BUCKETS - 1, (long) ((ts - t0) * (double) BUCKETS / (t1 - t0)));
    }

    /** Appends the chart of {@code s}, an {@code <svg>} element, to {@code g}. */
    static void draw(StringBuilder g, ReportSeries s) {
        new Chart(g, s).draw();
    }

    private void draw() {
        boolean anyThreshold = any(s::threshold);
        boolean thresholdOnScore = s.thresholdUnits() == ReportSeries.ThresholdUnits.SCORE;
        boolean errorPanel = any(s::residual) || (anyThreshold && !thresholdOnScore);

        Legend legend = new Legend(PLOT_W);
        for (int f = 0; f < s.features(); f++) {
            legend.line(featureColour(f), s.featureName(f), false);
        }
        if (s.hasPrediction()) {
            legend.line(s.features() == 1 ? PREDICTION_COLOUR : "#7b8794", "prediction", true);
        }
        legend.line(SCORE_COLOUR, "score", false);
        if (errorPanel && any(s::residual)) {
            legend.line(RESIDUAL_COLOUR, "residual", false);
        }
        if (anyThreshold) {
            legend.line(THRESHOLD_COLOUR,
                    thresholdOnScore ? "threshold t (score)" : "threshold \u03b5 (smoothed error)", true);
        }
        if (s.truthCount() > 0) {
            legend.truth("known anomaly");
        }
        legend.flag("detected anomaly");

        int top = legend.rows() * Legend.ROW + 8 + GAP;
        int height = top + SIGNAL_H + GAP + SCORE_H + (errorPanel ? GAP + ERROR_H : 0) + AXIS_H;
        g.append("<svg class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"values, score and anomalies of ").append(esc(s.key()))
                .append("\">\n");
        legend.draw(g, LEFT);

        int y = top;
        Axis values = Axis.nice(rangeOfValues(), 4);
        panel("values", y, SIGNAL_H, values, "values");
        for (int f = 0; f < s.features(); f++) {
            final int ff = f;
            line(i -> s.value(i, ff), values, SIGNAL_H, featureColour(f), false);
        }
        if (s.hasPrediction()) {
            for (int f = 0; f < s.features(); f++) {
                final int ff = f;
                line(i -> s.prediction(i, ff), values, SIGNAL_H,
                        s.features() == 1 ? PREDICTION_COLOUR : featureColour(f), true);
            }
        }
        truthLabels();
        flagDots(values, SIGNAL_H);
        rug(SIGNAL_H);
        g.append("</g>\n");

        y += SIGNAL_H + GAP;
        Axis score = Axis.fixed(0, 1, new double[] {0, 0.25, 0.5, 0.75, 1}, 2);
        panel("score", y, SCORE_H, score, thresholdOnScore && anyThreshold ? "score \u00b7 threshold" : "score");
        line(s::score, score, SCORE_H, SCORE_COLOUR, false);
        if (thresholdOnScore && anyThreshold) {
            line(s::threshold, score, SCORE_H, THRESHOLD_COLOUR, true);
        }
        scoreFlags(score);
        g.append("</g>\n");

        if (errorPanel) {
            y += SCORE_H + GAP;
            double[] r = range(s::residual, null);
            if (!thresholdOnScore) {
                r = range(s::threshold, r);
            }
            Axis error = Axis.nice(r == null ? null : new double[] {Math.min(0, r[0]), r[1]}, 3);
            panel("error", y, ERROR_H, error, thresholdOnScore ? "residual" : "residual \u00b7 threshold \u03b5");
            line(s::residual, error, ERROR_H, RESIDUAL_COLOUR, false);
            if (!thresholdOnScore) {
                line(s::threshold, error, ERROR_H, THRESHOLD_COLOUR, true);
            }
            rug(ERROR_H);
            g.append("</g>\n");
            y += ERROR_H;
        } else {
            y += SCORE_H;
        }
        timeLabels(y);
        g.append("</svg>\n");
    }

    // ------------------------------------------------------------------------------------------- panels

    /** Opens a panel's group (closed by the caller): frame, grid, y labels, caption and the known windows. */
    private void panel(String name, int y, int height, Axis axis, String caption) {
        g.append("<g class=\"panel ").append(name).append("\" transform=\"translate(").append(LEFT).append(',')
                .append(y).append(")\">\n");
        g.append("<rect class=\"frame\" x=\"0\" y=\"0\" width=\"").append(PLOT_W).append("\" height=\"")
                .append(height).append("\"/>\n");
        StringBuilder grid = new StringBuilder();
        for (double t : axis.ticks) {
            double py = y(axis, t, height);
            grid.append('M').append(0).append(',');
            tenths(grid, py);
            grid.append('H').append(PLOT_W);
            g.append("<text x=\"-6\" y=\"");
            tenths(g, py + 4);
            g.append("\" text-anchor=\"end\">").append(axis.label(t)).append("</text>");
        }
        for (long t : time.ticks) {
            grid.append('M');
            tenths(grid, x(t));
            grid.append(",0V").append(height);
        }
        g.append('\n');
        if (grid.length() > 0) {
            g.append("<path class=\"grid\" d=\"").append(grid).append("\"/>\n");
        }
        for (int w = 0; w < s.truthCount(); w++) {
            double x0 = x(s.truthStart(w));
            double width = Math.max(1.5, x(s.truthEnd(w)) - x0);
            if (x(s.truthEnd(w)) - x0 < 1.5) {
                x0 -= (1.5 - (x(s.truthEnd(w)) - x0)) / 2;   // centre a window narrower than a pixel
            }
            g.append("<rect class=\"truth\" x=\"");
            tenths(g, x0);
            g.append("\" y=\"0\" width=\"");
            tenths(g, width);
            g.append("\" height=\"").append(height).append("\"><title>known anomaly");
            if (!s.truthKind(w).isEmpty()) {
                g.append(": ").append(esc(s.truthKind(w)));
            }
            g.append(", ").append(stamp(s.truthStart(w))).append(" \u2013 ").append(stamp(s.truthEnd(w)))
                    .append(" UTC</title></rect>\n");
        }
        g.append("<text class=\"caption\" x=\"0\" y=\"-6\">").append(caption).append("</text>\n");
    }

    /** The kinds of the known windows along the top of the values panel, where they do not overlap. */
    private void truthLabels() {
        long[] starts = new long[s.truthCount()];
        for (int w = 0; w < starts.length; w++) {
            starts[w] = s.truthStart(w);
        }
        int[] byStart = sortIndices(starts);
        double free = Double.NEGATIVE_INFINITY;
        for (int w : byStart) {
            String kind = s.truthKind(w);
            double x0 = x(s.truthStart(w)) + 2;
            if (kind.isEmpty() || x0 < free) {
                continue;
            }
            double width = kind.length() * CHAR_W * 10 / 11;
            if (x0 + width > PLOT_W) {
                x0 = Math.max(free, PLOT_W - width);
            }
            g.append("<text class=\"tlabel\" x=\"");
            tenths(g, x0);
            g.append("\" y=\"11\">").append(esc(kind)).append("</text>\n");
            free = x0 + width + 6;
        }
    }

    /** The flags on the values panel: a dot on each feature's value (a zero-length subpath with a round cap). */
    private void flagDots(Axis axis, int height) {
        if (s.anomalyCount() == 0) {
            return;
        }
        StringBuilder d = new StringBuilder(s.anomalyCount() * s.features() * 16);
        for (int a = 0; a < s.anomalyCount(); a++) {
            int i = s.anomalyIndex(a);
            for (int f = 0; f < s.features(); f++) {
                float v = s.value(i, f);
                if (Float.isFinite(v)) {
                    d.append('M');
                    tenths(d, x(s.ts(i)));
                    d.append(',');
                    tenths(d, y(axis, v, height));
                    d.append("h0");
                }
            }
        }
        if (d.length() > 0) {
            g.append("<path class=\"flagdot\" d=\"").append(d).append("\"/>\n");
        }
    }

    /** The flags as ticks along the bottom of a panel, one subpath each. */
    private void rug(int height) {
        if (s.anomalyCount() == 0) {
            return;
        }
        StringBuilder d = new StringBuilder(s.anomalyCount() * 14);
        for (int a = 0; a < s.anomalyCount(); a++) {
            d.append('M');
            tenths(d, x(s.ts(s.anomalyIndex(a))));
            d.append(',').append(height).append("v-7");
        }
        g.append("<path class=\"rug\" d=\"").append(d).append("\"/>\n");
    }

    /** The flags on the score panel: one circle each, with the event's numbers as a tooltip. */
    private void scoreFlags(Axis axis) {
        for (int a = 0; a < s.anomalyCount(); a++) {
            int i = s.anomalyIndex(a);
            float sc = s.score(i);
            g.append("<circle class=\"flag\" data-ts=\"").append(s.ts(i)).append("\" cx=\"");
            tenths(g, x(s.ts(i)));
            g.append("\" cy=\"");
            tenths(g, y(axis, Float.isFinite(sc) ? Math.max(0, Math.min(1, sc)) : 1, SCORE_H));
            g.append("\" r=\"3.5\"><title>").append(stamp(s.ts(i))).append(" UTC: score ").append(num(sc))
                    .append(", residual ").append(num(s.residual(i))).append(", threshold ")
                    .append(num(s.threshold(i)));
            for (int f = 0; f < s.features(); f++) {
                g.append(f == 0 ? "; " : ", ").append(esc(s.featureName(f))).append(' ').append(num(s.value(i, f)));
            }
            g.append("</title></circle>\n");
        }
    }

    /** The time axis' labels under the last panel, a date under the first time of each day. */
    private void timeLabels(int y) {
        for (int i = 0; i < time.ticks.length; i++) {
            String date = time.dateUnder(i);
            String px = tenths(new StringBuilder(), LEFT + x(time.ticks[i])).toString();
            g.append("<text class=\"time\" x=\"").append(px).append("\" y=\"").append(y + 15)
                    .append("\" text-anchor=\"middle\">").append(time.label(i));
            if (date != null) {
                g.append("<tspan x=\"").append(px).append("\" dy=\"13\">").append(date).append("</tspan>");
            }
            g.append("</text>\n");
        }
        g.append("<text x=\"").append(LEFT + PLOT_W).append("\" y=\"").append(y + 28)
                .append("\" text-anchor=\"end\" class=\"caption\">UTC</text>\n");
    }

    // ------------------------------------------------------------------------------------------- lines

    /**
     * One channel as a path: every point when there are few, else per pixel bucket its minimum and maximum in time
     * order. Non-finite values break the line (a bucket breaks it only when it has no finite value at all).
     */
    private void line(Channel c, Axis axis, int height, String colour, boolean dashed) {
        Polyline p = new Polyline();
        int n = s.size();
        if (n <= 2 * BUCKETS) {
            for (int j = 0; j < n; j++) {
                int i = idx(j);
                float v = c.at(i);
                if (Float.isFinite(v)) {
                    p.point(x(s.ts(i)), y(axis, v, height));
                } else {
                    p.gap();
                }
            }
        } else {
            int current = -1;
            int minJ = -1;
            int maxJ = -1;
            float min = 0;
            float max = 0;
            for (int j = 0; j <= n; j++) {
                int b = j == n ? -2 : bucket(s.ts(idx(j)));
                if (b != current) {
                    if (current >= 0) {
                        if (minJ < 0) {
                            p.gap();
                        } else {
                            int first = Math.min(minJ, maxJ);
                            int second = Math.max(minJ, maxJ);
                            p.point(x(s.ts(idx(first))), y(axis, first == minJ ? min : max, height));
                            if (second != first) {
                                p.point(x(s.ts(idx(second))), y(axis, second == minJ ? min : max, height));
                            }
                        }
                    }
                    current = b;
                    minJ = -1;
                    maxJ = -1;
                }
                if (j == n) {
                    break;
                }
                float v = c.at(idx(j));
                if (!Float.isFinite(v)) {
                    continue;
                }
                if (minJ < 0 || v < min) {
                    min = v;
                    minJ = j;
                }
                if (maxJ < 0 || v > max) {
                    max = v;
                    maxJ = j;
                }
            }
        }
        String d = p.finish();
        if (!d.isEmpty()) {
            g.append("<path class=\"line").append(dashed ? " dash" : "").append("\" stroke=\"").append(colour)
                    .append("\" d=\"").append(d).append("\"/>\n");
        }
    }

    // ------------------------------------------------------------------------------------------- ranges

    private boolean any(Channel c) {
        for (int i = 0; i < s.size(); i++) {
            if (Float.isFinite(c.at(i))) {
                return true;
            }
        }
        return false;
    }

    /** {min, max} of the finite values of a channel merged into {@code into}; null when there are none. */
    private double[] range(Channel c, double[] into) {
        double lo = into == null ? Double.POSITIVE_INFINITY : into[0];
        double hi = into == null ? Double.NEGATIVE_INFINITY : into[1];
        for (int i = 0; i < s.size(); i++) {
            float v = c.at(i);
            if (Float.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return lo <= hi ? new double[] {lo, hi} : null;
    }

    private double[] rangeOfValues() {
        double[] r = null;
        for (int f = 0; f < s.features(); f++) {
            final int ff = f;
            r = range(i -> s.value(i, ff), r);
            r = range(i -> s.prediction(i, ff), r);
        }
        return r;
    }

    private static String featureColour(int f) {
        return FEATURE_COLOURS[f % FEATURE_COLOURS.length];
    }

    /** A value's y in a panel of {@code height}, {@link #PAD} inside its frame. */
    private static double y(Axis axis, double v, int height) {
        return PAD + (1 - axis.fraction(v)) * (height - 2 * PAD);
    }

    /** A number in a tooltip. */
    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : "n/a";
    }

    /** One of a series' per-event numbers. */
    @FunctionalInterface
    private interface Channel {
        float at(int i);
    }

    // ------------------------------------------------------------------------------------------- order

    /** The event indices of a series in timestamp order (stable). */
    private static int[] sortedByTs(ReportSeries s) {
        long[] ts = new long[s.size()];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = s.ts(i);
        }
        return sortIndices(ts);
    }

    /** The indices of {@code keys} in ascending order of key, ties in index order: a merge sort, without boxing. */
    static int[] sortIndices(long[] keys) {
        int n = keys.length;
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        int[] b = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    b[k++] = keys[a[j]] < keys[a[i]] ? a[j++] : a[i++];
                }
                while (i < mid) {
                    b[k++] = a[i++];
                }
                while (j < hi) {
                    b[k++] = a[j++];
                }
            }
            int[] t = a;
            a = b;
            b = t;
        }
        return a;
    }
}
