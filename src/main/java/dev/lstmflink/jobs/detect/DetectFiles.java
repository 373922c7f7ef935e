package dev.lstmflink.jobs.detect;

import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.DeadLetterJson;
import dev.lstmflink.record.Detection;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** The local modes' output files: every detection as CSV, every dead letter as one JSON object per line. */
public final class DetectFiles {

    private DetectFiles() {}

    /**
     * {@code key,ts,time,value_1..k,prediction_1..k,residual,score,threshold,anomaly,step,model_version}; numbers
     * that do not exist (no prediction on a key's first event, the threshold in warm-up) are empty cells.
     */
    public static void writeDetections(Path file, List<Detection> detections) throws IOException {
        int k = detections.isEmpty() ? 1 : detections.get(0).values.length;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder h = new StringBuilder("key,ts,time");
            for (int i = 1; i <= k; i++) {
                h.append(",value_").append(i);
            }
            for (int i = 1; i <= k; i++) {
                h.append(",prediction_").append(i);
            }
            w.write(h.append(",residual,score,threshold,anomaly,step,model_version\n").toString());
            StringBuilder sb = new StringBuilder();
            for (Detection d : detections) {
                sb.setLength(0);
                sb.append(Csv.cell(d.key)).append(',').append(d.ts).append(',').append(Instant.ofEpochMilli(d.ts));
                for (float v : d.values) {
                    sb.append(',').append(v);
                }
                for (int i = 0; i < d.values.length; i++) {
                    sb.append(',');
                    if (d.prediction != null) {
                        sb.append(d.prediction[i]);
                    }
                }
                sb.append(',').append(Csv.number(d.residual)).append(',').append(Csv.number(d.score)).append(',')
                        .append(Csv.number(d.threshold)).append(',').append(d.anomaly ? 1 : 0).append(',')
                        .append(d.step).append(',').append(Csv.cell(d.modelVersion)).append('\n');
                w.write(sb.toString());
            }
        }
    }

    /** One {@link DeadLetterJson} object per line. */
    public static void writeDeadLetters(Path file, List<DeadLetter> deadLetters) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (DeadLetter d : deadLetters) {
                w.write(DeadLetterJson.toJson(d));
                w.write('\n');
            }
        }
    }
}
