package dev.lstmflink.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.train.data.SeriesRow;
import dev.lstmflink.train.data.SeriesSet;
import dev.lstmflink.train.data.SplitMix64;
import dev.lstmflink.train.data.WindowSet;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.SequenceModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-process trainer: convergence, reproducibility, and a written model that streams what it trained. */
class TrainerTest {

    /**
     * A noisy sine, s_t = sin(2πt/25) + 0.1·u_t with u uniform in [−1, 1]: the noise alone, which no predictor can
     * foresee, has variance 0.1²/3 = 0.0033 in raw units; the series' variance is 0.5 + 0.0033, so after
     * normalisation the irreducible next-step MSE is 0.0033/0.5033 = 0.0066. A model that only repeats the last value
     * scores 2(1 − cos(2π/25))·0.5/0.5033 + 2·0.0066 = 0.076. The bound 0.02 sits well below that and three times
     * above the floor.
     */
    static SeriesSet noisySine(int n, long seed) {
        SplitMix64 rnd = new SplitMix64(seed);
        SeriesSet set = new SeriesSet();
        for (int t = 0; t < n; t++) {
            float v = (float) (Math.sin(2 * Math.PI * t / 25) + 0.1 * (2 * rnd.nextDouble() - 1));
            set.add("sine.csv", new SeriesRow("sine", 1000L * t, new float[] {v}));
        }
        return set;
    }

    static final int EPOCHS = 20;
    static final LstmConfig CFG = LstmConfig.of(1, 16);
    static final HeadSpec HEAD = new HeadSpec(HeadSpec.Kind.REGRESSION, 16, 1, true);

    @Test
    void noisySineConvergesBelowTheStatedBound() {
        WindowSet ws = WindowSet.build(noisySine(3000, 1), 25, 5, 0.2);
        TrainOptions o = TrainOptions.defaults().withEpochs(EPOCHS).withPatience(0)
                .withSchedule(dev.lstmflink.train.optim.LrSchedule.constant(1e-2));
        List<Trainer.EpochStats> seen = new ArrayList<>();
        Trainer.Result r = Trainer.train(Trainer.newModel(CFG, HEAD, o), TrainingWindows.of(ws), o, seen::add);
        assertEquals(EPOCHS, seen.size(), "one progress record per epoch");
        assertTrue(r.bestValLoss() < 0.02, "validation MSE " + r.bestValLoss() + " after " + EPOCHS + " epochs: " + seen);
        assertTrue(seen.get(0).valLoss() > r.bestValLoss(), "it learned something");
    }

    @Test
    void aFixedSeedGivesIdenticalRuns() {
        WindowSet ws = WindowSet.build(noisySine(600, 2), 20, 10, 0.25);
        TrainOptions o = TrainOptions.defaults().withEpochs(2);
        Trainer.Result a = Trainer.train(Trainer.newModel(CFG, HEAD, o), TrainingWindows.of(ws), o, null);
        Trainer.Result b = Trainer.train(Trainer.newModel(CFG, HEAD, o), TrainingWindows.of(ws), o, null);
        for (int i = 0; i < a.bestParams().size(); i++) {
            assertArrayEquals(a.bestParams().get(i), b.bestParams().get(i), "parameter array " + i);
        }
        Trainer.Result c = Trainer.train(Trainer.newModel(CFG, HEAD, o.withSeed(7)), TrainingWindows.of(ws),
                o.withSeed(7), null);
        assertTrue(!java.util.Arrays.equals(a.bestParams().get(0), c.bestParams().get(0)), "another seed differs");
    }

    /** The written file, loaded as the streaming job loads it, predicts exactly what the trainer's forward does. */
    @Test
    void streamingLoadOfTheWrittenModelPredictsWhatTheTrainerPredicts() throws Exception {
        TrainOptions o = TrainOptions.defaults().withEpochs(1);
        WindowSet ws = WindowSet.build(noisySine(400, 3), 20, 10, 0.25);
        SequenceModel<float[]> m = Trainer.newModel(CFG, HEAD, o);
        Trainer.train(m, TrainingWindows.of(ws), o, null);
        byte[] file = ModelFileWriter.toFile(m, ws.normalization().toJson(), "{}", "test-1").toBytes();
        LstmModel streamed = LstmModelFile.read(file, "trained");
        assertEquals("test-1", streamed.version());
        assertStreamsWhatItTrained(m, ws, streamed);
    }

    /** Stepping the first validation window one event at a time gives the trainer's predictions, bit for bit. */
    private static void assertStreamsWhatItTrained(SequenceModel<float[]> m, WindowSet ws, LstmModel streamed) {
        int t = 20;
        float[] x = new float[t];
        float[] y = new float[t];
        TrainingWindows.of(ws).fill(true, new int[] {0}, 0, 1, x, y);
        float[] trainer = m.predict(x, t, 1);
        LstmStepper<float[]> st = streamed.lstm().stepper();
        float[] state = st.newState();
        float[] out = new float[1];
        for (int s = 0; s < t; s++) {
            st.step(x, s, state);
            streamed.head().apply(state, st.outputOffset(), out, 0);
            assertEquals(trainer[s], out[0], 0f, "step " + s);
        }
    }

    /**
     * The cell options of jobs/train (no bias, a projection, Keras activations) reach the written file's config, and
     * the model loaded as the streaming job loads it predicts exactly what the trainer's forward does.
     */
    @Test
    void aKerasCellTrainsAndStreamsWhatItTrained() throws Exception {
        CellOptions cell = new CellOptions(false, 3, dev.lstmflink.core.model.Activation.RELU,
                dev.lstmflink.core.model.Activation.HARD_SIGMOID);
        LstmConfig cfg = cell.config(1, 8, 2, 0.0);
        HeadSpec head = new HeadSpec(HeadSpec.Kind.REGRESSION, cfg.outputSize(), 1, true);
        TrainOptions o = TrainOptions.defaults().withEpochs(2).withPatience(0);
        WindowSet ws = WindowSet.build(noisySine(400, 4), 20, 10, 0.25);
        SequenceModel<float[]> m = Trainer.newModel(cfg, head, o);
        Trainer.Result r = Trainer.train(m, TrainingWindows.of(ws), o, null);
        assertTrue(r.history().get(1).trainLoss() < r.history().get(0).trainLoss(), "it learns: " + r.history());
        LstmModel streamed = LstmModelFile.read(
                ModelFileWriter.toFile(m, ws.normalization().toJson(), "{}", "cell-1").toBytes(), "trained");
        assertEquals(cfg, streamed.lstm().config(), "bias, proj_size and activations are in the file");
        assertStreamsWhatItTrained(m, ws, streamed);
    }
}
