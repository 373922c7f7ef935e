package dev.lstmflink.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.core.io.LstmConfigJson;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One golden LSTM case computed by PyTorch ({@code golden/FORMAT.md}, section {@code lstm/*.json}). */
public final class GoldenCase {

    /** A tensor of the file: shape and row-major values. */
    public record Tensor(int[] shape, double[] data) {
        public int dim(int i) {
            return shape[i];
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public final Path path;
    public final String name;
    public final LstmConfig config;
    public final Map<String, Tensor> params = new LinkedHashMap<>();
    public final Tensor input;
    public final Tensor h0;
    public final Tensor c0;
    public final int[] lengths;
    public final Tensor output;
    public final Tensor hN;
    public final Tensor cN;
    public final Tensor gOutput;
    public final Tensor gHn;
    public final Tensor gCn;
    public final double lossValue;
    public final Map<String, Tensor> grads = new LinkedHashMap<>();
    public final Tensor perStepH;
    public final Tensor perStepC;

    private GoldenCase(Path path, JsonNode root) {
        this.path = path;
        this.name = root.path("name").asText(path.getFileName().toString());
        this.config = LstmConfigJson.fromJson(root.get("config").toString(), LstmConfig.of(1, 1));
        root.get("params").fields().forEachRemaining(e -> params.put(e.getKey(), tensor(e.getValue())));
        this.input = tensor(root.get("input"));
        this.h0 = tensor(root.get("h0"));
        this.c0 = tensor(root.get("c0"));
        JsonNode len = root.get("lengths");
        if (len == null || len.isNull()) {
            this.lengths = null;
        } else {
            this.lengths = new int[len.size()];
            for (int i = 0; i < lengths.length; i++) {
                lengths[i] = len.get(i).intValue();
            }
        }
        JsonNode exp = root.get("expected");
        this.output = tensor(exp.get("output"));
        this.hN = tensor(exp.get("h_n"));
        this.cN = tensor(exp.get("c_n"));
        JsonNode grad = root.get("grad");
        this.gOutput = tensor(grad.get("output_weights"));
        this.gHn = tensor(grad.get("h_n_weights"));
        this.gCn = tensor(grad.get("c_n_weights"));
        this.lossValue = grad.get("loss_value").doubleValue();
        grad.get("expected").fields().forEachRemaining(e -> grads.put(e.getKey(), tensor(e.getValue())));
        this.perStepH = tensor(root.get("per_step_h"));
        this.perStepC = tensor(root.get("per_step_c"));
    }

    public static GoldenCase read(Path path) {
        try {
            return new GoldenCase(path, JSON.readTree(path.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden case " + path, e);
        }
    }

    /** T: the time dimension of the input. */
    public int seqLen() {
        return config.batchFirst() ? input.dim(1) : input.dim(0);
    }

    public int batch() {
        return config.batchFirst() ? input.dim(0) : input.dim(1);
    }

    /** The case's parameters in {@link LstmLayout}'s flat order, in the given precision. */
    public <A> A packedParams(Precision<A> num) {
        LstmLayout layout = new LstmLayout(config);
        A flat = num.allocate(layout.size());
        for (TensorSpec spec : layout.tensors()) {
            Tensor t = params.get(spec.name());
            if (t == null) {
                throw new AssertionError(name + ": params has no " + spec.name());
            }
            layout.pack(spec, t.data(), num, flat);
        }
        return flat;
    }

    private static Tensor tensor(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode s = node.get("shape");
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = s.get(i).intValue();
        }
        JsonNode d = node.get("data");
        double[] data = new double[d.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = d.get(i).doubleValue();
        }
        return new Tensor(shape, data);
    }
}
