package dev.lstmflink.jobs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.cli.SeriesCsv;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.flink.train.EpochWorker;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.TrainingWindows;
import dev.lstmflink.train.data.SeriesLoader;
import dev.lstmflink.train.data.WindowSet;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.optim.LrSchedule;
import java.nio.file.Path;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the client ships per epoch does not grow with the data: the same keys with 10× the rows give an epoch job
 * graph of the same size (to within the digits of Flink's node ids), while the windows the earlier design shipped inside its job graph ({@link EpochWorker})
 * grow by at least 4 bytes a row.
 */
class TrainJobGraphSizeITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final TrainOptions OPTIONS = TrainOptions.defaults().withEpochs(1).withPatience(0)
            .withSchedule(LrSchedule.constant(1e-2)).withSeed(3);

    @TempDir
    static Path dir;

    @Test
    void theEpochJobGraphDoesNotGrowWithTheRows() throws Exception {
        long smallRows = SeriesCsv.write(dir.resolve("d1"), 3, 2_000, 2, 1);
        long largeRows = SeriesCsv.write(dir.resolve("d2"), 3, 20_000, 2, 1);
        TrainJob.Outcome small = TrainJob.run(spec("d1"), null);
        TrainJob.Outcome large = TrainJob.run(spec("d2"), null);
        assertTrue(small.epochJobGraphBytes() > 0, "measured: " + small.epochJobGraphBytes());
        // Not to the byte: Flink numbers stream nodes with a counter per JVM and writes the numbers as text in the
        // vertex configuration, so the second job's ids may have more digits (a few bytes). 10x the rows add 216 KB.
        assertTrue(Math.abs(large.epochJobGraphBytes() - small.epochJobGraphBytes()) < 1_000,
                "epoch job graph bytes for " + smallRows + " and " + largeRows + " rows: "
                        + small.epochJobGraphBytes() + " and " + large.epochJobGraphBytes());
        assertTrue(large.epochJobGraphBytes() < 4 * (largeRows - smallRows),
                large.epochJobGraphBytes() + " bytes could hold the extra rows");

        // The control: the in-memory design's function carries the windows, so its size follows the rows.
        long oldSmall = oldWorkerBytes("d1");
        long oldLarge = oldWorkerBytes("d2");
        assertTrue(oldLarge - oldSmall >= 4 * (largeRows - smallRows), oldSmall + " -> " + oldLarge + " bytes");
    }

    private static TrainJob.Spec spec(String data) {
        return new TrainJob.Spec(dir.resolve(data), dir.resolve(data + ".safetensors"), 4, 1, 0.0, 24, 24, 0.1,
                OPTIONS, 2);
    }

    private static long oldWorkerBytes(String data) throws Exception {
        WindowSet ws = WindowSet.build(SeriesLoader.load(dir.resolve(data)).series(), 24, 24, 0.1);
        EpochWorker w = new EpochWorker(TrainingWindows.of(ws), LstmConfig.of(1, 4),
                new HeadSpec(HeadSpec.Kind.REGRESSION, 4, 1, true), OPTIONS);
        return InstantiationUtil.serializeObject(w).length;
    }
}
