package dev.lstmflink.report;

import static dev.lstmflink.report.HtmlPage.esc;
import static dev.lstmflink.report.TimeAxis.stamp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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
 *
 * <p>This class is the document: summary, table of contents and one section per key. The skeleton, escaping and
 * page styles are {@link HtmlPage}'s, each key's chart is {@link Chart}'s, ticks and time labels are {@link Axis}'s
 * and {@link TimeAxis}'s.
 */
public final class ReportHtml {

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
        HtmlPage.write(file, html(title, summaryLines, series));
    }

    /** The page, as {@link #write} writes it. */
    public static String html(String title, List<String> summaryLines, List<ReportSeries> series) {
        StringBuilder h = new StringBuilder(64 * 1024 + series.size() * 128 * 1024);
        HtmlPage.begin(h, title, HtmlPage.CSS + Chart.CSS).append("<main>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
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
                .append("</main>\n");
        return HtmlPage.end(h).toString();
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
}
