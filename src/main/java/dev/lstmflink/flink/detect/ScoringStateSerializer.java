package dev.lstmflink.flink.detect;

import dev.lstmflink.anomaly.ScoringState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link ScoringState} in Flink state, in the format of {@link ScoringState#write} (72 + 4·W bytes, no Kryo). Its
 * {@link Snapshot} is format version 1, so a later release can read and evolve it.
 */
public final class ScoringStateSerializer extends OwnFormatSerializer<ScoringState> {

    public static final ScoringStateSerializer INSTANCE = new ScoringStateSerializer();
    private static final long serialVersionUID = 1L;

    @Override
    public ScoringState createInstance() {
        return new ScoringState(1);
    }

    @Override
    void write(ScoringState value, DataOutputView out) throws IOException {
        value.write(out);
    }

    @Override
    ScoringState read(DataInputView in) throws IOException {
        return ScoringState.read(in);
    }

    @Override
    ScoringState deepCopy(ScoringState value) {
        return value.copy();
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
