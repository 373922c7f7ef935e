package dev.lstmflink.jobs.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.connector.source.Boundedness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelUpdates#source}: the folder as a URI, created when missing, watched without end. */
class ModelUpdatesTest {

    @TempDir
    Path tmp;

    @Test
    void aLocalPathBecomesAnAbsoluteFileUriAndAUriStaysAsItIs() {
        assertEquals(Path.of("models").toAbsolutePath().toUri().toString(), ModelUpdates.folderUri("models"));
        assertEquals("s3://bucket/models/", ModelUpdates.folderUri("s3://bucket/models/"));
        assertThrows(IllegalArgumentException.class, () -> ModelUpdates.folderUri(" "));
    }

    @Test
    void aMissingFolderIsCreatedSoThatEveryPollCanListIt() {
        Path folder = tmp.resolve("a/b/models");
        var source = ModelUpdates.source(folder.toString(), Duration.ofSeconds(1), 1 << 20);
        assertTrue(Files.isDirectory(folder));
        assertEquals(Boundedness.CONTINUOUS_UNBOUNDED, source.getBoundedness());
    }

    @Test
    void theIntervalMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelUpdates.source(tmp.toString(), Duration.ZERO, 1));
        assertTrue(e.getMessage().contains(tmp.toString()) && e.getMessage().contains("PT0S"), e.getMessage());
    }
}
