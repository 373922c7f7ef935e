package dev.lstmflink.flink.detect;

import dev.lstmflink.anomaly.LikelihoodState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link LikelihoodState} in Flink state, in the format of {@link LikelihoodState#write} (80 + 4·K + 4·K_level + 16·k bytes, no Kryo). Its
 * {@link Snapshot} is format version 1, so a later release can read and evolve it.
 */
public final class LikelihoodStateSerializer extends TypeSerializerSingleton<LikelihoodState> {

    public static final LikelihoodStateSerializer INSTANCE = new LikelihoodStateSerializer();
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public LikelihoodState createInstance() {
        return new LikelihoodState(1, 1, 1);
    }

    @Override
    public LikelihoodState copy(LikelihoodState from) {
        return from.copy();
    }

    @Override
    public LikelihoodState copy(LikelihoodState from, LikelihoodState reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(LikelihoodState s, DataOutputView out) throws IOException {
        s.write(out);
    }

    @Override
    public LikelihoodState deserialize(DataInputView in) throws IOException {
        return LikelihoodState.read(in);
    }

    @Override
    public LikelihoodState deserialize(LikelihoodState reuse, DataInputView in) throws IOException {
        return LikelihoodState.read(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        LikelihoodState.read(in).write(out);
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
