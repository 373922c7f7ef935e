package dev.lstmflink.jobs.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.ConfigException;
import dev.lstmflink.config.DetectConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model_max_bytes: a model file over it is refused before it is read, and the error names the file and the key. */
class DetectModelsTest {

    @Test
    void aModelOverModelMaxBytesIsRefusedNamingTheFileAndTheKey(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("big.safetensors");
        Files.write(model, new byte[2048]);
        DetectConfig c = DetectConfig.parse("model_max_bytes: 1 kb\n", "test", List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectModels.read(c, model));
        assertTrue(e.getMessage().contains("big.safetensors") && e.getMessage().contains("2048")
                && e.getMessage().contains("model_max_bytes"), e.getMessage());

        DetectConfig roomy = DetectConfig.parse("model_max_bytes: 4 kb\n", "test", List.of());
        assertArrayEquals(new byte[2048], DetectModels.read(roomy, model));
    }

    @Test
    void aSizeThatIsNotASizeIsAConfigErrorNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("model_max_bytes: lots\n", "detect.yaml", List.of()));
        assertTrue(e.getMessage().contains("model_max_bytes") && e.getMessage().contains("lots"), e.getMessage());
        ConfigException neg = assertThrows(ConfigException.class,
                () -> DetectConfig.parse("events:\n  max_ahead: -1 s\n", "detect.yaml", List.of()));
        assertTrue(neg.getMessage().contains("events.max_ahead"), neg.getMessage());
    }
}
