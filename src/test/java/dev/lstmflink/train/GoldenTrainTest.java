package dev.lstmflink.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.core.io.LstmConfigJson;
import dev.lstmflink.core.kernel.DoubleLstmKernel;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.GoldenFiles;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code *.json} of {@code -Dgolden.train.dir} (default: the repo's copy of the PyTorch training reference):
 * loss, prediction and every gradient of LSTM + Linear head under MSE, and the parameters after 1 and 5 full-batch
 * Adam steps, in float64 within 1e-10 mixed ({@code golden/FORMAT.md}).
 */
class GoldenTrainTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TOL = 1e-10;

    @TestFactory
    Stream<DynamicTest> goldenTrainingCases() {
        return GoldenFiles.list("golden.train.dir", "src/test/resources/golden/train").stream()
                .map(p -> dynamicTest(p.getFileName().toString(), () -> check(p)));
    }

    private static void check(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        LstmConfig cfg = LstmConfigJson.fromJson(root.at("/model/lstm").toString(), LstmConfig.of(1, 1));
        JsonNode h = root.at("/model/head");
        HeadSpec head = new HeadSpec(HeadSpec.Kind.REGRESSION, h.get("in_features").intValue(),
                h.get("out_features").intValue(), h.get("bias").booleanValue());
        SequenceModel<double[]> model = model(cfg, head, root.get("params"));
        int t = root.at("/input/shape/0").intValue();
        int b = root.at("/input/shape/1").intValue();
        double[] x = data(root.get("input"));
        double[] y = data(root.get("target"));

        SequenceModel.Step<double[]> step = model.lossAndGradients(x, y, t, b);
        Close.assertClose("prediction", data(root.at("/expected/prediction")), step.outputs(), TOL);
        Close.assertClose("loss", new double[] {root.at("/expected/loss").doubleValue()}, new double[] {step.loss()},
                TOL);
        assertGradients(cfg, head, root.at("/expected/grad"), step.gradients());

        JsonNode opt = root.get("optimizer");
        assertEquals("Adam", opt.get("type").asText());
        Adam<double[]> adam = new Adam<>(Precision.F64, opt.at("/betas/0").doubleValue(),
                opt.at("/betas/1").doubleValue(), opt.get("eps").doubleValue(), opt.get("weight_decay").doubleValue());
        JsonNode losses = root.at("/adam/losses");
        for (int s = 1; s <= 5; s++) {
            SequenceModel.Step<double[]> st = model.lossAndGradients(x, y, t, b);
            Close.assertClose("loss before Adam step " + s, new double[] {losses.get(s - 1).doubleValue()},
                    new double[] {st.loss()}, TOL);
            adam.step(model.parameters(), st.gradients(), opt.get("lr").doubleValue());
            if (s == 1 || s == 5) {
                assertParams(cfg, head, root.at("/adam/params_after_" + s), model, "after Adam step " + s);
            }
        }
        Close.assertClose("loss after 5 Adam steps", new double[] {losses.get(5).doubleValue()},
                new double[] {model.lossAndGradients(x, y, t, b).loss()}, TOL);
    }

    static SequenceModel<double[]> model(LstmConfig cfg, HeadSpec head, JsonNode params) {
        LstmLayout layout = new LstmLayout(cfg);
        double[] lstm = new double[layout.size()];
        for (TensorSpec spec : layout.tensors()) {
            layout.pack(spec, data(params.get("lstm." + spec.name())), Precision.F64, lstm);
        }
        return new SequenceModel<>(cfg, new DoubleLstmKernel(), head, lstm, data(params.get("head.weight")),
                head.bias() ? data(params.get("head.bias")) : null);
    }

    private static void assertGradients(LstmConfig cfg, HeadSpec head, JsonNode expected, List<double[]> grads) {
        LstmLayout layout = new LstmLayout(cfg);
        for (TensorSpec spec : layout.tensors()) {
            Close.assertClose("d lstm." + spec.name(), data(expected.get("lstm." + spec.name())),
                    layout.unpack(spec, Precision.F64, grads.get(0)), TOL);
        }
        Close.assertClose("d head.weight", data(expected.get("head.weight")), grads.get(1), TOL);
        if (head.bias()) {
            Close.assertClose("d head.bias", data(expected.get("head.bias")), grads.get(2), TOL);
        }
    }

    private static void assertParams(LstmConfig cfg, HeadSpec head, JsonNode expected, SequenceModel<double[]> m,
                                     String when) {
        LstmLayout layout = new LstmLayout(cfg);
        for (TensorSpec spec : layout.tensors()) {
            Close.assertClose("lstm." + spec.name() + " " + when, data(expected.get("lstm." + spec.name())),
                    layout.unpack(spec, Precision.F64, m.lstm().params()), TOL);
        }
        Close.assertClose("head.weight " + when, data(expected.get("head.weight")), m.headWeight(), TOL);
        if (head.bias()) {
            Close.assertClose("head.bias " + when, data(expected.get("head.bias")), m.headBias(), TOL);
        }
    }

    static double[] data(JsonNode tensor) {
        JsonNode d = tensor.get("data");
        double[] v = new double[d.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = d.get(i).doubleValue();
        }
        return v;
    }
}
