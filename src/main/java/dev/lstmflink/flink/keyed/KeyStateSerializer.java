package dev.lstmflink.flink.keyed;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link KeyState} as {@code step (8 bytes) | lastTs (8) | n (4) | n floats (4 each, big-endian IEEE 754)}: 20 + 4n
 * bytes, no boxing, no Kryo. Its {@link Snapshot} lets a later release read this format and evolve it (issue 6 relies on that).
 */
public final class KeyStateSerializer extends TypeSerializerSingleton<KeyState> {

    public static final KeyStateSerializer INSTANCE = new KeyStateSerializer();
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public KeyState createInstance() {
        return new KeyState(0, Long.MIN_VALUE, new float[0]);
    }

    @Override
    public KeyState copy(KeyState from) {
        return new KeyState(from.step, from.lastTs, from.hc.clone());
    }

    @Override
    public KeyState copy(KeyState from, KeyState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(KeyState s, DataOutputView out) throws IOException {
        out.writeLong(s.step);
        out.writeLong(s.lastTs);
        out.writeInt(s.hc.length);
        // One bulk write instead of n virtual writeFloat calls: the same big-endian bytes, measured faster on RocksDB.
        ByteBuffer bytes = ByteBuffer.allocate(4 * s.hc.length);
        bytes.asFloatBuffer().put(s.hc);
        out.write(bytes.array());
    }

    @Override
    public KeyState deserialize(DataInputView in) throws IOException {
        long step = in.readLong();
        long lastTs = in.readLong();
        int n = in.readInt();
        if (n < 0 || n > (1 << 24)) {
            throw new IOException("corrupt LSTM key state: " + n + " state values");
        }
        byte[] bytes = new byte[4 * n];
        in.readFully(bytes);
        float[] hc = new float[n];
        ByteBuffer.wrap(bytes).asFloatBuffer().get(hc);
        return new KeyState(step, lastTs, hc);
    }

    @Override
    public KeyState deserialize(KeyState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<KeyState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Format version 1 of the key state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<KeyState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
