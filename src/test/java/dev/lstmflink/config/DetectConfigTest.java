package dev.lstmflink.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.config.OnStateMismatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DetectConfigTest {

    private static final Path SHIPPED = Path.of("config/detect.yaml");

    @Test
    void shippedFileEqualsTheBuiltInDefaults() throws Exception {
        DetectConfig file = DetectConfig.read(SHIPPED);
        assertEquals(DetectConfig.defaults().settings(), file.settings());
    }

    @Test
    void shippedFileDocumentsEveryKey() throws Exception {
        String text = Files.readString(SHIPPED);
        for (String key : DetectConfig.KEYS) {
            String leaf = key.substring(key.lastIndexOf('.') + 1);
            Matcher m = Pattern.compile("(?m)^(\\s*#.*\\n)+\\s*" + Pattern.quote(leaf) + ":").matcher(text);
            assertTrue(m.find(), "config/detect.yaml: key '" + key + "' is missing or has no comment above it");
        }
    }

    @Test
    void keysCoverEverySection() {
        for (String k : List.of("model", "output", "input.format", "events.allowed_lateness", "scoring.window",
                "training.train_fraction", "embedded.bad_records", "kafka.properties", "kafka.delivery",
                "flink.checkpoint_dir", "flink.max_parallelism", "flink.on_state_mismatch", "flink.restore_from",
                "events.max_ahead", "model_max_bytes")) {
            assertTrue(DetectConfig.KEYS.contains(k), k + " in " + DetectConfig.KEYS);
        }
    }

    @Test
    void unknownKeysAreErrorsNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("scoring:\n  windw: 300\n", "my.yaml", List.of()));
        assertEquals("my.yaml: unknown key 'scoring.windw' (did you mean 'scoring.window'?)", e.getMessage());
        e = assertThrows(ConfigException.class, () -> DetectConfig.parse("colour: blue\n", "my.yaml", List.of()));
        assertTrue(e.getMessage().contains("unknown key 'colour'"), e.getMessage());
    }

    @Test
    void wrongTypesAreErrorsNamingKeyAndValue() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("scoring:\n  window: many\n", "my.yaml", List.of()));
        assertEquals("my.yaml: key 'scoring.window': expected an integer, got \"many\"", e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("kafka:\n  delivery: twice\n", "my.yaml", List.of()));
        assertTrue(e.getMessage().contains("'kafka.delivery': expected exactly_once or at_least_once, got \"twice\""),
                e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("events:\n  allowed_lateness: soon\n", "my.yaml", List.of()));
        assertTrue(e.getMessage().contains("'events.allowed_lateness'") && e.getMessage().contains("soon"),
                e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("scoring:\n  prune_p: 1.5\n", "my.yaml", List.of()));
        assertTrue(e.getMessage().contains("prune_p") && e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("kafka:\n  input_topic: t\n  output_topic: t\n", "my.yaml", List.of()));
        assertTrue(e.getMessage().contains("must differ"), e.getMessage());
    }

    @Test
    void setOverridesAreCheckedLikeTheFile() throws Exception {
        DetectConfig c = DetectConfig.parse("scoring:\n  window: 300\n", "my.yaml",
                List.of("scoring.window=700", "scoring.mode=fixed", "kafka.properties.security.protocol=SSL",
                        "events.idle_timeout=24 h"));
        assertEquals(700, c.scoring().window());
        assertEquals(ScoringConfig.Mode.FIXED, c.scoring().mode());
        assertEquals(Duration.ofHours(24), c.detectOptions(true).idleTimeout());
        assertEquals("SSL", c.kafka.properties.get("security.protocol"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("", "my.yaml", List.of("scoring.windw=3")));
        assertTrue(e.getMessage().contains("unknown key 'scoring.windw'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> DetectConfig.parse("", "my.yaml", List.of("nonsense")));
        assertTrue(e.getMessage().contains("--set nonsense"), e.getMessage());
    }

    @Test
    void maxParallelismIsFixedAndCheckedAgainstTheParallelismAndFlinksLimit() throws Exception {
        assertEquals(128, DetectConfig.defaults().flink.maxParallelism);
        DetectConfig c = DetectConfig.parse("flink:\n  parallelism: 8\n  max_parallelism: 8\n", "my.yaml", List.of());
        assertEquals(8, c.flink.maxParallelism);
        ConfigException e = assertThrows(ConfigException.class, () -> DetectConfig.parse(
                "flink:\n  parallelism: 8\n  max_parallelism: 4\n", "my.yaml", List.of()));
        assertTrue(e.getMessage().contains("'flink.max_parallelism'") && e.getMessage().contains("got 4")
                && e.getMessage().contains("flink.parallelism (8)"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("", "my.yaml", List.of("flink.max_parallelism=40000")));
        assertTrue(e.getMessage().contains("32768") && e.getMessage().contains("40000"), e.getMessage());
    }

    @Test
    void microBatchSettingsReachTheDetectorAndAreChecked() throws Exception {
        assertEquals(MicroBatch.DEFAULT, DetectConfig.defaults().detectOptions(true).batch());
        DetectConfig c = DetectConfig.parse("flink:\n  batch_size: 1\n  batch_max_delay: 2 ms\n", "my.yaml", List.of());
        assertEquals(new MicroBatch(1, java.time.Duration.ofMillis(2)), c.detectOptions(false).batch());
        ConfigException e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("", "my.yaml", List.of("flink.batch_size=0")));
        assertTrue(e.getMessage().contains("'flink.batch_size'") && e.getMessage().contains("got 0"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("", "my.yaml", List.of("flink.batch_max_delay=0 ms")));
        assertTrue(e.getMessage().contains("'flink.batch_max_delay'") && e.getMessage().contains("got 0 ms"),
                e.getMessage());
    }

    @Test
    void onStateMismatchIsFailOrResetAndReachesTheDetector() throws Exception {
        assertEquals(OnStateMismatch.FAIL, DetectConfig.defaults().detectOptions(true).onStateMismatch());
        DetectConfig c = DetectConfig.parse("flink:\n  on_state_mismatch: reset\n", "my.yaml", List.of());
        assertEquals(OnStateMismatch.RESET, c.detectOptions(true).onStateMismatch());
        assertEquals(OnStateMismatch.RESET, c.detectOptions(false).onStateMismatch());
        ConfigException e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("flink:\n  on_state_mismatch: ignore\n", "my.yaml", List.of()));
        assertTrue(e.getMessage().contains("'flink.on_state_mismatch': expected fail or reset"), e.getMessage());
    }

    @Test
    void emptyFileIsAllDefaults() throws Exception {
        DetectConfig c = DetectConfig.parse("", "empty.yaml", List.of());
        assertNull(c.model);
        assertEquals(DetectConfig.defaults().settings(), c.settings());
        assertFalse(c.detectOptions(false).eventTime(), "files are scored in arrival order");
        assertTrue(c.detectOptions(true).eventTime());
    }
}
