package dev.lstmflink.flink;

import dev.lstmflink.core.nn.Embedding;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * What the keyed LSTM operator does for each event and timer, shared by {@link KeyedLstmFunction} (one model) and
 * {@link SwappableLstmFunction} (models swapped at runtime). One instance per task: the model is shared read-only by
 * all keys, the stepper's scratch buffers and the input vector are allocated once.
 *
 * <p>The step input is the event's numeric values, followed by the embedding rows of its categorical ids when the
 * model has an embedding ({@link Embedding#input}, written into the preallocated input vector). An event whose values
 * do not fit goes to {@link LstmStreams#REJECTED} as {@link RejectedEvent#INVALID}, one whose ids do not fit (missing,
 * wrong count, outside {@code [0, num_embeddings)}) as {@link RejectedEvent#BAD_ID}; either leaves the key's state as
 * it was. Buffered events are checked again when stepped, since a model swapped in meanwhile may have a smaller table.
 *
 * <p>State per key (Flink's classic keyed state): {@code state} ({@link KeyState}: h and c of every layer, step count,
 * last event time); in event-time mode also {@code buffer} (events waiting for the watermark, by timestamp) and
 * {@code releaseTimer} (the pending quiet-release timer).
 */
final class LstmKeyedLogic {

    /** Emits to a side output; both Flink contexts have this method. */
    interface SideOutput {
        <X> void output(OutputTag<X> tag, X value);
    }

    /** Expiry and quiet-release timers are rounded up to this, so that a busy key does not move them per event. */
    static final long TIMER_GRANULARITY_MS = 1_000;

    private final LstmFunctionConfig cfg;
    private final ValueState<KeyState> state;
    private final MapState<Long, List<SensorEvent>> buffer;
    private final ValueState<Long> releaseTimer;
    private LstmModel model;
    private LstmStepper<float[]> stepper;
    /** The model's embedding, or null. */
    private Embedding embedding;
    /** The numeric values each event carries. */
    private int numeric;
    /** The LSTM input of one step, {@code [values ; embedded ids]}. */
    private float[] x;

    LstmKeyedLogic(LstmFunctionConfig cfg, RuntimeContext rc) {
        this.cfg = cfg;
        ValueStateDescriptor<KeyState> sd = new ValueStateDescriptor<>("lstm-state", KeyStateSerializer.INSTANCE);
        if (!cfg.eventTime() && !cfg.idleTimeout().isZero()) {
            // Processing time: Flink's TTL expires idle keys; an expired key reads as null and restarts.
            sd.enableTimeToLive(StateTtlConfig.newBuilder(cfg.idleTimeout())
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
        }
        this.state = rc.getState(sd);
        if (cfg.eventTime()) {
            this.buffer = rc.getMapState(new MapStateDescriptor<>("lstm-buffer", Types.LONG,
                    TypeInformation.of(new TypeHint<List<SensorEvent>>() {})));
            this.releaseTimer = rc.getState(new ValueStateDescriptor<>("lstm-release-timer", Types.LONG));
        } else {
            this.buffer = null;
            this.releaseTimer = null;
        }
    }

    LstmModel model() {
        return model;
    }

    /** Installs a model; checks that it can serve this configuration. */
    void setModel(LstmModel m) {
        if (cfg.output().needsHead() && m.head() == null) {
            throw new IllegalArgumentException("output " + cfg.output() + " needs a head (head.weight) in model "
                    + m.version() + ", which has none");
        }
        LstmStepper<float[]> s = m.lstm().stepper();
        if (cfg.initialState() != null && cfg.initialState().length != s.stateSize()) {
            throw new IllegalArgumentException("initial state has " + cfg.initialState().length
                    + " values, model " + m.version() + " needs " + s.stateSize());
        }
        this.model = m;
        this.stepper = s;
        this.embedding = m.embedding();
        this.numeric = m.numericInputs();
        this.x = new float[m.lstm().config().inputSize()];
    }

    /**
     * Why {@code next} cannot replace the running model without losing every key's state, or null when it can: the
     * state layout (layers, hidden and output sizes), the input size and the output width must stay the same, and so
     * must what an event carries (the numeric values and the ids per step: events already buffered or in flight were
     * made for the running model). Another embedding table of the same width is accepted, as other weights are; a
     * buffered id outside a smaller table is rejected when it is stepped.
     */
    String incompatibility(LstmModel next) {
        var a = model.lstm().config();
        var b = next.lstm().config();
        if (a.numLayers() != b.numLayers() || a.hiddenSize() != b.hiddenSize() || a.outputSize() != b.outputSize()
                || a.inputSize() != b.inputSize()) {
            return "model " + next.version() + " has input_size " + b.inputSize() + ", hidden_size " + b.hiddenSize()
                    + ", proj_size " + b.projSize() + ", num_layers " + b.numLayers() + "; the running model "
                    + model.version() + " has " + a.inputSize() + ", " + a.hiddenSize() + ", " + a.projSize() + ", "
                    + a.numLayers() + " and every key's state is shaped by it";
        }
        if (next.numericInputs() != model.numericInputs() || next.idsPerStep() != model.idsPerStep()) {
            return "model " + next.version() + " takes " + next.numericInputs() + " numeric values and "
                    + next.idsPerStep() + " ids per event (embedding ids_per_step); the running model "
                    + model.version() + " takes " + model.numericInputs() + " and " + model.idsPerStep()
                    + ", and the events are made for it";
        }
        if (b.bidirectional()) {
            return "model " + next.version() + " is bidirectional and cannot be stepped one event at a time";
        }
        if (cfg.output().needsHead()) {
            if (next.head() == null) {
                return "model " + next.version() + " has no head, and the output is " + cfg.output();
            }
            if (next.head().outFeatures() != model.head().outFeatures()) {
                return "model " + next.version() + " has a head of " + next.head().outFeatures()
                        + " outputs, the running model " + model.head().outFeatures();
            }
        }
        return null;
    }

    void onEvent(SensorEvent e, String key, TimerService timers, Collector<LstmOutput> out, SideOutput side)
            throws Exception {
        if (reject(e, side)) {
            return;
        }
        if (!cfg.eventTime()) {
            step(e, key, timers, out);
            return;
        }
        long wm = timers.currentWatermark();
        long lateBy = wm == Long.MIN_VALUE ? Long.MIN_VALUE : wm - e.ts;
        if (lateBy > cfg.allowedLateness().toMillis()) {
            side.output(LstmStreams.REJECTED, new RejectedEvent(e, RejectedEvent.LATE,
                    "event time " + e.ts + " is " + lateBy + " ms behind the watermark " + wm + " (allowed lateness "
                            + cfg.allowedLateness().toMillis() + " ms)"));
            return;
        }
        if (lateBy >= 0) {
            step(e, key, timers, out);   // within the allowed lateness: stepped now, after what the key already did
            return;
        }
        List<SensorEvent> waiting = buffer.get(e.ts);
        if (waiting == null) {
            waiting = new ArrayList<>(1);
            timers.registerEventTimeTimer(e.ts);
        }
        waiting.add(e);
        buffer.put(e.ts, waiting);
        if (!cfg.releaseDelay().isZero()) {
            long at = roundUp(timers.currentProcessingTime() + cfg.releaseDelay().toMillis());
            Long pending = releaseTimer.value();
            if (pending == null || pending != at) {
                if (pending != null) {
                    timers.deleteProcessingTimeTimer(pending);
                }
                timers.registerProcessingTimeTimer(at);
                releaseTimer.update(at);
            }
        }
    }

    /**
     * Sends {@code e} to {@link LstmStreams#REJECTED} when the running model cannot take it, naming the field and the
     * value, and returns true; false when it can be stepped.
     */
    private boolean reject(SensorEvent e, SideOutput side) {
        String invalid = e.invalidValues(numeric);
        String reason = RejectedEvent.INVALID;
        if (invalid == null) {
            invalid = e.invalidIds(embedding);
            reason = RejectedEvent.BAD_ID;
        }
        if (invalid == null) {
            return false;
        }
        side.output(LstmStreams.REJECTED, new RejectedEvent(e, reason, invalid));
        return true;
    }

    void onTimer(long time, TimeDomain domain, String key, TimerService timers, Collector<LstmOutput> out,
                 SideOutput side) throws Exception {
        if (domain == TimeDomain.PROCESSING_TIME) {
            Long pending = releaseTimer == null ? null : releaseTimer.value();
            if (pending != null && pending == time) {
                releaseTimer.clear();
                releaseAll(key, timers, out, side);
            }
            return;
        }
        List<SensorEvent> due = buffer.get(time);
        if (due != null) {
            buffer.remove(time);
            for (SensorEvent e : due) {
                stepBuffered(e, key, timers, out, side);
            }
        }
        expireIfIdle(time);
    }

    /** A buffered event, checked on arrival; checked again, as a model swapped in since may not take it. */
    private void stepBuffered(SensorEvent e, String key, TimerService timers, Collector<LstmOutput> out,
                              SideOutput side) throws Exception {
        if (!reject(e, side)) {
            step(e, key, timers, out);
        }
    }

    /** The key has been quiet for the release delay: step everything it has buffered, in timestamp order. */
    private void releaseAll(String key, TimerService timers, Collector<LstmOutput> out, SideOutput side)
            throws Exception {
        List<Long> times = new ArrayList<>();
        for (Long t : buffer.keys()) {
            times.add(t);
        }
        Collections.sort(times);
        for (long t : times) {
            List<SensorEvent> due = buffer.get(t);
            timers.deleteEventTimeTimer(t);
            for (SensorEvent e : due) {
                stepBuffered(e, key, timers, out, side);
            }
        }
        buffer.clear();
    }

    /** Event time: drops the key's state when no event came for the idle timeout (an expiry timer fired). */
    private void expireIfIdle(long time) throws Exception {
        if (cfg.idleTimeout().isZero()) {
            return;
        }
        KeyState s = state.value();
        if (s != null && s.lastTs + cfg.idleTimeout().toMillis() <= time && buffer.isEmpty()) {
            state.clear();
        }
    }

    /** One timestep for this key: state from Flink, step in place, state back, one output. */
    private void step(SensorEvent e, String key, TimerService timers, Collector<LstmOutput> out) throws Exception {
        KeyState s = state.value();
        if (s == null || e.reset) {
            s = freshState(s);
        } else if (s.hc.length != stepper.stateSize()) {
            throw new IllegalStateException("key " + key + " has a state of " + s.hc.length + " values, model "
                    + model.version() + " needs " + stepper.stateSize());
        }
        if (embedding == null) {
            System.arraycopy(e.values, 0, x, 0, numeric);
        } else {
            embedding.input(e.values, numeric, e.ids, x);
        }
        stepper.step(x, 0, s.hc);
        long previousTs = s.lastTs;
        s.step++;
        s.lastTs = Math.max(previousTs, e.ts);
        state.update(s);
        out.collect(new LstmOutput(key, e.ts, s.step, model.version(), outputValues(s.hc)));
        if (cfg.eventTime() && !cfg.idleTimeout().isZero()) {
            moveExpiryTimer(previousTs, s.lastTs, timers);
        }
    }

    /**
     * One expiry timer per key, at the last event time + idle timeout rounded up to {@value #TIMER_GRANULARITY_MS}
     * ms: registering one per event would keep a timer per event in the queue until it fires (for a day-long
     * timeout, every event of the day), and rounding means a key's timer moves at most once a second.
     */
    private void moveExpiryTimer(long previousTs, long lastTs, TimerService timers) throws Exception {
        long idle = cfg.idleTimeout().toMillis();
        long at = roundUp(lastTs + idle);
        if (previousTs == Long.MIN_VALUE) {
            timers.registerEventTimeTimer(at);
            return;
        }
        long before = roundUp(previousTs + idle);
        if (before != at) {
            // Flink keeps one timer per key and time: the old expiry timer may also be that of events waiting there.
            if (!buffer.contains(before)) {
                timers.deleteEventTimeTimer(before);
            }
            timers.registerEventTimeTimer(at);
        }
    }

    private static long roundUp(long t) {
        return Math.floorDiv(t + TIMER_GRANULARITY_MS - 1, TIMER_GRANULARITY_MS) * TIMER_GRANULARITY_MS;
    }

    private KeyState freshState(KeyState reuse) {
        float[] hc = cfg.initialState() != null ? cfg.initialState().clone() : stepper.newState();
        if (reuse != null && reuse.hc.length == hc.length) {
            System.arraycopy(hc, 0, reuse.hc, 0, hc.length);
            reuse.step = 0;
            return reuse;
        }
        return new KeyState(0, Long.MIN_VALUE, hc);
    }

    private float[] outputValues(float[] hc) {
        switch (cfg.output()) {
            case HIDDEN:
                int off = stepper.outputOffset();
                return Arrays.copyOfRange(hc, off, off + model.lstm().config().outputSize());
            case STATE:
                return hc.clone();
            default:
                LinearHead head = model.head();
                float[] y = new float[head.outFeatures()];
                head.apply(hc, stepper.outputOffset(), y, 0);
                if (cfg.output() == OutputKind.PROBABILITIES) {
                    LinearHead.softmax(y, 0, y.length);
                }
                return y;
        }
    }
}
