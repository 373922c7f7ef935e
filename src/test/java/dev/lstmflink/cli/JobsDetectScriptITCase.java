package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, {@code jobs/detect} over the packaged jar (run by failsafe after {@code package}), on a
 * smaller embedded source so that it stays quick: it prints the summary and writes the report.
 */
class JobsDetectScriptITCase {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void readmeMainCommandPrintsTheSummary(@TempDir Path tmp) throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher m = Pattern.compile("(?m)^mvn -q package -DskipTests && (jobs/detect)$").matcher(readme);
        assertTrue(m.find(), "README's main command (mvn -q package -DskipTests && jobs/detect) not found");
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve(m.group(1)).toString(), "--output", tmp.toString(),
                "--set", "embedded.sensors=2", "--set", "embedded.points=2400", "--set",
                "embedded.anomalies_per_sensor=3", "--set", "training.epochs=3"));
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "did not finish: " + cmd);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("== summary =="), out);
        assertTrue(out.contains("received 4,824 = scored 4,800 + dead-lettered 24 + late 0"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("F1 ")), out);
        assertTrue(Files.size(tmp.resolve("report.html")) > 10_000, "report.html written");
    }
}
