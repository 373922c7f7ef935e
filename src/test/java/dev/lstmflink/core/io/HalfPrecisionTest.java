package dev.lstmflink.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import dev.lstmflink.testutil.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * F16 and BF16 safetensors, as PyTorch and MindSpore users save them ({@code model.half()}, {@code .bfloat16()}),
 * through the model loader: files made by PyTorch ({@code src/test/resources/models/half}, see
 * {@code make_half_models.py} there) and files written here.
 *
 * <p>Tolerances: a half-precision model is a different model from its float32 original, its weights moved by up to
 * half an ulp: 2^-11 relative for F16 (10 mantissa bits), 2^-8 for BF16 (7 bits). With weights of |w| ≤ 0.5 (PyTorch's
 * init for H = 4 is U(-0.5, 0.5)) and unit inputs, a gate pre-activation of about ten terms moves by at most about
 * 10 · 0.5 · 2^-11 ≈ 2.5e-3 (F16) and 2e-2 (BF16), and sigmoid/tanh (slope ≤ 1) pass no more on; 1e-2 and 5e-2 bound
 * the outputs' distance to the float32 model's with margin. Against PyTorch running the same half weights in float64,
 * only our float32 arithmetic differs: the golden tolerance of 1e-5.
 */
class HalfPrecisionTest {

    static final Path DIR = Path.of("src/test/resources/models/half");
    static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"f16", "bf16"})
    void pyTorchHalfFilesLoadWithTorchsRoundingAndItsOutputs(String kind) throws IOException {
        DType dtype = kind.equals("f16") ? DType.F16 : DType.BF16;
        SafetensorsFile f32 = SafetensorsFile.read(DIR.resolve("lstm_f32.safetensors"));
        SafetensorsFile half = SafetensorsFile.read(DIR.resolve("lstm_" + kind + ".safetensors"));
        // PyTorch's .half()/.bfloat16() bytes are our round-to-nearest-even of the float32 weights, tensor by tensor
        assertEquals(f32.names(), half.names());
        for (NamedTensor t : f32.tensors()) {
            NamedTensor h = half.get(t.name()).orElseThrow();
            assertEquals(dtype, h.dtype(), t.name());
            assertArrayEquals(NamedTensor.ofHalf(t.name(), dtype, t.shape(), t.toFloats()).littleEndianBytes(),
                    h.littleEndianBytes(), "PyTorch's " + kind + " bytes of " + t.name());
        }

        LstmModel halfModel = LstmModelFile.read(DIR.resolve("lstm_" + kind + ".safetensors"));
        LstmModel f32Model = LstmModelFile.read(DIR.resolve("lstm_f32.safetensors"));
        assertEquals(f32Model.lstm().config(), halfModel.lstm().config());
        assertTrue(halfModel.head() != null, "the F16/BF16 head loads too");

        // the float32 model whose weights are the float32 file's values rounded to half and widened back here
        float[] original32 = f32Model.lstm().params();
        float[] converted = new float[original32.length];
        for (int i = 0; i < converted.length; i++) {
            converted[i] = dtype == DType.F16 ? HalfFloats.f16ToFloat(HalfFloats.floatToF16(original32[i]))
                    : HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(original32[i]));
            assertEquals(Float.floatToRawIntBits(converted[i]),
                    Float.floatToRawIntBits(halfModel.lstm().params()[i]), "parameter " + i);
        }
        JsonNode expected = JSON.readTree(DIR.resolve("expected.json").toFile());
        double[] x = doubles(expected.at("/input/data"));
        int t = expected.at("/input/shape/0").asInt();
        float[] outHalf = run(halfModel.lstm(), x, t);
        assertArrayEquals(run(Lstm.f32(halfModel.lstm().config(), converted), x, t), outHalf,
                "the half model's outputs are exactly those of the float32 model of its converted weights");

        // PyTorch on the same half weights, in float64
        Close.assertClose(kind + " vs PyTorch", doubles(expected.at("/output_" + kind + "/data")),
                Close.toDoubles(outHalf), 1e-5);
        // and close to the float32 original (see the class comment for the bound)
        double[] original = doubles(expected.at("/output_f32/data"));
        double tol = dtype == DType.F16 ? 1e-2 : 5e-2;
        double worst = 0;
        for (int i = 0; i < original.length; i++) {
            worst = Math.max(worst, Math.abs(outHalf[i] - original[i]));
        }
        System.out.printf("%s: max |output - float32 output| = %.3g (tolerance %.0e)%n", kind, worst, tol);
        assertTrue(worst <= tol, kind + " moved the outputs by " + worst);
        assertTrue(worst > 0, "half precision must change something, or the test compares the same file");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16"})
    void filesWrittenInHalfPrecisionRoundTrip(DType dtype) throws IOException {
        LstmConfig cfg = LstmConfig.of(3, 5).withNumLayers(2).withBidirectional(true).withProjSize(2);
        double[] params = RandomLstm.params(cfg, new Random(5));
        NamedTensor headW = NamedTensor.ofHalf("head.weight", dtype, new int[] {2, 2}, new float[] {1, -2, 0.5f, 3});
        byte[] bytes = LstmSafetensors.toFile(Lstm.f64(cfg, params), "lstm.", dtype, List.of(headW), Map.of())
                .toBytes();
        SafetensorsFile file = SafetensorsFile.read(bytes, "half");
        for (NamedTensor t : file.tensors()) {
            assertEquals(dtype, t.dtype(), t.name());
            assertEquals(2 * t.elementCount(), t.byteSize(), t.name());
        }
        LstmModel m = LstmModelFile.read(bytes, "half");
        assertEquals(cfg, m.lstm().config());
        float[] f32 = TestModels.toFloats(params);
        for (int i = 0; i < f32.length; i++) {
            float rounded = dtype == DType.F16 ? HalfFloats.f16ToFloat(HalfFloats.floatToF16(f32[i]))
                    : HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(f32[i]));
            assertEquals(rounded, m.lstm().params()[i], 0.0f, "parameter " + i);
        }
        float[] y = new float[2];
        m.head().apply(new float[] {1, 0}, 0, y, 0);
        assertArrayEquals(new float[] {1, 0.5f}, y, "head weights widened exactly");
        // through a file and the size-limited reader, too
        Path p = Files.write(Files.createTempFile("half", ".safetensors"), bytes);
        try {
            assertArrayEquals(m.lstm().params(), LstmModelFile.read(p, bytes.length).lstm().params());
        } finally {
            Files.delete(p);
        }
    }

    private static float[] run(Lstm<float[]> lstm, double[] x, int t) {
        ForwardPass<float[]> pass = lstm.forward(Precision.F32.fromDoubles(x), t, 1, null, null, null);
        return pass.output();
    }

    static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
    }
}
