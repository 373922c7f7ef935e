package dev.lstmflink.flink.keyed;

import dev.lstmflink.config.KeyedOptions;
import dev.lstmflink.config.OnStateMismatch;
import dev.lstmflink.core.nn.Embedding;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * What a keyed LSTM operator does for each event and timer, shared by the plain operator ({@code KeyedLstmFunction},
 * {@code SwappableLstmFunction}) and the detector ({@code DetectFunction}); each of those keeps only what is its own,
 * in a {@link Hook}. One instance per task: the model is shared read-only by all keys, the stepper's scratch buffers
 * and the input vectors are allocated once per model.
 *
 * <p>Per event of a key:
 * <ol>
 *   <li><b>validate</b>: the values must fit the model (count = its numeric inputs, all finite), or the event goes to
 *       {@link #REJECTED} as {@link RejectedEvent#INVALID}; with an embedding its ids too (count = ids_per_step, each
 *       in {@code [0, num_embeddings)}), or {@link RejectedEvent#BAD_ID}; then the hook writes the step's numeric
 *       input x (the values as they are, or normalised) and may refuse it too (INVALID). A refused event changes
 *       nothing of the key's state;</li>
 *   <li><b>order</b> (event time only, {@link EventTimeBuffer}): an event more than the allowed lateness behind the
 *       watermark goes to {@link #REJECTED} as {@link RejectedEvent#LATE}; one at or behind the watermark is stepped
 *       at once; one ahead of it waits in keyed state until the watermark passes it, or until the key has been quiet
 *       for the quiet-release time, and is checked again when it is stepped (a model swapped in meanwhile may not
 *       take it);</li>
 *   <li><b>step</b>: the key's {@link KeyState} (h and c of every layer, step count, last event time) is read from
 *       Flink state, started again when the key is new, idle (event time: a gap of the idle timeout or more; processing
 *       time: Flink's TTL expired it) or its restored state does not fit the model ({@link OnStateMismatch}), or reset
 *       to the initial state on a {@code reset} event; the LSTM steps in place with {@code [x ; E[ids]]}
 *       ({@link Embedding#input}; x alone without an embedding) and the state goes back;</li>
 *   <li><b>hook</b>: {@link Hook#stepped} makes the operator's output from the new state.</li>
 * </ol>
 *
 * <p>Expiry in event time: one event-time timer per key at its last event time + the idle timeout, rounded up to a
 * second, clears the key's state when the key has not come back by then. Without a model ({@link #setModelFree}) there
 * is nothing to step: the key's state is its step count and last event time, and the hook predicts without an LSTM.
 *
 * <p>Micro-batching ({@link #batching}, by {@link MicroBatchOperator}): the step waits in a batch ({@link PendingSteps})
 * until the batch is full or the operator flushes it (its maximum delay, a watermark, a checkpoint barrier, the end of
 * the input); the flush reads the batch's keys' states, steps them in one pass over the weights
 * ({@link LstmStepper#stepBatch}), writes them back and calls the hook per event, in arrival order per key (a key's later
 * events go into the next wave, {@link PendingSteps#nextWave}). Without it (a plain {@code KeyedProcessFunction}) the
 * batch holds one event and is flushed at once: the same code, one key per step.
 *
 * <p>Metrics on the operator's group: counters {@value #METRIC_KEYS_STARTED} (first events of keys, including keys
 * started again after idle expiry or a state that did not fit; not {@code reset} events) and
 * {@value #METRIC_STATE_RESETS} (keys whose restored state did not fit the model and were started again), the last
 * also an accumulator of that name; {@value #METRIC_PASSES}, the LSTM's passes over the weights (events stepped per
 * pass is the batch size reached).
 */
public final class KeyedLstmEngine<O> {

    /** Events not stepped, with the reason ({@code late}, {@code invalid}, {@code bad_id}). */
    public static final OutputTag<RejectedEvent> REJECTED = new OutputTag<>("lstm-rejected") {};
    /** Counter: keys started, first seen or started again after idle expiry or a state reset. */
    public static final String METRIC_KEYS_STARTED = "keysStarted";
    /** Counter and accumulator: keys whose restored state did not fit the model and started again (reset mode). */
    public static final String METRIC_STATE_RESETS = "stateResets";
    /**
     * Counter: passes over the weights (one per wave of a batch; the events stepped over this is the mean batch size).
     */
    public static final String METRIC_PASSES = "lstmPasses";
    /** The keyed state of every key's h, c, step count and last event time, in both operators. */
    static final String LSTM_STATE = "lstm-state";

    /** Emits to a side output; both of Flink's process function contexts have this method. */
    public interface SideOutput {
        <X> void output(OutputTag<X> tag, X value);
    }

    /** Why a key starts again from its initial state with this event. */
    public enum Start {
        /** The key has no state: first seen, or expired by TTL or by its expiry timer. */
        NEW,
        /** Event time: the event comes the idle timeout or more after the key's last one. */
        IDLE,
        /** The key's restored state does not fit the model, and {@link OnStateMismatch#RESET} starts it again. */
        MISMATCH
    }

    /** The function that runs an engine: the micro-batching operator drives that engine directly. */
    public interface Owner<O> {
        /** The engine, after the function's {@code open}. */
        KeyedLstmEngine<O> engine();
    }

    /**
     * What a micro-batching operator ({@link MicroBatchOperator}) gives the engine: a batch's events are stepped after
     * the calls that took them returned, so the flush must switch Flink's keyed state to each event's key and stamp each
     * output with the timestamp of the record or timer that brought its event.
     */
    public interface BatchHost<O> {
        /** Switches Flink's keyed state and timer service to {@code key}. */
        void setCurrentKey(Object key);

        /** The key Flink's keyed state is on now (restored after a flush). */
        Object getCurrentKey();

        /** The timestamp of the record or timer being handled, or {@link PendingSteps#NO_STAMP}. */
        long stamp();

        /** The operator's collector, its records stamped with {@code stamp}. */
        Collector<O> output(long stamp);

        /** A batch took its first event: the operator must flush it within its maximum delay. */
        void opened();
    }

    /**
     * What an operator adds to the engine: the step's input from the event's values, and the output. Between
     * {@link #load} or {@link #start} and {@link #stepped} of one event, other keys' events of the same wave are loaded:
     * what the hook keeps for an event it keeps per {@code slot} (the event's place in its wave, below the batch size).
     */
    public interface Hook<O> {

        /**
         * Writes the step's numeric input for {@code e}'s values (already checked: as many as the model's numeric
         * inputs, all finite) into {@code x}; returns null, or why {@code e} cannot be stepped (sent on as
         * {@link RejectedEvent#INVALID}).
         */
        String numericInput(SensorEvent e, float[] x);

        /**
         * Reads the operator's own state of the key about to be stepped (not called for a key that starts again);
         * returns null when it fits the model, else what does not fit ("a prediction of 3 values").
         */
        String load(int slot) throws Exception;

        /** The key starts again as a new key: forget the operator's own state of it. */
        void start(int slot, Start why) throws Exception;

        /**
         * The LSTM has stepped: {@code s} holds the key's new h, c and step count (already in Flink state).
         *
         * @param slot  the event's place in its wave, as given to {@link #load} or {@link #start}
         * @param x     the step's numeric input, as {@link #numericInput} wrote it
         * @param start why the key started again with this event, or null when it continued
         */
        void stepped(int slot, String key, SensorEvent e, float[] x, KeyState s, Start start, Collector<O> out)
                throws Exception;

        /** Event time: the key's expiry timer found it idle and its state is cleared: clear the operator's own too. */
        void expire() throws Exception;
    }

    private final KeyedOptions options;
    private final Hook<O> hook;
    private final float[] initialState;
    private final ValueState<KeyState> state;
    /** Event time only, else null. */
    private final EventTimeBuffer buffer;
    /** Event-time idle timeout in ms; 0 when keys expire by TTL or never. */
    private final long expiryMs;
    private final Counter keysStarted;
    private final Counter stateResets;
    private final Counter passes;
    private final LongCounter stateResetsTotal;

    private String modelName;
    private LstmModel model;
    private LstmStepper<float[]> stepper;
    private Embedding embedding;
    /** The numeric values each event carries. */
    private int numeric;
    /** The step's numeric input, {@code numeric} floats, rewritten by every {@link #check}. */
    private float[] xn;

    /** The micro-batching operator, or null: a batch of one, flushed where it was taken. */
    private BatchHost<O> host;
    private int maxBatch = 1;
    private PendingSteps pending;
    /** Per place in a wave: the LSTM input (the numeric input, or {@code [x ; E[ids]]} in {@link #embedded}). */
    private float[][] inputs;
    /** Per place in a wave, with an embedding: the step's input {@code [x ; E[ids]]}; else null. */
    private float[][] embedded;
    private KeyState[] states;
    private float[][] hcs;
    private Start[] starts;
    private long[] previousTs;
    private long[] takenNanos;
    private int[] zeroOffsets;
    /** Where the last call came from: the timer service and collector a batch of one is flushed with. */
    private TimerService timers;
    private Collector<O> out;

    /**
     * @param bufferPrefix the event-time buffer's state names ({@code <prefix>-buffer}, {@code <prefix>-release-timer})
     * @param initialState a new or reset key's h and c in {@code LstmStepper}'s layout, or null for zeros
     */
    public KeyedLstmEngine(KeyedOptions options, RuntimeContext rc, String bufferPrefix, float[] initialState,
                           Hook<O> hook) {
        this.options = options;
        this.hook = hook;
        this.initialState = initialState;
        ValueStateDescriptor<KeyState> sd = lstmStateDescriptor();
        StateTtlConfig ttl = ttl(options);
        if (ttl != null) {
            sd.enableTimeToLive(ttl);
        }
        this.state = rc.getState(sd);
        this.buffer = options.eventTime()
                ? new EventTimeBuffer(rc, bufferPrefix, options.allowedLateness(), options.quietRelease()) : null;
        this.expiryMs = options.eventTime() ? options.idleTimeout().toMillis() : 0;
        this.keysStarted = rc.getMetricGroup().counter(METRIC_KEYS_STARTED);
        this.stateResets = rc.getMetricGroup().counter(METRIC_STATE_RESETS);
        this.passes = rc.getMetricGroup().counter(METRIC_PASSES);
        this.stateResetsTotal = rc.getLongCounter(METRIC_STATE_RESETS);
    }

    /** The keyed state of every key's LSTM: the same name and serializer in both operators. */
    public static ValueStateDescriptor<KeyState> lstmStateDescriptor() {
        return new ValueStateDescriptor<>(LSTM_STATE, KeyStateSerializer.INSTANCE);
    }

    /** The event-time buffer's keyed state for a state-name prefix: timestamp → that timestamp's events. */
    public static MapStateDescriptor<Long, List<SensorEvent>> bufferDescriptor(String prefix) {
        return EventTimeBuffer.descriptor(prefix);
    }

    /**
     * The TTL an operator gives all of its per-key value states: processing-time idle expiry (an expired state reads as
     * null, so the key starts again); null when keys expire by timer (event time) or never. Flink's TTL runs on
     * processing time only.
     */
    public static StateTtlConfig ttl(KeyedOptions options) {
        if (options.eventTime() || options.idleTimeout().isZero()) {
            return null;
        }
        return StateTtlConfig.newBuilder(options.idleTimeout())
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
    }

    /**
     * Installs a model (the caller checked that it may take over the keys' state: {@link ModelShape#swapRefusal}); no
     * event may be waiting in a batch (the operator flushes before a swap).
     */
    public void setModel(LstmModel m) {
        requireNoPending("swap the model");
        LstmStepper<float[]> s = m.lstm().stepper(maxBatch);
        if (initialState != null && initialState.length != s.stateSize()) {
            throw new IllegalArgumentException("initial state has " + initialState.length + " values, model "
                    + m.version() + " needs " + s.stateSize());
        }
        this.model = m;
        this.modelName = m.version();
        this.stepper = s;
        this.embedding = m.embedding();
        this.numeric = m.numericInputs();
        this.xn = new float[numeric];
        allocateBatch();
    }

    /** No model: events of {@code values} numeric values, nothing to step (the hook predicts on its own). */
    public void setModelFree(int values, String name) {
        if (values < 1) {
            throw new IllegalArgumentException("values per event must be >= 1, got " + values);
        }
        requireNoPending("swap the model");
        this.model = null;
        this.modelName = name;
        this.stepper = null;
        this.embedding = null;
        this.numeric = values;
        this.xn = new float[values];
        allocateBatch();
    }

    /**
     * Steps up to {@code maxBatch} events per pass over the weights, flushed by {@code host} (see the class comment);
     * called once, after the function's {@code open}.
     */
    public void batching(int maxBatch, BatchHost<O> host) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + maxBatch);
        }
        requireNoPending("change the batch size");
        this.maxBatch = maxBatch;
        this.host = host;
        if (model != null) {
            setModel(model);   // a stepper with scratch for maxBatch keys
        } else if (xn != null) {
            allocateBatch();
        }
    }

    private void allocateBatch() {
        pending = new PendingSteps(maxBatch, numeric);
        inputs = new float[maxBatch][];
        embedded = embedding == null ? null : new float[maxBatch][model.lstm().config().inputSize()];
        states = new KeyState[maxBatch];
        hcs = new float[maxBatch][];
        starts = new Start[maxBatch];
        previousTs = new long[maxBatch];
        takenNanos = new long[maxBatch];
        zeroOffsets = new int[maxBatch];
    }

    private void requireNoPending(String what) {
        if (pending != null && !pending.isEmpty()) {
            throw new IllegalStateException("cannot " + what + " with " + pending.size()
                    + " events waiting in the batch: flush first");
        }
    }

    /**
     * When the event at {@code slot} of the wave being stepped was taken into its batch ({@link System#nanoTime}; on
     * arrival, or when the watermark or the quiet release let it go): valid in {@link Hook#stepped}, for latency.
     */
    public long takenNanos(int slot) {
        return takenNanos[slot];
    }

    /**
     * The current key's stored LSTM state, or null when it has none (new, expired or cleared): for a function that
     * visits every key ({@code applyToKeyedState}) to read it, e.g. to predict again after a model swap.
     */
    public KeyState currentState() throws Exception {
        return state.value();
    }

    /** The offset of the last layer's h in a key's state (where a head reads); 0 without a model. */
    public int outputOffset() {
        return stepper == null ? 0 : stepper.outputOffset();
    }

    /** The floats of a key's h and c: 0 without a model. */
    public int stateSize() {
        return stepper == null ? 0 : stepper.stateSize();
    }

    public void onEvent(SensorEvent e, String key, TimerService timers, Collector<O> out, SideOutput side)
            throws Exception {
        this.timers = timers;
        this.out = out;
        if (!check(e, side)) {
            return;
        }
        if (buffer != null) {
            String late = buffer.lateness(e, timers.currentWatermark());
            if (late != null) {
                side.output(REJECTED, new RejectedEvent(e, RejectedEvent.LATE, late));
                return;
            }
            if (buffer.hold(e, timers)) {
                return;
            }
        }
        submit(e, key, timers, out);
    }

    /** Event time only: the watermark passed waiting events, a key's expiry time came, or its quiet-release timer. */
    public void onTimer(long time, TimeDomain domain, String key, TimerService timers, Collector<O> out,
                        SideOutput side) throws Exception {
        if (buffer == null) {
            return;
        }
        this.timers = timers;
        this.out = out;
        boolean quiet = domain == TimeDomain.PROCESSING_TIME;
        for (SensorEvent e : quiet ? buffer.releaseQuiet(time, timers, expiryMs > 0) : buffer.release(time)) {
            if (check(e, side)) {   // checked on arrival; again, as a model swapped in or restored since may not take it
                submit(e, key, timers, out);
            }
        }
        if (!quiet && expiryMs > 0 && EventTimeBuffer.isExpiryTime(time)) {
            if (pending.holds(key)) {
                flush();   // the key's waiting steps move its last event time, which decides its expiry
            }
            KeyState s = state.value();
            if (s != null && s.lastTs + expiryMs <= time) {
                state.clear();   // its waiting events, if any, are later than time: they will start it again
                buffer.forgetQuietRelease(timers);
                hook.expire();
            }
        }
    }

    /**
     * Checks the event against the model and has the hook write its numeric input into {@link #xn}: true for an event
     * that can be stepped; false after sending it to {@link #REJECTED} with the reason, naming the field and value.
     */
    private boolean check(SensorEvent e, SideOutput side) {
        String invalid = e.invalidValues(numeric);
        String reason = RejectedEvent.INVALID;
        if (invalid == null) {
            invalid = e.invalidIds(embedding);
            reason = RejectedEvent.BAD_ID;
        }
        if (invalid == null) {
            invalid = hook.numericInput(e, xn);
            reason = RejectedEvent.INVALID;
        }
        if (invalid == null) {
            return true;
        }
        side.output(REJECTED, new RejectedEvent(e, reason, invalid));
        return false;
    }

    /** The checked event (its numeric input in {@link #xn}) joins the batch, which is flushed when full. */
    private void submit(SensorEvent e, String key, TimerService timers, Collector<O> out) throws Exception {
        if (pending.isEmpty() && host != null) {
            host.opened();
        }
        pending.add(key, e, xn, host == null ? PendingSteps.NO_STAMP : host.stamp());
        if (pending.isFull()) {
            flush();
        }
    }

    /**
     * Steps every event in the batch, wave by wave: per wave each event's key state is read (and started again where
     * it must be), all keys step in one pass over the weights, and each state is written back and handed to the hook.
     * The operator calls it when the batch's delay is up, before a watermark goes on, before a checkpoint barrier and at
     * the end of the input; Flink's current key is the same after it as before.
     */
    public void flush() throws Exception {
        if (pending == null || pending.isEmpty()) {
            return;
        }
        Object current = host == null ? null : host.getCurrentKey();
        try {
            for (int n; (n = pending.nextWave()) > 0; ) {
                for (int w = 0; w < n; w++) {
                    int i = pending.entry(w);
                    switchTo(i);
                    takenNanos[w] = pending.taken(i);
                    load(w, pending.key(i), pending.event(i), pending.input(i));
                }
                stepWave(n);
                for (int w = 0; w < n; w++) {
                    int i = pending.entry(w);
                    switchTo(i);
                    store(w, pending.key(i), pending.event(i), pending.input(i), pending.stamp(i));
                }
            }
        } finally {
            pending.clear();
            if (current != null) {
                host.setCurrentKey(current);
            }
        }
    }

    private void switchTo(int i) {
        if (host != null) {
            host.setCurrentKey(pending.key(i));
        }
    }

    /**
     * The key's state for its event at {@code slot} of the wave, from Flink, started again when it must be; and the
     * step's LSTM input.
     */
    private void load(int slot, String key, SensorEvent e, float[] x) throws Exception {
        KeyState s = state.value();
        previousTs[slot] = s == null ? Long.MIN_VALUE : s.lastTs;
        // Event time: idle means a gap of the timeout or more, exactly; the expiry timer is rounded up to a second.
        Start start = s == null ? Start.NEW : expiryMs > 0 && s.lastTs + expiryMs <= e.ts ? Start.IDLE : null;
        if (start == null) {
            String misfit = s.hc.length != stateSize()
                    ? "an LSTM state of " + s.hc.length + " values, model " + modelName + " needs " + stateSize()
                    : hook.load(slot);
            if (misfit != null) {
                if (options.onStateMismatch() == OnStateMismatch.FAIL) {
                    throw ShapeGuard.refuse("key " + key + " has " + misfit + ": restored from a savepoint of "
                            + "another model? flink.on_state_mismatch: reset would start such keys again");
                }
                stateResets.inc();
                stateResetsTotal.add(1L);
                start = Start.MISMATCH;
            }
        }
        if (start != null) {
            keysStarted.inc();
            hook.start(slot, start);
        }
        if (start != null || e.reset) {
            s = fresh(s, previousTs[slot]);
        }
        states[slot] = s;
        hcs[slot] = s.hc;
        starts[slot] = start;
        if (embedding == null) {
            inputs[slot] = x;
        } else {
            embedding.input(x, numeric, e.ids, embedded[slot]);
            inputs[slot] = embedded[slot];
        }
    }

    /** One timestep of the wave's n keys, in place in their states: one pass over the weights. */
    private void stepWave(int n) {
        if (stepper == null) {
            return;
        }
        passes.inc();
        if (n == 1) {
            stepper.step(inputs[0], 0, hcs[0]);
        } else {
            stepper.stepBatch(n, inputs, zeroOffsets, hcs);
        }
    }

    /** The stepped state back to Flink, the hook's output, the key's expiry timer moved. */
    private void store(int slot, String key, SensorEvent e, float[] xn, long stamp) throws Exception {
        KeyState s = states[slot];
        states[slot] = null;
        hcs[slot] = null;
        s.step++;
        s.lastTs = Math.max(s.lastTs, e.ts);
        state.update(s);
        hook.stepped(slot, key, e, xn, s, starts[slot], host == null ? out : host.output(stamp));
        if (expiryMs > 0) {
            buffer.moveExpiryTimer(timers, previousTs[slot], s.lastTs, expiryMs);
        }
    }

    /** The initial state, in {@code reuse} when it has the length; the last event time kept (a reset key has one). */
    private KeyState fresh(KeyState reuse, long lastTs) {
        int n = stateSize();
        if (reuse != null && reuse.hc.length == n) {
            if (initialState != null) {
                System.arraycopy(initialState, 0, reuse.hc, 0, n);
            } else {
                Arrays.fill(reuse.hc, 0f);
            }
            reuse.step = 0;
            reuse.lastTs = lastTs;
            return reuse;
        }
        float[] hc = initialState != null ? initialState.clone() : stepper == null ? new float[0] : stepper.newState();
        return new KeyState(0, lastTs, hc);
    }
}
