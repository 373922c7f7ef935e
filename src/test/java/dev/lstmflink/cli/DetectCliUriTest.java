package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lstmflink.config.DetectConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --config} and {@code --model} take URIs as well as paths (issue 16), and a URI reaches the job unchanged. */
class DetectCliUriTest {

    @TempDir
    Path dir;

    @Test
    void aConfigUriIsReadThroughFlinksFileSystemsAndAModelUriPassesThrough() throws Exception {
        Path yaml = Files.writeString(dir.resolve("my.yaml"), "scoring:\n  likelihood:\n    threshold: 0.75\n");
        DetectCli cli = new DetectCli();
        new CommandLine(cli).parseArgs("--config", yaml.toUri().toString(), "--model", "s3://bucket/models/v2.safetensors",
                "--set", "scoring.likelihood.average=10");
        DetectConfig c = cli.settings();
        assertEquals(0.75, c.scoring.likelihood.threshold);
        assertEquals(10, c.scoring.likelihood.average, "--set still applies");
        assertEquals("s3://bucket/models/v2.safetensors", c.model, "not turned into a local path");
    }
}
