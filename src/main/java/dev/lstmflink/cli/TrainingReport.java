package dev.lstmflink.cli;

import static dev.lstmflink.report.HtmlPage.esc;

import dev.lstmflink.report.Axis;
import dev.lstmflink.report.HtmlPage;
import dev.lstmflink.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code training-report.html} of {@code jobs/train}: one self-contained page (no external scripts, styles or
 * fonts) with the data summary, the settings, a table of the epochs and an inline SVG chart of training and validation
 * loss per epoch (a log scale when the losses span more than one decade), the best epoch marked. The page skeleton and
 * escaping are {@link HtmlPage}'s and the y axis (ticks, labels) is {@link Axis}'s, as in the detection report; like
 * it, the page is well-formed XML.
 */
public final class TrainingReport {

    /**
     * What the report shows.
     *
     * @param title       the page title
     * @param input       the training data (file or folder)
     * @param model       the model file written
     * @param dataSummary the data summary as printed on the console (several lines)
     * @param settings    the settings by key, in the order to show them
     * @param history     every epoch run
     * @param bestEpoch   the epoch (1-based) whose weights were saved
     * @param stoppedEarly whether early stopping ended the run
     */
    public record Content(String title, String input, String model, String dataSummary, Map<String, String> settings,
                          List<Trainer.EpochStats> history, int bestEpoch, boolean stoppedEarly) {}

    static final int WIDTH = 720;
    static final int HEIGHT = 340;
    private static final int LEFT = 78;
    private static final int RIGHT = 20;
    private static final int TOP = 34;
    private static final int BOTTOM = 46;

    private static final String CSS = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;"
            + "max-width:" + (WIDTH + 40) + "px;color:#222;padding:0 1em}\n"
            + "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}\n"
            + "table{border-collapse:collapse;font-size:.9em}\n"
            + "td,th{padding:.2em .7em;border-bottom:1px solid #ddd;text-align:right}\n"
            + "th{background:#f4f4f4}td.k,th.k{text-align:left}\n"
            + "tr.best td{background:#fff3c4;font-weight:600}\n"
            + "pre{background:#f7f7f7;padding:.7em;overflow-x:auto;font-size:.85em}\n"
            + "svg text{font-size:11px;fill:#333}\n";

    private TrainingReport() {}

    /** Writes the report, creating its folder when needed. */
    public static void write(Path file, Content c) throws IOException, CliException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        OutputFiles.writeAll(Map.of(file, html(c)));
    }

    /** The page. */
    public static String html(Content c) {
        StringBuilder h = HtmlPage.begin(new StringBuilder(16_384), c.title(), CSS);
        h.append("<h1>").append(esc(c.title())).append("</h1>\n");
        h.append("<p>Data: <code>").append(esc(c.input())).append("</code><br/>Model: <code>").append(esc(c.model()))
                .append("</code><br/>");
        if (c.bestEpoch() >= 1 && c.bestEpoch() <= c.history().size()) {
            Trainer.EpochStats b = c.history().get(c.bestEpoch() - 1);
            h.append("Best epoch: <b>").append(c.bestEpoch()).append("</b> of ").append(c.history().size())
                    .append(" run (validation loss ").append(loss(b.valLoss())).append("); its weights were saved.");
        }
        if (c.stoppedEarly()) {
            h.append(" Stopped early: the validation loss did not improve for the patience set.");
        }
        h.append("</p>\n");

        h.append("<h2>Loss per epoch</h2>\n").append(chart(c.history(), c.bestEpoch())).append('\n');

        h.append("<h2>Data</h2>\n<pre>").append(esc(c.dataSummary())).append("</pre>\n");

        h.append("<h2>Settings</h2>\n<table class=\"settings\">\n<tr><th class=\"k\">setting</th>")
                .append("<th class=\"k\">value</th></tr>\n");
        for (Map.Entry<String, String> e : c.settings().entrySet()) {
            h.append("<tr><td class=\"k\">").append(esc(e.getKey())).append("</td><td class=\"k\">")
                    .append(esc(e.getValue())).append("</td></tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Epochs</h2>\n<table class=\"epochs\">\n<tr><th>epoch</th><th>train loss</th>")
                .append("<th>validation loss</th><th>learning rate</th><th>seconds</th><th>windows/s</th>")
                .append("<th class=\"k\"></th></tr>\n");
        for (Trainer.EpochStats s : c.history()) {
            boolean best = s.epoch() == c.bestEpoch();
            h.append(best ? "<tr class=\"best\">" : "<tr>")
                    .append("<td>").append(s.epoch()).append("</td>")
                    .append("<td>").append(loss(s.trainLoss())).append("</td>")
                    .append("<td>").append(loss(s.valLoss())).append("</td>")
                    .append("<td>").append(String.format(Locale.ROOT, "%.3g", s.lr())).append("</td>")
                    .append("<td>").append(String.format(Locale.ROOT, "%.2f", s.seconds())).append("</td>")
                    .append("<td>").append(rate(s.samplesPerSecond())).append("</td>")
                    .append("<td class=\"k\">").append(best ? "best (saved)" : s.best() ? "improved" : "")
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
        return HtmlPage.end(h).toString();
    }

    /** The SVG line chart: one polyline for training loss, one for validation loss, the best epoch marked. */
    static String chart(List<Trainer.EpochStats> history, int bestEpoch) {
        int n = history.size();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Trainer.EpochStats s : history) {
            for (double v : new double[] {s.trainLoss(), s.valLoss()}) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        StringBuilder g = new StringBuilder();
        g.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"training and validation loss per epoch\">\n");
        g.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" fill=\"#fff\"/>\n");
        if (n == 0 || lo > hi) {
            g.append("<text x=\"").append(WIDTH / 2).append("\" y=\"").append(HEIGHT / 2)
                    .append("\" text-anchor=\"middle\">no finite losses to plot</text>\n</svg>");
            return g.toString();
        }
        boolean log = lo > 0 && hi / lo > 10;
        Axis y = log ? Axis.log(lo, hi) : Axis.covering(lo, hi, 5);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        // frame and y grid
        g.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(plotW)
                .append("\" height=\"").append(plotH).append("\" fill=\"none\" stroke=\"#999\"/>\n");
        for (double t : y.ticks()) {
            double py = TOP + plotH * (1 - y.fraction(t));
            g.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + plotW).append("\" y1=\"")
                    .append(f(py)).append("\" y2=\"").append(f(py)).append("\" stroke=\"#e5e5e5\"/>")
                    .append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(f(py + 4))
                    .append("\" text-anchor=\"end\">").append(y.label(t)).append("</text>\n");
        }
        // x ticks: at most about 10 labels
        int every = Math.max(1, (int) Math.ceil(n / 10.0));
        for (int e = 1; e <= n; e++) {
            if ((e - 1) % every == 0 || e == n) {
                double px = x(e, n, plotW);
                g.append("<line x1=\"").append(f(px)).append("\" x2=\"").append(f(px)).append("\" y1=\"")
                        .append(TOP + plotH).append("\" y2=\"").append(TOP + plotH + 4).append("\" stroke=\"#999\"/>")
                        .append("<text x=\"").append(f(px)).append("\" y=\"").append(TOP + plotH + 17)
                        .append("\" text-anchor=\"middle\">").append(e).append("</text>\n");
            }
        }
        g.append("<text x=\"").append(LEFT + plotW / 2).append("\" y=\"").append(HEIGHT - 8)
                .append("\" text-anchor=\"middle\">epoch</text>\n");
        g.append("<text transform=\"translate(14,").append(TOP + plotH / 2).append(") rotate(-90)\" ")
                .append("text-anchor=\"middle\">MSE loss").append(log ? " (log scale)" : "").append("</text>\n");
        // best epoch
        if (bestEpoch >= 1 && bestEpoch <= n) {
            double bx = x(bestEpoch, n, plotW);
            g.append("<line class=\"best\" x1=\"").append(f(bx)).append("\" x2=\"").append(f(bx)).append("\" y1=\"")
                    .append(TOP).append("\" y2=\"").append(TOP + plotH)
                    .append("\" stroke=\"#c9a000\" stroke-dasharray=\"4 3\"/>\n");
            double v = history.get(bestEpoch - 1).valLoss();
            if (Double.isFinite(v)) {
                g.append("<circle class=\"best\" cx=\"").append(f(bx)).append("\" cy=\"")
                        .append(f(TOP + plotH * (1 - y.fraction(v)))).append("\" r=\"5\" fill=\"none\" ")
                        .append("stroke=\"#c9a000\" stroke-width=\"2\"/>\n");
            }
            boolean rightHalf = bx > LEFT + plotW * 0.75;
            g.append("<text x=\"").append(f(bx + (rightHalf ? -5 : 5))).append("\" y=\"").append(TOP + 13)
                    .append("\" text-anchor=\"").append(rightHalf ? "end" : "start").append("\">best: epoch ")
                    .append(bestEpoch).append("</text>\n");
        }
        g.append(polyline("train", "#1f77b4", history, true, y, n, plotW, plotH));
        g.append(polyline("validation", "#ff7f0e", history, false, y, n, plotW, plotH));
        // legend
        g.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + 22).append("\" y1=\"14\" y2=\"14\" ")
                .append("stroke=\"#1f77b4\" stroke-width=\"2\"/><text x=\"").append(LEFT + 27)
                .append("\" y=\"18\">train</text>\n");
        g.append("<line x1=\"").append(LEFT + 80).append("\" x2=\"").append(LEFT + 102)
                .append("\" y1=\"14\" y2=\"14\" stroke=\"#ff7f0e\" stroke-width=\"2\"/><text x=\"")
                .append(LEFT + 107).append("\" y=\"18\">validation</text>\n");
        g.append("</svg>");
        return g.toString();
    }

    private static String polyline(String name, String color, List<Trainer.EpochStats> history, boolean train,
                                   Axis y, int n, int plotW, int plotH) {
        StringBuilder pts = new StringBuilder();
        StringBuilder dots = new StringBuilder();
        for (Trainer.EpochStats s : history) {
            double v = train ? s.trainLoss() : s.valLoss();
            if (!Double.isFinite(v)) {
                continue;
            }
            String px = f(x(s.epoch(), n, plotW));
            String py = f(TOP + plotH * (1 - y.fraction(v)));
            if (pts.length() > 0) {
                pts.append(' ');
            }
            pts.append(px).append(',').append(py);
            if (n <= 60) {
                dots.append("<circle cx=\"").append(px).append("\" cy=\"").append(py).append("\" r=\"2.5\" fill=\"")
                        .append(color).append("\"><title>epoch ").append(s.epoch()).append(' ').append(name)
                        .append(' ').append(loss(v)).append("</title></circle>");
            }
        }
        return "<polyline class=\"" + name + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\" points=\""
                + pts + "\"/>\n" + (dots.length() > 0 ? dots + "\n" : "");
    }

    private static double x(int epoch, int n, int plotW) {
        return n == 1 ? LEFT + plotW / 2.0 : LEFT + plotW * (epoch - 1) / (double) (n - 1);
    }

    // ---------------------------------------------------------------- formatting, shared with the console output

    /** A loss: four decimals, or three significant digits in scientific notation when that would hide it. */
    static String loss(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        double a = Math.abs(v);
        return a == 0 || (a >= 1e-3 && a < 1e5) ? String.format(Locale.ROOT, "%.4f", v)
                : String.format(Locale.ROOT, "%.3e", v);
    }

    /** A rate with thousands separators, e.g. {@code 12,345}. */
    static String rate(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%,.0f", v) : "-";
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
