package dev.lstmflink.flink.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.train.data.BadRow;
import dev.lstmflink.train.data.DataReport;
import dev.lstmflink.train.data.IdColumns;
import dev.lstmflink.train.data.SeriesLoader;
import dev.lstmflink.train.data.WindowSet;
import dev.lstmflink.train.data.Windows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sharded reader ({@link ShardedTraining}: the scan, the normalization and the window blocks each shard
 * receives) gives exactly the windows, normalization and report of the in-process reader ({@link SeriesLoader} +
 * {@link WindowSet}), at P = 1 and at P = 3, with key 'x' spanning two files (one with a space in its name) (the file boundary falls inside its
 * windows), rows out of time order, duplicate timestamps, bad rows and a blank line.
 */
class ShardedReadingITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(3).build());

    static final int T = 8;
    static final int S = 3;
    static final double F = 0.25;

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeData() throws Exception {
        StringBuilder a = new StringBuilder("key,ts,v1,v2\n");
        StringBuilder b = new StringBuilder("key,ts,v1,v2\n");
        for (int t = 0; t < 150; t++) {
            row(a, "x", t, t);
        }
        for (int t = 0; t < 100; t++) {
            row(a, "y", t == 40 ? 39 : t, 100 + t);   // a duplicate timestamp: the tie keeps file order
        }
        a.append("y,notatime,1,2\n\n");                    // a bad row and a blank line
        row(a, "x", 299, -1);                              // x's last row, early: out of time order
        for (int t = 150; t < 299; t++) {
            row(b, "x", t, t);                             // x goes on in the second file
        }
        for (int t = 200; t > 0; t--) {
            row(b, "z", t, 7 * t);                         // z backwards in time
        }
        b.append("z,5,1\n");                               // a bad row: a value missing
        Files.writeString(dir.resolve("a.csv"), a);
        Files.writeString(dir.resolve("b c.csv"), b);   // a space: the URI of the file is not its path
    }

    private static void row(StringBuilder sb, String key, int t, int seed) {
        double v1 = Math.sin(seed * 0.37) * 10 + 3;
        double v2 = Math.cos(seed * 0.11) * 0.01;
        sb.append(String.format(Locale.ROOT, "%s,%d,%.6f,%.8f%n", key, 1_000L * t, v1, v2));
    }

    @Test
    void parallelismOneGivesTheInProcessWindows() throws Exception {
        check(1, dir, true);
    }

    @Test
    void parallelismThreeGivesTheInProcessWindows() throws Exception {
        check(3, dir, true);
    }

    /** Enough windows for chunks of several windows (17 here), every key spanning both files. */
    @Test
    void chunksOfManyWindowsGiveTheInProcessWindows() throws Exception {
        Path big = dir.resolve("big");
        dev.lstmflink.cli.SeriesCsv.write(big, 3, 3_000, 2, 9);
        ShardPlan plan = check(2, big, false);
        assertEquals(17, plan.trainChunk, plan.toString());
    }

    private ShardPlan check(int p, Path dir, boolean crossesX) throws Exception {
        SeriesLoader.Result local = SeriesLoader.load(dir);
        WindowSet ws = WindowSet.build(local.series(), T, S, F);
        ShardedTraining.Input input = ShardedTraining.Input.of(dir, IdColumns.NONE);
        ShardedTraining.Scan scan = ShardedTraining.scan(input, p, T, S, F);

        assertEquals(ws.keys(), scan.keys());
        assertEquals(ws.normalization(), scan.normalization(), "normalization, bit for bit");
        DataReport want = local.report();
        DataReport got = scan.report();
        assertEquals(want.goodRows(), got.goodRows());
        assertEquals(want.badRows(), got.badRows());
        assertEquals(want.blankLines(), got.blankLines());
        assertEquals(want.duplicateTimestamps(), got.duplicateTimestamps());
        assertEquals(want.outOfOrderRows(), got.outOfOrderRows());
        assertEquals(lines(want.firstBadRows()), lines(got.firstBadRows()));
        assertEquals(want.badRowsByReason().toString(), got.badRowsByReason().toString(), "kinds in order first met");

        ShardPlan plan = scan.plan(T, S, F, p);
        assertEquals(ws.train().size(), plan.trainCount());
        assertEquals(ws.validation().size(), plan.valCount());
        List<List<WindowBlock>> byShard = new ArrayList<>();
        for (int s = 0; s < p; s++) {
            byShard.add(new ArrayList<>());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(p);
        try (CloseableIterator<WindowBlock> it = ShardedTraining.blocks(env, input, plan).executeAndCollect()) {
            it.forEachRemaining(b -> byShard.get(b.shard).add(b));
        }
        ShardWindows[] shards = new ShardWindows[p];
        for (int s = 0; s < p; s++) {
            shards[s] = new ShardWindows(plan, s, scan.features(), 0, scan.normalization(), byShard.get(s));
            if (p > 1) {
                assertTrue(shards[s].trainCount() > 0 && shards[s].valCount() > 0, "shard " + s + " has windows");
            }
        }
        int crossing = 0;
        for (boolean val : new boolean[] {false, true}) {
            Windows w = val ? ws.validation() : ws.train();
            float[] x = new float[T * scan.features()];
            float[] y = new float[T * scan.features()];
            float[] sx = new float[T * scan.features()];
            float[] sy = new float[T * scan.features()];
            for (int g = 0; g < w.size(); g++) {
                w.fillBatch(new int[] {g}, x, y);
                int s = plan.shardOf(val, g);
                shards[s].fill(val, new int[] {plan.localIndex(val, g)}, 0, 1, sx, sy);
                String what = (val ? "validation" : "training") + " window " + g + " (key " + w.key(g) + ", start "
                        + w.start(g) + ") at shard " + s;
                assertArrayEquals(x, sx, what + ": input");
                assertArrayEquals(y, sy, what + ": target");
                if (w.key(g).equals("x") && w.start(g) < 150 && w.start(g) + T >= 150) {
                    crossing++;
                }
            }
        }
        assertTrue(!crossesX || crossing > 0, "some window of 'x' spans the two files");
        return plan;
    }

    private static List<String> lines(List<BadRow> rows) {
        return rows.stream().map(r -> Path.of(r.file()).getFileName() + ":" + r.line() + " " + r.reason()).toList();
    }
}
