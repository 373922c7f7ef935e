package dev.lstmflink.flink.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.flink.keyed.KeyState;
import dev.lstmflink.flink.keyed.KeyStateSerializer;
import dev.lstmflink.flink.keyed.KeyedLstmEngine;
import dev.lstmflink.flink.keyed.ModelShape;
import dev.lstmflink.flink.keyed.SensorEventSerializer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Every piece of state {@link DetectFunction} keeps has a serializer of our choosing with a snapshot that a savepoint
 * stores and a later release reads: {@code lstm-state}, {@code prediction}, {@code scoring}, the event-time
 * {@code detect-buffer} and the operator state {@code model-shape}. For each: no Kryo and no POJO serializer anywhere in
 * it; its snapshot, written as Flink writes it into a savepoint and read back, restores a serializer that reads what
 * the current one writes; and the current serializer resolves it as compatible as is (no migration, no refusal).
 */
class DetectStateSerializersTest {

    /** The state descriptors, as the function builds them, serializers created as a job with Kryo turned off would. */
    static List<StateDescriptor<?, ?>> descriptors() {
        List<StateDescriptor<?, ?>> all = List.of(KeyedLstmEngine.lstmStateDescriptor(), DetectState.predictionDescriptor(),
                DetectState.scoringDescriptor(), KeyedLstmEngine.bufferDescriptor(DetectFunction.BUFFER_PREFIX),
                new ListStateDescriptor<>(DetectFunction.SHAPE_STATE, StringSerializer.INSTANCE));
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);   // a generic (Kryo) type would throw here
        ExecutionConfig noKryo = new ExecutionConfig(conf);
        assertTrue(noKryo.getSerializerConfig().hasGenericTypesDisabled());
        all.forEach(d -> d.initializeSerializerUnlessSet(noKryo));
        return all;
    }

    @Test
    void noStateGoesThroughKryoOrThePojoSerializer() {
        Set<String> names = new TreeSet<>();
        for (StateDescriptor<?, ?> d : descriptors()) {
            names.add(d.getName());
            for (TypeSerializer<?> s : nested(d.getSerializer())) {
                String cls = s.getClass().getName();
                assertFalse(cls.contains("Kryo") || cls.contains("Pojo") || cls.contains("Avro"),
                        d.getName() + " uses " + cls);
            }
        }
        assertEquals(new TreeSet<>(List.of("lstm-state", "prediction", "scoring", "detect-buffer", "model-shape")),
                names);
    }

    @Test
    void everyStateSnapshotRoundTripsAndIsCompatibleAsIs() throws IOException {
        Map<String, Object> samples = new LinkedHashMap<>();
        samples.put("lstm-state", new KeyState(42, 1_700_000_123_456L, new float[] {0.5f, -1.25f, 3e-8f, 7f}));
        samples.put("prediction", new float[] {0.25f, -0.75f});
        samples.put("scoring", ScoringStateSerializerTest.scored(45));
        Map<Long, List<SensorEvent>> buffered = new LinkedHashMap<>();
        buffered.put(1_000L, List.of(new SensorEvent("k1", 1_000L, 1f, 2f), new SensorEvent("k1", 1_000L, true, 3f, 4f)));
        buffered.put(2_000L, new ArrayList<>(List.of(new SensorEvent("k1", 2_000L, Float.MIN_VALUE, -0f),
                new SensorEvent("k1", 2_000L, true, new float[] {1f}, new int[] {3, 0, Integer.MAX_VALUE}))));
        samples.put("detect-buffer", buffered);
        samples.put("model-shape", List.of("v1;input_size=2;hidden_size=8;num_layers=1;proj_size=0;state_values=16;"
                + "model=sha256:abc"));
        for (StateDescriptor<?, ?> d : descriptors()) {
            Object sample = samples.get(d.getName());
            assertTrue(sample != null, "a sample for " + d.getName());
            roundTrip(d.getName(), d.getSerializer(), sample);
        }
    }

    /** Checked one by one too: the serializers of our own formats and their nested ones. */
    @Test
    void ourSerializersSnapshotsAreTheirOwnVersionOne() throws IOException {
        assertOwnSnapshot(KeyStateSerializer.INSTANCE, KeyStateSerializer.Snapshot.class,
                new KeyState(1, 2, new float[] {1f}));
        assertOwnSnapshot(ScoringStateSerializer.INSTANCE, ScoringStateSerializer.Snapshot.class,
                ScoringStateSerializerTest.scored(12));
        assertOwnSnapshot(SensorEventSerializer.INSTANCE, SensorEventSerializer.Snapshot.class,
                new SensorEvent("k", 5, true, 1f, 2f));
        @SuppressWarnings("unchecked")
        MapSerializer<Long, List<SensorEvent>> buffer =
                (MapSerializer<Long, List<SensorEvent>>) KeyedLstmEngine.bufferDescriptor(DetectFunction.BUFFER_PREFIX).getSerializer();
        ListSerializer<SensorEvent> list = (ListSerializer<SensorEvent>) buffer.getValueSerializer();
        assertEquals(SensorEventSerializer.INSTANCE, list.getElementSerializer());
    }

    @Test
    void aBufferedEventRoundTripsEveryField() throws IOException {
        List<SensorEvent> events = List.of(new SensorEvent("pump-7", -3L, true, 1.5f, Float.NaN, -0f),
                new SensorEvent("ключ ✓", Long.MAX_VALUE, false), new SensorEvent(null, 0L, false, (float[]) null),
                new SensorEvent("k".repeat(70_000), 1L, 2f),   // longer than writeUTF's 64 KB
                new SensorEvent("with-ids", 5L, true, new float[] {0.5f}, new int[] {7, -1, 0}),
                new SensorEvent("ids-only", 6L, false, new float[0], new int[] {2}),
                new SensorEvent("empty-ids", 7L, false, new float[] {1f}, new int[0]),
                new SensorEvent("null-values-with-ids", 8L, false, null, new int[] {1}));
        for (SensorEvent e : events) {
            byte[] bytes = bytes(SensorEventSerializer.INSTANCE, e);
            SensorEvent back = SensorEventSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
            assertEquals(e, back);
            SensorEvent copy = SensorEventSerializer.INSTANCE.copy(e);
            assertEquals(e, copy);
            if (e.values != null && e.values.length > 0) {
                copy.values[0] = 99f;
                assertFalse(Arrays.equals(e.values, copy.values), "copy is deep");
            }
            if (e.ids != null && e.ids.length > 0) {
                copy.ids[0] = 99;
                assertFalse(Arrays.equals(e.ids, copy.ids), "copy of the ids is deep");
            }
        }
        assertNull(SensorEventSerializer.INSTANCE.deserialize(new DataInputDeserializer(
                bytes(SensorEventSerializer.INSTANCE, events.get(2)))).values);
        byte[] corrupt = bytes(SensorEventSerializer.INSTANCE, new SensorEvent("k", 1L, 1f));
        corrupt[corrupt.length - 8] = (byte) 0x7f;   // the value count, far out of range
        assertThrows(IOException.class,
                () -> SensorEventSerializer.INSTANCE.deserialize(new DataInputDeserializer(corrupt)));
    }

    /**
     * The buffer's format is written field by field in {@link SensorEventSerializer}: a field added to, renamed in or
     * removed from {@link SensorEvent} must be written there too (and the snapshot's version raised), or restored
     * events would lose it.
     */
    @Test
    void sensorEventHasExactlyTheFieldsTheBufferSerializerWrites() {
        Set<String> fields = new TreeSet<>();
        for (Field f : SensorEvent.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                fields.add(f.getName() + ":" + f.getType().getSimpleName());
            }
        }
        assertEquals(new TreeSet<>(List.of("key:String", "ts:long", "values:float[]", "reset:boolean", "ids:int[]")),
                fields,
                "SensorEvent changed: update SensorEventSerializer (and its snapshot version) to match");
    }

    /**
     * Savepoints written before the per-key engine name the snapshots of {@code lstm-state} and of the buffered events
     * by the classes' earlier names ({@code flink.KeyStateSerializer}, {@code flink.detect.SensorEventSerializer}):
     * both still load, restore today's serializers and resolve as compatible as is.
     */
    @Test
    void snapshotsUnderTheEarlierClassNamesResolveAsCompatible() throws IOException {
        TypeSerializerSnapshot<KeyState> keyState = readLegacy("dev.lstmflink.flink.KeyStateSerializer$Snapshot", 3);
        assertEquals(KeyStateSerializer.INSTANCE, keyState.restoreSerializer());
        assertTrue(KeyStateSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(keyState)
                .isCompatibleAsIs());
        TypeSerializerSnapshot<SensorEvent> event =
                readLegacy("dev.lstmflink.flink.detect.SensorEventSerializer$Snapshot", 4);
        assertEquals(SensorEventSerializer.INSTANCE, event.restoreSerializer());
        assertTrue(SensorEventSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(event)
                .isCompatibleAsIs());
    }

    private <T> TypeSerializerSnapshot<T> readLegacy(String className, int version) throws IOException {
        DataOutputSerializer snap = new DataOutputSerializer(64);
        snap.writeUTF(className);
        snap.writeInt(version);
        return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(snap.getCopyOfBuffer()),
                getClass().getClassLoader());
    }

    /**
     * A savepoint of the release before the ids: its buffer snapshot is Flink's {@code SimpleTypeSerializerSnapshot}
     * format (version 3, empty body) under {@code SensorEventSerializer$Snapshot}, and its events are written
     * {@code key | ts | reset as a boolean byte | n | n floats}. Both are read as they are: the snapshot resolves as
     * compatible as is (no migration), and the events come back without ids.
     */
    @Test
    void theFormatOfTheReleaseBeforeTheIdsIsReadAsEventsWithoutIds() throws IOException {
        DataOutputSerializer snap = new DataOutputSerializer(64);
        // as writeVersionedSnapshot wrote it, under the class name of that release
        snap.writeUTF("dev.lstmflink.flink.detect.SensorEventSerializer$Snapshot");
        snap.writeInt(3);
        TypeSerializerSnapshot<SensorEvent> old = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snap.getCopyOfBuffer()), getClass().getClassLoader());
        assertEquals(3, ((SensorEventSerializer.Snapshot) old).readVersion());
        assertTrue(SensorEventSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(old)
                .isCompatibleAsIs());
        assertEquals(4, SensorEventSerializer.INSTANCE.snapshotConfiguration().getCurrentVersion(), "version bumped");
        assertEquals(SensorEventSerializer.INSTANCE, old.restoreSerializer());

        DataOutputSerializer v1 = new DataOutputSerializer(64);
        for (boolean reset : new boolean[] {true, false}) {
            StringSerializer.INSTANCE.serialize("pump-7", v1);
            v1.writeLong(1_000L);
            v1.writeBoolean(reset);
            v1.writeInt(2);
            v1.writeFloat(1.5f);
            v1.writeFloat(-2f);
        }
        StringSerializer.INSTANCE.serialize("no-values", v1);
        v1.writeLong(2_000L);
        v1.writeBoolean(false);
        v1.writeInt(-1);
        DataInputDeserializer in = new DataInputDeserializer(v1.getCopyOfBuffer());
        var restored = old.restoreSerializer();
        assertEquals(new SensorEvent("pump-7", 1_000L, true, 1.5f, -2f), restored.deserialize(in));
        SensorEvent second = restored.deserialize(in);
        assertEquals(new SensorEvent("pump-7", 1_000L, false, 1.5f, -2f), second);
        assertNull(second.ids);
        assertEquals(new SensorEvent("no-values", 2_000L, false, (float[]) null), restored.deserialize(in));
        assertEquals(0, in.available(), "nothing left over");

        byte[] badFlags = bytes(SensorEventSerializer.INSTANCE, new SensorEvent("k", 1L, 1f));
        badFlags[badFlags.length - 9] = 4;   // the flags byte, a bit no format defines
        assertThrows(IOException.class,
                () -> SensorEventSerializer.INSTANCE.deserialize(new DataInputDeserializer(badFlags)));
    }

    @Test
    void theModelShapeOfAnEarlierReleaseIsAModelWithoutEmbedding() {
        ModelShape old = ModelShape.decode("v1;input_size=2;hidden_size=8;num_layers=1;proj_size=0;state_values=16;"
                + "model=sha256:abc");
        assertEquals(new ModelShape(2, 8, 1, 0, 16, 2, 0, "sha256:abc"), old);
        assertTrue(old.sameShape(new ModelShape(2, 8, 1, 0, 16, "retrained")));
        assertEquals("input_size=2, hidden_size=8, num_layers=1, proj_size=0 (16 state values per key)",
                old.describe());
    }

    @Test
    void theModelShapeLineReadsBackAndRefusesAnotherFormat() {
        ModelShape s = new ModelShape(3, 16, 2, 4, 40, "sha256:0123");
        assertEquals(s, ModelShape.decode(s.encode()));
        assertEquals(s, ModelShape.decode(s.encode() + ";added_later=1"), "fields of a later release are ignored");
        assertTrue(s.sameShape(new ModelShape(3, 16, 2, 4, 40, "other weights")));
        assertFalse(s.sameShape(new ModelShape(3, 8, 2, 4, 40, "x")));
        String m = assertThrows(IllegalStateException.class, () -> ModelShape.decode("v9;input_size=1")).getMessage();
        assertTrue(m.contains("v9") && m.contains("v1"), m);
        m = assertThrows(IllegalStateException.class, () -> ModelShape.decode("v1;input_size=1")).getMessage();
        assertTrue(m.contains("cannot be read"), m);
    }

    // ---------------------------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    static <T> void roundTrip(String name, TypeSerializer<T> serializer, Object sampleObject) throws IOException {
        T sample = (T) sampleObject;
        TypeSerializerSnapshot<T> snapshot = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(128);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);   // as a savepoint's metadata holds it
        TypeSerializerSnapshot<T> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), DetectStateSerializersTest.class.getClassLoader());
        assertEquals(snapshot.getClass(), read.getClass(), name);
        assertEquals(snapshot.getCurrentVersion(), read.getCurrentVersion(), name);

        byte[] written = bytes(serializer, sample);
        T back = read.restoreSerializer().deserialize(new DataInputDeserializer(written));
        assertArrayEquals(written, bytes(serializer, back), name + ": the restored serializer reads the current format");
        if (!(sample instanceof KeyState) && !(sample instanceof float[])) {
            assertEquals(sample, back, name);
        }

        TypeSerializerSchemaCompatibility<T> compat = serializer.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertTrue(compat.isCompatibleAsIs(), name + ": " + compat);
    }

    static <T> void assertOwnSnapshot(TypeSerializer<T> serializer, Class<?> snapshotClass, T sample)
            throws IOException {
        TypeSerializerSnapshot<T> snap = serializer.snapshotConfiguration();
        assertEquals(snapshotClass, snap.getClass());
        assertEquals(serializer, snap.restoreSerializer());
        roundTrip(serializer.getClass().getSimpleName(), serializer, sample);
    }

    static <T> byte[] bytes(TypeSerializer<T> s, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    /** The serializer and those inside it (list elements, map keys and values). */
    static List<TypeSerializer<?>> nested(TypeSerializer<?> s) {
        List<TypeSerializer<?>> out = new ArrayList<>();
        out.add(s);
        if (s instanceof ListSerializer<?> l) {
            out.addAll(nested(l.getElementSerializer()));
        } else if (s instanceof MapSerializer<?, ?> m) {
            out.addAll(nested(m.getKeySerializer()));
            out.addAll(nested(m.getValueSerializer()));
        }
        return out;
    }
}
