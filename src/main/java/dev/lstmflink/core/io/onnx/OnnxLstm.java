package dev.lstmflink.core.io.onnx;

import dev.lstmflink.core.io.file.ModelBytes;
import dev.lstmflink.core.io.onnx.OnnxGraph.Attribute;
import dev.lstmflink.core.io.onnx.OnnxGraph.Node;
import dev.lstmflink.core.io.onnx.OnnxGraph.Tensor;
import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code LSTM} nodes of an ONNX model (https://onnx.ai/onnx/operators/onnx__LSTM.html) into an
 * {@link LstmModel}: one node per layer, stacked in graph order, as {@code torch.onnx.export} writes an
 * {@code nn.LSTM}.
 *
 * <p>ONNX stores each direction's gates in the order i, o, f, c: {@code W [D, 4H, I]}, {@code R [D, 4H, H]} and
 * {@code B [D, 8H]} (the input bias {@code Wb} then the recurrent bias {@code Rb}). PyTorch's order is i, f, g (= c),
 * o, so gate block {@code p} of {@code weight_ih} is block {@link #ONNX_BLOCK}{@code [p]} of {@code W}; {@code Wb} and
 * {@code Rb} become {@code bias_ih} and {@code bias_hh}. Direction 1 of a bidirectional node is PyTorch's
 * {@code _reverse}. Weights are initializers or {@code Constant} nodes, as float or double, in {@code raw_data} or
 * {@code float_data}/{@code double_data}.
 *
 * <p>Attributes: {@code hidden_size} (checked against W), {@code direction} forward, bidirectional or reverse,
 * {@code layout} 0 ({@code [T,B,I]}) or 1 ({@code [B,T,I]}, read as {@code batch_first}). A {@code reverse} node
 * is read as the core's {@code go_backwards} LSTM: ONNX's reference ({@code onnx/reference/ops/op_lstm.py}) runs the
 * forward recurrence over {@code flip(X)} and returns {@code flip(Y)}, so {@code Y_h}, {@code Y_c} are the
 * go_backwards {@code h_n}, {@code c_n} and ONNX's {@code Y[t]} is the core's output at processing step
 * {@code T-1-t} (Keras returns go_backwards outputs in processing order, ONNX in input order). Only a single
 * reverse node is read: a stack of them is refused (see {@link #read}). Refused with a message naming the node (by
 * name, or by its index in the graph's node list when unnamed): {@code activations} the core
 * lacks or with g ≠ h (see {@link #activations}), {@code clip}, {@code input_forget=1}, peepholes {@code P}, external data, and
 * consecutive nodes that are not stacked (node l's input must be computed from node l−1's output).
 *
 * <p>State: {@code initial_h}, {@code initial_c} and {@code sequence_lens} are not read, so every run of the model
 * starts from zero state, as PyTorch's {@code nn.LSTM} does when no {@code (h0, c0)} is passed (and as the streaming
 * operator starts every key). A runtime value there (the exporter's {@code Expand} of zeros, a user-fed {@code h0}) is
 * the graph caller's choice; a constant initial state with a non-zero value, a constant {@code sequence_lens} and a
 * node computing on {@code Y_h}/{@code Y_c} are refused (see {@link OnnxStates}).
 *
 * <p>Head: a {@code nn.Linear} on the last node's output {@code Y} (MatMul + Add, or Gemm) becomes the model's
 * {@link LinearHead}; nodes that only move values (Squeeze, Transpose, Reshape, …) may stand around it, any other
 * computation on that path is refused, and a graph whose {@code Y} reaches only graph outputs has no head (see
 * {@link OnnxHead}); a head on a bidirectional LSTM is refused, since a model's head reads a forward LSTM's
 * {@code h_t}. The exporter's other nodes (the Shape/Expand that build the zero state) are not interpreted.
 */
public final class OnnxLstm {

    /** For PyTorch gate p (i, f, g, o), the block of the ONNX tensors (order i, o, f, c) that holds it. */
    static final int[] ONNX_BLOCK = {0, 2, 3, 1};

    private OnnxLstm() {}

    /**
     * Reads the model's LSTM.
     *
     * @param bytes  a serialized ONNX {@code ModelProto}
     * @param source a name for messages, usually the file path
     */
    public static LstmModel read(byte[] bytes, String source) throws OnnxFormatException {
        OnnxGraph graph = OnnxGraph.parse(bytes, source);
        Map<String, Tensor> constants = graph.constants();
        Map<String, Node> producers = graph.producers();
        List<Node> lstms = new ArrayList<>();
        for (Node n : graph.nodes) {
            if (n.opType().equals("LSTM") && (n.domain().isEmpty() || n.domain().equals("ai.onnx"))) {
                lstms.add(n);
            }
        }
        if (lstms.isEmpty()) {
            throw new OnnxFormatException(source, "no LSTM node in the graph (" + graph.nodes.size() + " nodes)");
        }
        List<Layer> layers = new ArrayList<>();
        for (Node n : lstms) {
            layers.add(layer(n, constants, source));
            OnnxStates.checkInputs(n, constants, producers, source);
            OnnxStates.checkOutputs(graph, n, source);
        }
        Layer first = layers.get(0);
        for (Layer c : layers) {
            if (c.reverse && layers.size() > 1) {
                // ONNX stacks reverse nodes on each other's Y in input order, so every layer reads time backwards;
                // the core's go_backwards (Keras') hands each layer the previous one's outputs in processing order,
                // which the next layer reverses again: the two differ from the second layer on
                throw new OnnxFormatException(source, "LSTM node " + c.label + " has direction=reverse in a stack of "
                        + layers.size() + " LSTM nodes; a reverse node is read only alone (the core's go_backwards "
                        + "stacks as Keras' does, each layer re-reversing the previous one's output, which a stack of "
                        + "ONNX reverse nodes does not)");
            }
        }
        for (int l = 1; l < layers.size(); l++) {
            Layer c = layers.get(l);
            Layer prev = layers.get(l - 1);
            String what = "LSTM node " + c.label + " (layer " + l + ") ";
            if (c.gates != first.gates || c.cell != first.cell) {
                throw new OnnxFormatException(source, what + "computes with " + c.gates + "/" + c.cell + " but "
                        + first.label + " with " + first.gates + "/" + first.cell
                        + "; stacked layers must agree (one nn.LSTM config)");
            }
            if (c.hidden != first.hidden || c.dirs != first.dirs || c.layout != first.layout) {
                throw new OnnxFormatException(source, what + "has hidden_size=" + c.hidden + ", " + c.dirs
                        + " direction(s), layout=" + c.layout + " but " + first.label + " has " + first.hidden + ", "
                        + first.dirs + ", " + first.layout + "; stacked layers must agree (one nn.LSTM)");
            }
            if (c.input != first.dirs * first.hidden) {
                throw new OnnxFormatException(source, what + "has input size " + c.input + ", expected "
                        + first.dirs * first.hidden + " (the previous layer's output)");
            }
            if (!computedFrom(producers, c.node.input(0), prev.node.outputs().isEmpty() ? "" : prev.node.outputs().get(0))) {
                throw new OnnxFormatException(source, what + "does not read the output Y of " + prev.label
                        + "; only LSTM nodes stacked one on another (one nn.LSTM) can be read");
            }
        }
        boolean bias = layers.stream().anyMatch(x -> x.b != null);
        LstmConfig config;
        try {
            config = new LstmConfig(first.input, first.hidden, layers.size(), bias, first.layout == 1, 0.0,
                    first.dirs == 2, 0).withRecurrentActivation(first.gates).withActivation(first.cell)
                    .withGoBackwards(first.reverse);
        } catch (IllegalArgumentException e) {
            List<String> labels = new ArrayList<>();
            layers.forEach(x -> labels.add(x.label));
            throw new OnnxFormatException(source, "the LSTM nodes " + String.join(", ", labels)
                    + " give an invalid LSTM: " + e.getMessage());
        }
        LstmLayout layout = new LstmLayout(config);
        float[] flat = new float[layout.size()];
        for (TensorSpec spec : layout.tensors()) {
            int l = Integer.parseInt(spec.name().replaceAll("^[a-z_]+_l(\\d+)(_reverse)?$", "$1"));
            int d = spec.name().endsWith("_reverse") ? 1 : 0;
            layout.pack(spec, pytorchTensor(layers.get(l), d, spec.kind()), Precision.F32, flat);
        }
        Node last = lstms.get(lstms.size() - 1);
        // a reverse node's head reads Y in input order; the model applies it to the outputs in processing order:
        // the same per-step values, in the order of LstmModel's output (see the class comment)
        LinearHead head = OnnxHead.read(graph, constants, last, config.numDirections() * config.outputSize(), source);
        if (head != null && config.bidirectional()) {
            // LstmModel's head reads one direction's h_t, as the streaming operator steps forward only
            throw new OnnxFormatException(source, "LSTM node " + last.label() + " is bidirectional and has a Linear "
                    + "head on both directions' output [" + head.inFeatures() + "]; a model's head reads the output "
                    + "of a forward LSTM (export a bidirectional LSTM without its head)");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "onnx");
        meta.put("onnx_producer", graph.producer);
        List<String> names = new ArrayList<>();
        layers.forEach(x -> names.add(x.node.name().isEmpty() ? "#" + x.node.index() : x.node.name()));
        meta.put("onnx_lstm_nodes", String.join(",", names));
        return new LstmModel(Lstm.f32(config, flat), head, ModelBytes.hashVersion(bytes), meta);
    }

    /** One LSTM node's checked weights. */
    private record Layer(Node node, String label, Activation gates, Activation cell, int dirs, boolean reverse,
                         int hidden, int input, int layout, double[] w, double[] r, double[] b) {}

    private static Layer layer(Node n, Map<String, Tensor> constants, String source) throws OnnxFormatException {
        String label = n.label();
        String direction = stringAttr(n, "direction", "forward", source);
        int dirs = switch (direction) {
            case "forward", "reverse" -> 1;
            case "bidirectional" -> 2;
            default -> throw new OnnxFormatException(source, "LSTM node " + label + " has direction='" + direction
                    + "'; expected forward, reverse or bidirectional");
        };
        Activation[] acts = activations(n, label, dirs, source);
        if (n.attributes().containsKey("clip")) {
            throw new OnnxFormatException(source, "LSTM node " + label + " has clip=" + n.attributes().get("clip").f()
                    + "; cell clipping is not supported");
        }
        long inputForget = intAttr(n, "input_forget", 0);
        if (inputForget != 0) {
            throw new OnnxFormatException(source, "LSTM node " + label + " has input_forget=" + inputForget
                    + "; coupled input and forget gates are not supported");
        }
        long layout = intAttr(n, "layout", 0);
        if (layout != 0 && layout != 1) {
            throw new OnnxFormatException(source, "LSTM node " + label + " has layout=" + layout + "; expected 0 or 1");
        }
        if (!n.input(7).isEmpty()) {
            throw new OnnxFormatException(source, "LSTM node " + label + " has peephole weights P ('" + n.input(7)
                    + "'); peephole connections are not supported");
        }
        Tensor w = weight(n, 1, "W", constants, source, true);
        long[] wd = w.dims();
        if (wd.length != 3 || wd[0] != dirs || wd[1] % 4 != 0 || wd[1] == 0) {
            throw new OnnxFormatException(source, "LSTM node " + label + ": W has shape " + Arrays.toString(wd)
                    + ", expected [" + dirs + ", 4*hidden_size, input_size]");
        }
        int h = (int) (wd[1] / 4);
        int in = (int) wd[2];
        long declared = intAttr(n, "hidden_size", h);
        if (declared != h) {
            throw new OnnxFormatException(source, "LSTM node " + label + " has hidden_size=" + declared
                    + " but W has shape " + Arrays.toString(wd));
        }
        Tensor r = weight(n, 2, "R", constants, source, true);
        expectShape(r, new long[] {dirs, 4L * h, h}, "R", label, source);
        Tensor b = weight(n, 3, "B", constants, source, false);
        if (b != null) {
            expectShape(b, new long[] {dirs, 8L * h}, "B", label, source);
        }
        return new Layer(n, label, acts[0], acts[1], dirs, direction.equals("reverse"), h, in, (int) layout,
                w.values(), r.values(), b == null ? null : b.values());
    }

    /**
     * The node's {@code activations} (f for the gates, g for the cell input, h for the output, per direction) as the
     * core's {gate activation, cell activation}. The core has one cell activation for g and h (Keras' {@code
     * activation}), so g and h must agree, and both directions must agree. Names: Sigmoid, Tanh, Relu;
     * {@code HardSigmoid} only with alpha = 1/6 and beta = 0.5 (Keras 3's hard_sigmoid; ONNX's default 0.2 is Keras
     * 2's, which the core does not have); {@code Affine} only with alpha = 1, beta = 0 (linear). {@code
     * activation_alpha} / {@code activation_beta} are consumed in the order of the functions that take them (ONNX's
     * LSTM specification); a function without its value there gets its operator's default.
     */
    private static Activation[] activations(Node n, String label, int dirs, String source) throws OnnxFormatException {
        Attribute acts = n.attributes().get("activations");
        if (acts == null) {
            return new Activation[] {Activation.SIGMOID, Activation.TANH};
        }
        List<String> names = acts.strings();
        if (names.size() != 3 * dirs) {
            throw new OnnxFormatException(source, "LSTM node " + label + " has activations=" + names + "; expected "
                    + 3 * dirs + " names (f, g, h per direction)");
        }
        Attribute alphaAttr = n.attributes().get("activation_alpha");
        Attribute betaAttr = n.attributes().get("activation_beta");
        List<Float> alphas = alphaAttr == null ? List.of() : alphaAttr.floats();
        List<Float> betas = betaAttr == null ? List.of() : betaAttr.floats();
        int ai = 0;
        int bi = 0;
        Activation[] mapped = new Activation[names.size()];
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            boolean takesAlpha = List.of("HardSigmoid", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "Elu")
                    .contains(name);
            boolean takesBeta = List.of("HardSigmoid", "Affine", "ScaledTanh").contains(name);
            double alpha = takesAlpha && ai < alphas.size() ? alphas.get(ai++) : defaultAlpha(name);
            double beta = takesBeta && bi < betas.size() ? betas.get(bi++) : defaultBeta(name);
            mapped[i] = switch (name) {
                case "Sigmoid" -> Activation.SIGMOID;
                case "Tanh" -> Activation.TANH;
                case "Relu" -> Activation.RELU;
                case "HardSigmoid" -> {
                    if (Math.abs(alpha - 1.0 / 6.0) > 1e-6 || Math.abs(beta - 0.5) > 1e-6) {
                        throw new OnnxFormatException(source, "LSTM node " + label + " has HardSigmoid with alpha="
                                + alpha + ", beta=" + beta + "; only alpha=1/6, beta=0.5 (Keras 3's hard_sigmoid) "
                                + "is supported");
                    }
                    yield Activation.HARD_SIGMOID;
                }
                case "Affine" -> {
                    if (alpha != 1.0 || beta != 0.0) {
                        throw new OnnxFormatException(source, "LSTM node " + label + " has Affine with alpha=" + alpha
                                + ", beta=" + beta + "; only alpha=1, beta=0 (linear) is supported");
                    }
                    yield Activation.LINEAR;
                }
                default -> throw new OnnxFormatException(source, "LSTM node " + label + " has activations=" + names
                        + "; " + name + " is not supported (Sigmoid, Tanh, Relu, HardSigmoid(1/6, 0.5), Affine(1, 0))");
            };
        }
        for (int d = 0; d < dirs; d++) {
            if (mapped[3 * d + 1] != mapped[3 * d + 2] || mapped[3 * d] != mapped[0] || mapped[3 * d + 1] != mapped[1]) {
                throw new OnnxFormatException(source, "LSTM node " + label + " has activations=" + names
                        + "; the core needs g = h (one cell activation) and the same functions in both directions");
            }
        }
        return new Activation[] {mapped[0], mapped[1]};
    }

    private static double defaultAlpha(String name) {
        return switch (name) {
            case "HardSigmoid" -> 0.2;
            case "LeakyRelu" -> 0.01;
            default -> 1.0;
        };
    }

    private static double defaultBeta(String name) {
        return name.equals("HardSigmoid") ? 0.5 : 0.0;
    }

    /**
     * The PyTorch tensor of one direction, row-major: rows are gathered from the ONNX blocks in PyTorch's gate order.
     */
    private static double[] pytorchTensor(Layer x, int d, LstmLayout.Kind kind) {
        int h = x.hidden;
        return switch (kind) {
            case WEIGHT_IH -> reorder(x.w, d * 4 * h * x.input, h, x.input);
            case WEIGHT_HH -> reorder(x.r, d * 4 * h * h, h, h);
            case BIAS_IH -> x.b == null ? new double[4 * h] : reorder(x.b, d * 8 * h, h, 1);
            case BIAS_HH -> x.b == null ? new double[4 * h] : reorder(x.b, d * 8 * h + 4 * h, h, 1);
            case WEIGHT_HR -> throw new IllegalStateException("ONNX LSTMs have no projection");
        };
    }

    /** {@code [4H, cols]} starting at {@code off}, with its four H-row blocks moved from ONNX's to PyTorch's order. */
    private static double[] reorder(double[] src, int off, int h, int cols) {
        double[] out = new double[4 * h * cols];
        for (int p = 0; p < 4; p++) {
            System.arraycopy(src, off + ONNX_BLOCK[p] * h * cols, out, p * h * cols, h * cols);
        }
        return out;
    }

    private static Tensor weight(Node n, int k, String what, Map<String, Tensor> constants, String source,
                                 boolean required) throws OnnxFormatException {
        String name = n.input(k);
        String label = "LSTM node " + n.label();
        if (name.isEmpty()) {
            if (required) {
                throw new OnnxFormatException(source, label + " has no input " + what);
            }
            return null;
        }
        Tensor t = constants.get(name);
        if (t == null) {
            throw new OnnxFormatException(source, label + ": " + what + " ('" + name + "') is computed in the graph;"
                    + " only initializers and Constant nodes can be read");
        }
        if (t.external()) {
            throw new OnnxFormatException(source, label + ": " + what + " ('" + name + "') is stored in an external"
                    + " file; save the model with its data inside (onnx.save(..., save_as_external_data=False))");
        }
        if (t.values() == null) {
            throw new OnnxFormatException(source, label + ": " + what + " ('" + name + "') has data type "
                    + t.typeName() + "; only FLOAT and DOUBLE weights are read");
        }
        return t;
    }

    private static void expectShape(Tensor t, long[] shape, String what, String label, String source)
            throws OnnxFormatException {
        if (!Arrays.equals(t.dims(), shape)) {
            throw new OnnxFormatException(source, "LSTM node " + label + ": " + what + " has shape "
                    + Arrays.toString(t.dims()) + ", expected " + Arrays.toString(shape));
        }
    }

    /** Whether value {@code target} is an ancestor of {@code value} (or the same), through the graph's nodes. */
    private static boolean computedFrom(Map<String, Node> producer, String value, String target) {
        Deque<String> todo = new ArrayDeque<>(List.of(value));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (v.equals(target)) {
                return true;
            }
            Node p = producer.get(v);
            if (seen.add(v) && p != null) {
                p.inputs().stream().filter(i -> !i.isEmpty()).forEach(todo::push);
            }
        }
        return false;
    }

    private static String stringAttr(Node n, String name, String dflt, String source) throws OnnxFormatException {
        Attribute a = n.attributes().get(name);
        if (a == null) {
            return dflt;
        }
        if (a.s() == null) {
            throw new OnnxFormatException(source, "LSTM node " + n.label() + ": attribute " + name
                    + " is not a string");
        }
        return a.s();
    }

    private static long intAttr(Node n, String name, long dflt) {
        Attribute a = n.attributes().get(name);
        return a == null ? dflt : a.i();
    }
}
