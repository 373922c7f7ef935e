package dev.lstmflink.flink.detect;

import dev.lstmflink.anomaly.LikelihoodState;
import dev.lstmflink.anomaly.ScoringState;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;

/**
 * The value states {@link DetectFunction} keeps per key beside the engine's {@code lstm-state} (h, c, step count, last
 * event time; {@code KeyedLstmEngine}), in Flink keyed state: {@code prediction} (x̂ for the key's next event,
 * normalised, k floats), {@code scoring} ({@link ScoringState}, by {@link ScoringStateSerializer}; dynamic and fixed
 * modes) and {@code likelihood}
 * ({@link LikelihoodState}, by {@link LikelihoodStateSerializer}; likelihood mode).
 *
 * <p>With a TTL (processing-time idle expiry) each state expires when it was not written for that long, and an expired
 * state reads as null. Flink's TTL runs on processing time only; event-time expiry is {@link DetectFunction}'s timer.
 * Flink's documentation says state restores across turning the TTL on or off since 2.2 (FLINK-37295); not tested
 * here.
 */
final class DetectState {

    final ValueState<float[]> prediction;
    /** The descriptor {@link #prediction} was made with (its TTL included), to visit every key's prediction. */
    final ValueStateDescriptor<float[]> predictionDescriptor;
    final ValueState<ScoringState> scoring;
    final ValueState<LikelihoodState> likelihood;

    /** @param ttl the TTL of processing-time idle expiry ({@code KeyedLstmEngine#ttl}), or null for none */
    DetectState(RuntimeContext rc, StateTtlConfig ttl) {
        var p = predictionDescriptor();
        var s = scoringDescriptor();
        var lk = likelihoodDescriptor();
        if (ttl != null) {
            p.enableTimeToLive(ttl);
            s.enableTimeToLive(ttl);
            lk.enableTimeToLive(ttl);
        }
        this.prediction = rc.getState(p);
        this.predictionDescriptor = p;
        this.scoring = rc.getState(s);
        this.likelihood = rc.getState(lk);
    }

    static ValueStateDescriptor<float[]> predictionDescriptor() {
        return new ValueStateDescriptor<>("prediction", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    static ValueStateDescriptor<ScoringState> scoringDescriptor() {
        return new ValueStateDescriptor<>("scoring", ScoringStateSerializer.INSTANCE);
    }

    static ValueStateDescriptor<LikelihoodState> likelihoodDescriptor() {
        return new ValueStateDescriptor<>("likelihood", LikelihoodStateSerializer.INSTANCE);
    }

    /** Forgets the detector's part of the key (the engine clears its {@code lstm-state}). */
    void clear() {
        prediction.clear();
        scoring.clear();
        likelihood.clear();
    }
}
