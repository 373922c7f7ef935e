package dev.lstmflink.core.io;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.core.nn.Lstm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LSTM weights in safetensors files with PyTorch {@code state_dict} names, so that a model trained in PyTorch loads
 * here and ours loads with {@code load_state_dict}.
 *
 * <p>Reading infers the {@link LstmConfig} from the tensor shapes (and takes {@code batch_first} and {@code dropout},
 * which shapes cannot tell, from the {@code lstm_config} or {@code config} metadata entry when there is one). The
 * name prefix of the LSTM ({@code ""} for a bare {@code nn.LSTM}, {@code "lstm."} for an {@code nn.LSTM} child named
 * {@code lstm}) is found automatically when the file holds exactly one LSTM; other tensors (a head) are left for the
 * caller. Every tensor the config needs must be present with its exact shape, and no other LSTM tensor may be.
 */
public final class LstmSafetensors {

    /** Metadata key holding the {@code nn.LSTM} arguments as JSON (see {@link LstmConfigJson}). */
    public static final String CONFIG_KEY = "lstm_config";
    private static final String LEGACY_CONFIG_KEY = "config";
    private static final Pattern LSTM_NAME =
            Pattern.compile("(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\\d+)(_reverse)?");

    private LstmSafetensors() {}

    /**
     * An LSTM read from a file.
     *
     * @param prefix the module prefix of its tensors, e.g. {@code "lstm."}, or {@code ""}
     * @param file   the whole file, for the tensors and metadata of other modules
     */
    public record Loaded(LstmConfig config, String prefix, SafetensorsFile file, String source) {

        public Lstm<float[]> f32() throws SafetensorsFormatException {
            return Lstm.f32(config, params(Precision.F32));
        }

        public Lstm<double[]> f64() throws SafetensorsFormatException {
            return Lstm.f64(config, params(Precision.F64));
        }

        /** The parameters in {@link LstmLayout}'s order. */
        public <A> A params(Precision<A> precision) throws SafetensorsFormatException {
            LstmLayout layout = new LstmLayout(config);
            A flat = precision.allocate(layout.size());
            for (TensorSpec spec : layout.tensors()) {
                NamedTensor t = file.get(prefix + spec.name()).orElseThrow();
                try {
                    layout.pack(spec, t.toDoubles(), precision, flat);
                } catch (IllegalStateException e) {
                    throw new SafetensorsFormatException(source, e.getMessage()
                            + "; LSTM weights must be F32, F64, F16 or BF16");
                }
            }
            return flat;
        }
    }

    public static Loaded read(Path path) throws IOException {
        return find(SafetensorsFile.read(path), path.toString(), null);
    }

    /**
     * Finds the LSTM in a parsed file.
     *
     * @param prefix the module prefix to use, or null to find it (the file must then hold exactly one LSTM)
     */
    public static Loaded find(SafetensorsFile file, String source, String prefix) throws SafetensorsFormatException {
        String p = prefix != null ? prefix : findPrefix(file, source);
        LstmConfig config = inferConfig(file, source, p);
        checkTensors(file, source, p, new LstmLayout(config));
        return new Loaded(config, p, file, source);
    }

    /**
     * The file for an LSTM: its tensors under {@code prefix}, {@code extra} tensors (a head) and metadata. With
     * {@code F16} or {@code BF16} each weight is rounded to nearest (ties to even) from its float32 value, as PyTorch's
     * {@code .half()} and {@code .bfloat16()} do.
     */
    public static <A> SafetensorsFile toFile(Lstm<A> lstm, String prefix, DType dtype, List<NamedTensor> extra,
                                             Map<String, String> metadata) {
        if (dtype != DType.F32 && dtype != DType.F64 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("LSTM weights are written as F32, F64, F16 or BF16, got " + dtype);
        }
        List<NamedTensor> tensors = new ArrayList<>(extra);
        LstmLayout layout = lstm.layout();
        Precision<A> precision = lstm.kernel().precision();
        for (TensorSpec spec : layout.tensors()) {
            double[] v = layout.unpack(spec, precision, lstm.params());
            String name = prefix + spec.name();
            tensors.add(dtype == DType.F64 ? NamedTensor.ofDoubles(name, spec.shape(), v)
                    : dtype == DType.F32 ? NamedTensor.ofFloats(name, spec.shape(), toFloats(v))
                    : NamedTensor.ofHalf(name, dtype, spec.shape(), toFloats(v)));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.putAll(metadata);
        meta.put(CONFIG_KEY, LstmConfigJson.toJson(lstm.config()));
        return SafetensorsFile.of(meta, tensors);
    }

    public static <A> void write(Path path, Lstm<A> lstm, String prefix, DType dtype) throws IOException {
        toFile(lstm, prefix, dtype, List.of(), Map.of()).write(path);
    }

    private static String findPrefix(SafetensorsFile file, String source) throws SafetensorsFormatException {
        Set<String> prefixes = new TreeSet<>();
        for (String name : file.names()) {
            if (name.endsWith("weight_ih_l0")) {
                prefixes.add(name.substring(0, name.length() - "weight_ih_l0".length()));
            }
        }
        if (prefixes.isEmpty()) {
            throw new SafetensorsFormatException(source, "no LSTM: no tensor is named weight_ih_l0 or "
                    + "<module>.weight_ih_l0 (tensors: " + abbreviate(file.names()) + ")");
        }
        if (prefixes.size() > 1) {
            throw new SafetensorsFormatException(source, "holds " + prefixes.size() + " LSTMs, with prefixes "
                    + prefixes + ": choose one");
        }
        return prefixes.iterator().next();
    }

    private static LstmConfig inferConfig(SafetensorsFile file, String source, String p)
            throws SafetensorsFormatException {
        int[] ih = shape(file, source, p + "weight_ih_l0", 2);
        int[] hh = shape(file, source, p + "weight_hh_l0", 2);
        if (ih[0] % 4 != 0 || ih[0] == 0) {
            throw new SafetensorsFormatException(source, "tensor '" + p + "weight_ih_l0' has shape "
                    + Arrays.toString(ih) + ": its first dimension must be 4·hidden_size > 0");
        }
        int layers = 0;
        boolean reverse = false;
        for (String name : file.names()) {
            Matcher m = lstmName(name, p);
            if (m != null) {
                // A layer needs at least two tensors: a larger index is a crafted name, not a model to allocate.
                if (m.group(2).length() > 6 || Integer.parseInt(m.group(2)) >= file.names().size()) {
                    throw new SafetensorsFormatException(source, "tensor '" + name + "' names layer " + m.group(2)
                            + ", but the file holds only " + file.names().size() + " tensors");
                }
                layers = Math.max(layers, Integer.parseInt(m.group(2)) + 1);
                reverse |= m.group(3) != null;
            }
        }
        int proj = file.get(p + "weight_hr_l0").isPresent() ? shape(file, source, p + "weight_hr_l0", 2)[0] : 0;
        LstmConfig inferred;
        try {
            inferred = new LstmConfig(ih[1], ih[0] / 4, layers, file.get(p + "bias_ih_l0").isPresent(), false, 0.0,
                    reverse, proj);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(source, "tensor shapes give an invalid LSTM: " + e.getMessage());
        }
        if (hh[1] != inferred.outputSize()) {
            throw new SafetensorsFormatException(source, "tensor '" + p + "weight_hh_l0' has shape "
                    + Arrays.toString(hh) + ", expected [" + 4 * inferred.hiddenSize() + ", "
                    + inferred.outputSize() + "]");
        }
        return withDeclaredConfig(file.metadata(), inferred, source);
    }

    /**
     * The config the shapes give, with {@code batch_first}, {@code dropout} and the Keras options ({@code activation},
     * {@code recurrent_activation}, {@code go_backwards}, {@code zero_output_for_mask}), which shapes cannot tell,
     * from the {@value #CONFIG_KEY} (or
     * legacy {@code config}) metadata entry when there is one; every other argument it declares must match the
     * shapes.
     */
    static LstmConfig withDeclaredConfig(Map<String, String> metadata, LstmConfig inferred, String source)
            throws SafetensorsFormatException {
        String json = metadata.getOrDefault(CONFIG_KEY, metadata.get(LEGACY_CONFIG_KEY));
        if (json == null) {
            return inferred;
        }
        LstmConfig declared;
        try {
            declared = LstmConfigJson.fromJson(json, inferred);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(source, "metadata " + CONFIG_KEY + ": " + e.getMessage());
        }
        LstmConfig shapeOnly = declared.withBatchFirst(false).withDropout(0.0).withActivation(inferred.activation())
                .withRecurrentActivation(inferred.recurrentActivation()).withGoBackwards(inferred.goBackwards())
                .withZeroOutputForMask(inferred.zeroOutputForMask());
        if (!shapeOnly.equals(inferred)) {
            throw new SafetensorsFormatException(source, "metadata config " + json
                    + " does not match the tensors, which give " + LstmConfigJson.toJson(inferred));
        }
        return declared;
    }

    private static void checkTensors(SafetensorsFile file, String source, String p, LstmLayout layout)
            throws SafetensorsFormatException {
        Set<String> expected = new TreeSet<>();
        for (TensorSpec spec : layout.tensors()) {
            String name = p + spec.name();
            expected.add(name);
            NamedTensor t = file.get(name).orElseThrow(() -> new SafetensorsFormatException(source,
                    "missing tensor '" + name + "' (shape " + spec.shapeString() + ") for LSTM "
                            + LstmConfigJson.toJson(layout.config())));
            if (!Arrays.equals(t.shape(), spec.shape())) {
                throw new SafetensorsFormatException(source, "tensor '" + name + "' has shape " + t.shapeString()
                        + ", expected " + spec.shapeString());
            }
            if (!t.isFloatingPoint()) {
                throw new SafetensorsFormatException(source, "tensor '" + name + "' has dtype " + t.dtype()
                        + "; LSTM weights must be F32, F64, F16 or BF16");
            }
        }
        for (String name : file.names()) {
            boolean ours = p.isEmpty() ? !name.contains(".") : name.startsWith(p);
            if (ours && !expected.contains(name)) {
                throw new SafetensorsFormatException(source, "unexpected tensor '" + name + "' in LSTM '" + p
                        + "' (an LSTM " + LstmConfigJson.toJson(layout.config()) + " has only " + expected + ")");
            }
        }
    }

    private static Matcher lstmName(String name, String p) {
        if (!name.startsWith(p)) {
            return null;
        }
        Matcher m = LSTM_NAME.matcher(name.substring(p.length()));
        return m.matches() ? m : null;
    }

    private static int[] shape(SafetensorsFile file, String source, String name, int rank)
            throws SafetensorsFormatException {
        NamedTensor t = file.get(name).orElseThrow(() ->
                new SafetensorsFormatException(source, "missing tensor '" + name + "'"));
        int[] s = t.shape();
        if (s.length != rank) {
            throw new SafetensorsFormatException(source, "tensor '" + name + "' has shape " + t.shapeString()
                    + ", expected " + rank + " dimensions");
        }
        return s;
    }

    private static String abbreviate(Set<String> names) {
        List<String> l = new ArrayList<>(names);
        return l.size() <= 8 ? l.toString() : l.subList(0, 8) + " and " + (l.size() - 8) + " more";
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
