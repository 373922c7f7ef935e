package dev.lstmflink.core.io.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.GoldenCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keras 3 weight files made from the golden PyTorch weights by {@code models/keras/make_keras_models.py} (h5py, in the
 * layout Keras' {@code save_weights} writes) give PyTorch's golden outputs, within golden/FORMAT.md's float32
 * tolerance; options the core lacks are refused with the layer and the value named.
 */
class KerasWeightsTest {

    private static final Path DIR = Path.of("src/test/resources/models/keras");
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The weights with their sidecar config, run on the golden input and initial state: PyTorch's outputs. */
    @ParameterizedTest
    @ValueSource(strings = {"a_single_layer", "b_initial_state", "c_no_bias", "d_three_layers",
            "i2_streaming_2layer", "k_extreme_inputs"})
    void goldenCaseThroughKerasLayout(String name) throws Exception {
        GoldenCase c = GoldenCase.read(GOLDEN.resolve("lstm/" + name + ".json"));
        LstmModel model = KerasWeights.read(DIR.resolve(name + ".weights.h5"));
        LstmConfig read = model.lstm().config();
        assertEquals(c.config.withBatchFirst(true), read, "config from the weights' shapes and the sidecar");
        assertEquals(DIR.resolve(name + ".config.json").toString(), model.metadata().get(KerasWeights.CONFIG_KEY));
        assertNull(model.head());
        Lstm<float[]> lstm = Lstm.f32(read.withBatchFirst(c.config.batchFirst()), model.lstm().params());
        ForwardPass<float[]> pass = lstm.forward(floats(c.input.data()), c.seqLen(), c.batch(),
                c.h0 == null ? null : floats(c.h0.data()), c.c0 == null ? null : floats(c.c0.data()), null);
        Close.assertClose(name + " output", c.output.data(), Close.toDoubles(pass.output()), 1e-5);
        Close.assertClose(name + " h_n", c.hN.data(), Close.toDoubles(pass.hN()), 1e-5);
        Close.assertClose(name + " c_n", c.cN.data(), Close.toDoubles(pass.cN()), 1e-5);
    }

    /** Without a config the layers and sizes come from the file and Keras' defaults: the same parameters. */
    @Test
    void weightsAloneUseKerasDefaults() throws Exception {
        byte[] h5 = Files.readAllBytes(DIR.resolve("d_three_layers.weights.h5"));
        LstmModel defaults = KerasWeights.read(h5, "d_three_layers.weights.h5");
        LstmModel configured = KerasWeights.read(DIR.resolve("d_three_layers.weights.h5"));
        assertEquals(configured.lstm().config(), defaults.lstm().config());
        assertArrayEquals(configured.lstm().params(), defaults.lstm().params());
        assertEquals(KerasModelConfig.defaults().origin(), defaults.metadata().get(KerasWeights.CONFIG_KEY));
        assertEquals("lstm,lstm_1,lstm_2", defaults.metadata().get("keras_layers"));
    }

    /** LSTM + Dense head (the training golden case) as .weights.h5 with sidecar, bare, and as a .keras archive. */
    @ParameterizedTest
    @ValueSource(strings = {"sine_next_step.weights.h5", "sine_next_step.keras", "bare:sine_next_step.weights.h5"})
    void lstmWithDenseHeadGivesTheGoldenPredictions(String file) throws Exception {
        JsonNode golden = JSON.readTree(GOLDEN.resolve("train/sine_next_step.json").toFile());
        LstmModel model = file.startsWith("bare:")
                ? KerasWeights.read(Files.readAllBytes(DIR.resolve(file.substring(5))), file)
                : KerasWeights.read(DIR.resolve(file));
        assertNotNull(model.head(), "the Dense layer becomes the head");
        // with a config the names come from it; without, from the 'name' attribute Keras >= 3.6 puts on each vars group
        assertEquals("encoder,head", model.metadata().get("keras_layers"));
        double[] input = data(golden.path("input"));
        double[] expected = data(golden.path("expected").path("prediction"));
        int t = input.length;
        // B = 1: the [T, 1, 1] golden input is also Keras' batch-major [1, T, 1]
        ForwardPass<float[]> pass = model.lstm().forward(floats(input), t, 1, null, null, null);
        float[] out = pass.output();
        int h = model.lstm().config().hiddenSize();
        float[] pred = new float[t];
        for (int s = 0; s < t; s++) {
            model.head().apply(out, s * h, pred, s);
        }
        Close.assertClose(file + " prediction", expected, Close.toDoubles(pred), 1e-5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"activation:relu", "activation:hard_sigmoid", "recurrent_activation:hard_sigmoid",
            "recurrent_activation:linear"})
    void kerasActivationsReachTheConfigAndStackedLayersMustShareThem(String change) throws Exception {
        String[] kv = change.split(":");
        Activation expected = Activation.fromName(kv[0], kv[1]);
        ObjectNode root = (ObjectNode) JSON.readTree(DIR.resolve("d_three_layers.config.json").toFile());
        byte[] h5 = Files.readAllBytes(DIR.resolve("d_three_layers.weights.h5"));
        for (int layer = 1; layer <= 3; layer++) {
            ((ObjectNode) root.path("config").path("layers").get(layer).path("config")).put(kv[0], kv[1]);
        }
        LstmConfig c = KerasWeights.read(h5, "x", KerasModelConfig.parse(root.toString(), "edited")).lstm().config();
        assertEquals(expected, kv[0].equals("activation") ? c.activation() : c.recurrentActivation(), change);
        // only the middle layer changed: one config cannot hold it, refused naming the layer
        root = (ObjectNode) JSON.readTree(DIR.resolve("d_three_layers.config.json").toFile());
        ObjectNode second = (ObjectNode) root.path("config").path("layers").get(2).path("config");
        second.put("name", "middle");
        second.put(kv[0], kv[1]);
        KerasModelConfig config = KerasModelConfig.parse(root.toString(), "edited config");
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> KerasWeights.read(h5, "x", config));
        assertTrue(e.getMessage().contains("'middle'") && e.getMessage().contains(kv[1]), e.getMessage());
    }

    @Test
    void anActivationTheCoreDoesNotHaveIsRefusedNamingLayerAndValue() throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(DIR.resolve("a_single_layer.config.json").toFile());
        ObjectNode lstm = (ObjectNode) root.path("config").path("layers").get(1).path("config");
        lstm.put("name", "enc");
        lstm.put("activation", "softsign");
        KerasModelConfig config = KerasModelConfig.parse(root.toString(), "edited");
        byte[] h5 = Files.readAllBytes(DIR.resolve("a_single_layer.weights.h5"));
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> KerasWeights.read(h5, "x", config));
        assertTrue(e.getMessage().contains("'enc'") && e.getMessage().contains("activation='softsign'")
                && e.getMessage().contains("hard_sigmoid"), e.getMessage());
    }

    @Test
    void goBackwardsReachesTheConfigAndTheModelRunsTheSequenceReversed() throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(DIR.resolve("a_single_layer.config.json").toFile());
        byte[] h5 = Files.readAllBytes(DIR.resolve("a_single_layer.weights.h5"));
        var forward = KerasWeights.read(h5, "x", KerasModelConfig.parse(root.toString(), "plain"));
        ((ObjectNode) root.path("config").path("layers").get(1).path("config")).put("go_backwards", true);
        var backward = KerasWeights.read(h5, "x", KerasModelConfig.parse(root.toString(), "edited"));
        assertTrue(backward.lstm().config().goBackwards());
        assertArrayEquals(forward.lstm().params(), backward.lstm().params());
        // go_backwards over x equals the plain LSTM over x reversed: the same final state
        int in = forward.lstm().config().inputSize();
        int t = 5;
        float[] x = new float[t * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.7 * i);
        }
        float[] reversed = new float[x.length];
        for (int s = 0; s < t; s++) {
            System.arraycopy(x, s * in, reversed, (t - 1 - s) * in, in);
        }
        float[] hBack = backward.lstm().forward(x, t, 1, null, null, null).hN();
        float[] hPlain = forward.lstm().forward(reversed, t, 1, null, null, null).hN();
        assertArrayEquals(hPlain, hBack);
    }

    @Test
    void zeroOutputForMaskReachesTheConfigAndStackedLayersMustShareIt() throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(DIR.resolve("d_three_layers.config.json").toFile());
        byte[] h5 = Files.readAllBytes(DIR.resolve("d_three_layers.weights.h5"));
        assertFalse(KerasWeights.read(h5, "x", KerasModelConfig.parse(root.toString(), "plain")).lstm().config()
                .zeroOutputForMask());
        for (int layer = 1; layer <= 3; layer++) {
            ((ObjectNode) root.path("config").path("layers").get(layer).path("config"))
                    .put("zero_output_for_mask", true);
        }
        LstmModel zero = KerasWeights.read(h5, "x", KerasModelConfig.parse(root.toString(), "edited"));
        assertTrue(zero.lstm().config().zeroOutputForMask());
        // a masked step now outputs zeros; the state is carried as before
        LstmConfig c = zero.lstm().config();
        int t = 3;
        float[] x = new float[t * c.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.cos(0.3 * i);
        }
        boolean[] mask = {true, false, true};
        var out = zero.lstm().forwardMasked(x, t, 1, null, null, mask);
        float[] hidden = java.util.Arrays.copyOfRange(out.output(), c.outputSize(), 2 * c.outputSize());
        assertArrayEquals(new float[c.outputSize()], hidden);
        root = (ObjectNode) JSON.readTree(DIR.resolve("d_three_layers.config.json").toFile());
        ObjectNode second = (ObjectNode) root.path("config").path("layers").get(2).path("config");
        second.put("name", "middle");
        second.put("zero_output_for_mask", true);
        KerasModelConfig config = KerasModelConfig.parse(root.toString(), "edited config");
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> KerasWeights.read(h5, "x", config));
        assertTrue(e.getMessage().contains("'middle'") && e.getMessage().contains("zero_output_for_mask=true"),
                e.getMessage());
    }

    @Test
    void configThatDoesNotFitTheWeightsIsRefused() throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(DIR.resolve("a_single_layer.config.json").toFile());
        ((ObjectNode) root.path("config").path("layers").get(1).path("config")).put("units", 6);
        KerasModelConfig wrongUnits = KerasModelConfig.parse(root.toString(), "edited");
        byte[] h5 = Files.readAllBytes(DIR.resolve("a_single_layer.weights.h5"));
        KerasFormatException e = assertThrows(KerasFormatException.class,
                () -> KerasWeights.read(h5, "a.weights.h5", wrongUnits));
        assertTrue(e.getMessage().startsWith("a.weights.h5: ") && e.getMessage().contains("[3, 24]")
                && e.getMessage().contains("[3, 20]"), e.getMessage());

        KerasModelConfig noBias = KerasModelConfig.parse(
                Files.readString(DIR.resolve("c_no_bias.config.json")), "c_no_bias.config.json");
        e = assertThrows(KerasFormatException.class, () -> KerasWeights.read(h5, "a.weights.h5", noBias));
        assertTrue(e.getMessage().contains("holds variables [0, 1, 2], expected [0, 1]"), e.getMessage());
    }

    @Test
    void stackedLstmsOfDifferentSizesAreRefused() throws Exception {
        byte[] h5 = Files.readAllBytes(DIR.resolve("mixed_units.weights.h5"));
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> KerasWeights.read(h5, "mixed"));
        assertTrue(e.getMessage().contains("'lstm_1' has units=4") && e.getMessage().contains("units=5"),
                e.getMessage());
    }

    @Test
    void otherModelsAndFilesAreRefused() throws Exception {
        String bidir = "{\"class_name\":\"Sequential\",\"config\":{\"layers\":[{\"class_name\":\"Bidirectional\","
                + "\"config\":{\"name\":\"bi\"}}]}}";
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> KerasModelConfig.parse(bidir, "c"));
        assertTrue(e.getMessage().contains("'bi' is a Bidirectional"), e.getMessage());
        e = assertThrows(KerasFormatException.class,
                () -> KerasModelConfig.parse("{\"class_name\":\"Functional\",\"config\":{}}", "c"));
        assertTrue(e.getMessage().contains("'Functional'"), e.getMessage());

        byte[] safetensors = Files.readAllBytes(GOLDEN.resolve("lstm/a_single_layer.safetensors"));
        e = assertThrows(KerasFormatException.class, () -> KerasWeights.read(safetensors, "st"));
        assertTrue(e.getMessage().contains("not an HDF5 file"), e.getMessage());

        byte[] truncated = Arrays.copyOf(Files.readAllBytes(DIR.resolve("a_single_layer.weights.h5")), 600);
        e = assertThrows(KerasFormatException.class, () -> KerasWeights.read(truncated, "cut"));
        assertTrue(e.getMessage().startsWith("cut: "), e.getMessage());
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static double[] data(JsonNode tensor) {
        JsonNode d = tensor.path("data");
        double[] v = new double[d.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = d.get(i).doubleValue();
        }
        return v;
    }
}
