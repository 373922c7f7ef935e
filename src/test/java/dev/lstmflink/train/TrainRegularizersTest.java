package dev.lstmflink.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.core.kernel.DoubleLstmKernel;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import dev.lstmflink.train.data.WindowSet;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;
import dev.lstmflink.train.optim.Constraint;
import dev.lstmflink.train.optim.Penalties;
import dev.lstmflink.train.optim.Regularizer;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Keras' kernel, recurrent and bias regularizers ({@link Penalties}): the penalty and its gradient against PyTorch
 * autograd (src/test/resources/train/regularizers/, made by gen_regularizers.py beside it) and against central
 * differences, one Adam step followed by the constraints against PyTorch, and a zero penalty leaving training
 * unchanged to the bit.
 */
class TrainRegularizersTest {

    static final Penalties ALL = Penalties.NONE.withKernelRegularizer(new Regularizer(0.01, 0.02))
            .withRecurrentRegularizer(Regularizer.l2(0.03)).withBiasRegularizer(new Regularizer(0.05, 0.01));

    static JsonNode fixture() throws Exception {
        try (InputStream in = TrainRegularizersTest.class.getResourceAsStream("/train/regularizers/regularizers.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static double[] doubles(JsonNode n) {
        double[] d = new double[n.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = n.get(i).asDouble();
        }
        return d;
    }

    static Regularizer regularizer(JsonNode n) {
        return n == null || n.isNull() ? null : new Regularizer(n.get("l1").asDouble(), n.get("l2").asDouble());
    }

    static Constraint constraint(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        int[] axis = n.has("axis") ? Arrays.stream(doubles(n.get("axis"))).mapToInt(d -> (int) d).toArray() : null;
        return switch (n.get("kind").asText()) {
            case "max_norm" -> new Constraint.MaxNorm(n.get("max_value").asDouble(), axis);
            case "unit_norm" -> new Constraint.UnitNorm(axis);
            default -> new Constraint.NonNeg();
        };
    }

    /** The model of a fixture case, float64, with its state_dict packed in. */
    record Case(JsonNode json, LstmConfig cfg, LstmLayout layout, SequenceModel<double[]> model, Penalties penalties,
                double[] x, double[] y, int t, int b) {

        static Case of(JsonNode c) {
            LstmConfig cfg = LstmConfig.of(c.get("input_size").asInt(), c.get("hidden_size").asInt())
                    .withNumLayers(c.get("num_layers").asInt()).withBidirectional(c.get("bidirectional").asBoolean())
                    .withProjSize(c.get("proj_size").asInt());
            LstmLayout layout = new LstmLayout(cfg);
            double[] lstm = new double[layout.size()];
            JsonNode state = c.get("state");
            for (TensorSpec spec : layout.tensors()) {
                layout.pack(spec, doubles(state.get("lstm." + spec.name())), Precision.F64, lstm);
            }
            int k = cfg.inputSize();
            HeadSpec head = new HeadSpec(HeadSpec.Kind.REGRESSION, cfg.numDirections() * cfg.outputSize(), k, true);
            SequenceModel<double[]> m = new SequenceModel<>(cfg, new DoubleLstmKernel(), head, lstm,
                    doubles(state.get("head.weight")), doubles(state.get("head.bias")));
            JsonNode r = c.get("regularizers");
            JsonNode k2 = c.get("constraints");
            Penalties p = new Penalties(regularizer(r.get("kernel")), regularizer(r.get("recurrent")),
                    regularizer(r.get("bias")), constraint(k2.get("kernel")), constraint(k2.get("recurrent")),
                    constraint(k2.get("bias")));
            return new Case(c, cfg, layout, m, p, doubles(c.get("x")), doubles(c.get("y")), c.get("seq_len").asInt(),
                    c.get("batch").asInt());
        }

        /** Loss + penalty and the gradients, as EpochRunner computes them. */
        SequenceModel.Step<double[]> step() {
            SequenceModel.Step<double[]> s = model.lossAndGradients(x, y, t, b);
            double pen = penalties.addGradients(layout, Precision.F64, model.lstm().params(), s.gradients().get(0));
            return new SequenceModel.Step<>(s.loss() + pen, s.gradients(), s.outputs());
        }

        /** Compares the LSTM's flat array and the head with a {@code {name: values}} section of the fixture. */
        void assertTensors(String what, JsonNode expected, List<double[]> arrays, double tol) {
            for (TensorSpec spec : layout.tensors()) {
                Close.assertClose(json.get("name").asText() + " " + what + " lstm." + spec.name(),
                        doubles(expected.get("lstm." + spec.name())), layout.unpack(spec, Precision.F64,
                                arrays.get(0)), tol);
            }
            Close.assertClose(what + " head.weight", doubles(expected.get("head.weight")), arrays.get(1), tol);
            Close.assertClose(what + " head.bias", doubles(expected.get("head.bias")), arrays.get(2), tol);
        }
    }

    @Test
    void penaltyAndGradientsMatchPyTorchAutograd() throws Exception {
        for (JsonNode c : fixture().get("cases")) {
            Case k = Case.of(c);
            double pen = k.penalties.penalty(k.layout, Precision.F64, k.model.lstm().params());
            assertEquals(c.get("penalty").asDouble(), pen, 1e-12 * (1 + pen), c.get("name") + " penalty");
            SequenceModel.Step<double[]> s = k.step();
            assertEquals(c.get("loss").asDouble(), s.loss(), 1e-12, c.get("name") + " loss");
            k.assertTensors("gradient", c.get("grads"), s.gradients(), 1e-10);
        }
    }

    /** The fixture zeroes weight_ih_l0[0, 0] and makes b_ih_l0[1] + b_hh_l0[1] = 0: sign(0) = 0, as torch's abs. */
    @Test
    void theL1GradientAtZeroIsZero() throws Exception {
        JsonNode c = fixture().get("cases").get(0);
        Case k = Case.of(c);
        TensorSpec wih = k.layout.tensors().get(0);
        assertEquals(0.0, k.model.lstm().params()[wih.packedIndex(0)], 0.0, "the fixture's zero weight");
        double[] lossOnly = k.model.lossAndGradients(k.x, k.y, k.t, k.b).gradients().get(0);
        double[] total = k.step().gradients().get(0);
        assertEquals(lossOnly[wih.packedIndex(0)], total[wih.packedIndex(0)], 0.0, "no penalty gradient at w = 0");
        int bih = k.layout.cell(0, 0).bihOff() + 1;
        int bhh = k.layout.cell(0, 0).bhhOff() + 1;
        assertEquals(0.0, k.model.lstm().params()[bih] + k.model.lstm().params()[bhh], 0.0);
        assertEquals(lossOnly[bih], total[bih], 0.0, "no penalty gradient at b_ih + b_hh = 0");
        assertEquals(lossOnly[bih + 1] + 0.05 * Math.signum(k.model.lstm().params()[bih + 1]
                + k.model.lstm().params()[bhh + 1]), total[bih + 1], 1e-15, "l1 = 0.05 elsewhere");
    }

    /** One torch.optim.Adam step on loss + penalty, then Keras' constraints on Keras' layout, as PyTorch did it. */
    @Test
    void oneAdamStepWithConstraintsMatchesPyTorch() throws Exception {
        for (JsonNode c : fixture().get("cases")) {
            Case k = Case.of(c);
            SequenceModel.Step<double[]> s = k.step();
            Adam<double[]> adam = new Adam<>(Precision.F64, 0.9, 0.999, 1e-8, 0);
            adam.step(k.model.parameters(), s.gradients(), c.get("lr").asDouble());
            k.penalties.constrain(k.layout, Precision.F64, k.model.lstm().params());
            k.assertTensors("after one step", c.get("after_step"), k.model.parameters(), 1e-10);
        }
    }

    /** Central differences of loss + penalty, every LSTM parameter, with projection and two directions. */
    @Test
    void gradientsMatchFiniteDifferences() {
        Random rnd = new Random(9);
        LstmConfig cfg = LstmConfig.of(2, 3).withNumLayers(2).withBidirectional(true).withProjSize(2);
        LstmLayout layout = new LstmLayout(cfg);
        HeadSpec head = new HeadSpec(HeadSpec.Kind.REGRESSION, 4, 2, true);
        SequenceModel<double[]> m = new SequenceModel<>(cfg, new DoubleLstmKernel(), head,
                RandomLstm.params(cfg, rnd), RandomLstm.values(8, 0.5, rnd), RandomLstm.values(2, 0.1, rnd));
        int t = 3;
        int b = 2;
        double[] x = RandomLstm.values(t * b * 2, 1, rnd);
        double[] y = RandomLstm.values(t * b * 2, 1, rnd);
        double[] p = m.lstm().params();
        double[] grad = m.lossAndGradients(x, y, t, b).gradients().get(0);
        ALL.addGradients(layout, Precision.F64, p, grad);
        double eps = 1e-6;
        double[] fd = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double keep = p[i];
            p[i] = keep + eps;
            double up = m.lossAndGradients(x, y, t, b).loss() + ALL.penalty(layout, Precision.F64, p);
            p[i] = keep - eps;
            double down = m.lossAndGradients(x, y, t, b).loss() + ALL.penalty(layout, Precision.F64, p);
            p[i] = keep;
            fd[i] = (up - down) / (2 * eps);
        }
        Close.assertClose("loss + penalty", fd, grad, 1e-7);
    }

    /** The penalty's own numbers, by hand: l1·Σ|w| + l2·Σw² of kernel, recurrent kernel and b_ih + b_hh. */
    @Test
    void penaltyByHandForOneUnit() {
        LstmConfig cfg = LstmConfig.of(1, 1);   // weight_ih [4,1], weight_hh [4,1], biases [4]
        LstmLayout layout = new LstmLayout(cfg);
        double[] p = new double[layout.size()];
        double[][] values = {{1, -2, 0, 3}, {0.5, 0.5, -0.5, 1}, {1, 2, 3, 4}, {-1, -2, 1, 0}};
        for (int s = 0; s < 4; s++) {
            layout.pack(layout.tensors().get(s), values[s], Precision.F64, p);
        }
        Penalties pen = Penalties.NONE.withKernelRegularizer(Regularizer.l1(0.1))
                .withRecurrentRegularizer(Regularizer.l2(0.2)).withBiasRegularizer(new Regularizer(0.3, 0.4));
        // kernel: 0.1·6; recurrent: 0.2·1.75; bias sum [0, 0, 4, 4]: 0.3·8 + 0.4·32
        assertEquals(0.6 + 0.35 + 2.4 + 12.8, pen.penalty(layout, Precision.F64, p), 1e-12);
    }

    /** A zero penalty is no penalty: training with {l1: 0, l2: 0} everywhere gives the same bits as without. */
    @Test
    void zeroPenaltyGivesIdenticalBits() {
        WindowSet ws = WindowSet.build(TrainerTest.noisySine(400, 4), 16, 8, 0.25);
        LstmConfig cfg = LstmConfig.of(1, 6);
        HeadSpec head = new HeadSpec(HeadSpec.Kind.REGRESSION, 6, 1, true);
        TrainOptions plain = TrainOptions.defaults().withEpochs(2).withPatience(0);
        TrainOptions zero = plain.withPenalties(new Penalties(Regularizer.NONE, new Regularizer(0, 0), Regularizer.l1(0),
                null, null, null));
        assertTrue(!zero.penalties().regularizes(), "normalised to none");
        Trainer.Result a = Trainer.train(Trainer.newModel(cfg, head, plain), TrainingWindows.of(ws), plain, null);
        Trainer.Result b = Trainer.train(Trainer.newModel(cfg, head, zero), TrainingWindows.of(ws), zero, null);
        for (int i = 0; i < a.bestParams().size(); i++) {
            assertArrayEquals(a.bestParams().get(i), b.bestParams().get(i), "parameter array " + i);
        }
        assertEquals(a.history().get(1).trainLoss(), b.history().get(1).trainLoss(), 0.0);
        assertEquals(a.bestValLoss(), b.bestValLoss(), 0.0);

        TrainOptions l2 = plain.withPenalties(ALL);
        Trainer.Result c = Trainer.train(Trainer.newModel(cfg, head, l2), TrainingWindows.of(ws), l2, null);
        assertNotEquals(a.history().get(0).trainLoss(), c.history().get(0).trainLoss(), "a penalty changes training");
    }

    /**
     * The reported losses include the penalty, as Keras' loss and val_loss do: with a huge L2 on the kernel, the
     * epoch's training loss exceeds the mean data loss by the penalty's size, and validation = data loss + penalty at
     * the final weights.
     */
    @Test
    void reportedLossesIncludeThePenalty() {
        WindowSet ws = WindowSet.build(TrainerTest.noisySine(300, 6), 16, 8, 0.25);
        LstmConfig cfg = LstmConfig.of(1, 4);
        HeadSpec head = new HeadSpec(HeadSpec.Kind.REGRESSION, 4, 1, true);
        TrainOptions o = TrainOptions.defaults().withEpochs(1).withPatience(0)
                .withPenalties(Penalties.NONE.withKernelRegularizer(Regularizer.l2(100)));
        SequenceModel<float[]> m = Trainer.newModel(cfg, head, o);
        Trainer.Result r = Trainer.train(m, TrainingWindows.of(ws), o, null);
        double data = EpochRunner.validate(m, TrainingWindows.of(ws), o.batchSize()).meanLoss();
        double pen = o.penalties().penalty(new LstmLayout(cfg), Precision.F32, m.lstm().params());
        assertTrue(pen > 1e-3, "a visible penalty " + pen);
        assertEquals(data + pen, r.history().get(0).valLoss(), 1e-12 * (1 + pen));
        assertTrue(r.history().get(0).trainLoss() > data, "train " + r.history().get(0).trainLoss() + " vs data "
                + data);
    }

    /** The Keras penalties reach the Flink subtasks by Java serialization, as the options do. */
    @Test
    void penaltiesSurviveSerialization() throws Exception {
        Penalties p = ALL.withKernelConstraint(new Constraint.MaxNorm(3, new int[] {0, 1}))
                .withRecurrentConstraint(new Constraint.UnitNorm(1)).withBiasConstraint(new Constraint.NonNeg());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(TrainOptions.defaults().withPenalties(p));
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(p, ((TrainOptions) in.readObject()).penalties());
        }
        List<String> none = new ArrayList<>(Penalties.NONE.settings().values());
        assertEquals(List.of("null", "null", "null", "null", "null", "null"), none);
    }
}
