package dev.lstmflink.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.record.SensorEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The parse operator in Flink's harness: events out, dead letters on the side output, counts that reconcile. */
class ParseFunctionTest {

    static final JsonRecordParser JSON = new JsonRecordParser(2, 256);

    static String json(String key, long ts, String values) {
        return "{\"key\":\"" + key + "\",\"ts\":" + ts + ",\"values\":" + values + "}";
    }

    /** 6 valid records and 5 invalid ones (reasons not_json x2, bad_ts, wrong_value_count, too_large), interleaved. */
    static List<RawRecord> mixedInput() {
        List<String> values = List.of(
                json("a", 1, "[1,2]"), "not json", json("b", 2, "[3,4]"), json("a", 3, "[5,6]"),
                "{\"key\":\"a\",\"ts\":\"soon\",\"values\":[1,2]}", json("c", 4, "[7,8]"), json("c", 5, "[1,2,3]"),
                "{", json("b", 6, "[9,10]"), "x".repeat(300), json("a", 7, "[11,12]"));
        List<RawRecord> records = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            records.add(RawRecord.kafka("sensors", i % 3, 100 + i, values.get(i).getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    static List<DeadLetter> deadLetters(OneInputStreamOperatorTestHarness<?, SensorEvent> h) {
        Queue<StreamRecord<DeadLetter>> side = h.getSideOutput(ParseFunction.DEAD_LETTERS);
        List<DeadLetter> out = new ArrayList<>();
        if (side != null) {
            side.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    @Test
    void validRecordsBecomeEventsAndInvalidOnesDeadLettersWithTheirOrigin() throws Exception {
        ParseFunction<RawRecord> fn = ParseFunction.ofRecords(JSON);
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(fn)) {
            List<RawRecord> input = mixedInput();
            for (RawRecord r : input) {
                h.processElement(r, 0L);
            }
            List<SensorEvent> events = h.extractOutputValues();
            assertEquals(List.of(new SensorEvent("a", 1, 1f, 2f), new SensorEvent("b", 2, 3f, 4f),
                    new SensorEvent("a", 3, 5f, 6f), new SensorEvent("c", 4, 7f, 8f), new SensorEvent("b", 6, 9f, 10f),
                    new SensorEvent("a", 7, 11f, 12f)), events);

            List<DeadLetter> dead = deadLetters(h);
            assertEquals(List.of("not_json", "bad_ts", "wrong_value_count", "not_json", "too_large"),
                    dead.stream().map(d -> d.reason).toList());
            int[] deadIndexes = {1, 4, 6, 7, 9};
            for (int i = 0; i < dead.size(); i++) {
                DeadLetter d = dead.get(i);
                RawRecord in = input.get(deadIndexes[i]);
                assertEquals("sensors", d.source);
                assertEquals(in.partition, d.partition);
                assertEquals(in.offset, d.offset);
                String sent = new String(in.bytes, StandardCharsets.UTF_8);
                assertTrue(sent.startsWith(d.raw) && !d.raw.isEmpty(), d.raw);
                assertTrue(!d.detail.isEmpty());
            }
            assertEquals("{", dead.get(3).raw);
            assertEquals(256, dead.get(4).raw.length(), "too_large keeps the first maxBytes bytes");

            // received = parsed + dead-lettered, with per-reason counts.
            assertEquals(input.size(), events.size() + dead.size());
            DeadLetterCounters c = fn.counters();
            assertEquals(dead.size(), c.total());
            assertEquals(Map.of("not_json", 2L, "bad_ts", 1L, "wrong_value_count", 1L, "too_large", 1L), c.byReason());
        }
    }

    @Test
    void bytesAndStringsInputsNameTheirSource() throws Exception {
        CsvRecordParser csv = CsvRecordParser.singleSeries("nyc_taxi", 1, 100);
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(ParseFunction.ofStrings(csv, "nyc_taxi.csv"))) {
            h.processElement("2014-07-01 00:00:00,10844", 0L);
            h.processElement("2014-07-01 00:30:00,", 0L);
            assertEquals(List.of(new SensorEvent("nyc_taxi", 1404172800000L, 10844f)), h.extractOutputValues());
            DeadLetter d = deadLetters(h).get(0);
            assertEquals(DeadLetter.BAD_VALUE, d.reason);
            assertEquals("nyc_taxi.csv", d.source);
            assertEquals(-1, d.offset);
        }
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(ParseFunction.ofBytes(JSON, "in-topic"))) {
            h.processElement((byte[]) null, 0L);
            h.processElement(new byte[] {(byte) 0xFF, 0}, 0L);
            h.processElement(json("k", 9, "[1,2]").getBytes(StandardCharsets.UTF_8), 0L);
            assertEquals(1, h.extractOutputValues().size());
            List<DeadLetter> dead = deadLetters(h);
            assertEquals(List.of(DeadLetter.EMPTY, DeadLetter.NOT_UTF8), dead.stream().map(d -> d.reason).toList());
            assertEquals("in-topic", dead.get(1).source);
            assertEquals(DeadLetter.ENCODING_BASE64, dead.get(1).rawEncoding);
        }
    }

    @Test
    void accumulatorsCarryTheCountsForTheRunSummary() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(ParseFunction.ofRecords(JSON))) {
            for (RawRecord r : mixedInput()) {
                h.processElement(r, 0L);
            }
            Map<String, Accumulator<?, ?>> acc = h.getEnvironment().getAccumulatorRegistry().getUserMap();
            long received = (Long) acc.get(ParseFunction.RECEIVED).getLocalValue();
            long parsed = (Long) acc.get(ParseFunction.PARSED).getLocalValue();
            DeadLetterCounters dead = (DeadLetterCounters) acc.get(ParseFunction.ACCUMULATOR).getLocalValue();
            assertEquals(11, received);
            assertEquals(6, parsed);
            assertEquals(received, parsed + dead.total());
            assertEquals(2, dead.count(DeadLetter.NOT_JSON));
        }
    }

    /** An operator metric group that keeps its metrics and its subgroups, so the test can read them. */
    static final class RecordingGroup extends InterceptingOperatorMetricGroup {
        final Map<String, RecordingGroup> groups = new HashMap<>();

        @Override
        public MetricGroup addGroup(String name) {
            return groups.computeIfAbsent(name, n -> new RecordingGroup());
        }

        /** A key-value group, kept as {@code key=value}. */
        @Override
        public MetricGroup addGroup(String key, String value) {
            return groups.computeIfAbsent(key + "=" + value, n -> new RecordingGroup());
        }

        long reason(String reason) {
            RecordingGroup g = groups.get(DeadLetterMetrics.REASON + "=" + reason);
            return g == null ? -1 : g.count(DeadLetterMetrics.DEAD_LETTERED);
        }

        long count(String name) {
            Counter c = (Counter) get(name);
            return c == null ? -1 : c.getCount();
        }
    }

    @Test
    void metricsCountPerReasonLazilyAndReconcile() throws Exception {
        RecordingGroup operator = new RecordingGroup();
        var task = new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
            @Override
            public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name, Map<String, String> vars) {
                return operator;
            }
        };
        try (MockEnvironment env = new MockEnvironmentBuilder().setMetricGroup(task).build();
                var h = new OneInputStreamOperatorTestHarness<RawRecord, SensorEvent>(
                        new ProcessOperator<>(ParseFunction.ofRecords(JSON)), env)) {
            h.open();
            for (RawRecord r : mixedInput()) {
                h.processElement(r, 0L);
            }
            RecordingGroup detect = operator.groups.get(ParseFunction.METRIC_GROUP);
            assertEquals(2, detect.reason("not_json"));
            assertEquals(1, detect.reason("bad_ts"));
            assertEquals(1, detect.reason("wrong_value_count"));
            assertEquals(1, detect.reason("too_large"));
            assertNull(detect.groups.get("reason=missing_key"), "no counter for a reason that never occurred");
            long received = detect.count(ParseFunction.RECEIVED);
            assertEquals(11, received);
            assertEquals(received, detect.count(ParseFunction.PARSED) + detect.count(ParseFunction.DEAD_LETTERED));
            assertEquals(5, detect.count(ParseFunction.DEAD_LETTERED));
        }
    }
}
