package dev.lstmflink.core.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.testutil.Close;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ONNX {@code direction=reverse} read as the core's {@code go_backwards}, and nodes named in messages by their index
 * when they have no name.
 *
 * <p>Expected values: ONNX Runtime's operator tests, {@code onnxruntime/test/providers/cpu/rnn/deep_cpu_lstm_op_test.cc}
 * ({@code ForwardSimpleWeightsNoBiasTwoRows}, {@code ReverseSimpleWeightsNoBiasTwoRows},
 * {@code BidirectionalSimpleWeightsNoBiasTwoRows}): T = 2, B = 2, I = 1, H = 3, {@code X = [[1], [2]], [[10], [11]]}
 * ({@code [T,B,I]}), {@code W} rows (gates i, o, f, c) 0.1 0.2 0.3 | 0.4 1 2 | 3 4 10 | 11 12 13, {@code R} all 0.1,
 * no bias, zero initial state. The models are written here with {@link OnnxBuilder} (no {@code clip}: the ORT tests
 * set clip = 9999, which no pre-activation here reaches). One value by hand: the reverse node reads batch 0's t = 1
 * (x = 10) first, from zero state; unit 0: i = σ(1) = .731059, o = σ(4) = .982014, f = σ(30) ≈ 1, g = tanh(110) = 1, so
 * c = .731059 and h = .982014 · tanh(.731059) = .612494: ORT's {@code Y[1][0][0][0] = 0.61249432}.
 */
class OnnxReverseTest {

    private static final float[] X = {1, 2, 10, 11};
    private static final float[] W = {0.1f, 0.2f, 0.3f, 0.4f, 1, 2, 3, 4, 10, 11, 12, 13};

    // ORT's Y [T, D, B, H], Y_h and Y_c [D, B, H]
    private static final double[] FORWARD_Y = {
        0.28828835, 0.36581863, 0.45679406, 0.34526032, 0.47220859, 0.55850911,
        0.84196719, 0.89402526, 0.91073048, 0.85882828, 0.90703777, 0.92382453};
    private static final double[] FORWARD_Y_C = {
        1.27731147, 1.44181041, 1.53179041, 1.3249796, 1.51063104, 1.61451544};
    private static final double[] REVERSE_Y = {
        0.55391603, 0.69201493, 0.82696019, 0.64046413, 0.82303363, 0.91610711,
        0.61249432, 0.70678632, 0.74094619, 0.62759886, 0.71640738, 0.74624585};
    private static final double[] REVERSE_Y_H = {
        0.55391603, 0.69201493, 0.82696019, 0.64046413, 0.82303363, 0.91610711};
    private static final double[] REVERSE_Y_C = {
        1.27850552, 1.46799496, 1.57641257, 1.34960834, 1.54772296, 1.65633056};
    private static final double[] BIDIRECTIONAL_Y = {
        0.28828835, 0.36581863, 0.45679406, 0.34526032, 0.47220859, 0.55850911,
        0.55391603, 0.69201493, 0.82696019, 0.64046413, 0.82303363, 0.91610711,
        0.84196719, 0.89402526, 0.91073048, 0.85882828, 0.90703777, 0.92382453,
        0.61249432, 0.70678632, 0.74094619, 0.62759886, 0.71640738, 0.74624585};
    /** ORT's literals have 8 significant digits of a float32 computation; every value here agrees within 2e-7. */
    private static final double TOL = 2e-7;

    private static byte[] model(String direction, String nodeName) {
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        float[] w = new float[dirs * W.length];
        for (int d = 0; d < dirs; d++) {
            System.arraycopy(W, 0, w, d * W.length, W.length);
        }
        float[] r = new float[dirs * 12 * 3];
        Arrays.fill(r, 0.1f);
        return new OnnxBuilder()
                .initializer("W", new long[] {dirs, 12, 1}, w)
                .initializer("R", new long[] {dirs, 12, 3}, r)
                .node("LSTM", nodeName, List.of("X", "W", "R"), List.of("Y", "Y_h", "Y_c"),
                        "direction", direction, "hidden_size", 3L)
                .output("Y").output("Y_h").output("Y_c")
                .build();
    }

    private static ForwardPass<float[]> run(LstmModel m) {
        return m.lstm().forward(X, 2, 2, null, null, null);
    }

    @Test
    void reverseNodeIsGoBackwardsWithOnnxRuntimesNumbers() throws Exception {
        LstmModel m = OnnxLstm.read(model("reverse", "lstm_rev"), "rev");
        assertTrue(m.lstm().config().goBackwards());
        assertFalse(m.lstm().config().bidirectional());
        assertNull(m.head());
        ForwardPass<float[]> f = run(m);
        double[] out = Close.toDoubles(f.output());   // [T,B,H] in processing order: step s is input step T-1-s
        double[] inInputOrder = new double[out.length];
        System.arraycopy(out, 6, inInputOrder, 0, 6);
        System.arraycopy(out, 0, inInputOrder, 6, 6);
        Close.assertClose("Y", REVERSE_Y, inInputOrder, TOL);
        Close.assertClose("Y_h", REVERSE_Y_H, Close.toDoubles(f.hN()), TOL);
        Close.assertClose("Y_c", REVERSE_Y_C, Close.toDoubles(f.cN()), TOL);
        Close.assertClose("last output", REVERSE_Y_H, Close.toDoubles(f.lastOutput()), TOL);
    }

    @Test
    void forwardAndBidirectionalNodesOfTheSameCasesAgree() throws Exception {
        ForwardPass<float[]> fwd = run(OnnxLstm.read(model("forward", "lstm_fwd"), "fwd"));
        Close.assertClose("forward Y", FORWARD_Y, Close.toDoubles(fwd.output()), TOL);
        Close.assertClose("forward Y_c", FORWARD_Y_C, Close.toDoubles(fwd.cN()), TOL);
        ForwardPass<float[]> bi = run(OnnxLstm.read(model("bidirectional", "lstm_bi"), "bi"));
        // ORT's Y is [T, D, B, H]; the core's output [T, B, D·H]
        double[] out = Close.toDoubles(bi.output());
        double[] tdbh = new double[out.length];
        for (int t = 0; t < 2; t++) {
            for (int b = 0; b < 2; b++) {
                for (int d = 0; d < 2; d++) {
                    System.arraycopy(out, ((t * 2 + b) * 2 + d) * 3, tdbh, ((t * 2 + d) * 2 + b) * 3, 3);
                }
            }
        }
        Close.assertClose("bidirectional Y", BIDIRECTIONAL_Y, tdbh, TOL);
    }

    @Test
    void stackedReverseNodesAreRefusedNamingTheNode() {
        float[] w1 = W;
        float[] w2 = new float[12 * 3];
        float[] r = new float[12 * 3];
        Arrays.fill(w2, 0.05f);
        Arrays.fill(r, 0.1f);
        byte[] bytes = new OnnxBuilder()
                .initializer("W1", new long[] {1, 12, 1}, w1)
                .initializer("R1", new long[] {1, 12, 3}, r)
                .initializer("W2", new long[] {1, 12, 3}, w2)
                .initializer("R2", new long[] {1, 12, 3}, r)
                .node("LSTM", "first", List.of("X", "W1", "R1"), List.of("Y1"), "direction", "reverse",
                        "hidden_size", 3L)
                .node("Squeeze", "", List.of("Y1"), List.of("Y1s"))
                .node("LSTM", "", List.of("Y1s", "W2", "R2"), List.of("Y2"), "direction", "reverse",
                        "hidden_size", 3L)
                .output("Y2")
                .build();
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxLstm.read(bytes, "stack"));
        assertTrue(e.getMessage().startsWith("stack: LSTM node 'first' has direction=reverse in a stack of 2"),
                e.getMessage());
    }

    @Test
    void unnamedNodesAreNamedByTheirIndex() {
        // an unnamed LSTM with an option the core lacks: node #1, after an unnamed Identity
        byte[] clip = new OnnxBuilder()
                .initializer("W", new long[] {1, 12, 1}, W)
                .initializer("R", new long[] {1, 12, 3}, new float[36])
                .node("Identity", "", List.of("X0"), List.of("X"))
                .node("LSTM", "", List.of("X", "W", "R"), List.of("Y"), "hidden_size", 3L, "clip", 3.0f)
                .output("Y")
                .build();
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxLstm.read(clip, "clip"));
        assertEquals("clip: LSTM node #1 (unnamed) has clip=3.0; cell clipping is not supported", e.getMessage());
        // the same named: quoted as before
        byte[] named = new OnnxBuilder()
                .initializer("W", new long[] {1, 12, 1}, W)
                .initializer("R", new long[] {1, 12, 3}, new float[36])
                .node("LSTM", "enc", List.of("X", "W", "R"), List.of("Y"), "hidden_size", 3L, "clip", 3.0f)
                .output("Y")
                .build();
        e = assertThrows(OnnxFormatException.class, () -> OnnxLstm.read(named, "named"));
        assertTrue(e.getMessage().startsWith("named: LSTM node 'enc' has clip=3.0"), e.getMessage());
        // a weight of the wrong shape, an unknown direction, and a Relu (unnamed, #1) on Y before a head
        byte[] shape = new OnnxBuilder()
                .initializer("W", new long[] {1, 12, 1}, W)
                .initializer("R", new long[] {1, 12, 2}, new float[24])
                .node("LSTM", "", List.of("X", "W", "R"), List.of("Y"), "hidden_size", 3L)
                .output("Y")
                .build();
        e = assertThrows(OnnxFormatException.class, () -> OnnxLstm.read(shape, "shape"));
        assertTrue(e.getMessage().startsWith("shape: LSTM node #0 (unnamed): R has shape [1, 12, 2]"),
                e.getMessage());
        byte[] sideways = new OnnxBuilder()
                .initializer("W", new long[] {1, 12, 1}, W)
                .initializer("R", new long[] {1, 12, 3}, new float[36])
                .node("LSTM", "", List.of("X", "W", "R"), List.of("Y"), "hidden_size", 3L, "direction", "sideways")
                .output("Y")
                .build();
        e = assertThrows(OnnxFormatException.class, () -> OnnxLstm.read(sideways, "dir"));
        assertTrue(e.getMessage().startsWith("dir: LSTM node #0 (unnamed) has direction='sideways'"),
                e.getMessage());
        byte[] relu = new OnnxBuilder()
                .initializer("W", new long[] {1, 12, 1}, W)
                .initializer("R", new long[] {1, 12, 3}, new float[36])
                .node("LSTM", "", List.of("X", "W", "R"), List.of("Y"), "hidden_size", 3L)
                .node("Relu", "", List.of("Y"), List.of("Z"))
                .output("Z")
                .build();
        e = assertThrows(OnnxFormatException.class, () -> OnnxLstm.read(relu, "relu"));
        assertTrue(e.getMessage().contains("node #1 (unnamed) (Relu)")
                && e.getMessage().contains("LSTM node #0 (unnamed)"), e.getMessage());
    }
}
