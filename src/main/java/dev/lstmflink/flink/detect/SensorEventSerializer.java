package dev.lstmflink.flink.detect;

import dev.lstmflink.flink.SensorEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link SensorEvent} in the event-time buffer's state ({@link EventTimeBuffer}), as
 * {@code key (Flink's string format, null allowed) | ts (8 bytes) | reset (1) | n (4, -1 for null) | n floats (4 each,
 * big-endian IEEE 754)}.
 *
 * <p>Why not Flink's POJO serializer, which also avoids Kryo: its format follows the class, so renaming a field of
 * {@code SensorEvent} would quietly drop that field from events restored out of a savepoint (Flink treats a rename as a
 * removed and an added field), and moving the class would refuse the restore. This format is fixed, its
 * {@link Snapshot} is version 1, and a change of {@code SensorEvent}'s fields fails {@code DetectStateSerializersTest}
 * until it is written here too.
 */
public final class SensorEventSerializer extends TypeSerializerSingleton<SensorEvent> {

    public static final SensorEventSerializer INSTANCE = new SensorEventSerializer();
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public SensorEvent createInstance() {
        return new SensorEvent();
    }

    @Override
    public SensorEvent copy(SensorEvent from) {
        return new SensorEvent(from.key, from.ts, from.reset, from.values == null ? null : from.values.clone());
    }

    @Override
    public SensorEvent copy(SensorEvent from, SensorEvent reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SensorEvent e, DataOutputView out) throws IOException {
        StringSerializer.INSTANCE.serialize(e.key, out);
        out.writeLong(e.ts);
        out.writeBoolean(e.reset);
        if (e.values == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(e.values.length);
        ByteBuffer bytes = ByteBuffer.allocate(4 * e.values.length);
        bytes.asFloatBuffer().put(e.values);
        out.write(bytes.array());
    }

    @Override
    public SensorEvent deserialize(DataInputView in) throws IOException {
        String key = StringSerializer.INSTANCE.deserialize(in);
        long ts = in.readLong();
        boolean reset = in.readBoolean();
        int n = in.readInt();
        if (n < -1 || n > (1 << 24)) {
            throw new IOException("corrupt buffered event of key " + key + " at " + ts + ": " + n + " values");
        }
        float[] values = null;
        if (n >= 0) {
            byte[] bytes = new byte[4 * n];
            in.readFully(bytes);
            values = new float[n];
            ByteBuffer.wrap(bytes).asFloatBuffer().get(values);
        }
        return new SensorEvent(key, ts, reset, values);
    }

    @Override
    public SensorEvent deserialize(SensorEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<SensorEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Format version 1 of a buffered event. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SensorEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
