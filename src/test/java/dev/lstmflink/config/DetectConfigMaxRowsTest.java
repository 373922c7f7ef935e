package dev.lstmflink.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** training.max_rows: null (no cap) by default, an integer >= 1 from the file or --set, null again by --set. */
class DetectConfigMaxRowsTest {

    @Test
    void noCapByDefaultAndInTheShippedFile() throws Exception {
        assertNull(DetectConfig.defaults().training.maxRows);
        assertNull(DetectConfig.read(java.nio.file.Path.of("config/detect.yaml")).training.maxRows);
        assertTrue(DetectConfig.KEYS.contains("training.max_rows"), DetectConfig.KEYS.toString());
        assertEquals("null", DetectConfig.defaults().settings().get("training.max_rows"));
    }

    @Test
    void setGivesAnIntegerOrNull() throws Exception {
        DetectConfig c = DetectConfig.parse("", "my.yaml", List.of("training.max_rows=750"));
        assertEquals(750, c.training.maxRows);
        c = DetectConfig.parse("training:\n  max_rows: 100\n", "my.yaml", List.of());
        assertEquals(100, c.training.maxRows);
        // --set ...=null (or an empty value) lifts the file's cap
        assertNull(DetectConfig.parse("training:\n  max_rows: 100\n", "my.yaml", List.of("training.max_rows=null"))
                .training.maxRows);
        assertNull(DetectConfig.parse("training:\n  max_rows: 100\n", "my.yaml", List.of("training.max_rows="))
                .training.maxRows);
    }

    @Test
    void anythingElseIsAnErrorNamingKeyAndValue() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("", "my.yaml", List.of("training.max_rows=0")));
        assertEquals("my.yaml: key 'training.max_rows': expected an integer >= 1, or null for no cap, got 0",
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> DetectConfig.parse("training:\n  max_rows: 7.5\n", "my.yaml",
                List.of()));
        assertTrue(e.getMessage().contains("'training.max_rows': expected an integer") && e.getMessage()
                .contains("7.5"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> DetectConfig.parse("", "my.yaml",
                List.of("training.max_rows=lots")));
        assertTrue(e.getMessage().contains("'training.max_rows'") && e.getMessage().contains("lots"),
                e.getMessage());
    }
}
