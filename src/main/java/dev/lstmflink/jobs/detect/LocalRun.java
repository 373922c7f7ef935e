package dev.lstmflink.jobs.detect;

import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.connect.RecordParser;
import dev.lstmflink.flink.detect.DetectPipeline;
import dev.lstmflink.flink.detect.RunCounts;
import dev.lstmflink.record.Detection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs {@link DetectPipeline} over records held by the client (the embedded source, one CSV file) in a Flink job of
 * the current environment (a local one from the command line, the MiniCluster in tests), and collects both outputs
 * back: the local modes need every detection for the CSV results and the report.
 *
 * <p>The records are one source split (parallelism 1), so each key's events reach the detector in the records'
 * order whatever the detector's parallelism; scoring is in that order (processing-time mode).
 */
public final class LocalRun {

    /** Detections and dead letters in the order they were collected, the run's counts and its wall time. */
    public record Result(List<Detection> detections, List<DeadLetter> deadLetters, RunCounts counts, double seconds) {}

    private LocalRun() {}

    /**
     * @param model    the model file's bytes, or null: no model (CSV replay, a series too short to train on), for the
     *                 detection operator's model-free scoring
     * @param progress called with the number of outputs collected so far (every 1000 and at the end)
     */
    public static Result run(String jobName, List<RawRecord> records, RecordParser parser, ScoringConfig scoring,
            DetectOptions options, byte[] model, String modelName, int parallelism, LongConsumer progress)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        DataStream<RawRecord> raw = env.fromData(records, TypeInformation.of(RawRecord.class))
                .setParallelism(1)
                .name("records");
        DetectPipeline.Outputs out = DetectPipeline.build(raw, parser, scoring, options, Duration.ZERO, model,
                modelName);
        DataStream<LocalOutput> all = out.detections().map(LocalOutput::of).name("detections")
                .union(out.deadLetters().map(LocalOutput::of).name("dead letters"));
        long t0 = System.nanoTime();
        List<Detection> detections = new ArrayList<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        JobExecutionResult result;
        try (CloseableIterator<LocalOutput> it = all.collectAsync()) {
            JobClient client = env.executeAsync(jobName);
            long n = 0;
            while (it.hasNext()) {
                LocalOutput o = it.next();
                if (o.detection != null) {
                    detections.add(o.detection);
                } else {
                    deadLetters.add(o.deadLetter);
                }
                if (++n % 1000 == 0) {
                    progress.accept(n);
                }
            }
            progress.accept(n);
            result = client.getJobExecutionResult().get();
        }
        return new Result(detections, deadLetters, RunCounts.of(result), (System.nanoTime() - t0) / 1e9);
    }
}
