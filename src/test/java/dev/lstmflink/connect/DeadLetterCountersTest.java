package dev.lstmflink.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-reason counts: adding, merging (as Flink merges subtasks' accumulators) and the summary line. */
class DeadLetterCountersTest {

    @Test
    void countsPerReasonAndTotal() {
        DeadLetterCounters c = new DeadLetterCounters();
        c.add("not_json");
        c.add("bad_ts");
        c.add("not_json");
        c.add("too_large", 5);
        assertEquals(2, c.count("not_json"));
        assertEquals(0, c.count("missing_key"));
        assertEquals(8, c.total());
        assertEquals(Map.of("bad_ts", 1L, "not_json", 2L, "too_large", 5L), c.byReason());
        assertThrows(IllegalArgumentException.class, () -> c.add("x", -1));
    }

    @Test
    void summaryLargestFirstThenByName() {
        DeadLetterCounters c = new DeadLetterCounters();
        assertEquals("dead letters: 0", c.summary());
        c.add("not_json", 9);
        c.add("bad_ts", 3);
        c.add("bad_csv", 3);
        assertEquals("dead letters: 15 (not_json 9, bad_csv 3, bad_ts 3)", c.summary());
    }

    @Test
    void mergeAddsUpIncludingWithItself() {
        DeadLetterCounters a = new DeadLetterCounters();
        a.add("not_json", 2);
        DeadLetterCounters b = new DeadLetterCounters();
        b.add("not_json");
        b.add("bad_ts");
        a.merge(b);
        assertEquals(Map.of("not_json", 3L, "bad_ts", 1L), a.byReason());
        assertEquals(4, a.total());
        assertEquals(Map.of("not_json", 1L, "bad_ts", 1L), b.byReason(), "the argument is unchanged");
        a.merge(a);
        assertEquals(8, a.total());
        assertEquals(6, a.count("not_json"));
    }

    @Test
    void accumulatorMergesAndClonesIndependently() {
        DeadLetterAccumulator x = new DeadLetterAccumulator();
        x.add("bad_ts");
        DeadLetterAccumulator y = new DeadLetterAccumulator();
        y.add("bad_ts");
        y.add("empty");
        DeadLetterAccumulator copy = x.clone();
        x.merge(y);
        assertEquals(3, x.getLocalValue().total());
        assertEquals(2, x.getLocalValue().count("bad_ts"));
        assertEquals(1, copy.getLocalValue().total(), "a clone does not follow the original");
        x.resetLocal();
        assertEquals(0, x.getLocalValue().total());
    }
}
