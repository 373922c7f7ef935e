package dev.lstmflink.flink.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lstmflink.anomaly.KeyScorer;
import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.anomaly.ScoringState;
import java.io.IOException;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class ScoringStateSerializerTest {

    static ScoringState scored(int events) {
        ScoringConfig cfg = ScoringConfig.dynamic().withWindow(30).withWarmup(10).withRecomputeEvery(5);
        KeyScorer scorer = new KeyScorer(cfg);
        ScoringState s = scorer.newState();
        Random rnd = new Random(1);
        for (int i = 0; i < events; i++) {
            scorer.scoreResidual(Math.abs(rnd.nextGaussian()), s);
        }
        return s;
    }

    @Test
    void roundTripsAStateWithAThreshold() throws IOException {
        ScoringState s = scored(45);
        DataOutputSerializer out = new DataOutputSerializer(64);
        ScoringStateSerializer.INSTANCE.serialize(s, out);
        assertEquals(ScoringState.serializedSize(30), out.length());
        ScoringState back = ScoringStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertEquals(s, back);
        assertEquals(s.toString(), back.toString());

        DataOutputSerializer copied = new DataOutputSerializer(64);
        ScoringStateSerializer.INSTANCE.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertEquals(s, ScoringStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer())));
        ScoringState c = ScoringStateSerializer.INSTANCE.copy(s);
        assertEquals(s, c);
        assertNotSame(s.window(), c.window());
    }

    @Test
    void corruptBytesAreAnIoException() {
        byte[] junk = new byte[80];
        junk[72] = (byte) 0x7f;   // window capacity far out of range
        assertThrows(IOException.class,
                () -> ScoringStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(junk)));
    }

    @Test
    void snapshotRestoresACompatibleSerializer() throws IOException {
        TypeSerializerSnapshot<ScoringState> snap = ScoringStateSerializer.INSTANCE.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        snap.writeSnapshot(out);
        TypeSerializerSnapshot<ScoringState> read = new ScoringStateSerializer.Snapshot();
        read.readSnapshot(snap.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
                getClass().getClassLoader());
        assertEquals(ScoringStateSerializer.INSTANCE, read.restoreSerializer());
        TypeSerializerSchemaCompatibility<ScoringState> compat =
                ScoringStateSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertEquals(true, compat.isCompatibleAsIs());
    }
}
