package dev.lstmflink.cli;

import dev.lstmflink.core.io.EmbeddingConfigJson;
import dev.lstmflink.core.io.EmbeddingTensors;
import dev.lstmflink.core.io.LstmConfigJson;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.LstmSafetensors;
import dev.lstmflink.core.io.ModelContents;
import dev.lstmflink.core.io.ModelFormat;
import dev.lstmflink.core.io.NamedTensor;
import dev.lstmflink.core.io.SafetensorsFile;
import dev.lstmflink.core.io.SafetensorsFormatException;
import dev.lstmflink.core.io.WolframLstmJson;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.nn.Embedding;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code lstm inspect}: what a model file holds, in any format {@code lstm forward} reads, like Keras'
 * {@code summary()} and Wolfram's {@code Information[net]}: the format, the config, every array under its PyTorch,
 * Keras and Wolfram names with shape and parameter count, the normalization and the metadata.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = LstmCli.Version.class,
        description = {"Prints the LSTM of a model file (safetensors or wolfram-lstm JSON, told apart by content): "
                + "the format, config, the embedding front end (embedding.weight, embedding_config) when there is one, "
                + "every array under its PyTorch, Keras and Wolfram names with shape and parameter count, the input "
                + "normalization and the metadata; for safetensors also every stored tensor with its "
                + "dtype. Exit code 2 when the file holds no usable LSTM."})
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    LstmCli parent;

    @Parameters(index = "0", paramLabel = "FILE", description = "model file (safetensors or wolfram-lstm JSON)")
    Path file;

    @Option(names = "--prefix", paramLabel = "PREFIX",
            description = "module prefix of the LSTM's tensors (e.g. 'lstm.'), when a safetensors file holds several "
                    + "LSTMs")
    String prefix;

    @Override
    public Integer call() {
        return CliRunner.run(spec, parent != null && parent.verbose, this::run);
    }

    /** A model file's bytes under the default size limit, naming the file in every error. */
    static byte[] readModelBytes(Path file) throws IOException, CliException {
        if (Files.isDirectory(file)) {
            throw new CliException(file + ": is a directory, expected a model file");
        }
        return LstmModelFile.readBytes(file, LstmModelFile.DEFAULT_MAX_BYTES);
    }

    /** Safetensors when detected as such, and for a file of no known format (whose error comes from that reader). */
    static boolean isSafetensors(byte[] bytes) {
        Optional<ModelFormat> f = ModelFormat.detect(bytes, bytes.length);
        return f.isEmpty() || f.get() == ModelFormat.SAFETENSORS;
    }

    private void run() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        byte[] bytes = readModelBytes(file);
        out.println("file: " + file);
        if (isSafetensors(bytes)) {
            safetensors(out, bytes);
        } else {
            ModelContents c = LstmModelFile.readContents(bytes, file.toString());
            out.println("format: " + c.format().displayName());
            printConfig(out, c.config());
            printEmbedding(out, c.embedding() == null ? null : c.embedding().config(), c.config());
            printArrays(out, c.config(), c.headWeight() == null ? "" : "lstm.", c.headOut(), c.headBias() != null,
                    c.embedding() == null ? null : c.embedding().config());
            printNormalization(out, c.metadata());
            printMetadata(out, c.metadata());
            long lstm = c.params().length;
            long emb = c.embedding() == null ? 0 : c.embedding().weight().length;
            out.println("parameters: " + lstm + " in the LSTM, " + c.parameterCount() + " in the file ("
                    + (c.parameterCount() - lstm - emb) + " in the head" + (emb == 0 ? "" : ", " + emb
                    + " in the embedding") + ")" + oneBiasCount(c.config()));
            out.flush();
        }
    }

    private void safetensors(PrintWriter out, byte[] bytes) throws Exception {
        out.println("format: " + ModelFormat.SAFETENSORS.displayName());
        SafetensorsFile st;
        try {
            st = SafetensorsFile.read(bytes, file.toString());
        } catch (SafetensorsFormatException e) {
            LstmModelFile.readContents(bytes, file.toString());   // the message naming the known formats
            throw e;
        }
        LstmSafetensors.Loaded loaded = null;
        SafetensorsFormatException noLstm = null;
        try {
            loaded = LstmSafetensors.find(st, file.toString(), prefix);
        } catch (SafetensorsFormatException e) {
            noLstm = e;
            loaded = null;
        }
        EmbeddingConfig embedding = null;
        if (loaded != null) {
            try {
                Embedding e = EmbeddingTensors.read(st, file.toString(), loaded.config().inputSize());
                embedding = e == null ? null : e.config();
            } catch (SafetensorsFormatException e) {
                noLstm = e;   // printed after what can be shown, like an unusable LSTM
            }
        }
        Set<String> lstmNames = new HashSet<>();
        long lstmParams = 0;
        if (loaded != null) {
            LstmConfig c = loaded.config();
            LstmLayout layout = new LstmLayout(c);
            for (LstmLayout.TensorSpec t : layout.tensors()) {
                lstmNames.add(loaded.prefix() + t.name());
            }
            lstmParams = layout.size();
            printConfig(out, c);
            out.println("prefix: \"" + loaded.prefix() + "\"" + (loaded.prefix().isEmpty()
                    ? " (a bare nn.LSTM)" : " (an nn.LSTM child module named '"
                    + loaded.prefix().substring(0, loaded.prefix().length() - 1) + "')"));
            printEmbedding(out, embedding, c);
        } else {
            out.println("LSTM: none usable (see the error below)");
        }
        long total = 0;
        int nameWidth = st.names().stream().mapToInt(String::length).max().orElse(4);
        out.println("tensors (" + st.tensors().size() + "):");
        for (NamedTensor t : st.tensors()) {
            total += t.elementCount();
            String role = loaded == null ? "" : lstmNames.contains(t.name()) ? "  lstm"
                    : embedding != null && t.name().equals(EmbeddingConfigJson.WEIGHT_NAME) ? "  embedding" : "  other";
            out.println(String.format(Locale.ROOT, "  %-" + nameWidth + "s  %-4s  %-14s %10d%s",
                    printable(t.name()), t.dtype(), t.shapeString(), t.elementCount(), role));
        }
        if (loaded != null) {
            Optional<NamedTensor> head = st.get("head.weight");
            int headOut = head.isPresent() && head.get().shape().length == 2 ? head.get().shape()[0] : 0;
            printArrays(out, loaded.config(), loaded.prefix(), headOut, st.get("head.bias").isPresent(), embedding);
        }
        printNormalization(out, st.metadata());
        printMetadata(out, st.metadata());
        if (loaded != null) {
            out.println("parameters: " + lstmParams + " in the LSTM, " + total + " in the file ("
                    + (total - lstmParams) + " in other tensors" + (embedding == null ? "" : ", of them "
                    + embedding.weightCount() + " in the embedding") + ")" + oneBiasCount(loaded.config()));
        } else {
            out.println("parameters: " + total + " in the file");
        }
        out.flush();
        if (noLstm != null) {
            throw noLstm;
        }
    }

    private static void printConfig(PrintWriter out, LstmConfig c) {
        out.println("LSTM config: " + LstmConfigJson.toJson(c));
        out.println("  " + describe(c));
    }

    /**
     * The embedding front end, when there is one: its config as stored ({@code embedding_config}), in
     * {@code nn.Embedding}'s words, and how a step's values and ids make the LSTM input.
     */
    static void printEmbedding(PrintWriter out, EmbeddingConfig e, LstmConfig c) {
        if (e == null) {
            out.println("embedding: none (every step is input_size numeric values)");
            return;
        }
        int m = c.inputSize() - e.embeddedWidth();
        out.println("embedding config: " + EmbeddingConfigJson.toJson(e));
        out.println("  nn.Embedding(" + e.numEmbeddings() + ", " + e.embeddingDim()
                + (e.hasPadding() ? ", padding_idx=" + e.paddingIdx() : "")
                + (e.hasMaxNorm() ? ", max_norm=" + e.maxNorm() + ", norm_type=" + e.normType() : "")
                + "); each step: " + m + " numeric value" + (m == 1 ? "" : "s") + " then " + e.idsPerStep()
                + " id" + (e.idsPerStep() == 1 ? "" : "s") + " in [0, " + e.numEmbeddings() + "), LSTM input = "
                + m + " + " + e.idsPerStep() + " x " + e.embeddingDim() + " = " + c.inputSize()
                + (e.hasPadding() ? "; padding row " + e.paddingIdx() + " is used as stored (no gradient in "
                + "training)" : "")
                + (e.hasMaxNorm() ? "; rows whose " + e.normType() + "-norm exceeds " + e.maxNorm()
                + " are rescaled to it when looked up" : ""));
    }

    /**
     * {@link #printArrays(PrintWriter, LstmConfig, String, int, boolean, EmbeddingConfig)} without an embedding, the
     * head (if any) with a bias.
     */
    static void printArrays(PrintWriter out, LstmConfig c, String prefix, int headOut) {
        printArrays(out, c, prefix, headOut, true, null);
    }

    /**
     * Every array under its three names, like Keras' {@code summary()}: PyTorch's {@code state_dict} name and shape
     * (what the file or the loaded model holds), Keras 3's weight path (gate order i, f, c, o as PyTorch's, kernels
     * transposed, one bias = {@code bias_ih + bias_hh}) and Wolfram's named arrays (one per gate, see
     * {@link WolframLstmJson}); the embedding's table first when there is one (Keras' {@code Embedding} layer's
     * {@code embeddings}, Wolfram's {@code EmbeddingLayer} {@code "Weights"}, both {@code [N, D]} as PyTorch's).
     */
    static void printArrays(PrintWriter out, LstmConfig c, String prefix, int headOut, boolean headBias,
                            EmbeddingConfig embedding) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"PyTorch", "shape", "params", "Keras 3", "Wolfram"});
        if (embedding != null) {
            String shape = shape(embedding.numEmbeddings(), embedding.embeddingDim());
            rows.add(new String[] {EmbeddingConfigJson.WEIGHT_NAME, shape, Integer.toString(embedding.weightCount()),
                "embedding/embeddings " + shape, "embedding EmbeddingLayer \"Weights\" " + shape});
        }
        LstmLayout layout = new LstmLayout(c);
        int n = c.hiddenSize();
        for (LstmLayout.TensorSpec t : layout.tensors()) {
            int l = Integer.parseInt(t.name().replaceAll(".*_l(\\d+).*", "$1"));
            boolean reverse = t.name().endsWith("_reverse");
            String keras = kerasLayer(c, l, reverse);
            String wolfram = "layers[" + l + "]." + (reverse ? "Backward." : "");
            int in = t.shape().length == 2 ? t.shape()[1] : 0;
            String[] row = c.projSize() > 0 ? new String[] {"- (Keras' LSTM has no projection)",
                "- (LongShortTermMemoryLayer has no projection)"} : switch (t.kind()) {
                case WEIGHT_IH -> new String[] {keras + "/kernel " + shape(in, 4 * n) + " (transposed)",
                    wolfram + "{Input,Forget,Memory,Output}GateInputWeights 4 x " + shape(n, in)};
                case WEIGHT_HH -> new String[] {keras + "/recurrent_kernel " + shape(in, 4 * n) + " (transposed)",
                    wolfram + "{Input,Forget,Memory,Output}GateStateWeights 4 x " + shape(n, in)};
                case BIAS_IH -> new String[] {keras + "/bias [" + 4 * n + "] = bias_ih + bias_hh",
                    wolfram + "{Input,Forget,Memory,Output}GateBiases 4 x [" + n + "] = bias_ih + bias_hh"};
                case BIAS_HH -> new String[] {"(in " + keras + "/bias)", "(in " + wolfram + "*GateBiases)"};
                case WEIGHT_HR -> new String[] {"- (Keras' LSTM has no projection)",
                    "- (LongShortTermMemoryLayer has no projection)"};
            };
            rows.add(new String[] {prefix + t.name(), t.shapeString(), Integer.toString(t.elementCount()), row[0],
                row[1]});
        }
        if (headOut > 0) {
            int hOut = c.outputSize();
            rows.add(new String[] {"head.weight", shape(headOut, hOut), Integer.toString(headOut * hOut),
                "dense/kernel " + shape(hOut, headOut) + " (transposed)", "head.Weights " + shape(headOut, hOut)});
            if (headBias) {   // nn.Linear(bias=False) has no head.bias
                rows.add(new String[] {"head.bias", "[" + headOut + "]", Integer.toString(headOut),
                    "dense/bias [" + headOut + "]", "head.Biases [" + headOut + "]"});
            }
        }
        int[] w = new int[5];
        for (String[] r : rows) {
            for (int i = 0; i < 5; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        out.println("arrays (" + (rows.size() - 1) + "; gates i, f, g, o = Keras i, f, c, o = Wolfram Input, Forget, "
                + "Memory, Output):");
        for (String[] r : rows) {
            out.println(String.format(Locale.ROOT, "  %-" + w[0] + "s  %-" + w[1] + "s  %" + w[2] + "s  %-" + w[3]
                    + "s  %s", (Object[]) r).stripTrailing());
        }
    }

    /** Keras' default layer names: {@code lstm}, {@code lstm_1}, ...; {@code bidirectional/forward_lstm}, .... */
    private static String kerasLayer(LstmConfig c, int l, boolean reverse) {
        String suffix = l == 0 ? "" : "_" + l;
        if (!c.bidirectional()) {
            return "lstm" + suffix;
        }
        return "bidirectional" + suffix + "/" + (reverse ? "backward" : "forward") + "_lstm" + suffix;
    }

    /** Keras and Wolfram count one bias per gate where PyTorch has two. */
    private static String oneBiasCount(LstmConfig c) {
        if (!c.bias() || c.projSize() > 0) {
            return "";
        }
        long biases = 4L * c.hiddenSize() * c.numLayers() * c.numDirections();
        return "; Keras and Wolfram count " + biases + " fewer (one bias per gate)";
    }

    private static String shape(int a, int b) {
        return "[" + a + ", " + b + "]";
    }

    /** The {@code normalization} entry the trainer writes: {@code x_norm = (x - mean) / std} per input column. */
    static void printNormalization(PrintWriter out, Map<String, String> metadata) {
        String norm = metadata.get("normalization");
        if (norm == null) {
            out.println("normalization: none (inputs are used as they are)");
            return;
        }
        out.println("normalization: x_norm = (x - mean) / std per input column: " + printable(norm));
    }

    private static void printMetadata(PrintWriter out, Map<String, String> metadata) {
        out.println("metadata (" + metadata.size() + "):");
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            out.println("  " + printable(e.getKey()) + " = " + printable(e.getValue()));
        }
    }

    /** The config in words, e.g. "2-layer bidirectional LSTM with projection: ...". */
    static String describe(LstmConfig c) {
        int d = c.numDirections();
        int ld = c.numLayers() * d;
        StringBuilder s = new StringBuilder();
        s.append(c.numLayers()).append("-layer ").append(c.bidirectional() ? "bidirectional" : "unidirectional")
                .append(" LSTM: input_size ").append(c.inputSize()).append(", hidden_size ").append(c.hiddenSize());
        if (c.projSize() > 0) {
            s.append(", h projected to proj_size ").append(c.projSize());
        }
        s.append(c.bias() ? ", with biases" : ", without biases");
        s.append(c.batchFirst() ? ", batch-first (input [B, T, " : ", sequence-first (input [T, B, ")
                .append(c.inputSize()).append("])");
        if (c.dropout() > 0) {
            s.append(", dropout ").append(c.dropout()).append(" between layers in training");
        }
        s.append("; output per step ").append(d * c.outputSize());
        if (d > 1) {
            s.append(" (2 directions x ").append(c.outputSize()).append(')');
        }
        s.append(", h_n [").append(ld).append(", B, ").append(c.outputSize()).append("], c_n [").append(ld)
                .append(", B, ").append(c.hiddenSize()).append(']');
        return s.toString();
    }

    /** Escapes control characters, so a crafted metadata value cannot drive the terminal. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                b.append(String.format(Locale.ROOT, "\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }
}
