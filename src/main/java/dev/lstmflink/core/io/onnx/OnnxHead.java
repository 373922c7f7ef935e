package dev.lstmflink.core.io.onnx;

import dev.lstmflink.core.io.onnx.OnnxGraph.Attribute;
import dev.lstmflink.core.io.onnx.OnnxGraph.Node;
import dev.lstmflink.core.io.onnx.OnnxGraph.Tensor;
import dev.lstmflink.core.nn.LinearHead;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dense head on the last LSTM node's output, as {@code torch.onnx.export} writes {@code head(lstm(x)[0])} for an
 * {@code nn.Linear(Hout, K)}: {@code MatMul(x, Wᵀ)} with the constant {@code Wᵀ [Hout, K]}, then {@code Add} of the
 * constant {@code head.bias [K]} (no Add for {@code bias=False}); or, for 2-D inputs, one {@code Gemm(x, W, b)} with
 * {@code alpha = beta = 1}, {@code transA = 0} and {@code transB} 0 or 1. Read into {@link LinearHead}'s
 * {@code weight [K, Hout]} and {@code bias [K]}.
 *
 * <p>What the core computes is {@code W h_t + b} on the last layer's {@code h_t}, so only nodes that move values
 * without combining them may stand between the LSTM's {@code Y} and the head, or between the head and a graph output:
 * {@link #SHAPE_ONLY} (the exporter's Squeeze of the direction axis, Transposes for {@code batch_first}, the
 * Transpose + Reshape that joins a bidirectional LSTM's two directions), with a Transpose keeping the feature axis
 * last. {@code Shape} nodes, which read only a shape, are passed over. Any other node on those paths (a Relu before the
 * head, a Sigmoid or Softmax after it, a second head) computes what the core does not, and is refused by name and op.
 * Reshape and Flatten are trusted to keep the features whole: the head's {@code Hout} rows, checked against the LSTM's
 * output size, catch a reshape that does not. A graph whose {@code Y} reaches only graph outputs has no head.
 */
final class OnnxHead {

    /** Ops that move or relabel the values of their first input without combining them. */
    static final Set<String> SHAPE_ONLY = Set.of("Squeeze", "Unsqueeze", "Transpose", "Reshape", "Flatten",
            "Identity");

    private final OnnxGraph graph;
    private final Map<String, Tensor> constants;
    private final Node lstm;
    private final String source;
    private final Set<String> seen = new HashSet<>();
    private Node matmul;

    private OnnxHead(OnnxGraph graph, Map<String, Tensor> constants, Node lstm, String source) {
        this.graph = graph;
        this.constants = constants;
        this.lstm = lstm;
        this.source = source;
    }

    /**
     * The head on the output {@code Y} of {@code lastLstm}, or null when {@code Y} reaches only graph outputs.
     *
     * @param hout the LSTM's output size ({@code D * hidden_size}), the head's in_features
     */
    static LinearHead read(OnnxGraph graph, Map<String, Tensor> constants, Node lastLstm, int hout, String source)
            throws OnnxFormatException {
        if (lastLstm.outputs().isEmpty() || lastLstm.outputs().get(0).isEmpty()) {
            return null;
        }
        OnnxHead h = new OnnxHead(graph, constants, lastLstm, source);
        h.findHead(lastLstm.outputs().get(0));
        return h.matmul == null ? null : h.readHead(hout);
    }

    /** Follows {@code value} through shape-only nodes to the one MatMul/Gemm that reads it as its input A. */
    private void findHead(String value) throws OnnxFormatException {
        if (!seen.add(value)) {
            return;
        }
        for (Node n : graph.consumers(value)) {
            if (n.opType().equals("Shape")) {
                continue;
            }
            if (shapeOnly(n, value)) {
                findHead(n.outputs().get(0));
            } else if ((n.opType().equals("MatMul") || n.opType().equals("Gemm")) && n.input(0).equals(value)) {
                if (matmul != null) {
                    throw new OnnxFormatException(source, "nodes " + label(matmul) + " and " + label(n)
                            + " both read the output Y of LSTM node " + lstm.label() + "; only one Linear head "
                            + "can be read");
                }
                matmul = n;
            } else {
                throw new OnnxFormatException(source, "node " + label(n) + " computes on the output Y of LSTM node "
                        + lstm.label() + " before any Linear head; the core applies no " + n.opType() + " there (only "
                        + "Squeeze, Unsqueeze, Transpose, Reshape, Flatten and Identity may stand between the LSTM "
                        + "and a MatMul/Gemm head)");
            }
        }
    }

    private LinearHead readHead(int hout) throws OnnxFormatException {
        Node n = matmul;
        double[] w;                 // (Hout, K) for MatMul and Gemm transB=0, (K, Hout) for transB=1
        boolean transposed;
        int k;
        double[] bias = null;
        String result = n.outputs().isEmpty() ? "" : n.outputs().get(0);
        if (n.opType().equals("Gemm")) {
            checkGemmAttributes(n);
            transposed = intAttr(n, "transB", 0) == 0;
            Tensor b = constant(n, 1, "B (the weight)");
            k = (int) checkWeightShape(n, b, transposed, hout);
            w = b.values();
            if (!n.input(2).isEmpty()) {
                bias = biasValues(n, constant(n, 2, "C (the bias)"), k);
            }
        } else {
            transposed = true;
            Tensor b = constant(n, 1, "B (the weight, transposed)");
            k = (int) checkWeightShape(n, b, true, hout);
            w = b.values();
            Node add = biasAdd(result);
            if (add != null) {
                String other = add.input(0).equals(result) ? add.input(1) : add.input(0);
                Tensor c = constants.get(other);
                bias = biasValues(add, c, k);
                result = add.outputs().get(0);
            }
        }
        seen.clear();
        if (!reachesOutput(result)) {
            throw new OnnxFormatException(source, "the result '" + result + "' of the head " + label(n)
                    + " is not a graph output");
        }
        float[] weight = new float[k * hout];   // (K, Hout)
        for (int o = 0; o < k; o++) {
            for (int j = 0; j < hout; j++) {
                weight[o * hout + j] = (float) (transposed ? w[j * k + o] : w[o * hout + j]);
            }
        }
        float[] b32 = null;
        if (bias != null) {
            b32 = new float[k];
            for (int o = 0; o < k; o++) {
                b32[o] = (float) bias[o];
            }
        }
        return new LinearHead(weight, b32, k, hout);
    }

    /** The Add after a MatMul head whose other input is a constant (the bias), or null. */
    private Node biasAdd(String matmulOut) {
        List<Node> readers = graph.consumers(matmulOut).stream().filter(x -> !x.opType().equals("Shape")).toList();
        if (readers.size() != 1 || !readers.get(0).opType().equals("Add")) {
            return null;
        }
        Node add = readers.get(0);
        String other = add.input(0).equals(matmulOut) ? add.input(1) : add.input(0);
        return add.inputs().size() == 2 && constants.containsKey(other) && !add.outputs().isEmpty() ? add : null;
    }

    /**
     * Whether {@code value} is a graph output or reaches one through shape-only nodes; a node that computes on it is
     * refused.
     */
    private boolean reachesOutput(String value) throws OnnxFormatException {
        if (!seen.add(value)) {
            return false;
        }
        boolean out = graph.outputs.contains(value);
        for (Node n : graph.consumers(value)) {
            if (n.opType().equals("Shape")) {
                continue;
            }
            if (!shapeOnly(n, value)) {
                String hint = n.opType().equals("Softmax") || n.opType().equals("LogSoftmax")
                        ? " (for class probabilities, export without it and run the job with output kind "
                        + "PROBABILITIES)" : "";
                throw new OnnxFormatException(source, "node " + label(n) + " reads '" + value + "', the result of "
                        + "the Linear head " + label(matmul) + "; the core computes no " + n.opType()
                        + " after the head, so the head's result must be a graph output" + hint);
            }
            out |= reachesOutput(n.outputs().get(0));
        }
        return out;
    }

    /** Whether {@code n} only moves {@code value} (its first input); a Transpose must keep the feature axis last. */
    private boolean shapeOnly(Node n, String value) throws OnnxFormatException {
        if (!SHAPE_ONLY.contains(n.opType()) || !n.input(0).equals(value) || n.outputs().isEmpty()
                || !(n.domain().isEmpty() || n.domain().equals("ai.onnx"))) {
            return false;
        }
        if (n.opType().equals("Transpose")) {
            Attribute perm = n.attributes().get("perm");
            List<Long> p = perm == null ? List.of() : perm.ints();
            if (p.isEmpty() || p.get(p.size() - 1) != p.size() - 1) {
                throw new OnnxFormatException(source, "node " + label(n) + " has perm=" + p + " (empty: reversed), "
                        + "which moves the feature axis of the LSTM's output; the head reads the last axis");
            }
        }
        return true;
    }

    private void checkGemmAttributes(Node n) throws OnnxFormatException {
        Attribute alpha = n.attributes().get("alpha");
        Attribute beta = n.attributes().get("beta");
        long transA = intAttr(n, "transA", 0);
        long transB = intAttr(n, "transB", 0);
        if (alpha != null && alpha.f() != 1f || beta != null && beta.f() != 1f && !n.input(2).isEmpty()) {
            throw new OnnxFormatException(source, "head " + label(n) + " has alpha=" + (alpha == null ? 1f : alpha.f())
                    + ", beta=" + (beta == null ? 1f : beta.f()) + "; only alpha = beta = 1 (nn.Linear) is read");
        }
        if (transA != 0 || transB != 0 && transB != 1) {
            throw new OnnxFormatException(source, "head " + label(n) + " has transA=" + transA + ", transB=" + transB
                    + "; expected transA=0 and transB 0 or 1");
        }
    }

    /** K, after checking that {@code b} is {@code [Hout, K]} (or {@code [K, Hout]} when not transposed). */
    private long checkWeightShape(Node n, Tensor b, boolean transposed, int hout) throws OnnxFormatException {
        long[] d = b.dims();
        if (d.length != 2 || d[transposed ? 0 : 1] != hout || d[transposed ? 1 : 0] == 0) {
            throw new OnnxFormatException(source, "head " + label(n) + ": weight '" + b.name() + "' has shape "
                    + Arrays.toString(d) + ", expected " + (transposed ? "[" + hout + ", K]" : "[K, " + hout + "]")
                    + " (" + hout + " = the LSTM's output size)");
        }
        return d[transposed ? 1 : 0];
    }

    private double[] biasValues(Node n, Tensor c, int k) throws OnnxFormatException {
        long[] d = c.dims();
        boolean ok = d.length == 1 && d[0] == k || d.length == 2 && d[0] == 1 && d[1] == k;
        if (!ok) {
            throw new OnnxFormatException(source, "head " + label(n) + ": bias '" + c.name() + "' has shape "
                    + Arrays.toString(d) + ", expected [" + k + "]");
        }
        return values(n, c, "bias");
    }

    private Tensor constant(Node n, int input, String what) throws OnnxFormatException {
        String name = n.input(input);
        Tensor t = constants.get(name);
        if (t == null) {
            throw new OnnxFormatException(source, "head " + label(n) + ": " + what + " ('" + name + "') is "
                    + (name.isEmpty() ? "missing" : "computed in the graph; only initializers and Constant nodes can "
                    + "be read"));
        }
        values(n, t, what);
        return t;
    }

    private double[] values(Node n, Tensor t, String what) throws OnnxFormatException {
        if (t.external()) {
            throw new OnnxFormatException(source, "head " + label(n) + ": " + what + " ('" + t.name() + "') is stored "
                    + "in an external file; save the model with its data inside");
        }
        if (t.values() == null) {
            throw new OnnxFormatException(source, "head " + label(n) + ": " + what + " ('" + t.name() + "') has data "
                    + "type " + t.typeName() + "; only FLOAT and DOUBLE are read");
        }
        return t.values();
    }

    private static long intAttr(Node n, String name, long dflt) {
        Attribute a = n.attributes().get(name);
        return a == null ? dflt : a.i();
    }

    static String label(Node n) {
        return n.label() + " (" + n.opType() + ")";
    }
}
