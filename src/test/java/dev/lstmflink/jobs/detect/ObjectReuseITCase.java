package dev.lstmflink.jobs.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.connect.JsonRecordParser;
import dev.lstmflink.connect.ParseFunction;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.record.SensorEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What {@link KafkaRun#environment}'s object reuse relies on, for an operator that keeps its input events across calls
 * (the detector's event-time buffer, a micro-batch): in a job with object reuse on, the events that reach a keyed
 * operator through the keyBy from {@link ParseFunction} are each a new object, and none changes after it arrived.
 */
class ObjectReuseITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    static final int EVENTS = 5_000;

    @Test
    void aKeyedOperatorGetsEveryEventAsANewObjectThatNothingChangesLater() throws Exception {
        StreamExecutionEnvironment env = KafkaRun.environment(DetectConfig.defaults());
        env.setParallelism(2);
        List<RawRecord> records = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            String json = "{\"key\":\"s" + (i % 7) + "\",\"ts\":" + i + ",\"values\":[" + i + ".5]}";
            records.add(RawRecord.kafka("t", i % 2, i, json.getBytes(StandardCharsets.UTF_8)));
        }
        List<String> results = new ArrayList<>();
        env.fromData(records)
                .process(ParseFunction.ofRecords(new JsonRecordParser(1, 1024)))
                .keyBy(e -> e.key)
                .process(new KeepsEvents())
                .executeAndCollect("object reuse").forEachRemaining(results::add);
        assertEquals(List.of(), results.stream().filter(r -> !r.equals("ok")).toList());
        assertEquals(EVENTS, results.size());
    }

    /**
     * Keeps every event it gets and checks, on each arrival, that it is a new object, and every 97 arrivals that the
     * kept ones are unchanged; emits "ok" or what is wrong.
     */
    static final class KeepsEvents extends KeyedProcessFunction<String, SensorEvent, String> {
        private transient Set<SensorEvent> kept;
        private transient List<SensorEvent> keptInOrder;
        private transient List<String> copies;   // each kept event as it was when it arrived

        @Override
        public void processElement(SensorEvent e, Context ctx, Collector<String> out) {
            if (kept == null) {
                kept = Collections.newSetFromMap(new IdentityHashMap<>());
                keptInOrder = new ArrayList<>();
                copies = new ArrayList<>();
            }
            boolean ok = kept.add(e);
            if (!ok) {
                out.collect("the same object arrived twice: " + e);
            }
            keptInOrder.add(e);
            copies.add(describe(e));
            if (keptInOrder.size() % 97 == 0 || keptInOrder.size() == EVENTS) {
                for (int i = 0; i < keptInOrder.size(); i++) {
                    if (!describe(keptInOrder.get(i)).equals(copies.get(i))) {
                        ok = false;
                        out.collect("kept event " + i + " changed from " + copies.get(i) + " to "
                                + describe(keptInOrder.get(i)));
                    }
                }
            }
            if (ok) {
                out.collect("ok");
            }
        }

        private static String describe(SensorEvent e) {
            return e.key + "@" + e.ts + Arrays.toString(e.values) + e.reset;
        }
    }
}
