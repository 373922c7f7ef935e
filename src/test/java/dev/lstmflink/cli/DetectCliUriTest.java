package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lstmflink.config.DetectConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --config}, {@code --model} and {@code --model-updates} take URIs as well as paths (issue 16), and a URI
 * reaches the job unchanged; model updates are for the Kafka job only.
 */
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

    @Test
    void modelUpdatesTakeAUriAndNeedKafka() throws Exception {
        DetectCli cli = new DetectCli();
        new CommandLine(cli).parseArgs("--model-updates", "s3://bucket/models/", "--set",
                "model_updates_interval=2 s");
        DetectConfig c = cli.settings();
        assertEquals("s3://bucket/models/", c.modelUpdates);
        assertEquals(java.time.Duration.ofSeconds(2), c.modelUpdatesInterval());

        java.io.StringWriter err = new java.io.StringWriter();
        int code = new CommandLine(new DetectCli()).setErr(new java.io.PrintWriter(err))
                .execute("--model-updates", dir.toString(), "--output", dir.resolve("out").toString());
        assertEquals(2, code, err.toString());
        org.junit.jupiter.api.Assertions.assertTrue(err.toString().contains("model_updates = " + dir
                + ": model updates are for the Kafka job"), err.toString());

        DetectCli tooOften = new DetectCli();
        new CommandLine(tooOften).parseArgs("--set", "model_updates_interval=10 ms");
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, tooOften::settings);
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("model_updates_interval")
                && e.getMessage().contains("10 ms"), e.getMessage());
    }
}
