package dev.lstmflink.connect;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The dead-letter counters of one operator, in the detection job's metric group {@value #GROUP}: the total
 * {@value #DEAD_LETTERED}, and one counter of the same name per reason in the key-value group
 * {@value #REASON}{@code =<reason>}, created when a reason first occurs (so dashboards list only the reasons that
 * happened). Flink's Prometheus reporter turns the key-value group into a label:
 * {@code flink_taskmanager_job_task_operator_detect_reason_recordsDeadLettered{reason="not_json",...}}. Two operators
 * count dead letters (the parser, and the detector's rejections); sum over {@code operator_name} for the job's total.
 */
public final class DeadLetterMetrics {

    /** The metric group of the detection job's own metrics, under each operator's group. */
    public static final String GROUP = "detect";
    /** Counter: dead letters, all reasons; also the name of the per-reason counters. */
    public static final String DEAD_LETTERED = "recordsDeadLettered";
    /** The key of the key-value group (the Prometheus label) holding the reason. */
    public static final String REASON = "reason";

    private final MetricGroup group;
    private final Counter total;
    private final Map<String, Counter> byReason = new HashMap<>();

    /** Registers the total on {@code group} (the {@value #GROUP} group of the operator). */
    public DeadLetterMetrics(MetricGroup group) {
        this.group = group;
        this.total = group.counter(DEAD_LETTERED);
    }

    /** Counts one dead letter of {@code reason}. */
    public void inc(String reason) {
        total.inc();
        byReason.computeIfAbsent(String.valueOf(reason),
                r -> group.addGroup(REASON, r).counter(DEAD_LETTERED)).inc();
    }
}
