package dev.lstmflink.flink.keyed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Runs one random script of events, watermarks, processing-time moves and snapshot-restores through keyed LSTM
 * operators in Flink's harness, so that the micro-batching operator can be compared with the function alone: per key,
 * the same outputs in the same order, the same refusals, the same state and timers at the end.
 *
 * <p>The script is hard on batching: keys drawn with a skew (the first key about a third of all events, so one batch
 * often holds several events of one key), out-of-order timestamps in event time with late events, watermarks, resets,
 * invalid values, gaps longer than the idle timeout for the rare keys, processing time moving past batch delays and
 * quiet-release times, and restores from snapshots taken mid-stream.
 */
public final class BatchEquivalence {

    /** One thing the script does. */
    public sealed interface Step permits Event, Mark, Clock, Restore {}

    public record Event(SensorEvent e) implements Step {}

    public record Mark(long watermark) implements Step {}

    /** Sets the harness's processing time. */
    public record Clock(long time) implements Step {}

    /** Snapshots the operator, closes it and restores the snapshot into the next segment's operator. */
    public record Restore() implements Step {}

    /**
     * What a run gave: outputs per key in emission order, refusals, what is left in state, and how many outputs came
     * after a watermark at or past their timestamp (late for the next operator).
     */
    public record Run<O>(Map<String, List<O>> outputs, Map<String, List<String>> rejected, int stateEntries,
                         int eventTimers, int processingTimers, int behindWatermark) {}

    private BatchEquivalence() {}

    /**
     * A script of {@code n} events over 12 keys.
     *
     * @param eventOf an event the operator's model takes, for a key and a counter (its timestamp is replaced)
     */
    public static List<Step> script(long seed, int n, boolean eventTime, BiFunction<String, Integer, SensorEvent> eventOf) {
        Random rnd = new Random(seed);
        List<Step> steps = new ArrayList<>();
        long eventClock = 1_000_000;
        long clock = 0;
        for (int i = 0; i < n; i++) {
            String key = "k" + (int) Math.floor(Math.pow(rnd.nextDouble(), 2.5) * 12);   // k0 most often
            SensorEvent e = eventOf.apply(key, i);
            eventClock += rnd.nextInt(400);
            e.ts = eventTime ? eventClock - rnd.nextInt(3_000) : eventClock;
            e.reset = rnd.nextInt(50) == 0;
            if (rnd.nextInt(50) == 0) {
                e.values[rnd.nextInt(e.values.length)] = Float.NaN;
            }
            steps.add(new Event(e));
            clock += rnd.nextInt(25);
            if (rnd.nextInt(4) == 0) {
                steps.add(new Clock(clock));
            }
            if (eventTime && rnd.nextInt(15) == 0) {
                steps.add(new Mark(eventClock - 2_000));
            }
            if (i == n / 3 || i == 2 * n / 3) {
                steps.add(new Restore());
            }
        }
        if (eventTime) {
            steps.add(new Mark(Long.MAX_VALUE - 1));
        }
        return steps;
    }

    /**
     * Runs the script; segment s (0, then 1 after the first restore, ...) runs on {@code operators.apply(s)}.
     *
     * @param keyOf the output's key
     */
    public static <O> Run<O> run(List<Step> script, IntFunction<OneInputStreamOperator<SensorEvent, O>> operators,
                                 Function<O, String> keyOf, boolean rocksDb) throws Exception {
        Map<String, List<O>> outputs = new TreeMap<>();
        Map<String, List<String>> rejected = new TreeMap<>();
        long[] lateness = {Long.MIN_VALUE, 0};   // the last watermark emitted, outputs behind it
        int segment = 0;
        long clock = 0;
        var h = open(operators.apply(segment), null, rocksDb, clock);
        for (Step step : script) {
            if (step instanceof Event ev) {
                h.processElement(new StreamRecord<>(ev.e(), ev.e().ts));
            } else if (step instanceof Mark m) {
                h.processWatermark(new Watermark(m.watermark()));
            } else if (step instanceof Clock c) {
                clock = c.time();
                h.setProcessingTime(clock);
            } else {
                h.prepareSnapshotPreBarrier(segment);   // as Flink's task does before every snapshot; the harness does not
                OperatorSubtaskState snapshot = h.snapshot(segment, clock);
                drain(h, outputs, rejected, keyOf, lateness);
                h.close();
                h = open(operators.apply(++segment), snapshot, rocksDb, clock);
            }
            drain(h, outputs, rejected, keyOf, lateness);
        }
        h.prepareSnapshotPreBarrier(segment + 1);   // what a final checkpoint or the end of input would flush
        drain(h, outputs, rejected, keyOf, lateness);
        Run<O> run = new Run<>(outputs, rejected, rocksDb ? -1 : h.numKeyedStateEntries(),   // heap backend only
                h.numEventTimeTimers(), h.numProcessingTimeTimers(), (int) lateness[1]);
        h.close();
        return run;
    }

    private static <O> KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, O> open(
            OneInputStreamOperator<SensorEvent, O> op, OperatorSubtaskState restore, boolean rocksDb, long clock)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(op, (SensorEvent e) -> e.key, Types.STRING, 128, 1, 0);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.setProcessingTime(clock);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    private static <O> void drain(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, O> h,
                                  Map<String, List<O>> outputs, Map<String, List<String>> rejected,
                                  Function<O, String> keyOf, long[] lateness) {
        for (Object x : h.getOutput()) {
            if (x instanceof Watermark w) {
                lateness[0] = w.getTimestamp();
            } else if (x instanceof StreamRecord<?> r) {
                @SuppressWarnings("unchecked")
                O o = (O) r.getValue();
                outputs.computeIfAbsent(keyOf.apply(o), k -> new ArrayList<>()).add(o);
                if (r.hasTimestamp() && r.getTimestamp() <= lateness[0]) {
                    lateness[1]++;
                }
            }
        }
        h.getOutput().clear();
        var side = h.getSideOutput(LstmStreams.REJECTED);
        if (side != null) {
            for (StreamRecord<RejectedEvent> r : side) {
                RejectedEvent x = r.getValue();
                rejected.computeIfAbsent(x.event.key, k -> new ArrayList<>())
                        .add(x.event.ts + " " + x.reason + ": " + x.detail);
            }
            side.clear();
        }
    }

    /** The two runs agree: per key the same outputs in order, the same refusals, the same state and timers left. */
    public static <O> void assertSame(Run<O> expected, Run<O> actual, int minOutputs) {
        int total = expected.outputs().values().stream().mapToInt(List::size).sum();
        assertTrue(total >= minOutputs, "the script produced only " + total + " outputs");
        assertEquals(expected.outputs().keySet(), actual.outputs().keySet(), "keys with outputs");
        for (var e : expected.outputs().entrySet()) {
            List<O> got = actual.outputs().get(e.getKey());
            assertEquals(e.getValue().size(), got.size(), "outputs of key " + e.getKey());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(e.getValue().get(i), got.get(i), "output " + i + " of key " + e.getKey());
            }
        }
        assertEquals(expected.rejected(), actual.rejected(), "refused events");
        assertEquals(expected.stateEntries(), actual.stateEntries(), "keyed state entries left");
        assertEquals(expected.eventTimers(), actual.eventTimers(), "event-time timers left");
        assertEquals(expected.processingTimers(), actual.processingTimers(), "processing-time timers left");
        assertEquals(expected.behindWatermark(), actual.behindWatermark(), "outputs after a watermark past them");
    }
}
