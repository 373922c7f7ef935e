package dev.lstmflink.flink.detect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.DeadLetterAccumulator;
import dev.lstmflink.connect.DeadLetterCounters;
import dev.lstmflink.connect.DeadLetterMetrics;
import dev.lstmflink.connect.ParseFunction;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * An event the detector did not score becomes a dead letter, so it reaches the dead-letter output like a bad record:
 * reason {@code late} (behind the watermark by more than the allowed lateness), {@code invalid} or {@code bad_id}; raw
 * is the event as JSON in the input format ({@code {"key":..,"ts":..,"values":[..],"ids":[..]}}), so it can be
 * replayed. Its Kafka origin is not known any more at this point (partition -1, offset -1).
 *
 * <p>Late events are counted under {@link DetectPipeline#LATE}, apart from the dead letters of
 * {@link ParseFunction#ACCUMULATOR}, so that {@code received = scored + dead-lettered + late}; invalid ones are
 * counted with the dead letters under their reason. The metrics, in the operator's group
 * {@value DeadLetterMetrics#GROUP}, say the same: {@link DetectPipeline#LATE}, and {@link DeadLetterMetrics} for the
 * rest.
 */
final class RejectionToDeadLetter extends RichMapFunction<RejectedEvent, DeadLetter> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private transient LongCounter late;
    private transient LongCounter rejected;
    private transient Accumulator<String, DeadLetterCounters> reasons;
    private transient Counter lateMetric;
    private transient DeadLetterMetrics deadLetterMetrics;

    @Override
    public void open(OpenContext openContext) {
        late = getRuntimeContext().getLongCounter(DetectPipeline.LATE);
        rejected = getRuntimeContext().getLongCounter(DetectPipeline.REJECTED);
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup(DeadLetterMetrics.GROUP);
        lateMetric = metrics.counter(DetectPipeline.LATE);
        deadLetterMetrics = new DeadLetterMetrics(metrics);
        Accumulator<String, DeadLetterCounters> existing =
                getRuntimeContext().getAccumulator(ParseFunction.ACCUMULATOR);
        if (existing == null) {
            existing = new DeadLetterAccumulator();
            getRuntimeContext().addAccumulator(ParseFunction.ACCUMULATOR, existing);
        }
        reasons = existing;
    }

    @Override
    public DeadLetter map(RejectedEvent r) {
        if (DetectPipeline.isLate(r)) {
            late.add(1L);
            lateMetric.inc();
        } else {
            rejected.add(1L);
            reasons.add(r.reason);
            deadLetterMetrics.inc(r.reason);
        }
        DeadLetter d = new DeadLetter(r.reason, r.detail, null, -1, -1, System.currentTimeMillis());
        d.raw = eventJson(r.event);
        return d;
    }

    static String eventJson(SensorEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", e.key);
        m.put("ts", e.ts);
        m.put("values", e.values);
        if (e.ids != null) {
            m.put("ids", e.ids);
        }
        if (e.reset) {
            m.put("reset", true);
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException ex) {
            return String.valueOf(e);
        }
    }
}
