package dev.lstmflink.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.testutil.GoldenFiles;
import dev.lstmflink.testutil.RandomLstm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LSTM weights in safetensors with PyTorch names: round trips, prefixes, and files that must be refused. */
class LstmSafetensorsTest {

    @TempDir
    Path tmp;

    /** Every golden file written by PyTorch: read, write, read again gives identical tensors and config. */
    @Test
    void goldenFilesRoundTripBitIdentically() throws IOException {
        List<Path> jsons = GoldenFiles.list("golden.dir", "src/test/resources/golden/lstm");
        for (Path json : jsons) {
            Path st = json.resolveSibling(json.getFileName().toString().replace(".json", ".safetensors"));
            SafetensorsFile original = SafetensorsFile.read(st);
            LstmSafetensors.Loaded loaded = LstmSafetensors.find(original, st.toString(), null);
            Path copy = tmp.resolve(st.getFileName());
            LstmSafetensors.write(copy, loaded.f32(), "", DType.F32);
            SafetensorsFile again = SafetensorsFile.read(copy);
            assertEquals(original.names(), again.names(), st.getFileName().toString());
            for (NamedTensor t : original.tensors()) {
                assertEquals(t, again.get(t.name()).orElseThrow(), st.getFileName() + " " + t.name());
            }
            assertEquals(loaded.config(), LstmSafetensors.read(copy).config());
        }
    }

    @Test
    void float64RoundTripKeepsEveryBit() throws IOException {
        LstmConfig cfg = LstmConfig.of(3, 6).withNumLayers(2).withBidirectional(true).withProjSize(2)
                .withBatchFirst(true).withDropout(0.25);
        double[] p = RandomLstm.params(cfg, new Random(5));
        for (int i = 0; i < p.length; i++) {
            p[i] = p[i] + 1e-12 * i;   // not float-representable: F64 must keep it
        }
        Path file = tmp.resolve("m.safetensors");
        LstmSafetensors.write(file, Lstm.f64(cfg, p), "lstm.", DType.F64);
        LstmSafetensors.Loaded back = LstmSafetensors.read(file);
        assertEquals(cfg, back.config(), "batch_first and dropout come back from the metadata");
        assertEquals("lstm.", back.prefix());
        double[] q = back.params(Precision.F64);
        for (int i = 0; i < p.length; i++) {
            assertEquals(Double.doubleToRawLongBits(p[i]), Double.doubleToRawLongBits(q[i]), "param " + i);
        }
    }

    @Test
    void kerasOptionsComeBackFromTheMetadata() throws IOException {
        LstmConfig cfg = LstmConfig.of(2, 4).withNumLayers(2).withGoBackwards(true).withZeroOutputForMask(true)
                .withActivation(dev.lstmflink.core.model.Activation.RELU);
        Path file = tmp.resolve("keras.safetensors");
        LstmSafetensors.write(file, Lstm.f64(cfg, RandomLstm.params(cfg, new Random(3))), "", DType.F32);
        assertEquals(cfg, LstmSafetensors.read(file).config());
        assertEquals(cfg, LstmModelFile.read(file).lstm().config());
    }

    @Test
    void moduleStateDictWithHeadLoadsWithPrefixFoundAutomatically() throws IOException {
        LstmConfig cfg = LstmConfig.of(2, 4);
        NamedTensor head = NamedTensor.ofFloats("head.weight", new int[] {1, 4}, new float[] {1, 2, 3, 4});
        SafetensorsFile f = LstmSafetensors.toFile(Lstm.f64(cfg, RandomLstm.params(cfg, new Random(1))), "model.lstm.",
                DType.F32, List.of(head), Map.of());
        LstmSafetensors.Loaded loaded = LstmSafetensors.find(SafetensorsFile.read(f.toBytes(), "mem"), "mem", null);
        assertEquals("model.lstm.", loaded.prefix());
        assertEquals(cfg, loaded.config());
        assertTrue(loaded.file().get("head.weight").isPresent());
    }

    @Test
    void twoLstmsNeedAnExplicitPrefix() throws IOException {
        LstmConfig cfg = LstmConfig.of(2, 4);
        Lstm<double[]> lstm = Lstm.f64(cfg, RandomLstm.params(cfg, new Random(1)));
        List<NamedTensor> both = new ArrayList<>(LstmSafetensors.toFile(lstm, "enc.", DType.F32, List.of(), Map.of())
                .tensors());
        both.addAll(LstmSafetensors.toFile(lstm, "dec.", DType.F32, List.of(), Map.of()).tensors());
        SafetensorsFile f = SafetensorsFile.of(Map.of(), both);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> LstmSafetensors.find(f, "two.safetensors", null));
        assertTrue(e.getMessage().contains("[dec., enc.]"), e.getMessage());
        assertEquals("dec.", LstmSafetensors.find(f, "two.safetensors", "dec.").prefix());
    }

    @Test
    void missingTensorIsNamed() {
        assertRefused(t -> t.name().equals("bias_hh_l1") ? null : t, "missing tensor 'bias_hh_l1'");
    }

    @Test
    void misshapedTensorIsNamedWithBothShapes() {
        assertRefused(t -> t.name().equals("weight_hh_l1")
                ? NamedTensor.ofFloats(t.name(), new int[] {24, 5}, new float[120]) : t,
                "tensor 'weight_hh_l1' has shape [24, 5], expected [24, 3]");
    }

    @Test
    void extraLstmTensorIsNamed() {
        assertRefusedFile(ts -> {
            ts.add(NamedTensor.ofFloats("bias_hh_l0_old", new int[] {24}, new float[24]));
            return ts;
        }, "unexpected tensor 'bias_hh_l0_old'");
    }

    @Test
    void wrongDtypeIsNamed() {
        assertRefused(t -> t.name().equals("bias_ih_l0")
                ? NamedTensor.of(t.name(), DType.I32, t.shape(), new byte[4 * 24]) : t,
                "tensor 'bias_ih_l0' has dtype I32");
    }

    @Test
    void hiddenSizeNotDivisibleByFourIsRefused() {
        assertRefused(t -> t.name().equals("weight_ih_l0")
                ? NamedTensor.ofFloats(t.name(), new int[] {23, 3}, new float[69]) : t, "4·hidden_size");
    }

    @Test
    void absurdLayerIndexIsRefusedWithoutAllocating() {
        assertRefused(t -> t.name().equals("bias_ih_l1")
                ? NamedTensor.ofFloats("bias_ih_l2000000000", t.shape(), new float[24]) : t, "names layer 2000000000");
    }

    @Test
    void metadataConfigThatContradictsShapesIsRefused() throws IOException {
        LstmConfig cfg = LstmConfig.of(2, 4);
        SafetensorsFile good = LstmSafetensors.toFile(Lstm.f64(cfg, RandomLstm.params(cfg, new Random(1))), "",
                DType.F32, List.of(), Map.of());
        Map<String, String> meta = new LinkedHashMap<>(good.metadata());
        meta.put("lstm_config", "{\"input_size\": 2, \"hidden_size\": 4, \"num_layers\": 2}");
        SafetensorsFile bad = SafetensorsFile.of(meta, good.tensors());
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> LstmSafetensors.find(bad, "bad.safetensors", null));
        assertTrue(e.getMessage().contains("does not match the tensors"), e.getMessage());
        meta.put("lstm_config", "{\"hidden_sise\": 4}");
        SafetensorsFormatException e2 = assertThrows(SafetensorsFormatException.class,
                () -> LstmSafetensors.find(SafetensorsFile.of(meta, good.tensors()), "bad.safetensors", null));
        assertTrue(e2.getMessage().contains("'hidden_sise'"), e2.getMessage());
    }

    @Test
    void fileWithoutLstmSaysWhatItHolds() throws IOException {
        SafetensorsFile f = SafetensorsFile.of(Map.of(),
                List.of(NamedTensor.ofFloats("head.weight", new int[] {1, 2}, new float[2])));
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> LstmSafetensors.find(f, "head.safetensors", null));
        assertTrue(e.getMessage().contains("head.safetensors") && e.getMessage().contains("head.weight"),
                e.getMessage());
    }

    /** Edits the tensors of g2 (L=2, bidirectional, proj 3, H=6) and expects the named refusal. */
    private static void assertRefused(UnaryOperator<NamedTensor> edit, String expected) {
        assertRefusedFile(ts -> {
            List<NamedTensor> edited = new ArrayList<>();
            for (NamedTensor t : ts) {
                NamedTensor n = edit.apply(t);
                if (n != null) {
                    edited.add(n);
                }
            }
            return edited;
        }, expected);
    }

    private static void assertRefusedFile(UnaryOperator<List<NamedTensor>> edit, String expected) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> {
            SafetensorsFile f = SafetensorsFile.read(Path.of("src/test/resources/golden/lstm/"
                    + "g2_projection_bidir_2layer.safetensors"));
            List<NamedTensor> edited = edit.apply(new ArrayList<>(f.tensors()));
            Map<String, String> meta = new LinkedHashMap<>(f.metadata());
            meta.remove("config");
            byte[] bytes = SafetensorsFile.of(meta, edited).toBytes();
            LstmSafetensors.find(SafetensorsFile.read(bytes, "edited.safetensors"), "edited.safetensors", null)
                    .params(Precision.F32);
        });
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith("edited.safetensors"), e.getMessage());
    }

    @Test
    void writtenFileIsWhatFilesHoldOnDisk() throws IOException {
        LstmConfig cfg = LstmConfig.of(1, 2);
        Path file = tmp.resolve("small.safetensors");
        LstmSafetensors.write(file, Lstm.f64(cfg, RandomLstm.params(cfg, new Random(2))), "", DType.F32);
        byte[] bytes = Files.readAllBytes(file);
        long headerLen = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header padded to 8 bytes");
        String header = new String(bytes, 8, (int) headerLen, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains("\"weight_ih_l0\":{\"dtype\":\"F32\",\"shape\":[8,1]"), header);
    }
}
