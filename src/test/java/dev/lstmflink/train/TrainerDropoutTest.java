package dev.lstmflink.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.DropoutConfig;
import dev.lstmflink.train.data.WindowSet;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.SequenceModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The in-layer dropout kinds ({@link DropoutConfig}) reach training through {@link TrainOptions}, only training. */
class TrainerDropoutTest {

    static final LstmConfig CFG = LstmConfig.of(1, 8).withNumLayers(2).withDropout(0.1);
    static final HeadSpec HEAD = new HeadSpec(HeadSpec.Kind.REGRESSION, 8, 1, true);
    static final DropoutConfig ALL = new DropoutConfig(0.1, 0.2, 0.3, 0.2);

    @Test
    void aFixedSeedReproducesATrainingRunWithEveryKindOn() {
        WindowSet ws = WindowSet.build(TrainerTest.noisySine(400, 5), 16, 8, 0.25);
        TrainOptions o = TrainOptions.defaults().withEpochs(2).withPatience(0).withDropout(ALL);
        Trainer.Result a = Trainer.train(Trainer.newModel(CFG, HEAD, o), TrainingWindows.of(ws), o, null);
        Trainer.Result b = Trainer.train(Trainer.newModel(CFG, HEAD, o), TrainingWindows.of(ws), o, null);
        for (int i = 0; i < a.bestParams().size(); i++) {
            assertArrayEquals(a.bestParams().get(i), b.bestParams().get(i), "parameter array " + i);
        }
        assertEquals(a.history().get(1).trainLoss(), b.history().get(1).trainLoss(), 0.0);
        assertTrue(Double.isFinite(a.bestValLoss()), "validation loss " + a.bestValLoss());
        TrainOptions plain = o.withDropout(DropoutConfig.NONE);
        Trainer.Result c = Trainer.train(Trainer.newModel(CFG, HEAD, plain), TrainingWindows.of(ws), plain, null);
        assertFalse(Arrays.equals(a.bestParams().get(0), c.bestParams().get(0)), "the kinds change training");
    }

    /** Validation (no random stream) is inference: the same loss and gradients as without any dropout, bit for bit. */
    @Test
    void withoutARandomStreamNoKindApplies() {
        TrainOptions o = TrainOptions.defaults();
        SequenceModel<float[]> m = Trainer.newModel(CFG, HEAD, o);
        SplittableRandom r = new SplittableRandom(1);
        float[] x = new float[5 * 3];
        float[] y = new float[5 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
            y[i] = (float) r.nextDouble(-1, 1);
        }
        SequenceModel.Step<float[]> plain = m.lossAndGradients(x, y, 5, 3);
        SequenceModel.Step<float[]> val = m.lossAndGradients(x, y, 5, 3, ALL, null);
        assertEquals(plain.loss(), val.loss(), 0.0);
        for (int i = 0; i < plain.gradients().size(); i++) {
            assertArrayEquals(plain.gradients().get(i), val.gradients().get(i), "gradient " + i);
        }
        SequenceModel.Step<float[]> train = m.lossAndGradients(x, y, 5, 3, ALL, new SplittableRandom(2));
        assertFalse(plain.loss() == train.loss(), "with a stream the masks apply");
    }

    /** The options travel to Flink's training subtasks by Java serialization, dropout included. */
    @Test
    void optionsWithDropoutSurviveSerialization() throws Exception {
        TrainOptions o = TrainOptions.defaults().withDropout(ALL);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            TrainOptions back = (TrainOptions) in.readObject();
            assertEquals(ALL, back.dropout());
            assertEquals(DropoutConfig.NONE, TrainOptions.defaults().dropout(), "off by default");
        }
    }
}
