package dev.lstmflink.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Round trips, byte-exact agreement with the reference writer and with real PyTorch files, and a
 * hand-built hostile file for every check the reader makes. The hostile cases are the point: a
 * corrupt checkpoint must give a {@link SafetensorsFormatException} that says what is wrong, never
 * an index, allocation or arithmetic error.
 */
class SafetensorsFileTest {
    private static final String SRC = "crafted.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- round trips and writing

    @Test
    void roundTripF32ThroughAFile() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "zürich ✓"); // non-ASCII must survive as UTF-8
        SafetensorsFile original = SafetensorsFile.of(meta, List.of(
                NamedTensor.ofFloats("w", new int[] {2, 3}, new float[] {1f, -0f, Float.MIN_VALUE,
                        Float.MAX_VALUE, Float.NEGATIVE_INFINITY, Float.NaN}),
                NamedTensor.ofFloats("b", new int[] {3}, new float[] {0.1f, 0.2f, 0.3f}),
                NamedTensor.ofFloats("scalar", new int[] {}, new float[] {42f})));
        Path path = tmp.resolve("f32.safetensors");
        original.write(path);
        assertSameContents(original, SafetensorsFile.read(path));
        assertEquals(List.of("format", "note"), new ArrayList<>(SafetensorsFile.read(path).metadata().keySet()));
    }

    @Test
    void roundTripF64InMemory() throws IOException {
        SafetensorsFile original = SafetensorsFile.of(Map.of("k", "v"), List.of(
                NamedTensor.ofDoubles("x", new int[] {2, 2}, new double[] {Math.PI, -0.0, Double.MIN_VALUE, 1e300}),
                NamedTensor.ofDoubles("empty", new int[] {0, 5}, new double[0])));
        SafetensorsFile read = SafetensorsFile.read(original.toBytes(), SRC);
        assertSameContents(original, read);
        assertArrayEquals(new double[] {Math.PI, -0.0, Double.MIN_VALUE, 1e300},
                read.get("x").orElseThrow().toDoubles());
    }

    @Test
    void roundTripEveryDtypeFromRawBytes() throws IOException {
        List<NamedTensor> tensors = new ArrayList<>();
        for (DType d : DType.values()) {
            byte[] raw = new byte[3 * d.itemSize()];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (byte) (i * 37 + d.ordinal());
            }
            tensors.add(NamedTensor.of("t_" + d.safetensorsName(), d, new int[] {3}, raw));
        }
        SafetensorsFile original = SafetensorsFile.of(Map.of(), tensors);
        SafetensorsFile read = SafetensorsFile.read(original.toBytes(), SRC);
        assertSameContents(original, read);
        assertTrue(read.metadata().isEmpty());
    }

    private static void assertSameContents(SafetensorsFile expected, SafetensorsFile actual) {
        assertEquals(expected.metadata(), actual.metadata());
        assertEquals(new ArrayList<>(expected.names()), new ArrayList<>(actual.names()));
        for (NamedTensor e : expected.tensors()) {
            NamedTensor a = actual.get(e.name()).orElseThrow();
            assertEquals(e.dtype(), a.dtype(), e.name());
            assertArrayEquals(e.shape(), a.shape(), e.name());
            assertArrayEquals(e.littleEndianBytes(), a.littleEndianBytes(), e.name());
        }
        assertEquals(expected.tensors(), actual.tensors());
    }

    /** Expected bytes are the reference implementation's own unit tests (tensor.rs). */
    @Test
    void writesTheSameBytesAsTheReferenceImplementation() {
        byte[] floats = le(new float[] {0, 1, 2, 3, 4, 5});
        assertArrayEquals(file("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", floats),
                SafetensorsFile.of(Map.of(), List.of(NamedTensor.ofFloats("attn.0", new int[] {1, 2, 3},
                        new float[] {0, 1, 2, 3, 4, 5}))).toBytes());
        assertArrayEquals(file("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ",
                floats), SafetensorsFile.of(Map.of(), List.of(NamedTensor.ofFloats("attn0", new int[] {1, 1, 2, 3},
                        new float[] {0, 1, 2, 3, 4, 5}))).toBytes());
        assertArrayEquals(file("{}      ", new byte[0]), SafetensorsFile.of(Map.of(), List.of()).toBytes());
        assertArrayEquals(file("{\"__metadata__\":{\"framework\":\"pt\"}}     ", new byte[0]),
                SafetensorsFile.of(Map.of("framework", "pt"), List.of()).toBytes());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 17})
    void headerIsPaddedWithSpacesToAMultipleOf8(int nameLength) {
        String name = "n".repeat(nameLength);
        byte[] bytes = SafetensorsFile.of(Map.of(), List.of(
                NamedTensor.ofFloats(name, new int[] {1}, new float[] {7f}))).toBytes();
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header length " + n);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        String json = header.stripTrailing();
        assertTrue(json.endsWith("}"), header);
        assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '), header);
        assertTrue(n - json.length() < 8, "padding must be under 8 bytes: " + header);
        assertArrayEquals(le(new float[] {7f}), Arrays.copyOfRange(bytes, 8 + (int) n, bytes.length));
    }

    /** Like the reference prepare(): widest dtype first, then by name; offsets contiguous. */
    @Test
    void writesTensorsByDtypeThenNameWithContiguousOffsets() throws IOException {
        SafetensorsFile f = SafetensorsFile.of(Map.of(), List.of(
                NamedTensor.ofFloats("b", new int[] {1}, new float[] {1}),
                NamedTensor.of("z", DType.I8, new int[] {3}, new byte[] {1, 2, 3}),
                NamedTensor.ofFloats("a", new int[] {2}, new float[] {2, 3}),
                NamedTensor.ofDoubles("c", new int[] {1}, new double[] {4})));
        assertEquals(List.of("c", "a", "b", "z"), new ArrayList<>(f.names()));
        byte[] bytes = f.toBytes();
        int n = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = JSON.readTree(new String(bytes, 8, n, StandardCharsets.UTF_8));
        List<String> keys = new ArrayList<>();
        header.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("c", "a", "b", "z"), keys);
        assertEquals("[0,8]", header.get("c").get("data_offsets").toString());
        assertEquals("[8,16]", header.get("a").get("data_offsets").toString());
        assertEquals("[16,20]", header.get("b").get("data_offsets").toString());
        assertEquals("[20,23]", header.get("z").get("data_offsets").toString());
    }

    // ---------------------------------------------------------------- real PyTorch files

    @ParameterizedTest
    @ValueSource(strings = {"lstm/a_single_layer", "lstm/b_initial_state", "lstm/c_no_bias", "lstm/d_three_layers",
        "lstm/e_batch_first", "lstm/f_bidirectional_2layer", "lstm/g1_projection", "lstm/g2_projection_bidir_2layer",
        "lstm/h1_lengths", "lstm/h2_lengths_bidir_2layer", "lstm/i_streaming", "lstm/i2_streaming_2layer",
        "lstm/j_large", "lstm/k_extreme_inputs", "train/sine_next_step"})
    void readsPyTorchFilesAndRewritesThemByteForByte(String goldenCase) throws IOException {
        byte[] bytes = resource("golden/" + goldenCase + ".safetensors");
        JsonNode json = JSON.readTree(resource("golden/" + goldenCase + ".json"));
        SafetensorsFile file = SafetensorsFile.read(bytes, goldenCase);

        assertEquals("pt", file.metadata().get("format"));
        assertEquals(json.get("name").asText(), file.metadata().get("case"));
        List<String> expectedNames = new ArrayList<>();
        json.get("params").fieldNames().forEachRemaining(expectedNames::add);
        assertEquals(expectedNames.stream().sorted().toList(), new ArrayList<>(file.names()));
        for (String name : expectedNames) {
            NamedTensor t = file.get(name).orElseThrow();
            assertEquals(DType.F32, t.dtype(), name);
            assertArrayEquals(JSON.convertValue(json.get("params").get(name).get("shape"), int[].class), t.shape());
            assertArrayEquals(asFloats(json.get("params").get(name).get("data")), t.toFloats(), name);
        }
        assertArrayEquals(bytes, file.toBytes(), "our writer must reproduce the PyTorch file exactly");
    }

    @Test
    void singleLayerWeightMatchesTheJsonValues() throws IOException {
        SafetensorsFile file = SafetensorsFile.read(resource("golden/lstm/a_single_layer.safetensors"), "a");
        JsonNode w = JSON.readTree(resource("golden/lstm/a_single_layer.json")).get("params").get("weight_ih_l0");
        NamedTensor t = file.get("weight_ih_l0").orElseThrow();
        assertEquals(DType.F32, t.dtype());
        assertEquals("[20, 3]", t.shapeString());
        assertEquals(60, t.elementCount());
        float[] expected = asFloats(w.get("data"));
        assertEquals(60, expected.length);
        assertArrayEquals(expected, t.toFloats());
        double[] widened = t.toDoubles();
        for (int i = 0; i < 60; i++) {
            assertEquals(w.get("data").get(i).doubleValue(), widened[i], 0.0, "float32 values widen exactly");
        }
    }

    private static float[] asFloats(JsonNode data) {
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) data.get(i).doubleValue();
        }
        return out;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SafetensorsFileTest.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, "missing test resource " + name);
            return in.readAllBytes();
        }
    }

    // ---------------------------------------------------------------- API contracts

    @Test
    void factoriesRejectAValueCountThatDoesNotMatchTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NamedTensor.ofFloats("w", new int[] {4, 3}, new float[11]));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("[4, 3]")
                && e.getMessage().contains("12") && e.getMessage().contains("11"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NamedTensor.ofDoubles("d", new int[] {2}, new double[3]));
        assertTrue(e.getMessage().contains("'d'") && e.getMessage().contains("[2]") && e.getMessage().contains("3"));
        e = assertThrows(IllegalArgumentException.class,
                () -> NamedTensor.of("r", DType.I16, new int[] {3}, new byte[5]));
        assertTrue(e.getMessage().contains("'r'") && e.getMessage().contains("6") && e.getMessage().contains("5"));
        e = assertThrows(IllegalArgumentException.class, () -> NamedTensor.ofFloats("n", new int[] {-1}, new float[0]));
        assertTrue(e.getMessage().contains("'n'") && e.getMessage().contains("[-1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NamedTensor.ofFloats("__metadata__", new int[] {1}, new float[1]));
        assertTrue(e.getMessage().contains("reserved"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NamedTensor.of("big", DType.F64,
                new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 2}, new byte[0]));
        assertTrue(e.getMessage().contains("'big'"), e.getMessage());
        // 65536^4 wraps to 0 in plain long arithmetic; it must not pass as an empty tensor.
        e = assertThrows(IllegalArgumentException.class, () -> NamedTensor.of("wrap", DType.U8,
                new int[] {65536, 65536, 65536, 65536}, new byte[0]));
        assertTrue(e.getMessage().contains("'wrap'") && e.getMessage().contains("overflows"), e.getMessage());
    }

    @Test
    void conversionsWidenF32AndHalvesExactlyRoundF64AndRefuseOtherDtypes() {
        NamedTensor f32 = NamedTensor.ofFloats("f", new int[] {2}, new float[] {0.1f, -3.5f});
        assertArrayEquals(new double[] {0.1f, -3.5f}, f32.toDoubles());
        NamedTensor f64 = NamedTensor.ofDoubles("d", new int[] {2}, new double[] {0.1, 1e300});
        assertArrayEquals(new float[] {0.1f, Float.POSITIVE_INFINITY}, f64.toFloats());
        NamedTensor ints = NamedTensor.of("counts", DType.I32, new int[] {1}, new byte[4]);
        IllegalStateException e = assertThrows(IllegalStateException.class, ints::toFloats);
        assertTrue(e.getMessage().contains("'counts'") && e.getMessage().contains("I32"), e.getMessage());
        e = assertThrows(IllegalStateException.class,
                () -> NamedTensor.of("short", DType.I16, new int[] {1}, new byte[2]).toDoubles());
        assertTrue(e.getMessage().contains("'short'") && e.getMessage().contains("I16"), e.getMessage());
        // half precision is widened exactly (HalfFloatsTest checks every bit pattern): 0x3C00 = 1.0, 0xC000 = -2.0
        assertArrayEquals(new double[] {1.0, -2.0},
                NamedTensor.of("half", DType.F16, new int[] {2}, new byte[] {0, 0x3C, 0, (byte) 0xC0}).toDoubles());
        assertArrayEquals(new float[] {1.0f, -2.0f},
                NamedTensor.of("bf", DType.BF16, new int[] {2}, new byte[] {(byte) 0x80, 0x3F, 0, (byte) 0xC0})
                        .toFloats());
    }

    @Test
    void namedTensorIsImmutable() {
        int[] shape = {2, 2};
        byte[] raw = new byte[4];
        NamedTensor t = NamedTensor.of("u", DType.U8, shape, raw);
        shape[0] = 9;
        raw[0] = 9;
        t.shape()[1] = 9;
        t.littleEndianBytes()[1] = 9;
        assertEquals("[2, 2]", t.shapeString());
        assertArrayEquals(new byte[4], t.littleEndianBytes());
        assertEquals(4, t.elementCount());
        assertEquals("[]", NamedTensor.ofFloats("s", new int[0], new float[] {1}).shapeString());
    }

    @Test
    void fileAccessorsAndDuplicateNames() {
        NamedTensor a = NamedTensor.ofFloats("a", new int[] {1}, new float[] {1});
        SafetensorsFile f = SafetensorsFile.of(Map.of("k", "v"), List.of(a));
        assertEquals(a, f.get("a").orElseThrow());
        assertFalse(f.get("missing").isPresent());
        assertThrows(UnsupportedOperationException.class, () -> f.metadata().put("x", "y"));
        assertThrows(UnsupportedOperationException.class, () -> f.names().remove("a"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.of(Map.of(),
                List.of(a, NamedTensor.ofDoubles("a", new int[] {1}, new double[] {2}))));
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    }

    @Test
    void dtypeNamesAndItemSizesFollowTheSpec() {
        String[] names = {"BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64",
            "F8_E4M3", "F8_E5M2"};
        int[] sizes = {1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 8, 8, 8, 1, 1};
        assertEquals(names.length, DType.values().length);
        for (int i = 0; i < names.length; i++) {
            DType d = DType.parse(names[i]);
            assertEquals(names[i], d.safetensorsName());
            assertEquals(sizes[i], d.itemSize(), names[i]);
        }
        assertThrows(IllegalArgumentException.class, () -> DType.parse("f32"));
        assertThrows(IllegalArgumentException.class, () -> DType.parse("F128"));
    }

    // ---------------------------------------------------------------- hostile input

    private static final String F32 = "\"F32\"";

    static Stream<Arguments> hostileFiles() {
        String a = entry("a", F32, "[2]", "[0,8]");
        String dup = entry("dup_name", F32, "[2]", "[0,8]");
        String deep = "[".repeat(5000) + "]".repeat(5000);
        return Stream.of(
                bad("empty file", new byte[0], "0 bytes"),
                bad("7-byte file", new byte[7], "7 bytes", "8-byte"),
                bad("header length beyond the file", withLength(1000, ascii("{}      ")), "header length 1000",
                        " 8 bytes"),
                bad("50 MiB header length in a tiny file", withLength(50L << 20, ascii("{}")), "52428800", " 2 bytes"),
                bad("header length over 100 MiB", withLength(200_000_000L, new byte[16]), "200000000", "100 MiB"),
                bad("header length all ones", withLength(-1L, new byte[16]), "18446744073709551615", "top bit"),
                bad("header length top bit only", withLength(Long.MIN_VALUE, new byte[16]), "9223372036854775808"),
                bad("header not UTF-8", file(concat(ascii("{\"a"), new byte[] {(byte) 0xFF}, ascii("\":1}")), 0),
                        "UTF-8", "0xFF", "offset 3"),
                bad("header ends inside a UTF-8 sequence",
                        file(concat(ascii("{}"), new byte[] {(byte) 0xE2, (byte) 0x82}), 0),
                        "UTF-8", "0xE2", "offset 2"),
                bad("header not JSON", file("{\"w\": ", 0), "not valid JSON"),
                bad("header JSON with a comment", file("{/*c*/}", 0), "not valid JSON"),
                bad("header nested 5000 deep", file("{\"__metadata__\":" + deep + "}", 0), "not valid JSON", "depth"),
                bad("empty header", file("", 0), "JSON object", "empty"),
                bad("header of spaces only", file("        ", 0), "JSON object", "empty"),
                bad("header is an array", file("[1,2]", 0), "JSON object", "[1,2]"),
                bad("header is a string", file("\"hi\"", 0), "JSON object", "\"hi\""),
                bad("garbage after the JSON", file("{}xyz", 0), "offset 2", "'xyz'"),
                bad("second closing brace", file("{} }", 0), "offset 3", "'}'"),
                bad("newline after the JSON", file("{}\n", 0), "offset 2", "'\\n'"),
                bad("NUL padding after the JSON", file("{}\0\0", 0), "offset 2", "'\\u0000\\u0000'"),
                bad("__metadata__ a string", file("{\"__metadata__\":\"x\"}", 0), "__metadata__", "\"x\""),
                bad("__metadata__ null", file("{\"__metadata__\":null}", 0), "__metadata__", "null"),
                bad("__metadata__ value a number", file("{\"__metadata__\":{\"k\":12}}", 0), "'k'", "12"),
                bad("__metadata__ value an object", file("{\"__metadata__\":{\"k\":{}}}", 0), "'k'", "{}"),
                bad("entry an array", file("{\"w\":[0,8]}", 8), "'w'", "[0,8]"),
                bad("entry a string", file("{\"w\":\"F32\"}", 8), "'w'", "\"F32\""),
                bad("missing dtype", file("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "'w'",
                        "missing 'dtype'"),
                bad("missing shape", file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), "'w'",
                        "missing 'shape'"),
                bad("missing data_offsets", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "'w'",
                        "missing 'data_offsets'"),
                bad("unknown key", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],"
                        + "\"order\":\"F\"}}", 8), "'w'", "'order'"),
                bad("unknown dtype", tensor("w", "\"F33\"", "[2]", "[0,8]", 8), "'w'", "'F33'"),
                bad("lower-case dtype", tensor("w", "\"f32\"", "[2]", "[0,8]", 8), "'w'", "'f32'"),
                bad("dtype a number", tensor("w", "4", "[2]", "[0,8]", 8), "'w'", "dtype must be a string", "4"),
                bad("negative dimension", tensor("w", F32, "[-2]", "[0,8]", 8), "'w'", "shape[0] = -2"),
                bad("fractional dimension", tensor("w", F32, "[2.5]", "[0,8]", 8), "'w'", "shape[0] = 2.5"),
                bad("dimension written 2.0", tensor("w", F32, "[2.0]", "[0,8]", 8), "'w'", "shape[0] = 2.0"),
                bad("dimension a string", tensor("w", F32, "[\"2\"]", "[0,8]", 8), "'w'", "shape[0] = \"2\""),
                bad("dimension over int range", tensor("w", F32, "[0,3000000000]", "[0,0]", 0), "'w'",
                        "shape[1] = 3000000000"),
                bad("shape not an array", tensor("w", F32, "2", "[0,8]", 8), "'w'", "shape must be an array", "2"),
                bad("element count overflows", tensor("w", F32, "[2147483647,2147483647,2147483647]", "[0,8]", 8),
                        "'w'", "overflows", "[2147483647, 2147483647, 2147483647]"),
                // Without checked arithmetic these two wrap to 0 and would "fit" an empty range.
                bad("element count wraps to zero", tensor("w", F32, "[65536,65536,65536,65536]", "[0,0]", 0), "'w'",
                        "overflows", "[65536, 65536, 65536, 65536]"),
                bad("byte size wraps to zero", tensor("w", F32, "[65536,65536,65536,16384]", "[0,0]", 0), "'w'",
                        "overflows", "F32"),
                bad("byte size overflows", tensor("w", "\"F64\"", "[2147483647,2147483647,2]", "[0,8]", 8), "'w'",
                        "overflows", "F64"),
                bad("data_offsets not an array", tensor("w", F32, "[2]", "8", 8), "'w'", "[begin, end]", "8"),
                bad("three data_offsets", tensor("w", F32, "[2]", "[0,4,8]", 8), "'w'", "[0,4,8]"),
                bad("one data_offset", tensor("w", F32, "[2]", "[8]", 8), "'w'", "[8]"),
                bad("negative offset", tensor("w", F32, "[2]", "[-8,0]", 8), "'w'", "-8"),
                bad("fractional offset", tensor("w", F32, "[2]", "[0,8.0]", 8), "'w'", "8.0"),
                bad("string offset", tensor("w", F32, "[2]", "[\"0\",8]", 8), "'w'", "\"0\""),
                bad("offset past 2^64", tensor("w", F32, "[2]", "[0,18446744073709551616]", 8), "'w'",
                        "18446744073709551616"),
                bad("begin after end", tensor("w", F32, "[2]", "[8,0]", 8), "'w'", "[8, 0]", "begin after end"),
                bad("end beyond the buffer", tensor("w", F32, "[2]", "[0,400]", 16), "'w'", "[0, 400]", "16-byte"),
                bad("span does not match shape", tensor("w", F32, "[2]", "[0,12]", 12), "'w'", "span 12 bytes",
                        "needs 8"),
                bad("overlapping tensors", file("{" + a + "," + entry("b", F32, "[2]", "[4,12]") + "}", 12),
                        "'b'", "[4, 12]", "overlap", "'a'", "ends at 8"),
                bad("two tensors on the same bytes", file("{" + a + "," + entry("b", F32, "[2]", "[0,8]") + "}", 8),
                        "overlap", "'a'", "'b'"),
                bad("hole between tensors", file("{" + a + "," + entry("b", F32, "[2]", "[12,20]") + "}", 20),
                        "[8, 12)", "'b'"),
                bad("hole at the start", tensor("a", F32, "[2]", "[4,12]", 12), "[0, 4)", "'a'"),
                bad("bytes after the last tensor", file("{" + a + "}", 12), "[8, 12)", "'a'"),
                bad("data but no tensors", file("{}", 4), "[0, 4)", "no tensors"),
                bad("duplicate tensor name", file("{" + dup + "," + dup + "}", 8), "dup_name", "uplicate"),
                bad("duplicate __metadata__", file("{\"__metadata__\":{},\"__metadata__\":{}}", 0), "__metadata__",
                        "uplicate"),
                bad("duplicate metadata key", file("{\"__metadata__\":{\"k1\":\"a\",\"k1\":\"b\"}}", 0), "k1",
                        "uplicate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileFiles")
    void hostileBytesFailWithAClearMessage(String label, byte[] bytes, String[] fragments) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> SafetensorsFile.read(bytes, SRC));
        assertMessage(e, SRC, fragments);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileFiles")
    void hostileFilesFailWithThePathInTheMessage(String label, byte[] bytes, String[] fragments) throws IOException {
        Path path = tmp.resolve("hostile.safetensors");
        Files.write(path, bytes);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.read(path));
        assertMessage(e, path.toString(), fragments);
    }

    /**
     * A sparse file just over the byte[] limit: the reader must refuse it by size, after the
     * cheap header checks and before trying to allocate the array.
     */
    @Test
    void fileLargerThanAByteArrayIsRejected() throws IOException {
        Path path = tmp.resolve("huge.safetensors");
        long size = SafetensorsFile.MAX_FILE_SIZE + 2;
        try (SeekableByteChannel ch = Files.newByteChannel(path,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.wrap(file("{}      ", 0)));
            ch.position(size - 1).write(ByteBuffer.wrap(new byte[1]));
        }
        assertEquals(size, Files.size(path));
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.read(path));
        assertMessage(e, path.toString(), new String[] {"file is " + size + " bytes", "byte[]"});
    }

    /** Every truncation of a valid file, and thousands of random byte flips, fail only in our way. */
    @Test
    void truncatedAndMutatedFilesNeverThrowAnythingElse() {
        byte[] valid = SafetensorsFile.of(Map.of("format", "pt"), List.of(
                NamedTensor.ofFloats("w", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
                NamedTensor.ofDoubles("b", new int[] {2}, new double[] {7, 8}))).toBytes();
        for (int length = 0; length < valid.length; length++) {
            byte[] cut = Arrays.copyOf(valid, length);
            assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.read(cut, SRC), "length " + length);
        }
        Random random = new Random(20240611);
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] mutated = valid.clone();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            try {
                SafetensorsFile.read(mutated, SRC);
            } catch (SafetensorsFormatException expected) {
                rejected++;
            } catch (RuntimeException | Error e) {
                fail("unexpected " + e + " for bytes " + Arrays.toString(mutated), e);
            }
        }
        assertTrue(rejected > 1000, "mutations should mostly be caught, got " + rejected);
    }

    private static void assertMessage(SafetensorsFormatException e, String source, String[] fragments) {
        String message = e.getMessage();
        assertTrue(message.startsWith(source + ": "), message);
        assertEquals(source, e.source());
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "'" + fragment + "' missing from: " + message);
        }
    }

    private static Arguments bad(String label, byte[] bytes, String... fragments) {
        return Arguments.of(label, bytes, fragments);
    }

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    private static byte[] tensor(String name, String dtype, String shape, String offsets, int dataBytes) {
        return file("{" + entry(name, dtype, shape, offsets) + "}", dataBytes);
    }

    private static byte[] file(String header, int dataBytes) {
        return file(header.getBytes(StandardCharsets.UTF_8), new byte[dataBytes]);
    }

    private static byte[] file(String header, byte[] data) {
        return file(header.getBytes(StandardCharsets.UTF_8), data);
    }

    private static byte[] file(byte[] header, int dataBytes) {
        return file(header, new byte[dataBytes]);
    }

    /** A file with a truthful header length: length field, header bytes, data. */
    private static byte[] file(byte[] header, byte[] data) {
        return withLength(header.length, concat(header, data));
    }

    /** The 8-byte little-endian length field followed by {@code rest}; the length may lie. */
    private static byte[] withLength(long declared, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(declared).put(rest).array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] le(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return buf.array();
    }
}
