package dev.lstmflink.flink.keyed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The key state's bytes: format, round trip, snapshot, and corrupt input. */
class KeyStateSerializerTest {

    @Test
    void roundTripKeepsEveryBitAndHasTheDocumentedSize() throws IOException {
        float[] hc = {0f, -0f, 1.5f, Float.MIN_VALUE, -3.25e-20f, Float.MAX_VALUE, 7f};
        KeyState s = new KeyState(123_456_789_012L, -42L, hc);
        DataOutputSerializer out = new DataOutputSerializer(64);
        KeyStateSerializer.INSTANCE.serialize(s, out);
        assertEquals(20 + 4 * hc.length, out.length());
        KeyState back = KeyStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertEquals(s.step, back.step);
        assertEquals(s.lastTs, back.lastTs);
        assertArrayEquals(hc, back.hc);
        // big-endian floats after the 20-byte header, as DataOutput.writeFloat writes them
        DataInputDeserializer raw = new DataInputDeserializer(out.getCopyOfBuffer());
        raw.skipBytesToRead(20 + 8);
        assertEquals(1.5f, raw.readFloat());
    }

    @Test
    void snapshotRestoresTheSameSerializer() throws IOException {
        TypeSerializerSnapshot<KeyState> snap = KeyStateSerializer.INSTANCE.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snap);
        TypeSerializerSnapshot<KeyState> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        TypeSerializer<KeyState> restored = read.restoreSerializer();
        assertEquals(KeyStateSerializer.INSTANCE, restored);
        assertTrue(KeyStateSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(read)
                .isCompatibleAsIs());
    }

    @Test
    void corruptLengthIsAnIoErrorNotAnOutOfMemory() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(32);
        out.writeLong(1);
        out.writeLong(2);
        out.writeInt(Integer.MAX_VALUE);
        IOException e = assertThrows(IOException.class,
                () -> KeyStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())));
        assertTrue(e.getMessage().contains(String.valueOf(Integer.MAX_VALUE)), e.getMessage());
    }
}
