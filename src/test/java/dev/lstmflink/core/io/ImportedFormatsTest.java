package dev.lstmflink.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.io.keras.KerasWeights;
import dev.lstmflink.core.io.onnx.OnnxLstm;
import dev.lstmflink.core.nn.LstmModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keras and ONNX files go through the one entry point every job uses ({@link LstmModelFile}), chosen by content: each
 * fixture, renamed to {@code model.bin}, loads to the same parameters and head as its own importer reads.
 */
class ImportedFormatsTest {

    static final Path MODELS = Path.of("src/test/resources/models");

    @TempDir
    Path tmp;

    @Test
    void kerasAndOnnxFilesLoadThroughLstmModelFileWhateverTheirName() throws IOException {
        int kerasLoaded = 0;
        for (Path f : files(MODELS.resolve("keras"), ".weights.h5", ".keras")) {
            LstmModel direct = importer(() -> KerasWeights.read(Files.readAllBytes(f), f.toString()));
            if (direct != null) {
                check(f, ModelFormat.KERAS, direct);
                kerasLoaded++;
            }
        }
        int onnxLoaded = 0;
        for (Path f : files(MODELS.resolve("onnx"), ".onnx")) {
            LstmModel direct = importer(() -> OnnxLstm.read(Files.readAllBytes(f), f.toString()));
            if (direct != null) {
                check(f, ModelFormat.ONNX, direct);
                onnxLoaded++;
            }
        }
        // the fixtures made to be refused (mixed units, peepholes, clip, ...) are the importers' own tests'
        assertTrue(kerasLoaded >= 8 && onnxLoaded >= 5, "loaded " + kerasLoaded + " Keras and " + onnxLoaded + " ONNX");
    }

    private interface Read {
        LstmModel read() throws IOException;
    }

    /** The importer's model, or null when it refuses the file. */
    private static LstmModel importer(Read r) {
        try {
            return r.read();
        } catch (IOException refused) {
            return null;
        }
    }

    private void check(Path f, ModelFormat expected, LstmModel direct) throws IOException {
        Path renamed = Files.copy(f, tmp.resolve("model.bin"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        byte[] bytes = LstmModelFile.readBytes(renamed, LstmModelFile.DEFAULT_MAX_BYTES);
        assertEquals(expected, LstmModelFile.readContents(bytes, renamed.toString()).format(), f.toString());
        LstmModel m = LstmModelFile.read(renamed);
        assertEquals(direct.lstm().config(), m.lstm().config(), f.toString());
        assertArrayEquals(direct.lstm().params(), m.lstm().params(), f.toString());
        assertEquals(direct.head() == null, m.head() == null, f.toString());
        if (m.head() != null) {
            assertArrayEquals(direct.head().weight(), m.head().weight(), f.toString());
        }
    }

    private static List<Path> files(Path dir, String... suffixes) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Stream.of(suffixes).anyMatch(x -> p.getFileName().toString().endsWith(x)))
                    .sorted().toList();
        }
    }
}
