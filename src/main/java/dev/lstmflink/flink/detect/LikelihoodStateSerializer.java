package dev.lstmflink.flink.detect;

import dev.lstmflink.anomaly.LikelihoodState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link LikelihoodState} in Flink state, in the format of {@link LikelihoodState#write} (80 + 4·K + 4·K_level + 16·k bytes, no
 * Kryo). Its {@link Snapshot} is format version 1, so a later release can read and evolve it.
 */
public final class LikelihoodStateSerializer extends OwnFormatSerializer<LikelihoodState> {

    public static final LikelihoodStateSerializer INSTANCE = new LikelihoodStateSerializer();
    private static final long serialVersionUID = 1L;

    @Override
    public LikelihoodState createInstance() {
        return new LikelihoodState(1, 1, 1);
    }

    @Override
    void write(LikelihoodState value, DataOutputView out) throws IOException {
        value.write(out);
    }

    @Override
    LikelihoodState read(DataInputView in) throws IOException {
        return LikelihoodState.read(in);
    }

    @Override
    LikelihoodState deepCopy(LikelihoodState value) {
        return value.copy();
    }

    @Override
    public TypeSerializerSnapshot<LikelihoodState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Format version 1 of the likelihood state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<LikelihoodState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
