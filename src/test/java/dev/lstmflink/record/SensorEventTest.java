package dev.lstmflink.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.nn.Embedding;
import org.junit.jupiter.api.Test;

/** {@link SensorEvent}'s checks with categorical ids: values first, then ids, each naming the field and the value. */
class SensorEventTest {

    static final Embedding EMBEDDING = new Embedding(EmbeddingConfig.of(4, 2, null, null, 2.0, 2), new float[8]);

    static SensorEvent event(float[] values, int[] ids) {
        return new SensorEvent("k", 1, false, values, ids);
    }

    @Test
    void valuesAreCheckedBeforeIdsAndEachProblemIsNamed() {
        assertNull(event(new float[] {1f}, new int[] {0, 3}).invalidReason(1, EMBEDDING));
        assertEquals("values[0] is NaN", event(new float[] {Float.NaN}, new int[] {9}).invalidReason(1, EMBEDDING));
        assertEquals("values has 2 entries, the model takes 1 numeric value",
                event(new float[] {1f, 2f}, new int[] {0, 0}).invalidReason(1, EMBEDDING));
        assertEquals("ids[1] is 4, outside [0, num_embeddings = 4)",
                event(new float[] {1f}, new int[] {0, 4}).invalidReason(1, EMBEDDING));
        assertEquals("ids has 1 entries, the model embeds ids_per_step 2",
                event(new float[] {1f}, new int[] {0}).invalidIds(EMBEDDING));
        assertEquals("ids is missing (the model embeds 2 categorical ids per step)",
                event(new float[] {1f}, null).invalidIds(EMBEDDING));
        assertNull(event(new float[0], new int[] {1, 2}).invalidReason(0, EMBEDDING), "ids only");
    }

    @Test
    void aModelWithoutAnEmbeddingTakesNoIds() {
        assertNull(event(new float[] {1f}, null).invalidReason(1));
        assertNull(event(new float[] {1f}, new int[0]).invalidReason(1));
        assertEquals("ids has 1 entries, the model has no embedding and takes no ids",
                event(new float[] {1f}, new int[] {2}).invalidReason(1));
    }

    @Test
    void idsTakePartInEquality() {
        assertEquals(event(new float[] {1f}, new int[] {1, 2}), event(new float[] {1f}, new int[] {1, 2}));
        assertEquals(event(new float[] {1f}, new int[] {1, 2}).hashCode(),
                event(new float[] {1f}, new int[] {1, 2}).hashCode());
        assertNotEquals(event(new float[] {1f}, new int[] {1, 2}), event(new float[] {1f}, new int[] {2, 1}));
        assertNotEquals(event(new float[] {1f}, null), event(new float[] {1f}, new int[0]));
        assertEquals("SensorEvent{key=k, ts=1, values=[1.0], ids=[1, 2]}",
                event(new float[] {1f}, new int[] {1, 2}).toString());
    }
}
