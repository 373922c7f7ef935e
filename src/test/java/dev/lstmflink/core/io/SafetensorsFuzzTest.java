package dev.lstmflink.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.testutil.TestModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted model files through the path a model takes ({@link LstmModelFile#read(byte[], String)} as the operators
 * load it, and {@link LstmModelFile#read(Path, long)} as a job reads its file): a valid two-layer bidirectional LSTM
 * with a projection and a head, mutated field by field (the header length, dtype strings, shapes, data offsets, tensor
 * names, the {@code lstm_config} metadata), truncated at every length, and flipped byte by byte (fixed seeds, so a
 * failure reproduces). Each must load or fail with the loader's own error, {@link SafetensorsFormatException} naming the
 * source: never an {@code OutOfMemoryError}, an index, negative-size, arithmetic, null-pointer or class-cast exception,
 * nor an {@code IllegalArgumentException} or {@code IllegalStateException} from the model classes escaping unwrapped.
 * {@code SafetensorsFileTest} checks the reader's messages one case at a time; this test checks the whole loader,
 * LSTM and head included, on many more inputs.
 */
class SafetensorsFuzzTest {

    static final String SRC = "fuzz.safetensors";
    static final ObjectMapper JSON = new ObjectMapper();
    /** Two layers, both directions, a projection, biases, a head: every kind of tensor the loader knows. */
    static final byte[] VALID = TestModels.withHead(
            LstmConfig.of(3, 4).withNumLayers(2).withBidirectional(true).withProjSize(2), 3, 11);

    @TempDir
    Path tmp;

    /** Outcomes by kind of case: how many loaded, how many were refused. */
    final Map<String, int[]> outcomes = new TreeMap<>();

    @BeforeEach
    void theSeedLoads() throws IOException {
        LstmModel m = LstmModelFile.read(VALID, SRC);
        assertEquals(4, m.lstm().config().hiddenSize());
        assertEquals(m.lstm().config(), LstmModelFile.read(build(header(VALID).toString()), SRC).lstm().config(),
                "the helpers rebuild the valid file");
        assertTrue(header(VALID).size() >= 17, "tensors and metadata: " + header(VALID).size());
    }

    @Test
    void headerLengthFieldOfAnyValue() throws IOException {
        long header = headerLength(VALID);
        long file = VALID.length;
        List<Long> lengths = new ArrayList<>(List.of(0L, 1L, 2L, 7L, 8L, header - 1, header + 1, header + 8, file - 8,
                file - 7, file, (long) Integer.MAX_VALUE, 1L << 31, 1L << 32, (1L << 32) + header, 1L << 62,
                Long.MIN_VALUE, Long.MAX_VALUE, -1L, -header, SafetensorsReader.MAX_HEADER_SIZE,
                SafetensorsReader.MAX_HEADER_SIZE + 1));
        Random random = new Random(1);
        for (int i = 0; i < 300; i++) {
            lengths.add(random.nextLong());
            lengths.add((long) random.nextInt((int) file + 16));
        }
        for (long length : lengths) {
            byte[] b = VALID.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
            check("header length", b, length != header);
            checkFile("header length", b);
        }
        // refused after 8 bytes when the length is impossible, without reading the rest
        byte[] b = VALID.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MIN_VALUE);
        Path p = write("top-bit", b);
        SafetensorsFormatException e = assertThrowsFormat(() -> LstmModelFile.readBytes(p, Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("9223372036854775808") && e.getMessage().contains("top bit"), e.getMessage());
        long wrong = lengths.stream().filter(l -> l != header).count();
        assertEquals(wrong, outcomes.get("header length")[1], "every length but the true one is refused");
    }

    @Test
    void truncatedAtEveryLengthAndWithBytesAppended() throws IOException {
        for (int length = 0; length < VALID.length; length++) {
            byte[] cut = Arrays.copyOf(VALID, length);
            check("truncated", cut, true);
            if (length % 7 == 0) {
                checkFile("truncated", cut);
            }
        }
        check("appended", concat(VALID, new byte[1]), true);
        check("appended", concat(VALID, "        ".getBytes(StandardCharsets.US_ASCII)), true);
        check("appended", concat(VALID, VALID), true);
    }

    @Test
    void everyTensorEntryWithEveryHostileDtypeShapeAndOffsets() throws IOException {
        ObjectNode valid = header(VALID);
        List<String> names = tensorNames(valid);
        List<String> dtypes = new ArrayList<>();
        for (DType d : DType.values()) {
            dtypes.add("\"" + d.safetensorsName() + "\"");
        }
        dtypes.addAll(List.of("\"f32\"", "\"\"", "\" F32\"", "\"F32\\u0000\"", "\"FLOAT\"", "\"F128\"", "4", "null",
                "true", "[]", "{}", "\"" + "F".repeat(100_000) + "\""));
        List<String> shapes = List.of("[]", "[0]", "[1]", "[-1]", "[0,0]", "[4]", "[2147483647]", "[2147483648]",
                "[4294967296]", "[9223372036854775807]", "[9223372036854775808]", "[99999999999999999999]", "[1.5]",
                "[1e3]", "[\"4\"]", "[null]", "null", "\"4\"", "{}", "[65536,65536]", "[2147483647,2147483647,2147483647]",
                "[3037000500,3037000500]", "[0,2147483647,2147483647]", "[65536,65536,65536,65536]", "[[4],[4]]",
                "[" + "1,".repeat(10_000) + "1]", "[" + "[".repeat(3000) + "]".repeat(3000) + "]");
        for (String name : names) {
            JsonNode entry = valid.get(name);
            long begin = entry.get("data_offsets").get(0).asLong();
            long end = entry.get("data_offsets").get(1).asLong();
            int[] shape = shapeOf(entry);
            List<String> own = new ArrayList<>(shapes);
            own.add(Arrays.toString(reversed(shape)).replace(" ", ""));
            own.add("[" + Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b) + "]");
            own.add(Arrays.toString(plusOne(shape)).replace(" ", ""));
            for (String dtype : dtypes) {
                check("dtype", withField(valid, name, "dtype", dtype), !dtype.equals(entry.get("dtype").toString()));
            }
            for (String s : own) {
                check("shape", withField(valid, name, "shape", s), !s.equals(entry.get("shape").toString()));
            }
            List<String> offsets = new ArrayList<>(List.of("[]", "[0]", "[0,1,2]", "null", "\"0\"", "{}",
                    "[\"" + begin + "\"," + end + "]", "[1.0,8.0]", "[-1," + end + "]", "[" + begin + ",-1]",
                    "[" + end + "," + begin + "]", "[0,0]", "[" + begin + "," + (end + 1) + "]",
                    "[" + (begin - 1) + "," + (end - 1) + "]", "[" + (begin + 4) + "," + (end + 4) + "]",
                    "[" + begin + ",9223372036854775807]", "[" + begin + ",9223372036854775808]",
                    "[9223372036854775807,9223372036854775807]", "[" + begin + ",1e30]",
                    "[0," + (end - begin) + "]", "[" + begin + "," + (begin + 2 * (end - begin)) + "]"));
            for (String o : offsets) {
                check("data_offsets", withField(valid, name, "data_offsets", o),
                        !o.equals(entry.get("data_offsets").toString()));
            }
            check("entry", withEntry(valid, name, "[0,8]"), true);
            check("entry", withEntry(valid, name, "null"), true);
            check("entry", withEntry(valid, name, "\"F32\""), true);
            check("entry", withField(valid, name, "order", "\"F\""), true);
            ObjectNode missing = valid.deepCopy();
            ((ObjectNode) missing.get(name)).remove("shape");
            check("entry", build(missing.toString()), true);
        }
    }

    @Test
    void tensorsRenamedRemovedDoubledOrAdded() throws IOException {
        ObjectNode valid = header(VALID);
        List<String> names = tensorNames(valid);
        List<String> newNames = List.of("lstm.weight_ih_l999999", "lstm.weight_ih_l2147483648", "lstm.weight_ih_l7",
                "lstm.weight_hh_l1_reverse_reverse", "lstm2.weight_ih_l0", "weight_ih_l0", "", "lstm.\u0000",
                "x".repeat(100_000), SafetensorsFile.METADATA_KEY, "head.weight", "head.bias", "lstm.weight_hr_l0");
        for (String name : names) {
            for (String to : newNames) {
                if (!to.equals(name)) { // a head tensor renamed may be ignored (the bias is optional), an LSTM one not
                    check("renamed", renamed(valid, name, to), name.startsWith("lstm."));
                }
            }
            ObjectNode dropped = valid.deepCopy();
            dropped.remove(name);
            check("removed entry", build(dropped.toString()), true);
            // the same, with the bytes gone too, so only the loader can object
            check("removed tensor", rewritten(t -> !t.name().equals(name), List.of()), !name.equals("head.bias"));
            // the same entry twice in the header text
            String json = valid.toString();
            String field = JSON.writeValueAsString(name) + ":" + valid.get(name).toString();
            check("duplicate name", build(json.replace(field, field + "," + field)), true);
        }
        // tensors added next to a valid model: another layer, a reverse direction of the wrong shape, another LSTM
        for (NamedTensor extra : List.of(
                NamedTensor.ofFloats("lstm.weight_ih_l5", new int[] {16, 4}, new float[64]),
                NamedTensor.ofFloats("lstm.weight_ih_l0_reverse_x", new int[] {1}, new float[1]),
                NamedTensor.ofFloats("other.weight_ih_l0", new int[] {16, 3}, new float[48]),
                NamedTensor.ofFloats("head.extra", new int[] {1}, new float[1]),
                NamedTensor.of("lstm.flags", DType.BOOL, new int[] {0, 2147483647, 2147483647}, new byte[0]))) {
            check("added", rewritten(t -> true, List.of(extra)), extra.name().startsWith("lstm.")
                    || extra.name().startsWith("other."));
        }
        // the head in every wrong shape and dtype
        for (NamedTensor head : List.of(
                NamedTensor.ofFloats("head.weight", new int[] {3, 5}, new float[15]),
                NamedTensor.ofFloats("head.weight", new int[] {12}, new float[12]),
                NamedTensor.ofFloats("head.weight", new int[] {1, 3, 4}, new float[12]),
                NamedTensor.ofFloats("head.weight", new int[] {0, 4}, new float[0]),
                NamedTensor.ofFloats("head.weight", new int[] {3, 0}, new float[0]),
                NamedTensor.ofDoubles("head.weight", new int[] {3, 4}, new double[12]),
                NamedTensor.of("head.weight", DType.I32, new int[] {3, 4}, new byte[48]),
                NamedTensor.of("head.weight", DType.F16, new int[] {3, 4}, new byte[24]),
                NamedTensor.ofFloats("head.bias", new int[] {4}, new float[4]),
                NamedTensor.ofFloats("head.bias", new int[] {3, 1}, new float[3]),
                NamedTensor.of("head.bias", DType.U8, new int[] {3}, new byte[3]))) {
            // F64 and F16 heads of the right shape load (half precision is widened exactly); the rest cannot
            check("head", rewritten(t -> !t.name().equals(head.name()), List.of(head)),
                    head.dtype() == DType.F64 || head.dtype() == DType.F16);
        }
        // the head bias alone
        check("head", rewritten(t -> !t.name().equals("head.weight"), List.of()), true);
    }

    @Test
    void lstmConfigMetadataOfEveryWrongKind() throws IOException {
        ObjectNode valid = header(VALID);
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        List<String> configs = List.of("{", "[]", "null", "", "{\"hidden_size\":-1}", "{\"hidden_size\":0}",
                "{\"hidden_size\":1e10}", "{\"hidden_size\":99999999999999999999}", "{\"hidden_size\":\"4\"}",
                "{\"num_layers\":2147483647}", "{\"num_layers\":3}", "{\"dropout\":1.5}", "{\"dropout\":\"x\"}",
                "{\"dropout\":-0.0}", "{\"proj_size\":3}", "{\"proj_size\":4}", "{\"bidirectional\":false}",
                "{\"bias\":0}", "{\"x\":1}", "{\"input_size\":3,\"input_size\":4}", deep,
                "{\"hidden_size\":" + deep + "}", "{\"batch_first\":true,\"dropout\":0.25}");
        for (String key : List.of(LstmSafetensors.CONFIG_KEY, "config")) {
            for (String c : configs) {
                ObjectNode h = valid.deepCopy();
                ObjectNode meta = (ObjectNode) h.get(SafetensorsFile.METADATA_KEY);
                meta.remove(LstmSafetensors.CONFIG_KEY);
                meta.put(key, c);
                check("lstm_config", build(h.toString()), !c.equals("{\"dropout\":-0.0}")
                        && !c.equals("{\"batch_first\":true,\"dropout\":0.25}"));
            }
        }
        for (String meta : List.of("5", "null", "[]", "\"x\"", "{\"k\":5}", "{\"k\":null}", "{\"k\":{}}",
                "{\"model_version\":\"" + "v".repeat(1_000_000) + "\"}", "{\"\\u0000\":\"\\ud800\"}")) {
            ObjectNode h = valid.deepCopy();
            h.set(SafetensorsFile.METADATA_KEY, JSON.readTree(meta));
            check("metadata", build(h.toString()), !meta.startsWith("{\"model_version")
                    && !meta.startsWith("{\"\\u0000"));
        }
    }

    @Test
    void headerGarbage() throws IOException {
        String json = header(VALID).toString();
        Random random = new Random(2);
        String alphabet = "{}[]\",:0123456789.-eE tnrufalsF\\\u0000\u00e9\uFEFF";
        for (int i = 0; i < 1500; i++) {
            StringBuilder b = new StringBuilder(json);
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                int at = random.nextInt(b.length());
                switch (random.nextInt(3)) {
                    case 0 -> b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> b.deleteCharAt(at);
                }
            }
            check("header edits", build(b.toString()), false);
        }
        for (String h : List.of("", " ", "{}", "[]", "null", "0", "\"x\"", "{\"a\":1}", "\uFEFF" + json, json + "x",
                json + "\n", "[".repeat(100_000), "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}")) {
            check("header replaced", build(h), true);
        }
        byte[] notUtf8 = build(json);
        notUtf8[8 + json.indexOf("lstm")] = (byte) 0xFF;
        check("header replaced", notUtf8, true);
        // 50,000 empty tensors beside the model: a large header, but no work for the loader beyond reading it
        StringBuilder many = new StringBuilder(json.substring(0, json.length() - 1));
        for (int i = 0; i < 50_000; i++) {
            many.append(",\"pad.").append(i).append("\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        check("many tensors", build(many.append('}').toString()), false);
    }

    @Test
    void randomByteFlipsAnywhere() throws IOException {
        Random random = new Random(3);
        for (int i = 0; i < 5000; i++) {
            byte[] b = VALID.clone();
            for (int k = 1 + random.nextInt(4); k > 0; k--) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            check("byte flips", b, false);
        }
        int[] flips = outcomes.get("byte flips");
        assertTrue(flips[0] > 100 && flips[1] > 500, "flips in the data load, flips in the header are refused: "
                + Arrays.toString(flips));
    }

    // ---- checking one case ----------------------------------------------------------------------------------------

    /**
     * Loads {@code bytes}: either a model, or a {@link SafetensorsFormatException} whose message starts with the
     * source; anything else fails the test naming the case. {@code mustFail}: a case that cannot be a valid model.
     */
    void check(String kind, byte[] bytes, boolean mustFail) {
        int[] counts = outcomes.computeIfAbsent(kind, k -> new int[2]);
        try {
            LstmModel m = LstmModelFile.read(bytes, SRC);
            if (mustFail) {
                fail(kind + ": loaded, but cannot be a valid model: " + preview(bytes));
            }
            assertTrue(m.lstm().config().hiddenSize() > 0 && m.version() != null, kind);
            counts[0]++;
        } catch (SafetensorsFormatException e) {
            assertTrue(e.getMessage().startsWith(SRC + ": "), e.getMessage());
            counts[1]++;
        } catch (Throwable t) { // OutOfMemoryError and StackOverflowError included: the point of the test
            throw new AssertionError(kind + ": the loader threw " + t + " on " + preview(bytes), t);
        }
    }

    /** As {@link #check} through a file, with a limit just above its size: the same outcome, or a refusal. */
    void checkFile(String kind, byte[] bytes) throws IOException {
        Path p = write(kind, bytes);
        try {
            LstmModelFile.read(p, bytes.length);
        } catch (SafetensorsFormatException e) {
            assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        } catch (Throwable t) {
            throw new AssertionError(kind + " (file): the loader threw " + t + " on " + preview(bytes), t);
        }
    }

    private Path write(String kind, byte[] bytes) throws IOException {
        Path p = tmp.resolve(kind.replaceAll("[^a-z0-9]", "-") + ".safetensors");
        Files.write(p, bytes);
        return p;
    }

    interface IoCall {
        Object call() throws IOException;
    }

    static SafetensorsFormatException assertThrowsFormat(IoCall call) {
        try {
            call.call();
        } catch (SafetensorsFormatException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected a SafetensorsFormatException, got " + t, t);
        }
        throw new AssertionError("expected a SafetensorsFormatException, got none");
    }

    private static String preview(byte[] bytes) {
        int n = Math.min(bytes.length, 300);
        return bytes.length + " bytes, starting " + new String(bytes, 0, n, StandardCharsets.ISO_8859_1)
                .replaceAll("[^\\x20-\\x7e]", "?");
    }

    // ---- building files -------------------------------------------------------------------------------------------

    static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    static ObjectNode header(byte[] file) throws IOException {
        int n = (int) headerLength(file);
        return (ObjectNode) JSON.readTree(new String(file, 8, n, StandardCharsets.UTF_8).trim());
    }

    static byte[] data(byte[] file) {
        return Arrays.copyOfRange(file, 8 + (int) headerLength(file), file.length);
    }

    /** A file with header {@code json} (padded with spaces to a multiple of 8) and {@link #VALID}'s data. */
    static byte[] build(String json) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        byte[] d = data(VALID);
        ByteBuffer b = ByteBuffer.allocate(8 + padded + d.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        return b.put(d).array();
    }

    /** {@code header} with {@code field} of tensor {@code name} set to the JSON text {@code value}. */
    static byte[] withField(ObjectNode header, String name, String field, String value) throws IOException {
        ObjectNode h = header.deepCopy();
        ((ObjectNode) h.get(name)).set(field, parse(value));
        return build(h.toString());
    }

    /** {@code header} with tensor {@code name}'s entry replaced by the JSON text {@code value}. */
    static byte[] withEntry(ObjectNode header, String name, String value) throws IOException {
        ObjectNode h = header.deepCopy();
        h.set(name, parse(value));
        return build(h.toString());
    }

    /** Jackson's tree cannot hold every text we want (a 3,000-deep array): those go in as text. */
    private static JsonNode parse(String value) throws IOException {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            return JSON.getNodeFactory().rawValueNode(new com.fasterxml.jackson.databind.util.RawValue(value));
        }
    }

    /** {@code header} with tensor {@code from} renamed {@code to}, keeping the order. */
    static byte[] renamed(ObjectNode header, String from, String to) {
        ObjectNode h = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            h.set(e.getKey().equals(from) ? to : e.getKey(), e.getValue());
        }
        return build(h.toString());
    }

    /** {@link #VALID}'s tensors that {@code keep} accepts, plus {@code extra}, written anew (a well-formed file). */
    static byte[] rewritten(java.util.function.Predicate<NamedTensor> keep, List<NamedTensor> extra)
            throws IOException {
        SafetensorsFile f = SafetensorsFile.read(VALID, SRC);
        List<NamedTensor> tensors = new ArrayList<>();
        for (NamedTensor t : f.tensors()) {
            if (keep.test(t)) {
                tensors.add(t);
            }
        }
        tensors.addAll(extra);
        return SafetensorsFile.of(new LinkedHashMap<>(f.metadata()), tensors).toBytes();
    }

    static List<String> tensorNames(ObjectNode header) {
        List<String> names = new ArrayList<>();
        header.fieldNames().forEachRemaining(n -> {
            if (!n.equals(SafetensorsFile.METADATA_KEY)) {
                names.add(n);
            }
        });
        return names;
    }

    static int[] shapeOf(JsonNode entry) {
        int[] s = new int[entry.get("shape").size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = entry.get("shape").get(i).asInt();
        }
        return s;
    }

    static int[] reversed(int[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }

    static int[] plusOne(int[] a) {
        int[] r = a.clone();
        r[0]++;
        return r;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
