package dev.lstmflink.flink.detect;

import dev.lstmflink.anomaly.LikelihoodState;
import dev.lstmflink.anomaly.ScoringState;
import dev.lstmflink.flink.KeyState;
import dev.lstmflink.flink.KeyStateSerializer;
import java.time.Duration;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;

/**
 * The three value states {@link DetectFunction} keeps per key, in Flink keyed state: {@code lstm-state} ({@link KeyState}:
 * h, c, step count, last event time), {@code prediction} (x̂ for the key's next event, normalised, k floats) and
 * {@code scoring} ({@link ScoringState}, by {@link ScoringStateSerializer}; dynamic and fixed modes) and {@code likelihood}
 * ({@link LikelihoodState}, by {@link LikelihoodStateSerializer}; likelihood mode).
 *
 * <p>With a TTL (processing-time idle expiry) each state expires when it was not written for that long, and an expired
 * state reads as null. Flink's TTL runs on processing time only; event-time expiry is {@link DetectFunction}'s timer.
 * Flink's documentation says state restores across turning the TTL on or off since 2.2 (FLINK-37295); not tested
 * here.
 */
final class DetectState {

    final ValueState<KeyState> lstm;
    final ValueState<float[]> prediction;
    final ValueState<ScoringState> scoring;
    final ValueState<LikelihoodState> likelihood;

    /** @param ttl zero for no TTL */
    DetectState(RuntimeContext rc, Duration ttl) {
        var l = lstmDescriptor();
        var p = predictionDescriptor();
        var s = scoringDescriptor();
        var lk = likelihoodDescriptor();
        if (!ttl.isZero()) {
            StateTtlConfig config = StateTtlConfig.newBuilder(ttl)
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build();
            l.enableTimeToLive(config);
            p.enableTimeToLive(config);
            s.enableTimeToLive(config);
            lk.enableTimeToLive(config);
        }
        this.lstm = rc.getState(l);
        this.prediction = rc.getState(p);
        this.scoring = rc.getState(s);
        this.likelihood = rc.getState(lk);
    }

    static ValueStateDescriptor<KeyState> lstmDescriptor() {
        return new ValueStateDescriptor<>("lstm-state", KeyStateSerializer.INSTANCE);
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

    /** Forgets the key: its next event starts it as new. */
    void clear() {
        lstm.clear();
        prediction.clear();
        scoring.clear();
        likelihood.clear();
    }
}
