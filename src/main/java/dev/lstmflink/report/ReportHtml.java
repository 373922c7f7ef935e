package dev.lstmflink.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The detection job's {@code report.html}: one self-contained page (inline CSS and inline SVG; no script, no external
 * style, font or image, so it opens offline and from a mail attachment) with the run summary, a table of contents of
 * the keys and, per key, a chart of three panels on one time axis (UTC):
 * <ol>
 *   <li>values: each feature, and the model's prediction dashed;</li>
 *   <li>score on [0, 1] (and the threshold when it is in score units, the fixed mode);</li>
 *   <li>residual, and the threshold when it is in smoothed-error units (the dynamic mode, NaN during the warm-up).</li>
 * </ol>
 * Known anomaly windows are shaded on every panel and labelled with their kind; detected anomalies are red: a circle on
 * the score (with a tooltip), dots on the values and ticks along the bottom of the other panels.
 *
 * <p>Lines are downsampled to at most two points per horizontal pixel, the minimum and the maximum of each pixel's
 * events in time order (so spikes survive), about 2000 points per line. Flagged events and anomaly windows are never
 * downsampled: each one is drawn. A 10-key × 20k-event page is about 1 MB.
 *
 * <p>The page is also well-formed XML (void elements closed, no named entities but XML's), which the test uses to check
 * it. It does not say when it was written, so the same data gives the same bytes.
 */
public final class ReportHtml {

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
    private static final int LEGEND_ROW = 18;
    /** Top and bottom margin inside a panel, so lines at the range's ends are not drawn on the frame. */
    private static final double PAD = 4;
    /** The width of one character at 11px, to lay out the legend and the window labels. */
    private static final double CHAR_W = 6.2;

    private static final String[] FEATURE_COLOURS = {"#3274d9", "#56a64b", "#b877d9", "#1f9ea8", "#c48a00", "#7b8794"};
    private static final String PREDICTION_COLOUR = "#ff9830";
    private static final String SCORE_COLOUR = "#8f3bb8";
    private static final String RESIDUAL_COLOUR = "#5794f2";
    private static final String THRESHOLD_COLOUR = "#37872d";

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    /** Time-axis steps, in milliseconds; the smallest giving at most {@link #MAX_TIME_TICKS} ticks is used. */
    private static final long[] TIME_STEPS = {1, 2, 5, 10, 20, 50, 100, 200, 500, SECOND, 2 * SECOND, 5 * SECOND,
        10 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
        HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY,
        182 * DAY, 365 * DAY};
    private static final int MAX_TIME_TICKS = 8;

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f4f5f8;\
            color:#1f2328}
            main{max-width:1140px;margin:0 auto;padding:16px 20px 40px}
            h1{font-size:20px;font-weight:600;margin:8px 0 14px}
            h2{font-size:15px;font-weight:600;margin:0 0 2px;word-break:break-all}
            .card{background:#fff;border:1px solid #dcdfe5;border-radius:4px;padding:12px 16px;margin:0 0 16px}
            .card h3{font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:#6b7280;\
            margin:0 0 8px}
            pre.summary{margin:0;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;\
            white-space:pre-wrap;word-break:break-word}
            table.toc{border-collapse:collapse;font-size:13px;width:100%}
            .toc th,.toc td{padding:4px 10px;border-bottom:1px solid #eceef2;text-align:right;white-space:nowrap}
            .toc th{color:#6b7280;font-weight:600;font-size:12px}
            .toc .k{text-align:left;white-space:normal;word-break:break-all}
            .toc a{color:#3274d9;text-decoration:none}
            .toc a:hover{text-decoration:underline}
            .hot{color:#e02f44;font-weight:600}
            .meta{color:#6b7280;font-size:12px;margin:0 0 6px}
            .note{color:#6b7280;font-size:12px}
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

    private ReportHtml() {}

    /**
     * Writes the report, creating its folder when needed; the file is replaced whole (written beside it, then moved),
     * so a reader never sees half a page.
     *
     * @param file         where to write, usually {@code report.html}
     * @param title        the page title
     * @param summaryLines the run summary, shown as preformatted lines
     * @param series       one per key, drawn in this order
     */
    public static void write(Path file, String title, List<String> summaryLines, List<ReportSeries> series)
            throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        Files.writeString(tmp, html(title, summaryLines, series), StandardCharsets.UTF_8);
        try {
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The page, as {@link #write} writes it. */
    public static String html(String title, List<String> summaryLines, List<ReportSeries> series) {
        String t = title == null ? "" : title;
        StringBuilder h = new StringBuilder(64 * 1024 + series.size() * 128 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>")
                .append(esc(t)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");
        h.append("<h1>").append(esc(t)).append("</h1>\n");
        if (summaryLines != null && !summaryLines.isEmpty()) {
            h.append("<div class=\"card\"><h3>Summary</h3><pre class=\"summary\">");
            for (int i = 0; i < summaryLines.size(); i++) {
                h.append(i == 0 ? "" : "\n").append(esc(summaryLines.get(i)));
            }
            h.append("</pre></div>\n");
        }
        toc(h, series);
        for (int k = 0; k < series.size(); k++) {
            section(h, k, series.get(k));
        }
        h.append("<p class=\"note\">Times are UTC. Lines are downsampled to the minimum and maximum per pixel; every ")
                .append("detected anomaly (red) and every known anomaly window (shaded) is drawn.</p>\n")
                .append("</main>\n</body>\n</html>\n");
        return h.toString();
    }

    // ---------------------------------------------------------------------------------------------------- contents

    private static void toc(StringBuilder h, List<ReportSeries> series) {
        h.append("<div class=\"card\"><h3>Keys</h3>\n<table class=\"toc\">\n<tr><th class=\"k\">key</th>")
                .append("<th>events</th><th>detected</th><th>known windows</th><th>windows detected</th>")
                .append("<th>flags outside windows</th><th class=\"k\">time range (UTC)</th></tr>\n");
        for (int k = 0; k < series.size(); k++) {
            ReportSeries s = series.get(k);
            Hits hits = Hits.of(s);
            h.append("<tr><td class=\"k\"><a href=\"#key-").append(k).append("\">").append(esc(s.key()))
                    .append("</a></td><td>").append(s.size()).append("</td><td")
                    .append(s.anomalyCount() > 0 ? " class=\"hot\"" : "").append('>').append(s.anomalyCount())
                    .append("</td><td>").append(s.truthCount()).append("</td><td>");
            if (s.truthCount() > 0) {
                h.append(hits.windowsHit).append(" / ").append(s.truthCount());
            }
            h.append("</td><td>").append(hits.flagsOutside).append("</td><td class=\"k\">").append(range(s))
                    .append("</td></tr>\n");
        }
        h.append("</table></div>\n");
    }

    /** How the flags of a key meet its known windows. */
    private record Hits(int windowsHit, int flagsOutside) {
        static Hits of(ReportSeries s) {
            boolean[] hit = new boolean[s.truthCount()];
            int outside = 0;
            for (int a = 0; a < s.anomalyCount(); a++) {
                long t = s.ts(s.anomalyIndex(a));
                boolean in = false;
                for (int w = 0; w < s.truthCount(); w++) {
                    if (t >= s.truthStart(w) && t <= s.truthEnd(w)) {
                        hit[w] = true;
                        in = true;
                    }
                }
                if (!in) {
                    outside++;
                }
            }
            int windows = 0;
            for (boolean b : hit) {
                windows += b ? 1 : 0;
            }
            return new Hits(windows, outside);
        }
    }

    private static String range(ReportSeries s) {
        if (s.size() == 0) {
            return "";
        }
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (int i = 0; i < s.size(); i++) {
            lo = Math.min(lo, s.ts(i));
            hi = Math.max(hi, s.ts(i));
        }
        return stamp(lo) + " \u2013 " + stamp(hi);
    }

    private static void section(StringBuilder h, int k, ReportSeries s) {
        Hits hits = Hits.of(s);
        h.append("<div class=\"card\" id=\"key-").append(k).append("\">\n<h2>").append(esc(s.key())).append("</h2>\n")
                .append("<p class=\"meta\">").append(s.size()).append(" events");
        if (s.size() > 0) {
            h.append(" \u00b7 ").append(range(s)).append(" UTC");
        }
        h.append(" \u00b7 <span").append(s.anomalyCount() > 0 ? " class=\"hot\"" : "").append('>')
                .append(s.anomalyCount()).append(" detected</span>");
        if (s.truthCount() > 0) {
            h.append(" \u00b7 ").append(s.truthCount()).append(" known windows, ").append(hits.windowsHit)
                    .append(" detected");
        }
        h.append("</p>\n");
        if (s.size() == 0 && s.truthCount() == 0) {
            h.append("<p class=\"note\">no events</p>\n</div>\n");
            return;
        }
        Chart.draw(h, s);
        h.append("</div>\n");
    }

    // ---------------------------------------------------------------------------------------------------- chart

    /** One key's chart: the time domain, the event order and the panels. */
    private static final class Chart {
        final ReportSeries s;
        final StringBuilder g;
        /** Event indices in timestamp order. */
        final int[] order;
        final long t0;
        final long t1;
        final long[] timeTicks;
        final long timeStep;

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
            timeStep = timeStep(t1 - t0);
            long first = Math.floorDiv(t0 + timeStep - 1, timeStep) * timeStep;
            int n = first > t1 ? 0 : (int) ((t1 - first) / timeStep + 1);
            timeTicks = new long[n];
            for (int i = 0; i < n; i++) {
                timeTicks[i] = first + i * timeStep;
            }
        }

        int idx(int j) {
            return order == null ? j : order[j];
        }

        double x(long ts) {
            return (ts - t0) * (double) PLOT_W / (t1 - t0);
        }

        int bucket(long ts) {
            return (int) Math.min(BUCKETS - 1, (long) ((ts - t0) * (double) BUCKETS / (t1 - t0)));
        }

        static void draw(StringBuilder g, ReportSeries s) {
            new Chart(g, s).draw();
        }

        private void draw() {
            boolean anyThreshold = any(s::threshold);
            boolean thresholdOnScore = s.thresholdUnits() == ReportSeries.ThresholdUnits.SCORE;
            boolean errorPanel = any(s::residual) || (anyThreshold && !thresholdOnScore);

            List<String[]> legend = new ArrayList<>();   // {kind, colour, label}
            for (int f = 0; f < s.features(); f++) {
                legend.add(new String[] {"line", featureColour(f), s.featureName(f)});
            }
            if (s.hasPrediction()) {
                legend.add(new String[] {"dash", s.features() == 1 ? PREDICTION_COLOUR : "#7b8794", "prediction"});
            }
            legend.add(new String[] {"line", SCORE_COLOUR, "score"});
            if (errorPanel && any(s::residual)) {
                legend.add(new String[] {"line", RESIDUAL_COLOUR, "residual"});
            }
            if (anyThreshold) {
                legend.add(new String[] {"dash", THRESHOLD_COLOUR,
                    thresholdOnScore ? "threshold t (score)" : "threshold \u03b5 (smoothed error)"});
            }
            if (s.truthCount() > 0) {
                legend.add(new String[] {"truth", "", "known anomaly"});
            }
            legend.add(new String[] {"flag", "", "detected anomaly"});

            int rows = legendRows(legend);
            int top = rows * LEGEND_ROW + 8 + GAP;
            int height = top + SIGNAL_H + GAP + SCORE_H + (errorPanel ? GAP + ERROR_H : 0) + AXIS_H;
            g.append("<svg class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                    .append("\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                    .append("\" role=\"img\" aria-label=\"values, score and anomalies of ").append(esc(s.key()))
                    .append("\">\n");
            legend(legend);

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
                double py = axis.y(t, height);
                grid.append('M').append(0).append(',');
                tenths(grid, py);
                grid.append('H').append(PLOT_W);
                g.append("<text x=\"-6\" y=\"");
                tenths(g, py + 4);
                g.append("\" text-anchor=\"end\">").append(axis.label(t)).append("</text>");
            }
            for (long t : timeTicks) {
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
                        tenths(d, axis.y(v, height));
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
                tenths(g, axis.y(Float.isFinite(sc) ? Math.max(0, Math.min(1, sc)) : 1, SCORE_H));
                g.append("\" r=\"3.5\"><title>").append(stamp(s.ts(i))).append(" UTC: score ").append(num(sc))
                        .append(", residual ").append(num(s.residual(i))).append(", threshold ")
                        .append(num(s.threshold(i)));
                for (int f = 0; f < s.features(); f++) {
                    g.append(f == 0 ? "; " : ", ").append(esc(s.featureName(f))).append(' ').append(num(s.value(i, f)));
                }
                g.append("</title></circle>\n");
            }
        }

        private void timeLabels(int y) {
            String previousDate = null;
            for (long t : timeTicks) {
                String label;
                String date = DATE.format(Instant.ofEpochMilli(t));
                if (timeStep >= DAY) {
                    label = date;
                    date = null;
                } else {
                    label = (timeStep >= MINUTE ? MINUTES : timeStep >= SECOND ? SECONDS : MILLIS)
                            .format(Instant.ofEpochMilli(t));
                    if (date.equals(previousDate)) {
                        date = null;
                    } else {
                        previousDate = date;
                    }
                }
                String px = tenths(new StringBuilder(), LEFT + x(t)).toString();
                g.append("<text class=\"time\" x=\"").append(px).append("\" y=\"").append(y + 15)
                        .append("\" text-anchor=\"middle\">").append(label);
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
                        p.point(x(s.ts(i)), axis.y(v, height));
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
                                p.point(x(s.ts(idx(first))), axis.y(first == minJ ? min : max, height));
                                if (second != first) {
                                    p.point(x(s.ts(idx(second))), axis.y(second == minJ ? min : max, height));
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

        // ------------------------------------------------------------------------------------------- legend

        private int legendRows(List<String[]> items) {
            int rows = 1;
            double x = 0;
            for (String[] it : items) {
                double w = legendWidth(it);
                if (x > 0 && x + w > PLOT_W) {
                    rows++;
                    x = 0;
                }
                x += w;
            }
            return rows;
        }

        private static double legendWidth(String[] item) {
            return 26 + item[2].length() * CHAR_W + 16;
        }

        private void legend(List<String[]> items) {
            g.append("<g class=\"legend\" transform=\"translate(").append(LEFT).append(",4)\">\n");
            double x = 0;
            int row = 0;
            for (String[] it : items) {
                double w = legendWidth(it);
                if (x > 0 && x + w > PLOT_W) {
                    row++;
                    x = 0;
                }
                int cy = row * LEGEND_ROW + 9;
                String px = tenths(new StringBuilder(), x).toString();
                String px2 = tenths(new StringBuilder(), x + 20).toString();
                switch (it[0]) {
                    case "line", "dash" -> g.append("<path class=\"line").append(it[0].equals("dash") ? " dash" : "")
                            .append("\" stroke=\"").append(it[1]).append("\" stroke-width=\"2\" d=\"M").append(px)
                            .append(',').append(cy).append('H').append(px2).append("\"/>");
                    case "truth" -> g.append("<rect class=\"truth\" x=\"").append(px).append("\" y=\"").append(cy - 6)
                            .append("\" width=\"20\" height=\"12\"/>");
                    default -> g.append("<circle class=\"flag\" cx=\"").append(tenths(new StringBuilder(), x + 10))
                            .append("\" cy=\"").append(cy).append("\" r=\"3.5\"/>");
                }
                g.append("<text x=\"").append(tenths(new StringBuilder(), x + 26)).append("\" y=\"").append(cy + 4)
                        .append("\">").append(esc(it[2])).append("</text>\n");
                x += w;
            }
            g.append("</g>\n");
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
    }

    /** One of a series' per-event numbers. */
    @FunctionalInterface
    private interface Channel {
        float at(int i);
    }

    /**
     * A path's {@code d}, built point by point in tenths of a unit: "M x,y x,y ..." with a new "M" after a gap. Points
     * that round to the previous one are dropped, and so are the inner points of a horizontal run (a threshold that
     * holds for thousands of events is two points); a lone point between gaps gets "h0" so its round cap draws a dot.
     */
    static final class Polyline {
        private final StringBuilder d = new StringBuilder();
        private boolean down;
        private int subPoints;
        private long lastX;
        private long lastY;
        private boolean pending;
        private long pendingX;
        private long pendingY;

        void point(double x, double y) {
            long xt = Math.round(x * 10);
            long yt = Math.round(y * 10);
            if (!down) {
                d.append('M');
                pair(xt, yt);
                lastX = xt;
                lastY = yt;
                down = true;
                subPoints = 1;
                return;
            }
            if (pending) {
                if (xt == pendingX && yt == pendingY) {
                    return;
                }
                if (pendingY == lastY && yt == pendingY) {
                    pendingX = xt;   // the run from the last point goes on: drop its inner point
                    return;
                }
                emitPending();
            } else if (xt == lastX && yt == lastY) {
                return;
            }
            pending = true;
            pendingX = xt;
            pendingY = yt;
        }

        void gap() {
            if (!down) {
                return;
            }
            if (pending) {
                emitPending();
            }
            if (subPoints == 1) {
                d.append("h0");
            }
            down = false;
        }

        String finish() {
            gap();
            return d.toString();
        }

        private void emitPending() {
            d.append(' ');
            pair(pendingX, pendingY);
            lastX = pendingX;
            lastY = pendingY;
            pending = false;
            subPoints++;
        }

        private void pair(long xt, long yt) {
            appendTenths(d, xt);
            d.append(',');
            appendTenths(d, yt);
        }
    }

    /** A y axis: its range, ticks and tick label precision; maps values to a panel's y (down) with {@link #PAD}. */
    static final class Axis {
        final double lo;
        final double hi;
        final double[] ticks;
        final int decimals;

        private Axis(double lo, double hi, double[] ticks, int decimals) {
            this.lo = lo;
            this.hi = hi;
            this.ticks = ticks;
            this.decimals = decimals;
        }

        static Axis fixed(double lo, double hi, double[] ticks, int decimals) {
            return new Axis(lo, hi, ticks, decimals);
        }

        /**
         * An axis on exactly [min, max] of the data (the panel's padding keeps the ends off the frame), with ticks at
         * the multiples of a round step (1, 2 or 5 times a power of ten) inside it, about {@code target} intervals.
         */
        static Axis nice(double[] range, int target) {
            double min = range == null ? 0 : range[0];
            double max = range == null ? 1 : range[1];
            if (max - min < 1e-9 * Math.max(1, Math.abs(max))) {
                double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
                min -= pad;
                max += pad;
            }
            double raw = (max - min) / target;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double r = raw / mag;
            double step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
            long first = (long) Math.ceil(min / step - 1e-9);
            long last = (long) Math.floor(max / step + 1e-9);
            double[] ticks = new double[(int) Math.max(0, last - first + 1)];
            for (int i = 0; i < ticks.length; i++) {
                ticks[i] = (first + i) * step;
            }
            return new Axis(min, max, ticks, (int) Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
        }

        double y(double v, int height) {
            return PAD + (hi - v) / (hi - lo) * (height - 2 * PAD);
        }

        String label(double v) {
            double a = Math.abs(v);
            String s = a != 0 && (a >= 1e6 || decimals > 6) ? String.format(Locale.ROOT, "%.3g", v)
                    : String.format(Locale.ROOT, "%." + decimals + "f", v);
            return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
        }
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private static long timeStep(long span) {
        for (long step : TIME_STEPS) {
            if (span / step <= MAX_TIME_TICKS) {
                return step;
            }
        }
        long years = 365 * DAY;
        return (span / MAX_TIME_TICKS / years + 1) * years;
    }

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

    /** {@code v} rounded to tenths, without a trailing ".0". */
    static StringBuilder tenths(StringBuilder sb, double v) {
        return appendTenths(sb, Math.round(v * 10));
    }

    private static StringBuilder appendTenths(StringBuilder sb, long t) {
        if (t < 0) {
            sb.append('-');
            t = -t;
        }
        sb.append(t / 10);
        if (t % 10 != 0) {
            sb.append('.').append(t % 10);
        }
        return sb;
    }

    /** A timestamp for people: date and time to the second, and milliseconds when there are any. */
    static String stamp(long ts) {
        Instant t = Instant.ofEpochMilli(ts);
        return DATE.format(t) + ' ' + (Math.floorMod(ts, SECOND) == 0 ? SECONDS : MILLIS).format(t);
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : "n/a";
    }

    /**
     * Text for HTML and XML: the five special characters as references, and characters XML does not allow (controls,
     * lone surrogates, U+FFFE/U+FFFF) as U+FFFD.
     */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || Character.isSurrogate(c)
                            || c == '\uFFFE' || c == '\uFFFF') {
                        sb.append('\uFFFD');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
