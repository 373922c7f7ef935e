package dev.lstmflink.flink.detect;

import dev.lstmflink.connect.DeadLetterMetrics;
import dev.lstmflink.flink.keyed.KeyedLstmEngine;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The detector's metrics, in the group {@value DeadLetterMetrics#GROUP} of its operator (the README's "Metrics" has
 * the whole set of the job, with the Prometheus names); one instance per task, made in {@code DetectFunction.open}:
 * <ul>
 *   <li>{@value #SCORED}, counter: detections emitted (events scored);</li>
 *   <li>{@value #ANOMALIES}, counter: detections flagged as anomalies;</li>
 *   <li>{@value #MODEL_INFO} in the key-value group {@value #MODEL_VERSION}{@code =<version>}, gauge: 1 for the
 *       model in use, as a label ({@code flink_..._detect_model_version_info{model_version="..."} 1.0}); after a swap
 *       the new version's gauge is 1 and the old one's 0 (Flink cannot remove a metric from a running task's group,
 *       so every version this task served stays listed, at 0);</li>
 *   <li>{@value #SWAPS}, counter: models swapped in while the job runs (hot swap, {@code SwappableDetectFunction});</li>
 *   <li>{@value #REJECTIONS}, counter: published models refused (the reason is in the dead-letter output);</li>
 *   <li>{@value #LATENCY}, histogram: the detector's processing time per scored event, in nanoseconds (below);</li>
 *   <li>{@value #KEYS_IN_STATE}, gauge: keys this subtask holds state for, as far as it can tell (below).</li>
 * </ul>
 *
 * <p><b>Latency.</b> Per detection, the time from when the detector took its event to step it (on arrival; in
 * event-time mode when the watermark or the quiet release let it go) to the detection: the wait for its micro-batch
 * ({@code flink.batch_max_delay} at most), the batch's LSTM step, scoring and output. So the histogram's count equals
 * {@value #SCORED}, and its quantiles are the latency the detector adds (not the event-time buffer's wait, which the
 * watermark sets). Two {@code System.nanoTime()} calls per event. The statistics (quantiles, mean) are over the last
 * {@value #LATENCY_WINDOW} samples ({@link DescriptiveStatisticsHistogram}).
 *
 * <p><b>Keys in state.</b> An exact count would mean iterating the keyed state backend, which the reporter's thread
 * must not touch. The gauge counts, per subtask since it started, keys started as new (first seen, or back after
 * their state expired) minus keys whose state the event-time expiry timer cleared. So it is exact in event-time mode
 * from an empty start. Not counted: keys restored from a checkpoint or savepoint until they are cleared or start
 * again (after a restore the gauge can fall below the true number, even below zero, as restored keys expire); state
 * that processing-time TTL ({@code events.idle_timeout} with arrival order) drops, which Flink does not report (a key
 * that comes back after that counts again). {@code keysStarted} and {@code stateResets} are the engine's counters
 * ({@link KeyedLstmEngine}), on the operator's own group.
 */
public final class DetectMetrics {

    /** Counter: detections emitted. */
    public static final String SCORED = "recordsScored";
    /** Counter: detections flagged. */
    public static final String ANOMALIES = "anomalies";
    /** The key of the key-value group (the Prometheus label) naming the model version in use. */
    public static final String MODEL_VERSION = "model_version";
    /** Gauge (1) under {@value #MODEL_VERSION}{@code =<version>}. */
    public static final String MODEL_INFO = "info";
    /** Histogram: per scored event, ns from its being taken to be stepped to its detection (batch wait included). */
    public static final String LATENCY = "eventProcessingNanos";
    /** Counter: models swapped in. */
    public static final String SWAPS = "modelSwaps";
    /** Counter: published models refused. */
    public static final String REJECTIONS = "modelRejections";
    /** Gauge: keys started less keys expired, this subtask. */
    public static final String KEYS_IN_STATE = "keysInState";
    /** The samples the latency statistics are computed over. */
    static final int LATENCY_WINDOW = 4096;

    private final Counter scored;
    private final Counter anomalies;
    private final Histogram latency;
    private final Counter swaps;
    private final Counter rejections;
    private final MetricGroup group;
    /** Every version that has a gauge, in this task. */
    private final Set<String> versions = new HashSet<>();
    /** The version in use; written by the task thread, read by the reporter's (volatile: a swap is rare). */
    private volatile String version;
    /** Written by the task thread, read by the reporter's: a stale read is fine, as for Flink's own counters. */
    private long keys;

    /**
     * @param operator the operator's metric group ({@code getRuntimeContext().getMetricGroup()})
     * @param modelVersion the version of the model in use, {@code DetectFunction.modelVersion()}
     */
    public DetectMetrics(MetricGroup operator, String modelVersion) {
        MetricGroup g = operator.addGroup(DeadLetterMetrics.GROUP);
        this.scored = g.counter(SCORED);
        this.anomalies = g.counter(ANOMALIES);
        this.latency = g.histogram(LATENCY, new DescriptiveStatisticsHistogram(LATENCY_WINDOW));
        g.gauge(KEYS_IN_STATE, (Gauge<Long>) () -> keys);
        this.swaps = g.counter(SWAPS);
        this.rejections = g.counter(REJECTIONS);
        this.group = g;
        serving(modelVersion);
    }

    /** The model in use is now {@code modelVersion}: its gauge reads 1, every other version's 0. */
    public void serving(String modelVersion) {
        this.version = modelVersion;
        if (versions.add(modelVersion)) {
            group.addGroup(MODEL_VERSION, modelVersion)
                    .gauge(MODEL_INFO, (Gauge<Integer>) () -> modelVersion.equals(version) ? 1 : 0);
        }
    }

    /** A published model was swapped in; {@link #serving} names it. */
    public void swapped(String modelVersion) {
        swaps.inc();
        serving(modelVersion);
    }

    /** A published model was refused. */
    public void rejected() {
        rejections.inc();
    }

    /** One detection emitted, {@code latencyNanos} after its event was taken to be stepped. */
    public void scored(boolean anomaly, long latencyNanos) {
        scored.inc();
        if (anomaly) {
            anomalies.inc();
        }
        latency.update(latencyNanos);
    }

    /** The engine started a key again ({@code Hook.start}): a new key adds one (see the class comment). */
    public void keyStarted(KeyedLstmEngine.Start why) {
        if (why == KeyedLstmEngine.Start.NEW) {
            keys++;
        }
    }

    /** The expiry timer cleared a key's state ({@code Hook.expire}). */
    public void keyExpired() {
        keys--;
    }
}
