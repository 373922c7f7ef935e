package dev.lstmflink.jobs.detect;

import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.connect.SyntheticSensors;
import dev.lstmflink.connect.SyntheticSensors.Anomaly;
import dev.lstmflink.record.Detection;
import dev.lstmflink.report.ReportHtml;
import dev.lstmflink.report.ReportSeries;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The local modes' {@code report.html}: one {@link ReportSeries} per key from the collected detections. */
final class Reports {

    private Reports() {}

    static void embedded(Path file, SyntheticSensors.Data data, LocalRun.Result run, Evaluation.Result evaluation,
            String modelVersion, ScoringConfig.Mode mode, List<String> summary) throws IOException {
        Map<String, ReportSeries> series = series(run.detections(), mode);
        for (Anomaly a : data.anomalies()) {
            ReportSeries s = series.get(a.key());
            if (s != null) {
                s.addTruth(a.startTs(), a.endTs(), a.kind().label());
            }
        }
        List<String> lines = new ArrayList<>(summary);
        lines.add("");
        lines.addAll(List.of(evaluation.table().split("\n")));
        ReportHtml.write(file, "lstm-flink anomaly detection: embedded sensors (model " + modelVersion + ")", lines,
                List.copyOf(series.values()));
    }

    static void replay(Path file, List<CsvReplay.FileResult> files, List<String> summary, ScoringConfig.Mode mode)
            throws IOException {
        List<ReportSeries> all = new ArrayList<>();
        for (CsvReplay.FileResult f : files) {
            Map<String, ReportSeries> series = series(f.run().detections(), mode);
            f.labelledWindows().forEach((key, windows) -> {
                ReportSeries s = series.get(key);
                if (s != null) {
                    for (long[] w : windows) {
                        s.addTruth(w[0], w[1], "labelled window");
                    }
                }
            });
            all.addAll(series.values());
        }
        ReportHtml.write(file, "lstm-flink anomaly detection: CSV replay", summary, all);
    }

    private static Map<String, ReportSeries> series(List<Detection> detections, ScoringConfig.Mode mode) {
        ReportSeries.ThresholdUnits units = mode == ScoringConfig.Mode.FIXED ? ReportSeries.ThresholdUnits.SCORE
                : ReportSeries.ThresholdUnits.ERROR;
        Map<String, ReportSeries> out = new LinkedHashMap<>();
        for (Detection d : detections) {
            out.computeIfAbsent(d.key, k -> new ReportSeries(k, d.values.length, units))
                    .add(d.ts, d.values, d.prediction, d.score, d.threshold, d.residual, d.anomaly);
        }
        return out;
    }
}
