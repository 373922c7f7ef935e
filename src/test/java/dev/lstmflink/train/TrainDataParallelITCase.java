package dev.lstmflink.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.flink.train.DataParallelEpochs;
import dev.lstmflink.train.data.WindowSet;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Constraint;
import dev.lstmflink.train.optim.LrSchedule;
import dev.lstmflink.train.optim.Penalties;
import dev.lstmflink.train.optim.Regularizer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Keras penalties in the data-parallel Flink training ({@link DataParallelEpochs}): at P = 1 the same bits as the
 * in-process trainer; at P = 2 the averaged weights still satisfy the constraints.
 */
class TrainDataParallelITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final LstmConfig CFG = LstmConfig.of(1, 6);
    static final HeadSpec HEAD = new HeadSpec(HeadSpec.Kind.REGRESSION, 6, 1, true);
    static final Penalties PENALTIES = new Penalties(new Regularizer(1e-3, 1e-2), Regularizer.l2(1e-2),
            Regularizer.l1(1e-3), new Constraint.MaxNorm(0.5, 0), new Constraint.UnitNorm(0), new Constraint.NonNeg());
    static final TrainOptions OPTIONS = TrainOptions.defaults().withEpochs(3).withPatience(0).withBatchSize(8)
            .withSchedule(LrSchedule.constant(1e-2)).withPenalties(PENALTIES);

    static TrainingWindows data() {
        return TrainingWindows.of(WindowSet.build(TrainerTest.noisySine(500, 3), 16, 4, 0.25));
    }

    @Test
    void parallelismOneIsBitIdenticalToTheInProcessTrainerWithPenalties() throws Exception {
        Trainer.Result local = Trainer.train(Trainer.newModel(CFG, HEAD, OPTIONS), data(), OPTIONS, null);
        Trainer.Result flink = DataParallelEpochs.train(Trainer.newModel(CFG, HEAD, OPTIONS), data(), OPTIONS, 1,
                null);
        assertEquals(local.bestValLoss(), flink.bestValLoss(), 0.0);
        for (int e = 0; e < local.history().size(); e++) {
            assertEquals(local.history().get(e).trainLoss(), flink.history().get(e).trainLoss(), 0.0, "epoch " + e);
        }
        for (int i = 0; i < local.bestParams().size(); i++) {
            assertArrayEquals(local.bestParams().get(i), flink.bestParams().get(i), "parameter array " + i);
        }
    }

    @Test
    void parallelismTwoKeepsTheAveragedWeightsConstrained() throws Exception {
        SequenceModel<float[]> m = Trainer.newModel(CFG, HEAD, OPTIONS);
        Trainer.Result r = DataParallelEpochs.train(m, data(), OPTIONS, 2, null);
        assertTrue(Double.isFinite(r.bestValLoss()), "validation loss " + r.bestValLoss());
        LstmLayout layout = new LstmLayout(CFG);
        float[] p = m.lstm().params();
        for (TensorSpec spec : layout.tensors()) {
            double[] v = layout.unpack(spec, Precision.F32, p);
            if (spec.kind() == LstmLayout.Kind.WEIGHT_IH || spec.kind() == LstmLayout.Kind.WEIGHT_HH) {
                int cols = spec.shape()[1];
                for (int row = 0; row < spec.shape()[0]; row++) {
                    double sq = 0;
                    for (int j = 0; j < cols; j++) {
                        sq += v[row * cols + j] * v[row * cols + j];
                    }
                    double n = Math.sqrt(sq);
                    if (spec.kind() == LstmLayout.Kind.WEIGHT_IH) {
                        assertTrue(n <= 0.5 + 1e-6, spec.name() + " row " + row + " norm " + n);
                    } else {
                        assertEquals(1.0, n, 1e-5, spec.name() + " row " + row + " (the mean of unit rows is shorter)");
                    }
                }
            }
        }
        int bih = layout.cell(0, 0).bihOff();
        int bhh = layout.cell(0, 0).bhhOff();
        for (int k = 0; k < 4 * 6; k++) {
            assertTrue(p[bih + k] + p[bhh + k] >= -1e-7, "bias " + k + ": " + (p[bih + k] + p[bhh + k]));
        }
    }

    /** With an embedding (padding_idx and max_norm): P = 1 gives the in-process bits; P = 2 trains the table too. */
    @Test
    void embeddingModelsTrainDataParallel() throws Exception {
        TrainingWindows ws = TrainingWindows.of(WindowSet.build(TrainEmbeddingTest.stateSeries(400, 4), 16, 4, 0.25));
        dev.lstmflink.core.model.EmbeddingConfig emb = dev.lstmflink.core.model.EmbeddingConfig.of(3, 2, 0, 1.0,
                2.0, 1);
        LstmConfig cfg = LstmConfig.of(3, 6);
        TrainOptions o = OPTIONS.withPenalties(Penalties.NONE).withEpochs(2);
        Trainer.Result local = Trainer.train(Trainer.newModel(cfg, HEAD, emb, o), ws, o, null);
        Trainer.Result flink = DataParallelEpochs.train(Trainer.newModel(cfg, HEAD, emb, o), ws, o, 1, null);
        assertEquals(4, flink.bestParams().size());
        assertEquals(local.bestValLoss(), flink.bestValLoss(), 0.0);
        for (int i = 0; i < local.bestParams().size(); i++) {
            assertArrayEquals(local.bestParams().get(i), flink.bestParams().get(i), "parameter array " + i);
        }
        SequenceModel<float[]> m = Trainer.newModel(cfg, HEAD, emb, o);
        float[] start = m.embeddingWeight().clone();
        Trainer.Result p2 = DataParallelEpochs.train(m, ws, o, 2, null);
        assertTrue(Double.isFinite(p2.bestValLoss()), "P=2 validation loss " + p2.bestValLoss());
        assertTrue(!java.util.Arrays.equals(start, m.embeddingWeight()), "the table learned at P=2");
        for (int j = 0; j < 2; j++) {
            assertEquals(0f, m.embeddingWeight()[j], 0f, "the padding row stays zero");
        }
    }
}
