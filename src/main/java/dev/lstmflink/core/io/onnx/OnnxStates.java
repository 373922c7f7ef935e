package dev.lstmflink.core.io.onnx;

import dev.lstmflink.core.io.onnx.OnnxGraph.Node;
import dev.lstmflink.core.io.onnx.OnnxGraph.Tensor;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The checks on an LSTM node's state: its inputs {@code sequence_lens} (4), {@code initial_h} (5) and
 * {@code initial_c} (6), and its outputs {@code Y_h} (1) and {@code Y_c} (2).
 *
 * <p>The streaming operator starts every key from zero state, and the import reads none of these inputs: a run of the
 * imported model starts from zeros, as PyTorch's {@code nn.LSTM} does when no {@code (h0, c0)} is passed. That is
 * exact when the file's initial state is zero, and for a runtime value (a graph input such as a user-fed {@code h0},
 * or the exporter's {@code Expand} of zeros to the batch size), which the caller of the ONNX graph chooses. A state
 * fixed in the file is checked: {@code initial_h}/{@code initial_c} computed from a constant (an initializer or a
 * {@code Constant} node, possibly through Identity, Expand, Tile, Slice, Gather, Cast or a shape-only node, as the
 * exporter writes a learned {@code h0} expanded to the batch and sliced per layer) with any non-zero value are refused,
 * since a learned initial state is not supported; a constant {@code sequence_lens} is refused, since a stream has no
 * fixed sequence length. The outputs {@code Y_h}/{@code Y_c} may only reach graph outputs (through shape-only nodes
 * and the exporter's {@code Concat} of the layers' states into {@code h_n}/{@code c_n}): a node that computes on them,
 * such as a head on {@code h_n[-1]}, is refused rather than dropped.
 */
final class OnnxStates {

    /** Ops through which a constant initial state reaches the LSTM unchanged or in part (followed on input 0). */
    private static final Set<String> PASS = Set.of("Identity", "Expand", "Tile", "Slice", "Gather", "Cast", "Squeeze",
            "Unsqueeze", "Reshape", "Transpose", "Flatten");

    private OnnxStates() {}

    /** Refuses a constant non-zero {@code initial_h}/{@code initial_c} or a constant {@code sequence_lens}. */
    static void checkInputs(Node lstm, Map<String, Tensor> constants, Map<String, Node> producers, String source)
            throws OnnxFormatException {
        String seqLens = lstm.input(4);
        if (!seqLens.isEmpty() && constantSource(seqLens, constants, producers) != null) {
            throw new OnnxFormatException(source, "LSTM node " + lstm.label() + ": input sequence_lens ('" + seqLens
                    + "') is a constant; fixed sequence lengths are not supported (a stream steps every event)");
        }
        String[] names = {"initial_h", "initial_c"};
        for (int k = 0; k < 2; k++) {
            String value = lstm.input(5 + k);
            if (value.isEmpty()) {
                continue;
            }
            String from = constantSource(value, constants, producers);
            if (from == null) {
                continue;   // a runtime value: not read, runs start from zero state
            }
            Tensor t = constants.get(from);
            String what = "LSTM node " + lstm.label() + ": input " + names[k] + " ('" + value + "')"
                    + (from.equals(value) ? "" : " is computed from constant '" + from + "', which");
            if (t.external() || t.values() == null) {
                throw new OnnxFormatException(source, what + " is a constant of type " + t.typeName()
                        + (t.external() ? " in an external file" : "") + " that cannot be checked to be zero; the "
                        + "streaming operator starts every key from zero state");
            }
            double[] v = t.values();
            for (int i = 0; i < v.length; i++) {
                if (v[i] != 0.0) {
                    throw new OnnxFormatException(source, what + " holds non-zero values (index " + i + ": " + v[i]
                            + "); the streaming operator starts every key from zero state, so a learned initial "
                            + "state is not supported");
                }
            }
        }
    }

    /** Refuses a node that computes on the node's {@code Y_h} or {@code Y_c}. */
    static void checkOutputs(OnnxGraph graph, Node lstm, String source) throws OnnxFormatException {
        String[] names = {"Y_h", "Y_c"};
        for (int k = 1; k <= 2 && k < lstm.outputs().size(); k++) {
            String value = lstm.outputs().get(k);
            if (!value.isEmpty()) {
                onlyToOutputs(graph, lstm, names[k - 1], value, new HashSet<>(), source);
            }
        }
    }

    private static void onlyToOutputs(OnnxGraph graph, Node lstm, String what, String value, Set<String> seen,
                                      String source) throws OnnxFormatException {
        if (!seen.add(value)) {
            return;
        }
        for (Node n : graph.consumers(value)) {
            boolean moves = n.opType().equals("Concat")
                    || OnnxHead.SHAPE_ONLY.contains(n.opType()) && n.input(0).equals(value);
            if (n.opType().equals("Shape") || n.opType().equals("LSTM")) {
                continue;   // a shape; or a next LSTM, whose inputs are checked on their own
            }
            if (!moves || n.outputs().isEmpty()) {
                throw new OnnxFormatException(source, "node " + OnnxHead.label(n) + " computes on the final state "
                        + what + " of LSTM node " + lstm.label() + "; only a head on the output sequence Y is read "
                        + "(export head(lstm(x)[0]) rather than a head on h_n)");
            }
            onlyToOutputs(graph, lstm, what, n.outputs().get(0), seen, source);
        }
    }

    /**
     * The name of the constant {@code value} is read from, through {@link #PASS} nodes; null when it is computed at
     * run time.
     */
    private static String constantSource(String value, Map<String, Tensor> constants, Map<String, Node> producers) {
        Set<String> seen = new HashSet<>();
        String v = value;
        while (seen.add(v)) {
            if (constants.containsKey(v)) {
                return v;
            }
            Node p = producers.get(v);
            if (p == null || !PASS.contains(p.opType()) || p.input(0).isEmpty()) {
                return null;
            }
            v = p.input(0);
        }
        return null;
    }
}
