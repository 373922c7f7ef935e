package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** jobs/detect's command line: the embedded summary, and errors that name what is wrong with exit code 2. */
class DetectCliITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1)
                    .build());

    private record Run(int code, String out, String err) {}

    private static Run detect(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        DetectCli cli = new DetectCli();
        cli.progressBar = false;
        int code = new CommandLine(cli).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void embeddedDefaultPrintsTheSummaryAndWritesItsFiles(@TempDir Path dir) throws Exception {
        Run r = detect("--output", dir.toString(), "--set", "embedded.sensors=2", "--set", "embedded.points=2400",
                "--set", "embedded.anomalies_per_sensor=3", "--set", "embedded.bad_records=5",
                "--set", "training.epochs=2");
        assertEquals(0, r.code(), r.err());
        String o = r.out();
        assertTrue(o.contains("received 4,805 = scored 4,800 + dead-lettered 5 + late 0"), o);
        assertTrue(o.contains("against the 6 injected anomalies"), o);
        for (String kind : new String[] {"spike", "level shift", "drift", "all"}) {
            assertTrue(o.lines().anyMatch(l -> l.startsWith(kind + " ")), kind + " row in\n" + o);
        }
        assertTrue(o.lines().anyMatch(l -> l.matches("F1 \\d\\.\\d{3} \\(precision .*, recall .*\\)")), o);
        for (String f : new String[] {"model.safetensors", "detections.csv", "dead-letters.jsonl", "report.html"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
            assertTrue(o.contains(dir.resolve(f).toString()), f + " named in the summary");
        }
    }

    @Test
    void badSettingsAndFlagsAreErrorsNamingThem(@TempDir Path dir) {
        Run r = detect("--set", "scoring.windw=3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown key 'scoring.windw' (did you mean 'scoring.window'?)"), r.err());

        r = detect("--kafka", "127.0.0.1:1", "--input", "x.csv");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--kafka and --input"), r.err());

        r = detect("--input-topic", "t");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("need --kafka"), r.err());

        r = detect("--input", dir.resolve("missing.csv").toString(), "--train-fraction", "0.2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing.csv: no such file"), r.err());

        r = detect("--input", "examples/nab", "--output", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--model FILE, or --train-fraction F"), r.err());

        r = detect("--input", "examples/nab", "--train-fraction", "1.5");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("training.train_fraction") && r.err().contains("1.5"), r.err());
    }
}
