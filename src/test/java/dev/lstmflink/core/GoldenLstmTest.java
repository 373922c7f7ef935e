package dev.lstmflink.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.lstmflink.core.io.LstmSafetensors;
import dev.lstmflink.core.kernel.DoubleLstmKernel;
import dev.lstmflink.core.kernel.LstmKernel;
import dev.lstmflink.core.kernel.LstmKernels;
import dev.lstmflink.core.kernel.ScalarLstmKernel;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.Gradients;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.GoldenCase;
import dev.lstmflink.testutil.GoldenFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code *.json} of the folder {@code -Dgolden.dir} (default: the repo's copy of the PyTorch-made vectors) is one
 * test case: forward, {@code h_n}, {@code c_n} and every gradient in float64 (tol 1e-10) and in float32 on each
 * float kernel (1e-5 forward, 1e-4 gradients), per-step streaming parity where the file has {@code per_step_h}, and
 * the {@code .safetensors} beside it.
 */
class GoldenLstmTest {

    static final String DIR_PROPERTY = "golden.dir";
    static final String DEFAULT_DIR = "src/test/resources/golden/lstm";

    @TestFactory
    Stream<DynamicNode> goldenCases() {
        return GoldenFiles.list(DIR_PROPERTY, DEFAULT_DIR).stream().map(GoldenLstmTest::caseTests);
    }

    private static DynamicNode caseTests(Path file) {
        GoldenCase[] memo = new GoldenCase[1];
        java.util.function.Supplier<GoldenCase> c = () -> memo[0] != null ? memo[0] : (memo[0] = GoldenCase.read(file));
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(dynamicTest("float64", () -> checkSequence(c.get(), Precision.F64, new DoubleLstmKernel(),
                1e-10, 1e-10)));
        for (LstmKernel<float[]> k : floatKernels()) {
            tests.add(dynamicTest("float32 " + k.name(), () -> checkSequence(c.get(), Precision.F32, k, 1e-5, 1e-4)));
            tests.add(dynamicTest("streaming float32 " + k.name(), () -> checkSteps(c.get(), Precision.F32, k, 1e-5)));
        }
        tests.add(dynamicTest("streaming float64", () -> checkSteps(c.get(), Precision.F64, new DoubleLstmKernel(),
                1e-10)));
        tests.add(dynamicTest("safetensors", () -> checkSafetensors(c.get())));
        String name = file.getFileName().toString().replaceFirst("\\.json$", "");
        return dynamicContainer(name, tests.stream());
    }

    static List<LstmKernel<float[]>> floatKernels() {
        List<LstmKernel<float[]>> ks = new ArrayList<>();
        ks.add(new ScalarLstmKernel());
        LstmKernels.vector().ifPresent(ks::add);
        return ks;
    }

    /** Forward and BPTT over the whole batch, compared with PyTorch. */
    static <A> void checkSequence(GoldenCase c, Precision<A> num, LstmKernel<A> kernel, double tolF, double tolG) {
        checkSequence(c, new Lstm<>(c.config, kernel, c.packedParams(num)), tolF, tolG);
    }

    static <A> void checkSequence(GoldenCase c, Lstm<A> lstm, double tolF, double tolG) {
        Precision<A> num = lstm.kernel().precision();
        ForwardPass<A> pass = lstm.forward(num.fromDoubles(c.input.data()), c.seqLen(), c.batch(),
                c.h0 == null ? null : num.fromDoubles(c.h0.data()),
                c.c0 == null ? null : num.fromDoubles(c.c0.data()), c.lengths);
        Close.assertClose("output", c.output.data(), num.toDoubles(pass.output()), tolF);
        Close.assertClose("h_n", c.hN.data(), num.toDoubles(pass.hN()), tolF);
        Close.assertClose("c_n", c.cN.data(), num.toDoubles(pass.cN()), tolF);

        double loss = dot(c.output.data(), c.gOutput.data()) + dot(c.hN.data(), c.gHn.data())
                + dot(c.cN.data(), c.gCn.data());
        assertEquals(c.lossValue, loss, 1e-9 * (1 + Math.abs(loss)), "loss_value of the file");

        Gradients<A> g = pass.backward(num.fromDoubles(c.gOutput.data()), num.fromDoubles(c.gHn.data()),
                num.fromDoubles(c.gCn.data()));
        for (TensorSpec spec : lstm.layout().tensors()) {
            double[] actual = lstm.layout().unpack(spec, num, g.params());
            Close.assertClose("d" + spec.name(), c.grads.get(spec.name()).data(), actual, tolG);
        }
        Close.assertClose("d input", c.grads.get("input").data(), num.toDoubles(g.input()), tolG);
        Close.assertClose("d h0", c.grads.get("h0").data(), num.toDoubles(g.h0()), tolG);
        Close.assertClose("d c0", c.grads.get("c0").data(), num.toDoubles(g.c0()), tolG);
    }

    /**
     * Feeds each sequence one event at a time. Where the file has {@code per_step_h/c} every step is compared; for
     * any streamable case the final state must equal {@code h_n}/{@code c_n} at each sequence's length.
     */
    static <A> void checkSteps(GoldenCase c, Precision<A> num, LstmKernel<A> kernel, double tol) {
        if (c.config.bidirectional()) {
            return; // cannot stream; LstmStepperTest checks the refusal
        }
        Lstm<A> lstm = new Lstm<>(c.config, kernel, c.packedParams(num));
        LstmStepper<A> stepper = lstm.stepper();
        int t = c.seqLen();
        int b = c.batch();
        int in = c.config.inputSize();
        int layers = c.config.numLayers();
        int hOut = c.config.outputSize();
        int hid = c.config.hiddenSize();
        A x = num.fromDoubles(c.input.data());
        A h0 = c.h0 == null ? null : num.fromDoubles(c.h0.data());
        A c0 = c.c0 == null ? null : num.fromDoubles(c.c0.data());
        for (int s = 0; s < b; s++) {
            A state = stepper.newState();
            stepper.loadState(state, h0, c0, b, s);
            int n = c.lengths == null ? t : c.lengths[s];
            for (int step = 0; step < n; step++) {
                int row = c.config.batchFirst() ? s * t + step : step * b + s;
                stepper.step(x, row * in, state);
                if (c.perStepH != null) {
                    for (int l = 0; l < layers; l++) {
                        Close.assertClose("per_step_h[" + step + "][" + l + "][" + s + "]",
                                slice(c.perStepH.data(), ((step * layers + l) * b + s) * hOut, hOut),
                                slice(num.toDoubles(state), stepper.hOffset(l), hOut), tol);
                        Close.assertClose("per_step_c[" + step + "][" + l + "][" + s + "]",
                                slice(c.perStepC.data(), ((step * layers + l) * b + s) * hid, hid),
                                slice(num.toDoubles(state), stepper.cOffset(l), hid), tol);
                    }
                }
            }
            for (int l = 0; l < layers; l++) {
                Close.assertClose("h_n[" + l + "][" + s + "] after stepping",
                        slice(c.hN.data(), (l * b + s) * hOut, hOut),
                        slice(num.toDoubles(state), stepper.hOffset(l), hOut), tol);
                Close.assertClose("c_n[" + l + "][" + s + "] after stepping",
                        slice(c.cN.data(), (l * b + s) * hid, hid),
                        slice(num.toDoubles(state), stepper.cOffset(l), hid), tol);
            }
        }
    }

    /** The safetensors file beside the JSON: config inferred, weights bit-identical, same outputs in float32. */
    static void checkSafetensors(GoldenCase c) throws Exception {
        Path st = c.path.resolveSibling(c.path.getFileName().toString().replaceFirst("\\.json$", ".safetensors"));
        LstmSafetensors.Loaded loaded = LstmSafetensors.read(st);
        assertEquals(c.config, loaded.config(), "config read from " + st.getFileName());
        float[] expected = c.packedParams(Precision.F32);
        float[] actual = loaded.params(Precision.F32);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError("parameter " + i + " of " + st.getFileName() + ": " + actual[i]
                        + " != JSON value " + expected[i]);
            }
        }
        checkSequence(c, loaded.f32(), 1e-5, 1e-4);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double[] slice(double[] a, int off, int n) {
        double[] s = new double[n];
        System.arraycopy(a, off, s, 0, n);
        return s;
    }

}
