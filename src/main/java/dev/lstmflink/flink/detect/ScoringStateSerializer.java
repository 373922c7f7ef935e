package dev.lstmflink.flink.detect;

import dev.lstmflink.anomaly.ScoringState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link ScoringState} in Flink state, in the format of {@link ScoringState#write} (72 + 4·W bytes, no Kryo). Its
 * {@link Snapshot} is format version 1, so a later release can read and evolve it.
 */
public final class ScoringStateSerializer extends TypeSerializerSingleton<ScoringState> {

    public static final ScoringStateSerializer INSTANCE = new ScoringStateSerializer();
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public ScoringState createInstance() {
        return new ScoringState(1);
    }

    @Override
    public ScoringState copy(ScoringState from) {
        return from.copy();
    }

    @Override
    public ScoringState copy(ScoringState from, ScoringState reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ScoringState s, DataOutputView out) throws IOException {
        s.write(out);
    }

    @Override
    public ScoringState deserialize(DataInputView in) throws IOException {
        return ScoringState.read(in);
    }

    @Override
    public ScoringState deserialize(ScoringState reuse, DataInputView in) throws IOException {
        return ScoringState.read(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        ScoringState.read(in).write(out);
    }

    @Override
    public TypeSerializerSnapshot<ScoringState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Format version 1 of the scoring state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ScoringState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
