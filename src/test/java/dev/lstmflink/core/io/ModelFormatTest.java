package dev.lstmflink.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.testutil.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelFormat#detect} chooses the reader by content: safetensors by its length field and '{' at byte 8, JSON by
 * its first byte, whatever the file is called; JSON whose first 8 bytes happen to put '{' at byte 8 is still JSON; a
 * file of no known format is refused with the known formats named (and a damaged HDF5 file by the Keras reader).
 */
class ModelFormatTest {

    static final byte[] SAFETENSORS = TestModels.withHead(LstmConfig.of(2, 3), 1, 9);

    @TempDir
    Path tmp;

    static Optional<ModelFormat> detect(byte[] b) {
        return ModelFormat.detect(Arrays.copyOf(b, Math.min(b.length, ModelFormat.PROBE_BYTES)), b.length);
    }

    static byte[] wolfram() {
        try {
            return WolframLstmJson.write(LstmModelFile.readContents(SAFETENSORS, "model"));
        } catch (SafetensorsFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void eachFormatIsRecognisedByItsFirstBytes() {
        assertEquals(Optional.of(ModelFormat.SAFETENSORS), detect(SAFETENSORS));
        byte[] json = wolfram();
        assertEquals(Optional.of(ModelFormat.WOLFRAM_JSON), detect(json));
        for (String prefix : new String[] {"", "  \n\t\r", "\uFEFF", "\uFEFF \n"}) {
            byte[] b = (prefix + new String(json, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            assertEquals(Optional.of(ModelFormat.WOLFRAM_JSON), detect(b), "after " + Arrays.toString(
                    prefix.getBytes(StandardCharsets.UTF_8)));
        }
        // byte 8 is '{' here, but as a length the first 8 bytes are ~2^62: JSON, not safetensors
        byte[] brace8 = "{\"head\":{\"Weights\":[[1]]}}".getBytes(StandardCharsets.UTF_8);
        assertEquals('{', brace8[8]);
        assertEquals(Optional.of(ModelFormat.WOLFRAM_JSON), detect(brace8));
        // a safetensors file whose length field lies is still safetensors, so that its reader says what is wrong
        byte[] lying = SAFETENSORS.clone();
        lying[5] = 1;
        assertEquals(Optional.of(ModelFormat.SAFETENSORS), detect(lying));
        assertEquals(Optional.empty(), detect("hello, world".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Optional.empty(), detect(new byte[0]));
        assertEquals(Optional.empty(), detect("{x".getBytes(StandardCharsets.US_ASCII)), "not JSON after '{'");
    }

    @Test
    void aFileOfNoKnownFormatNamesTheKnownOnesAndWhatIsWrongWithItAsSafetensors() throws IOException {
        byte[] gif = new byte[64];
        System.arraycopy("GIF89a".getBytes(StandardCharsets.US_ASCII), 0, gif, 0, 6);
        Path p = Files.write(tmp.resolve("model.safetensors"), gif);
        for (IoCall call : new IoCall[] {() -> LstmModelFile.read(gif, p.toString()),
            () -> LstmModelFile.read(p), () -> LstmModelFile.readBytes(p, 1000)}) {
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, call::call);
            String m = e.getMessage();
            assertTrue(m.startsWith(p + ": not a model file of a known format"), m);
            assertTrue(m.contains("safetensors (8-byte little-endian header length") && m.contains("wolfram-lstm JSON")
                    && m.contains("Keras 3") && m.contains("ONNX"), m);
            assertTrue(m.contains("Read as safetensors: header length"), m);
        }
        // a damaged HDF5 file is recognised as Keras and refused by the Keras reader, naming the file
        byte[] hdf5 = new byte[64];
        System.arraycopy(new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'}, 0, hdf5, 0, 8);
        assertEquals(Optional.of(ModelFormat.KERAS), detect(hdf5));
        SafetensorsFormatException h = assertThrows(SafetensorsFormatException.class,
                () -> LstmModelFile.read(hdf5, "broken.h5"));
        assertTrue(h.getMessage().startsWith("broken.h5: ") && h.getMessage().contains("HDF5"), h.getMessage());
        // and a JSON file that is not ours says which format field it wants
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> LstmModelFile.read(
                "{\"format\": \"keras\"}".getBytes(StandardCharsets.UTF_8), "k.json"));
        assertTrue(e.getMessage().contains("\"format\" is \"keras\"") && e.getMessage().contains("wolfram-lstm"),
                e.getMessage());
    }

    @Test
    void theSameModelInEitherFormatLoadsTheSameFromAFileOfAnyName() throws IOException {
        Path a = Files.write(tmp.resolve("a.json"), SAFETENSORS);   // names that lie
        Path b = Files.write(tmp.resolve("b.safetensors"), wolfram());
        var fromSt = LstmModelFile.read(a);
        var fromJson = LstmModelFile.read(b);
        assertEquals(fromSt.lstm().config(), fromJson.lstm().config());
        assertEquals(Map.copyOf(fromSt.metadata()).get(LstmSafetensors.CONFIG_KEY),
                fromJson.metadata().get(LstmSafetensors.CONFIG_KEY));
        float[] y1 = new float[1];
        float[] y2 = new float[1];
        float[] h = {0.25f, -0.5f, 0.75f};
        fromSt.head().apply(h, 0, y1, 0);
        fromJson.head().apply(h, 0, y2, 0);
        assertEquals(y1[0], y2[0], 0.0f);
    }

    interface IoCall {
        Object call() throws IOException;
    }
}
