package dev.lstmflink.flink.keyed;

import dev.lstmflink.record.SensorEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link SensorEvent} in the event-time buffer's state ({@link EventTimeBuffer}), as
 * {@code key (Flink's string format, null allowed) | ts (8 bytes) | flags (1) | n (4, -1 for null) | n floats (4 each,
 * big-endian IEEE 754) | [m (4) | m ints (4 each, big-endian)]}.
 *
 * <p>Format versions. Version 1 wrote the reset flag as a boolean byte (0 or 1) and nothing after the values. Version
 * 2 (the categorical ids, issue 7) makes that byte a set of flags: bit 0 reset, bit 1 "ids follow the values" (ids
 * null: the bit is clear and nothing follows). A version-1 event is therefore read by this serializer as it is, as
 * an event without ids, and the {@link Snapshot} resolves a version-1 snapshot as compatible as is: restoring a
 * savepoint of the earlier release needs no state migration (which RocksDB would have to do key by key).
 *
 * <p>Why not Flink's POJO serializer, which also avoids Kryo: its format follows the class, so renaming a field of
 * {@code SensorEvent} would quietly drop that field from events restored out of a savepoint (Flink treats a rename as a
 * removed and an added field), and moving the class would refuse the restore. This format is fixed, and a change of
 * {@code SensorEvent}'s fields fails {@code DetectStateSerializersTest} until it is written here too.
 */
public final class SensorEventSerializer extends TypeSerializerSingleton<SensorEvent> {

    public static final SensorEventSerializer INSTANCE = new SensorEventSerializer();
    private static final long serialVersionUID = 1L;

    /** Flag bit: the key's state is reset before this event. */
    static final int RESET = 1;
    /** Flag bit (format 2): a count and the ids follow the values. */
    static final int HAS_IDS = 2;
    /** The most values or ids a buffered event may have: more means corrupt bytes, not an event. */
    private static final int MAX_ENTRIES = 1 << 24;

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
        return new SensorEvent(from.key, from.ts, from.reset, from.values == null ? null : from.values.clone(),
                from.ids == null ? null : from.ids.clone());
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
        out.writeByte((e.reset ? RESET : 0) | (e.ids != null ? HAS_IDS : 0));
        if (e.values == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(e.values.length);
            ByteBuffer bytes = ByteBuffer.allocate(4 * e.values.length);
            bytes.asFloatBuffer().put(e.values);
            out.write(bytes.array());
        }
        if (e.ids != null) {
            out.writeInt(e.ids.length);
            ByteBuffer bytes = ByteBuffer.allocate(4 * e.ids.length);
            bytes.asIntBuffer().put(e.ids);
            out.write(bytes.array());
        }
    }

    @Override
    public SensorEvent deserialize(DataInputView in) throws IOException {
        String key = StringSerializer.INSTANCE.deserialize(in);
        long ts = in.readLong();
        int flags = in.readUnsignedByte();
        if ((flags & ~(RESET | HAS_IDS)) != 0) {
            throw new IOException("corrupt buffered event of key " + key + " at " + ts + ": flags " + flags);
        }
        int n = in.readInt();
        if (n < -1 || n > MAX_ENTRIES) {
            throw new IOException("corrupt buffered event of key " + key + " at " + ts + ": " + n + " values");
        }
        float[] values = null;
        if (n >= 0) {
            byte[] bytes = new byte[4 * n];
            in.readFully(bytes);
            values = new float[n];
            ByteBuffer.wrap(bytes).asFloatBuffer().get(values);
        }
        int[] ids = null;
        if ((flags & HAS_IDS) != 0) {
            int m = in.readInt();
            if (m < 0 || m > MAX_ENTRIES) {
                throw new IOException("corrupt buffered event of key " + key + " at " + ts + ": " + m + " ids");
            }
            byte[] bytes = new byte[4 * m];
            in.readFully(bytes);
            ids = new int[m];
            ByteBuffer.wrap(bytes).asIntBuffer().get(ids);
        }
        return new SensorEvent(key, ts, (flags & RESET) != 0, values, ids);
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

    /**
     * The buffered event's format, as a savepoint records it. Snapshot version 3 is format 1: Flink's
     * {@code SimpleTypeSerializerSnapshot} (its own version 3, an empty body) wrote it, and savepoints of the earlier
     * release hold it under this class's name. Version 4 is format 2 (the ids), also with an empty body. This
     * serializer reads both formats' bytes, so either resolves as compatible as is.
     */
    public static class Snapshot implements TypeSerializerSnapshot<SensorEvent> {

        /** Written by {@code SimpleTypeSerializerSnapshot}: format 1, events without ids. */
        static final int FORMAT_1 = 3;
        /** Format 2: an event may carry ids. */
        static final int FORMAT_2 = 4;

        private int readVersion = FORMAT_2;

        public Snapshot() {}

        @Override
        public int getCurrentVersion() {
            return FORMAT_2;
        }

        /** The version this snapshot was read at ({@link #FORMAT_1} or {@link #FORMAT_2}), or the current one. */
        public int readVersion() {
            return readVersion;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {
            // the format is the version: nothing else to write
        }

        @Override
        public void readSnapshot(int version, DataInputView in, ClassLoader classLoader) throws IOException {
            if (version != FORMAT_1 && version != FORMAT_2) {
                throw new IOException("buffered SensorEvent state of snapshot version " + version + " cannot be read "
                        + "by this release, which reads versions " + FORMAT_1 + " and " + FORMAT_2);
            }
            readVersion = version;
        }

        @Override
        public TypeSerializer<SensorEvent> restoreSerializer() {
            return INSTANCE;
        }

        @Override
        public TypeSerializerSchemaCompatibility<SensorEvent> resolveSchemaCompatibility(
                TypeSerializerSnapshot<SensorEvent> oldSnapshot) {
            return oldSnapshot instanceof Snapshot ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
