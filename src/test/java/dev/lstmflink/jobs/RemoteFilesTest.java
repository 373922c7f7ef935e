package dev.lstmflink.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.core.io.file.FileTooLargeException;
import dev.lstmflink.jobs.detect.DetectModels;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model and settings files named by URIs, read through Flink's file systems (issue 16): here {@code file://}, the one
 * scheme every Flink has; {@code s3://} and {@code hdfs://} take the same path through their plugins on a cluster.
 */
class RemoteFilesTest {

    @TempDir
    Path dir;

    @Test
    void aUriIsOneWithASchemeAndSlashes() {
        assertTrue(RemoteFiles.isUri("file:///tmp/m.safetensors"));
        assertTrue(RemoteFiles.isUri("s3://bucket/models/m.safetensors"));
        assertTrue(RemoteFiles.isUri("hdfs://namenode:8020/m"));
        assertFalse(RemoteFiles.isUri("examples/m.safetensors"));
        assertFalse(RemoteFiles.isUri("/abs/m.safetensors"));
        assertFalse(RemoteFiles.isUri("C:\\models\\m.safetensors"));
        assertFalse(RemoteFiles.isUri(null));
    }

    @Test
    void readsAFileUriWithinItsLimitAndNamesWhatIsWrongOtherwise() throws Exception {
        Path f = Files.write(dir.resolve("m.bin"), new byte[] {1, 2, 3, 4, 5});
        String uri = f.toUri().toString();
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, RemoteFiles.read(uri, 5));

        FileTooLargeException big = assertThrows(FileTooLargeException.class, () -> RemoteFiles.read(uri, 4));
        assertTrue(big.getMessage().contains(uri) && big.getMessage().contains("5 bytes"), big.getMessage());
        String missing = dir.resolve("none.bin").toUri().toString();
        assertEquals(missing + ": no such file",
                assertThrows(FileNotFoundException.class, () -> RemoteFiles.read(missing, 10)).getMessage());
        IOException d = assertThrows(IOException.class, () -> RemoteFiles.read(dir.toUri().toString(), 10));
        assertTrue(d.getMessage().contains("is a directory"), d.getMessage());
    }

    @Test
    void theDetectorsModelReadsFromAUriUnderModelMaxBytes() throws Exception {
        byte[] model = Files.readAllBytes(Path.of("examples/sensor_lstm.safetensors"));
        String uri = Path.of("examples/sensor_lstm.safetensors").toAbsolutePath().toUri().toString();
        DetectConfig c = DetectConfig.defaults();
        assertArrayEquals(model, DetectModels.read(c, uri));
        c.modelMaxBytes = "1 kb";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectModels.read(c, uri));
        assertTrue(e.getMessage().contains(uri) && e.getMessage().contains("model_max_bytes"), e.getMessage());
    }
}
