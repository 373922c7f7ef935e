package dev.lstmflink.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.Trainer;
import dev.lstmflink.train.TrainingWindows;
import dev.lstmflink.train.data.SeriesLoader;
import dev.lstmflink.train.data.SplitMix64;
import dev.lstmflink.train.data.WindowSet;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Constraint;
import dev.lstmflink.train.optim.LrSchedule;
import dev.lstmflink.train.optim.Penalties;
import dev.lstmflink.train.optim.Regularizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The training job on a MiniCluster: P = 1 is bit-identical to the in-process trainer, P = 2 trains as well. */
class TrainJobITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path dir;
    static Path data;

    static final int EPOCHS = 8;
    static final TrainOptions OPTIONS = TrainOptions.defaults().withEpochs(EPOCHS).withPatience(0)
            .withSchedule(LrSchedule.constant(1e-2)).withSeed(11);

    /** Two noisy sines of different periods in one folder (two files, two keys). */
    @BeforeAll
    static void writeData() throws Exception {
        data = Files.createDirectories(dir.resolve("csv"));
        for (int f = 0; f < 2; f++) {
            SplitMix64 rnd = new SplitMix64(f);
            StringBuilder sb = new StringBuilder("timestamp,value\n");
            for (int t = 0; t < 800; t++) {
                double v = Math.sin(2 * Math.PI * t / (20 + 7 * f)) + 0.1 * (2 * rnd.nextDouble() - 1);
                sb.append(String.format(Locale.ROOT, "2024-01-%02d %02d:%02d:00,%.6f%n", 1 + t / 1440,
                        (t / 60) % 24, t % 60, v));
            }
            Files.writeString(data.resolve("sine" + f + ".csv"), sb);
        }
    }

    static TrainJob.Spec spec(int parallelism, String out) {
        return spec(parallelism, out, OPTIONS);
    }

    static TrainJob.Spec spec(int parallelism, String out, TrainOptions o) {
        return new TrainJob.Spec(data, dir.resolve(out), 12, 1, 0.0, 24, 6, 0.25, o, parallelism);
    }

    @Test
    void parallelismOneIsBitIdenticalToTheInProcessTrainer() throws Exception {
        TrainJob.Outcome flink = TrainJob.run(spec(1, "p1.safetensors"), null);

        WindowSet ws = WindowSet.build(SeriesLoader.load(data).series(), 24, 6, 0.25);
        LstmConfig cfg = new LstmConfig(1, 12, 1, true, false, 0.0, false, 0);
        SequenceModel<float[]> local = Trainer.newModel(cfg, new HeadSpec(HeadSpec.Kind.REGRESSION, 12, 1, true),
                OPTIONS);
        Trainer.Result r = Trainer.train(local, TrainingWindows.of(ws), OPTIONS, null);

        assertEquals(r.bestEpoch(), flink.result().bestEpoch());
        assertEquals(r.bestValLoss(), flink.result().bestValLoss(), 0.0);
        for (int i = 0; i < r.bestParams().size(); i++) {
            assertArrayEquals(r.bestParams().get(i), flink.model().parameters().get(i), "parameter array " + i);
        }
        LstmModel written = LstmModelFile.read(dir.resolve("p1.safetensors"));
        assertEquals(1, written.head().outFeatures());
        assertTrue(written.metadata().get("normalization").contains("\"mean\""), written.metadata().toString());
    }

    /**
     * The sharded reader at P = 1 against in-process training of the same files, with everything that touches the
     * data or the weights between epochs: three keys of a {@code key,ts,value,state} layout, one of them spanning
     * both files, an id column through an embedding with {@code padding_idx} and {@code max_norm} (validation renorms
     * the rows it looks up, in place), and the Keras regularizers and constraints.
     */
    @Test
    void parallelismOneIsBitIdenticalWithAnEmbeddingAndPenalties() throws Exception {
        Path csv = Files.createDirectories(dir.resolve("ids"));
        StringBuilder[] files = {new StringBuilder("key,ts,value,state\n"), new StringBuilder("key,ts,value,state\n")};
        SplitMix64 rnd = new SplitMix64(5);
        for (String key : new String[] {"k0", "k1", "k2"}) {
            double v = 0;
            for (int t = 0; t < 300; t++) {
                int state = (int) (rnd.nextDouble() * 4);
                v = 0.7 * v + (state - 1.5) + 0.1 * rnd.nextDouble();
                int file = key.equals("k1") ? (t < 140 ? 0 : 1) : (key.equals("k0") ? 0 : 1);
                files[file].append(String.format(Locale.ROOT, "%s,%d,%.6f,%d%n", key, 60_000L * t, v, state));
            }
        }
        Files.writeString(csv.resolve("a.csv"), files[0]);
        Files.writeString(csv.resolve("b.csv"), files[1]);
        dev.lstmflink.train.data.IdColumns ids = new dev.lstmflink.train.data.IdColumns(List.of("state"), 4);
        EmbeddingConfig emb = EmbeddingConfig.of(4, 2, 0, 0.8, 2.0, 1);
        Penalties penalties = new Penalties(new Regularizer(1e-3, 1e-2), Regularizer.l2(1e-2), Regularizer.l1(1e-3),
                new Constraint.MaxNorm(0.5, 0), new Constraint.UnitNorm(0), new Constraint.NonNeg());
        TrainOptions o = OPTIONS.withEpochs(3).withBatchSize(8).withPenalties(penalties);
        TrainJob.Spec sharded = new TrainJob.Spec(csv, dir.resolve("ids-flink.safetensors"), 6, 1, 0.0, 12, 5, 0.25, o,
                1, ids, emb);
        TrainJob.Spec inProcess = new TrainJob.Spec(csv, dir.resolve("ids-local.safetensors"), 6, 1, 0.0, 12, 5, 0.25,
                o, 1, ids, emb);
        TrainJob.Outcome flink = TrainJob.run(sharded, null);
        TrainJob.Outcome local = TrainJob.run(inProcess, SeriesLoader.load(csv, ids), null, false);

        assertEquals(local.result().history().size(), flink.result().history().size());
        for (int e = 0; e < local.result().history().size(); e++) {
            assertEquals(local.result().history().get(e).trainLoss(), flink.result().history().get(e).trainLoss(),
                    0.0, "training loss of epoch " + (e + 1));
            assertEquals(local.result().history().get(e).valLoss(), flink.result().history().get(e).valLoss(), 0.0,
                    "validation loss of epoch " + (e + 1));
        }
        assertEquals(4, flink.model().parameters().size());
        for (int i = 0; i < local.model().parameters().size(); i++) {
            assertArrayEquals(local.model().parameters().get(i), flink.model().parameters().get(i),
                    "parameter array " + i);
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("ids-local.safetensors")),
                Files.readAllBytes(dir.resolve("ids-flink.safetensors")), "the model files");
    }

    /**
     * Averaging once per epoch, each of two workers takes half the Adam steps of an epoch, so P = 2 gets as far as
     * P = 1 in about twice the epochs: the same number of sequential optimiser steps, and on two cores about the same
     * wall time. So P = 1 runs 16 epochs and P = 2 runs 32.
     */
    @Test
    void parallelismTwoReachesAValidationLossWithinTenPercentOfOne() throws Exception {
        TrainJob.Outcome p1 = TrainJob.run(spec(1, "a.safetensors", OPTIONS.withEpochs(16)), null);
        TrainJob.Outcome p2 = TrainJob.run(spec(2, "b.safetensors", OPTIONS.withEpochs(32)), null);
        double l1 = p1.result().bestValLoss();
        double l2 = p2.result().bestValLoss();
        assertEquals(32, p2.result().history().size());
        assertTrue(l2 <= 1.10 * l1, "P=2 best validation loss " + l2 + " vs P=1 " + l1 + "; histories "
                + p1.result().history() + " / " + p2.result().history());
    }
}
