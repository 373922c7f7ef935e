/**
 * The project's HTML reports, self-contained pages of inline CSS and SVG that open offline: the detection job's
 * {@code report.html} ({@link dev.lstmflink.report.ReportHtml} lays out the page, {@link dev.lstmflink.report.Chart}
 * draws each key from a {@link dev.lstmflink.report.ReportSeries}), and the pieces {@code training-report.html}
 * ({@code cli.TrainingReport}) shares with it: {@link dev.lstmflink.report.HtmlPage} (skeleton, escaping, write) and
 * {@link dev.lstmflink.report.Axis} (round ticks, log decades, labels). May import the
 * levels below it ({@code core} up to {@code record} and {@code config}; today it needs none of them); no Flink.
 */
package dev.lstmflink.report;
