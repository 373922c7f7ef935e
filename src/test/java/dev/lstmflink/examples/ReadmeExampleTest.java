package dev.lstmflink.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lstmflink.core.io.LstmSafetensors;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.Gradients;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.GoldenCase;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Java example of the README, on the bundled example model, checked against PyTorch's values. */
class ReadmeExampleTest {

    @Test
    void readmeExampleRunsAndMatchesPyTorch() throws Exception {
        LstmSafetensors.Loaded model = LstmSafetensors.read(Path.of("examples/pytorch_lstm_i2_h16.safetensors"));
        Lstm<float[]> lstm = model.f32();
        LstmStepper<float[]> stepper = lstm.stepper();
        float[] state = stepper.newState();
        float[] x = {1.478f, -0.675f};
        stepper.step(x, 0, state);
        float firstUnit = state[stepper.outputOffset()];

        // The example model is golden case i_streaming; its first input is (1.4784385, -0.67452937).
        GoldenCase golden = GoldenCase.read(Path.of("src/test/resources/golden/lstm/i_streaming.json"));
        assertEquals(golden.perStepH.data()[0], firstUnit, 1e-3, "h_1[0] of the README's step");

        int seqLen = golden.seqLen();
        int batch = 1;
        float[] input = toFloats(golden.input.data());
        int[] lengths = null;
        ForwardPass<float[]> pass = lstm.forward(input, seqLen, batch, null, null, lengths);
        float[] output = pass.output();
        Close.assertClose("README forward", golden.output.data(), Close.toDoubles(output), 1e-5);

        float[] dOutput = toFloats(golden.gOutput.data());
        float[] dHn = toFloats(golden.gHn.data());
        float[] dCn = toFloats(golden.gCn.data());
        Gradients<float[]> g = pass.backward(dOutput, dHn, dCn);
        Close.assertClose("README backward, d input", golden.grads.get("input").data(), Close.toDoubles(g.input()),
                1e-4);
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
