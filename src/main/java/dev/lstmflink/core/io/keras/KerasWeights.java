package dev.lstmflink.core.io.keras;

import dev.lstmflink.core.io.file.ModelBytes;
import dev.lstmflink.core.io.keras.KerasModelConfig.Layer;
import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmModel;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads a Keras 3 model of stacked {@code LSTM} layers and an optional final {@code Dense} into an {@link LstmModel},
 * from a {@code .weights.h5} file ({@code model.save_weights}) or a whole {@code .keras} archive ({@code model.save}).
 *
 * <p>The HDF5 layout is the one Keras 3 writes (keras/src/saving/saving_lib.py, {@code _save_state} and
 * {@code _save_container_state}): a Sequential's layers sit under {@code layers/<name>}, where the name comes from the
 * layer's <em>class</em> ({@code lstm}, {@code lstm_1}, ..., {@code dense}), not from the name the user gave it; each
 * object's variables are datasets {@code 0, 1, ...} of its {@code vars} group, in the order the layer created them.
 * An LSTM keeps its variables in its cell:
 * <pre>
 *   layers/lstm/cell/vars/0   kernel            [I, 4H]   columns [i | f | c | o]
 *   layers/lstm/cell/vars/1   recurrent_kernel  [H, 4H]
 *   layers/lstm/cell/vars/2   bias              [4H]      only if use_bias
 *   layers/dense/vars/0, 1    kernel [H, K], bias [K]
 * </pre>
 * Keras' gate order is PyTorch's (i, f, c = g, o) and {@code z = x·kernel + h·recurrent_kernel + bias}, so
 * {@code weight_ih = kernelᵀ}, {@code weight_hh = recurrent_kernelᵀ}, {@code bias_ih = bias} and {@code bias_hh = 0}
 * (Keras has one bias, PyTorch two that are only ever added). The Dense becomes the head: {@code head.weight = kernelᵀ}.
 *
 * <p>The weights file holds no options. They come, in this order of preference, from the {@code config.json} of a
 * {@code .keras} archive; from a {@link KerasModelConfig} the caller passes; for {@link #read(Path)}, from the JSON of
 * {@code model.to_json()} in {@code X.config.json} beside {@code X.weights.h5} (or {@code config.json} beside
 * {@code model.weights.h5}, Keras' unzipped archive); otherwise from Keras' defaults (tanh, sigmoid, linear Dense),
 * recorded in the model's metadata under {@value #CONFIG_KEY}. A Keras model is batch-major, so the LSTM's config is
 * {@code batch_first}; a streaming job feeds one step at a time and gets every step's output, which for a last layer
 * with {@code return_sequences=False} is Keras' output at the last step.
 *
 * <p>Not read (refused with a message): {@code Bidirectional}, functional models, stacked LSTMs of different sizes
 * or with different activations or directions, activations the core lacks, Keras 2 {@code .h5} files, {@code .npz} and sharded
 * weights, float16/bfloat16 variables.
 */
public final class KerasWeights {

    /** The first 8 bytes of an HDF5 file (a file with a user block has them later; Keras writes none). */
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_SIGNATURE = {'P', 'K', 3, 4};
    /** Metadata key: where the layer options came from. */
    public static final String CONFIG_KEY = "keras_config";
    private static final String WEIGHTS_IN_ARCHIVE = "model.weights.h5";
    private static final String CONFIG_IN_ARCHIVE = "config.json";
    private static final Pattern CLASS_NAME = Pattern.compile("(lstm|dense)(?:_(\\d{1,6}))?");

    private KerasWeights() {}

    /** Whether the bytes start as an HDF5 file does (a {@code .weights.h5}). */
    public static boolean isHdf5(byte[] bytes) {
        return startsWith(bytes, HDF5_SIGNATURE);
    }

    /** Whether the bytes start as a zip file does (a {@code .keras} archive is one). */
    public static boolean isZip(byte[] bytes) {
        return startsWith(bytes, ZIP_SIGNATURE);
    }

    /**
     * Reads a {@code .keras} archive or a {@code .weights.h5} file, with its config found as the class comment says.
     * Files over {@link ModelBytes#DEFAULT_MAX_BYTES} are refused before reading.
     */
    public static LstmModel read(Path path) throws IOException {
        byte[] bytes = ModelBytes.read(path, ModelBytes.DEFAULT_MAX_BYTES);
        if (isZip(bytes)) {
            return read(bytes, path.toString());
        }
        Path sidecar = sidecar(path);
        KerasModelConfig config = sidecar == null ? KerasModelConfig.defaults()
                : KerasModelConfig.parse(Files.readString(sidecar, StandardCharsets.UTF_8), sidecar.toString());
        return read(bytes, path.toString(), config);
    }

    /**
     * Reads a {@code .keras} archive (with its own config) or a {@code .weights.h5} file (with Keras' defaults).
     *
     * @param source a name for messages and the model's metadata, usually the file path
     */
    public static LstmModel read(byte[] bytes, String source) throws KerasFormatException {
        if (isZip(bytes)) {
            Map<String, byte[]> entries = unzip(bytes, source);
            byte[] config = entries.get(CONFIG_IN_ARCHIVE);
            byte[] weights = entries.get(WEIGHTS_IN_ARCHIVE);
            if (weights == null) {
                throw new KerasFormatException(source, "the .keras archive has no " + WEIGHTS_IN_ARCHIVE
                        + " (entries: " + entries.keySet() + "); .npz and sharded weights are not read");
            }
            KerasModelConfig c = config == null ? KerasModelConfig.defaults()
                    : KerasModelConfig.parse(new String(config, StandardCharsets.UTF_8), source + "!/" + CONFIG_IN_ARCHIVE);
            return read(weights, source, c, bytes);
        }
        return read(bytes, source, KerasModelConfig.defaults());
    }

    /**
     * Reads {@code .weights.h5} bytes with the given layer options.
     *
     * @param config the model's config ({@link KerasModelConfig#parse}) or {@link KerasModelConfig#defaults()}
     */
    public static LstmModel read(byte[] h5, String source, KerasModelConfig config) throws KerasFormatException {
        return read(h5, source, config, h5);
    }

    private static LstmModel read(byte[] h5, String source, KerasModelConfig config, byte[] versioned)
            throws KerasFormatException {
        if (!isHdf5(h5)) {
            throw new KerasFormatException(source, "not an HDF5 file (a Keras .weights.h5 starts with \\x89HDF)");
        }
        try (HdfFile file = HdfFile.fromBytes(h5)) {
            List<Resolved> layers = resolve(file, source, config);
            return build(layers, source, config, versioned);
        } catch (KerasFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            // jhdf throws unchecked exceptions on damaged files; a damaged file is an input problem like any other
            throw new KerasFormatException(source, "cannot read the HDF5 file: " + e, e);
        }
    }

    /** A layer of the config with the {@code vars} group that holds its variables. */
    private record Resolved(Layer layer, String path, Group vars) {}

    private static List<Resolved> resolve(HdfFile file, String source, KerasModelConfig config)
            throws KerasFormatException {
        Node layersNode = file.getChild("layers");
        if (!(layersNode instanceof Group layersGroup)) {
            if (file.getChild("model_weights") != null || file.getAttribute("layer_names") != null) {
                throw new KerasFormatException(source, "a Keras 2 (tf.keras) HDF5 file, not a Keras 3 .weights.h5;"
                        + " load it in Keras 3 and save it again with model.save_weights('x.weights.h5')");
            }
            throw new KerasFormatException(source, "no 'layers' group: not the weights of a Keras 3 Sequential model"
                    + " (root holds " + file.getChildren().keySet() + ")");
        }
        List<Resolved> out = new ArrayList<>();
        if (!config.isDefaults()) {
            Map<String, Integer> seen = new LinkedHashMap<>();
            for (Layer l : config.layers()) {
                // saving_lib._get_unique_name: the class in snake case, then _1, _2, ... for later ones
                String base = l.isLstm() ? "lstm" : "dense";
                int n = seen.merge(base, 1, Integer::sum) - 1;
                String key = n == 0 ? base : base + "_" + n;
                String path = "layers/" + key + (l.isLstm() ? "/cell/vars" : "/vars");
                out.add(new Resolved(l, path, group(file, path, source, l.name())));
            }
            return out;
        }
        Map<Integer, String> lstms = new TreeMap<>();
        Map<Integer, String> denses = new TreeMap<>();
        for (Map.Entry<String, Node> e : layersGroup.getChildren().entrySet()) {
            Matcher m = CLASS_NAME.matcher(e.getKey());
            if (m.matches()) {
                int index = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
                (m.group(1).equals("lstm") ? lstms : denses).put(index, e.getKey());
            } else if (holdsVariables(e.getValue())) {
                throw new KerasFormatException(source, "layer group 'layers/" + e.getKey() + "' holds variables, but"
                        + " only LSTM and Dense layers can be read; with Keras defaults (no config) other layers"
                        + " cannot be interpreted");
            }
        }
        checkContiguous(lstms, "lstm", source);
        if (lstms.isEmpty()) {
            throw new KerasFormatException(source, "no LSTM layer: no group layers/lstm (layers: "
                    + layersGroup.getChildren().keySet() + ")");
        }
        if (denses.size() > 1) {
            throw new KerasFormatException(source, "more than one Dense layer " + denses.values()
                    + "; only one Dense, after the LSTMs, can be read");
        }
        List<String> lstmKeys = new ArrayList<>(lstms.values());
        for (int i = 0; i < lstmKeys.size(); i++) {
            String path = "layers/" + lstmKeys.get(i) + "/cell/vars";
            Group vars = group(file, path, source, lstmKeys.get(i));
            String name = nameAttribute(file, "layers/" + lstmKeys.get(i) + "/vars", lstmKeys.get(i));
            int units = dims(vars, "1", path, source)[0];
            out.add(new Resolved(new Layer("LSTM", name, units, "tanh", "sigmoid", vars.getChild("2") != null,
                    true, false, false), path, vars));
        }
        for (String key : denses.values()) {
            String path = "layers/" + key + "/vars";
            Group vars = group(file, path, source, key);
            int units = dims(vars, "0", path, source)[1];
            out.add(new Resolved(new Layer("Dense", nameAttribute(file, path, key), units, "linear", null,
                    vars.getChild("1") != null, true, false, false), path, vars));
        }
        return out;
    }

    private static LstmModel build(List<Resolved> layers, String source, KerasModelConfig config, byte[] versioned)
            throws KerasFormatException {
        List<Resolved> lstms = new ArrayList<>();
        Resolved dense = null;
        for (int i = 0; i < layers.size(); i++) {
            Resolved r = layers.get(i);
            Layer l = r.layer();
            if (dense != null) {
                throw new KerasFormatException(source, "layer '" + l.name() + "' comes after the Dense layer '"
                        + dense.layer().name() + "'; only one Dense, as the last layer, can be read");
            }
            if (!l.isLstm()) {
                if (!"linear".equals(l.activation())) {
                    throw new KerasFormatException(source, "Dense layer '" + l.name() + "' has activation='"
                            + l.activation() + "'; only activation='linear' can be read so far");
                }
                dense = r;
                continue;
            }
            KerasActivations.of(source, l.name(), "activation", l.activation());
            KerasActivations.of(source, l.name(), "recurrent_activation", l.recurrentActivation());
            boolean lastLstm = i + 1 == layers.size() || !layers.get(i + 1).layer().isLstm();
            if (!lastLstm && !l.returnSequences()) {
                throw new KerasFormatException(source, "LSTM layer '" + l.name() + "' has return_sequences=False but"
                        + " feeds another LSTM, which needs every step");
            }
            lstms.add(r);
        }
        if (lstms.isEmpty()) {
            throw new KerasFormatException(source, "the model has no LSTM layer");
        }
        int h = lstms.get(0).layer().units();
        for (Resolved r : lstms) {
            if (r.layer().units() != h) {
                throw new KerasFormatException(source, "LSTM layer '" + r.layer().name() + "' has units="
                        + r.layer().units() + " but '" + lstms.get(0).layer().name() + "' has units=" + h
                        + "; stacked LSTMs must have one size here (as in PyTorch's nn.LSTM)");
            }
        }
        // one config for the whole stack, as in nn.LSTM: every LSTM layer must share activations and direction
        Layer first = lstms.get(0).layer();
        for (Resolved r : lstms) {
            Layer l = r.layer();
            if (!l.activation().equals(first.activation()) || !l.recurrentActivation().equals(first.recurrentActivation())
                    || l.goBackwards() != first.goBackwards() || l.zeroOutputForMask() != first.zeroOutputForMask()) {
                throw new KerasFormatException(source, "LSTM layer '" + l.name() + "' has activation='"
                        + l.activation() + "', recurrent_activation='" + l.recurrentActivation() + "', go_backwards="
                        + l.goBackwards() + ", zero_output_for_mask=" + l.zeroOutputForMask() + " but '"
                        + first.name() + "' has '" + first.activation() + "', '" + first.recurrentActivation() + "', "
                        + first.goBackwards() + ", " + first.zeroOutputForMask()
                        + "; stacked LSTMs must share them here (one config, as in PyTorch's nn.LSTM)");
            }
        }
        Activation activation = KerasActivations.of(source, first.name(), "activation", first.activation());
        Activation recurrent = KerasActivations.of(source, first.name(), "recurrent_activation",
                first.recurrentActivation());
        int inputSize = dims(lstms.get(0).vars(), "0", lstms.get(0).path(), source)[0];
        boolean anyBias = lstms.stream().anyMatch(r -> r.layer().useBias());
        LstmConfig lc;
        try {
            lc = new LstmConfig(inputSize, h, lstms.size(), anyBias, true, 0.0, false, 0)
                    .withActivation(activation).withRecurrentActivation(recurrent)
                    .withGoBackwards(first.goBackwards()).withZeroOutputForMask(first.zeroOutputForMask());
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(source, "the variables give an invalid LSTM: " + e.getMessage());
        }
        LstmLayout layout = new LstmLayout(lc);
        float[] flat = new float[layout.size()];
        for (int l = 0; l < lstms.size(); l++) {
            packLayer(lstms.get(l), l, layout, flat, source);
        }
        LinearHead head = dense == null ? null : head(dense, h, source);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "keras");
        meta.put(CONFIG_KEY, config.origin());
        List<String> names = new ArrayList<>();
        layers.forEach(r -> names.add(r.layer().name()));
        meta.put("keras_layers", String.join(",", names));
        meta.put("keras_return_sequences", String.valueOf(lstms.get(lstms.size() - 1).layer().returnSequences()));
        try {
            return new LstmModel(Lstm.f32(lc, flat), head, ModelBytes.hashVersion(versioned), meta);
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(source, e.getMessage());
        }
    }

    /** kernel [I, 4H] → weight_ih [4H, I]; recurrent_kernel [H, 4H] → weight_hh [4H, H]; bias → bias_ih. */
    private static void packLayer(Resolved r, int l, LstmLayout layout, float[] flat, String source)
            throws KerasFormatException {
        Layer layer = r.layer();
        int h = layer.units();
        int in = layout.config().layerInputSize(l);
        expectVariables(r, layer.useBias() ? 3 : 2, source);
        double[] kernel = values(r, "0", new int[] {in, 4 * h}, "kernel", source);
        double[] recurrent = values(r, "1", new int[] {h, 4 * h}, "recurrent_kernel", source);
        double[] bias = layer.useBias() ? values(r, "2", new int[] {4 * h}, "bias", source) : new double[4 * h];
        String suffix = "_l" + l;
        for (TensorSpec spec : layout.tensors()) {
            if (!spec.name().endsWith(suffix)) {
                continue;
            }
            double[] v = switch (spec.kind()) {
                case WEIGHT_IH -> transpose(kernel, in, 4 * h);
                case WEIGHT_HH -> transpose(recurrent, h, 4 * h);
                case BIAS_IH -> bias;
                case BIAS_HH -> new double[4 * h];
                case WEIGHT_HR -> throw new IllegalStateException("Keras LSTMs have no projection");
            };
            layout.pack(spec, v, Precision.F32, flat);
        }
    }

    private static LinearHead head(Resolved r, int h, String source) throws KerasFormatException {
        int k = r.layer().units();
        expectVariables(r, r.layer().useBias() ? 2 : 1, source);
        double[] kernel = values(r, "0", new int[] {h, k}, "kernel", source);
        float[] w = toFloats(transpose(kernel, h, k));
        float[] b = r.layer().useBias() ? toFloats(values(r, "1", new int[] {k}, "bias", source)) : null;
        return new LinearHead(w, b, k, h);
    }

    private static void expectVariables(Resolved r, int n, String source) throws KerasFormatException {
        List<String> names = new ArrayList<>(r.vars().getChildren().keySet());
        names.sort(null);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(String.valueOf(i));
        }
        if (!names.equals(expected)) {
            throw new KerasFormatException(source, r.layer().className() + " layer '" + r.layer().name() + "' ("
                    + r.path() + ") holds variables " + names + ", expected " + expected
                    + (r.layer().isLstm() ? " (kernel, recurrent_kernel" + (n == 3 ? ", bias)" : ")")
                    : " (kernel" + (n == 2 ? ", bias)" : ")")));
        }
    }

    private static double[] values(Resolved r, String var, int[] shape, String what, String source)
            throws KerasFormatException {
        String path = r.path() + "/" + var;
        int[] d = dims(r.vars(), var, r.path(), source);
        if (!Arrays.equals(d, shape)) {
            throw new KerasFormatException(source, r.layer().className() + " layer '" + r.layer().name() + "': "
                    + what + " " + path + " has shape " + Arrays.toString(d) + ", expected " + Arrays.toString(shape)
                    + " (units=" + r.layer().units() + ")");
        }
        Dataset ds = (Dataset) r.vars().getChild(var);
        Attribute dtype = ds.getAttribute("dtype");
        if (dtype != null) {
            throw new KerasFormatException(source, what + " " + path + " is stored as " + dtype.getData()
                    + "; only float32 and float64 variables are read");
        }
        Object data = ds.getDataFlat();
        if (data instanceof float[] f) {
            double[] v = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                v[i] = f[i];
            }
            return v;
        }
        if (data instanceof double[] v) {
            return v;
        }
        throw new KerasFormatException(source, what + " " + path + " holds " + ds.getJavaType().getSimpleName()
                + " values; only float32 and float64 variables are read");
    }

    private static int[] dims(Group vars, String var, String path, String source) throws KerasFormatException {
        Node n = vars.getChild(var);
        if (!(n instanceof Dataset ds)) {
            throw new KerasFormatException(source, "missing variable " + path + "/" + var);
        }
        return ds.getDimensions();
    }

    private static Group group(HdfFile file, String path, String source, String layer) throws KerasFormatException {
        Node n = null;
        try {
            n = file.getByPath(path);
        } catch (RuntimeException e) {
            // jhdf signals a missing path with an exception
        }
        if (!(n instanceof Group g)) {
            throw new KerasFormatException(source, "layer '" + layer + "': no group " + path
                    + " (is the config the model's? Keras names the groups after the layer class: lstm, lstm_1, ...)");
        }
        return g;
    }

    private static String nameAttribute(HdfFile file, String path, String dflt) {
        try {
            Node n = file.getByPath(path);
            Attribute a = n.getAttribute("name");
            return a != null && a.getData() instanceof String s ? s : dflt;
        } catch (RuntimeException e) {
            return dflt;  // Keras before 3.6 writes no name attribute
        }
    }

    private static boolean holdsVariables(Node n) {
        if (n instanceof Dataset) {
            return true;
        }
        if (n instanceof Group g) {
            for (Node c : g.getChildren().values()) {
                if (holdsVariables(c)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void checkContiguous(Map<Integer, String> indexed, String base, String source)
            throws KerasFormatException {
        int expected = 0;
        for (int i : indexed.keySet()) {
            if (i != expected) {
                throw new KerasFormatException(source, "layer groups " + indexed.values() + " skip "
                        + (expected == 0 ? base : base + "_" + expected) + "; Keras numbers them from 0 without gaps");
            }
            expected++;
        }
    }

    /** {@code a [rows, cols]} row-major → {@code aᵀ [cols, rows]} row-major. */
    private static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** {@code X.config.json} beside {@code X.weights.h5} (or {@code X.h5}), or Keras' {@code config.json}. */
    static Path sidecar(Path weights) {
        String name = weights.getFileName().toString();
        String stem = name.endsWith(".weights.h5") ? name.substring(0, name.length() - ".weights.h5".length())
                : name.endsWith(".h5") ? name.substring(0, name.length() - 3) : name;
        Path own = weights.resolveSibling(stem + ".config.json");
        if (Files.isRegularFile(own)) {
            return own;
        }
        Path keras = weights.resolveSibling(CONFIG_IN_ARCHIVE);
        return name.equals(WEIGHTS_IN_ARCHIVE) && Files.isRegularFile(keras) ? keras : null;
    }

    /**
     * The config and weights entries of a {@code .keras} archive. Their sizes are counted as they are inflated, so a
     * crafted archive cannot expand past {@link ModelBytes#DEFAULT_MAX_BYTES}.
     */
    private static Map<String, byte[]> unzip(byte[] zip, String source) throws KerasFormatException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        long total = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                String name = e.getName();
                if (!name.equals(CONFIG_IN_ARCHIVE) && !name.equals(WEIGHTS_IN_ARCHIVE)) {
                    out.put(name, null);
                    continue;
                }
                byte[] data = readLimited(in, ModelBytes.DEFAULT_MAX_BYTES - total, source, name);
                total += data.length;
                out.put(name, data);
            }
        } catch (KerasFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new KerasFormatException(source, "not a readable .keras (zip) archive: " + e.getMessage(), e);
        }
        return out;
    }

    private static byte[] readLimited(InputStream in, long limit, String source, String entry) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[65536];
        for (int n = in.read(chunk); n > 0; n = in.read(chunk)) {
            buf.write(chunk, 0, n);
            if (buf.size() > limit) {
                throw new KerasFormatException(source, "entry " + entry + " of the .keras archive inflates to more"
                        + " than " + ModelBytes.DEFAULT_MAX_BYTES + " bytes in all");
            }
        }
        return buf.toByteArray();
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
