package dev.lstmflink.jobs.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.record.Detection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default on a smaller source (3 sensors, 15 anomalies, a model trained here): it finds the injected
 * anomalies with F1 >= 0.8, accounts for every record, and writes its files.
 */
class EmbeddedRunITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    @Test
    void findsTheInjectedAnomaliesAndAccountsForEveryRecord(@TempDir Path dir) throws Exception {
        DetectConfig c = DetectConfig.defaults();
        c.output = dir.toString();
        c.embedded.sensors = 3;
        c.embedded.points = 3800;
        c.embedded.badRecords = 16;
        c.flink.parallelism = 2;
        List<String> log = new ArrayList<>();
        EmbeddedRun.Outcome o = EmbeddedRun.run(c, stats -> { }, n -> { }, log::add);

        Evaluation.Figures all = o.evaluation().total();
        assertEquals(15, all.injected());
        assertTrue(all.f1() >= 0.8, "F1 " + all.f1() + "\n" + o.evaluation().table());

        var counts = o.run().counts();
        assertEquals(3L * 3800 + 16, counts.received());
        assertEquals(3L * 3800, counts.scored());
        assertEquals(16, counts.deadLettered());
        assertTrue(counts.balances(), counts.summary());
        assertEquals(3 * 3800, o.run().detections().size());
        assertEquals(16, o.run().deadLetters().size());
        Set<String> reasons = new HashSet<>();
        for (DeadLetter d : o.run().deadLetters()) {
            assertTrue(d.raw != null && !d.raw.isEmpty() && d.detail != null && d.offset > 0, d.toString());
            reasons.add(d.reason);
        }
        assertTrue(reasons.size() >= 5, "assorted reasons: " + reasons);

        // every key's detections are its readings in order, each predicted from the step before
        for (int s = 0; s < 3; s++) {
            String key = o.data().keys().get(s);
            List<Detection> mine = o.run().detections().stream().filter(d -> d.key.equals(key)).toList();
            for (int t = 0; t < mine.size(); t++) {
                assertEquals(o.data().ts(t), mine.get(t).ts, key + " reading " + t);
                assertEquals(o.data().values()[s][t], mine.get(t).values[0], key + " reading " + t);
                assertEquals(t == 0, mine.get(t).prediction == null, key + " reading " + t);
            }
        }
        assertTrue(o.trained() && Files.size(o.model()) > 0);
        assertEquals(3 * 3800 + 1, Files.readAllLines(o.detections()).size());
        assertEquals(16, Files.readAllLines(o.deadLetters()).size());
        String html = Files.readString(o.report());
        for (String key : o.data().keys()) {
            assertTrue(html.contains(key), key + " in the report");
        }
    }
}
