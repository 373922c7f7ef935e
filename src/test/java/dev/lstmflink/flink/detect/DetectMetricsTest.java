package dev.lstmflink.flink.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.flink.keyed.KeyedLstmEngine;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class DetectMetricsTest {

    /** Keeps every metric under its path: group names, {@code key=value} for a key-value group, then the name. */
    static final class RecordingGroup extends UnregisteredMetricsGroup {
        final Map<String, Metric> metrics;
        final String prefix;

        RecordingGroup() {
            this(new TreeMap<>(), "");
        }

        private RecordingGroup(Map<String, Metric> metrics, String prefix) {
            this.metrics = metrics;
            this.prefix = prefix;
        }

        @Override
        public Counter counter(String name) {
            return counter(name, new SimpleCounter());
        }

        @Override
        public <C extends Counter> C counter(String name, C c) {
            metrics.put(prefix + name, c);
            return c;
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G g) {
            metrics.put(prefix + name, g);
            return g;
        }

        @Override
        public <H extends Histogram> H histogram(String name, H h) {
            metrics.put(prefix + name, h);
            return h;
        }

        @Override
        public MetricGroup addGroup(String name) {
            return new RecordingGroup(metrics, prefix + name + ".");
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new RecordingGroup(metrics, prefix + key + "=" + value + ".");
        }
    }

    @Test
    void theSetIsRegisteredInTheGroupDetectWithTheModelVersionAsAKeyValueGroup() {
        RecordingGroup g = new RecordingGroup();
        new DetectMetrics(g, "v2-trained");
        assertEquals(Set.of("detect.recordsScored", "detect.anomalies", "detect.eventProcessingNanos",
                "detect.keysInState", "detect.modelSwaps", "detect.modelRejections",
                "detect.model_version=v2-trained.info"), g.metrics.keySet());
        assertEquals(1, ((Gauge<?>) g.metrics.get("detect.model_version=v2-trained.info")).getValue());
    }

    @Test
    void aSwapCountsAndMovesTheVersionGaugeToTheNewModel() {
        RecordingGroup g = new RecordingGroup();
        DetectMetrics m = new DetectMetrics(g, "v1");
        m.rejected();
        m.swapped("v2");
        Gauge<?> v1 = (Gauge<?>) g.metrics.get("detect.model_version=v1.info");
        Gauge<?> v2 = (Gauge<?>) g.metrics.get("detect.model_version=v2.info");
        assertEquals(0, v1.getValue(), "the old version stays listed, at 0");
        assertEquals(1, v2.getValue());
        m.swapped("v1");   // back to a version served before: its gauge is reused, not registered twice
        assertEquals(1, v1.getValue());
        assertEquals(0, v2.getValue());
        assertEquals(2, ((Counter) g.metrics.get("detect.modelSwaps")).getCount());
        assertEquals(1, ((Counter) g.metrics.get("detect.modelRejections")).getCount());
    }

    @Test
    void eachDetectionRecordsItsOwnLatencyAndCountsAsScored() {
        RecordingGroup g = new RecordingGroup();
        DetectMetrics m = new DetectMetrics(g, "v1");
        Histogram latency = (Histogram) g.metrics.get("detect.eventProcessingNanos");
        m.scored(false, 2_000_000);     // three events of one micro-batch: each waited its own time
        m.scored(true, 1_000_000);
        m.scored(false, 3_000_000);
        assertEquals(3, latency.getCount());
        assertEquals(1_000_000, latency.getStatistics().getMin());
        assertEquals(3_000_000, latency.getStatistics().getMax());
        assertEquals(3, ((Counter) g.metrics.get("detect.recordsScored")).getCount());
        assertEquals(1, ((Counter) g.metrics.get("detect.anomalies")).getCount());
    }

    @Test
    void keysInStateCountsNewKeysLessExpiredOnes() {
        RecordingGroup g = new RecordingGroup();
        DetectMetrics m = new DetectMetrics(g, "v1");
        m.keyStarted(KeyedLstmEngine.Start.NEW);
        m.keyStarted(KeyedLstmEngine.Start.NEW);
        m.keyStarted(KeyedLstmEngine.Start.IDLE);       // still in state: started again, not added
        m.keyStarted(KeyedLstmEngine.Start.MISMATCH);   // restored state cleared and started again: not added
        m.keyExpired();
        assertEquals(1L, ((Gauge<?>) g.metrics.get("detect.keysInState")).getValue());
    }
}
