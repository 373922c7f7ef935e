package dev.lstmflink.jobs.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.jobs.detect.TrainingPlan.Kind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a series of n training rows is trained with the default window T = 48 and validation fraction 0.2. */
class TrainingPlanTest {

    private static TrainingPlan plan(int rows) {
        return TrainingPlan.of(Map.of("s", rows), 48, 0.2);
    }

    @Test
    void aSeriesHoldingAWindowInBothPartsTrainsAsBefore() {
        // 241 rows: 192 training, 49 validation = T+1
        TrainingPlan p = plan(241);
        assertEquals(Kind.FULL, p.kind());
        assertEquals(48, p.window());
        assertEquals(0.2, p.validationFraction());
        assertEquals(List.of("s"), p.keys());
        assertEquals("", p.reason());
    }

    @Test
    void nabsShortSeriesTrainWithoutValidation() {
        // iio_us-east-1_i-a2eb1cd9_NetworkIn: floor(0.15 * 1243) = 186 rows, 148 + 38; one short of the boundary:
        // 240 rows, 192 + 48; and the fewest that hold one window, 49
        for (int rows : new int[] {186, 240, 49}) {
            TrainingPlan p = plan(rows);
            assertEquals(Kind.NO_VALIDATION, p.kind(), rows + " rows");
            assertEquals(48, p.window());
            assertEquals(0.0, p.validationFraction());
            assertEquals(List.of("s"), p.keys());
        }
        assertEquals("186 training rows give 148 training and 38 validation rows with validation_fraction 0.2, but "
                + "one window needs T+1 = 49 rows (T = 48) in each part: all of them train with T = 48, without "
                + "validation", plan(186).reason());
    }

    @Test
    void fewerRowsThanOneWindowTrainWithTheWindowTheyHold() {
        TrainingPlan p = plan(48);
        assertEquals(Kind.SHORTER_WINDOW, p.kind());
        assertEquals(47, p.window());
        assertEquals(0.0, p.validationFraction());
        p = plan(16);
        assertEquals(Kind.SHORTER_WINDOW, p.kind());
        assertEquals(TrainingPlan.MIN_SHORTER_WINDOW, p.window());
        assertTrue(p.reason().startsWith("16 training rows, but one window of T = 48 needs T+1 = 49: trained with "
                + "T' = 15 on all of them"), p.reason());
    }

    @Test
    void fewerThanSixteenRowsGetNoModel() {
        for (int rows : new int[] {15, 5, 1, 0}) {
            TrainingPlan p = plan(rows);
            assertEquals(Kind.NO_MODEL, p.kind(), rows + " rows");
            assertFalse(p.trains());
            assertEquals(List.of(), p.keys());
        }
        assertEquals("5 training row(s), but one window of T = 48 needs T+1 = 49 rows and the shortest window "
                + "trained instead, T' = 15, needs 16", plan(5).reason());
    }

    @Test
    void theConfiguredWindowIsNeverRefusedEvenBelowTheMinimum() {
        // T = 8: 12 rows hold a window of 8 (9 rows) but not a validation part of 9
        TrainingPlan p = TrainingPlan.of(Map.of("s", 12), 8, 0.2);
        assertEquals(Kind.NO_VALIDATION, p.kind());
        assertEquals(8, p.window());
        // 8 rows: T' = 7 < 15
        assertEquals(Kind.NO_MODEL, TrainingPlan.of(Map.of("s", 8), 8, 0.2).kind());
    }

    @Test
    void seriesSharingAModelTrainItWithWhatTheyHave() {
        Map<String, Integer> rows = new LinkedHashMap<>();
        rows.put("long", 400);
        rows.put("medium", 100);   // 80 + 20: no validation window
        rows.put("short", 30);     // no window of 48
        TrainingPlan p = TrainingPlan.of(rows, 48, 0.2);
        assertEquals(Kind.NO_VALIDATION, p.kind());
        assertEquals(List.of("long", "medium"), p.keys());
        assertEquals(List.of("short"), List.copyOf(p.leftOut().keySet()));
        assertTrue(p.reason().contains("(series medium)"), p.reason());

        rows.remove("medium");
        p = TrainingPlan.of(rows, 48, 0.2);
        assertEquals(Kind.FULL, p.kind());
        assertEquals(List.of("long"), p.keys());
        assertTrue(p.leftOut().get("short").startsWith("30 training row(s), one window needs T+1 = 49"),
                p.leftOut().toString());

        Map<String, Integer> allShort = new LinkedHashMap<>();
        allShort.put("a", 30);
        allShort.put("b", 20);
        allShort.put("c", 30);
        p = TrainingPlan.of(allShort, 48, 0.2);
        assertEquals(Kind.SHORTER_WINDOW, p.kind());
        assertEquals(29, p.window());
        assertEquals(List.of("a", "c"), p.keys());
        assertEquals(List.of("b"), List.copyOf(p.leftOut().keySet()));
    }
}
