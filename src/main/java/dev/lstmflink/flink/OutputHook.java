package dev.lstmflink.flink;

import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.flink.keyed.KeyState;
import dev.lstmflink.flink.keyed.KeyedLstmEngine;
import dev.lstmflink.flink.keyed.ModelShape;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.SensorEvent;
import java.util.Arrays;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.util.Collector;

/**
 * What the plain keyed LSTM operator ({@link KeyedLstmFunction}, {@link SwappableLstmFunction}) adds to the per-key
 * engine ({@link KeyedLstmEngine}, which validates, orders, steps and expires): one {@link LstmOutput} per step, holding
 * what {@link LstmFunctionConfig#output} asks for (the last layer's h, the whole state, or the head's prediction or
 * probabilities). It keeps no per-key state of its own; the step's input is the event's values as they are.
 */
final class OutputHook implements KeyedLstmEngine.Hook<LstmOutput> {

    /** The event-time buffer's state names: {@code lstm-buffer}, {@code lstm-release-timer}. */
    static final String BUFFER_PREFIX = "lstm";

    private final LstmFunctionConfig cfg;
    private final KeyedLstmEngine<LstmOutput> engine;
    private LstmModel model;

    OutputHook(LstmFunctionConfig cfg, RuntimeContext rc) {
        this.cfg = cfg;
        this.engine = new KeyedLstmEngine<>(cfg.keyed(), rc, BUFFER_PREFIX, cfg.initialState(), this);
    }

    KeyedLstmEngine<LstmOutput> engine() {
        return engine;
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
        engine.setModel(m);
        this.model = m;
    }

    /**
     * Why {@code next} cannot replace the running model, or null when it can: the keys' state must fit it (the rule of
     * a restore, {@link ModelShape#swapRefusal}), and the output must keep its width.
     */
    String swapRefusal(LstmModel next) {
        String refusal = ModelShape.swapRefusal(model, next);
        if (refusal != null || !cfg.output().needsHead()) {
            return refusal;
        }
        if (next.head() == null) {
            return "model " + next.version() + " has no head, and the output is " + cfg.output();
        }
        if (next.head().outFeatures() != model.head().outFeatures()) {
            return "model " + next.version() + " has a head of " + next.head().outFeatures()
                    + " outputs, the running model " + model.head().outFeatures();
        }
        return null;
    }

    @Override
    public String numericInput(SensorEvent e, float[] x) {
        System.arraycopy(e.values, 0, x, 0, x.length);
        return null;
    }

    @Override
    public String load(int slot) {
        return null;   // no state of its own
    }

    @Override
    public void start(int slot, KeyedLstmEngine.Start why) {}

    @Override
    public void expire() {}

    @Override
    public void stepped(int slot, String key, SensorEvent e, float[] x, KeyState s,
                        KeyedLstmEngine.Start start, Collector<LstmOutput> out) {
        out.collect(new LstmOutput(key, e.ts, s.step, model.version(), outputValues(s.hc)));
    }

    private float[] outputValues(float[] hc) {
        int off = engine.outputOffset();
        switch (cfg.output()) {
            case HIDDEN:
                return Arrays.copyOfRange(hc, off, off + model.lstm().config().outputSize());
            case STATE:
                return hc.clone();
            default:
                LinearHead head = model.head();
                float[] y = new float[head.outFeatures()];
                head.apply(hc, off, y, 0);
                if (cfg.output() == OutputKind.PROBABILITIES) {
                    LinearHead.softmax(y, 0, y.length);
                }
                return y;
        }
    }
}
