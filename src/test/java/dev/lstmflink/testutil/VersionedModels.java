package dev.lstmflink.testutil;

import dev.lstmflink.core.io.DType;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.LstmSafetensors;
import dev.lstmflink.core.io.NamedTensor;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.Lstm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small model files (LSTM 1 -> 4 with a head) that carry a {@code model_version}, for the publishing tests. */
public final class VersionedModels {

    private VersionedModels() {}

    /** A model file's bytes with {@code model_version} = {@code version}; the seed picks the weights. */
    public static byte[] bytes(String version, long seed) {
        LstmConfig cfg = LstmConfig.of(1, 4);
        Random rnd = new Random(seed);
        Lstm<double[]> lstm = Lstm.f64(cfg, RandomLstm.params(cfg, rnd));
        float[] w = TestModels.toFloats(RandomLstm.values(4, 0.5, rnd));
        float[] b = TestModels.toFloats(RandomLstm.values(1, 0.1, rnd));
        List<NamedTensor> head = List.of(NamedTensor.ofFloats("head.weight", new int[] {1, 4}, w),
                NamedTensor.ofFloats("head.bias", new int[] {1}, b));
        return LstmSafetensors.toFile(lstm, "lstm.", DType.F32, head, Map.of(LstmModelFile.VERSION_KEY, version))
                .toBytes();
    }

    /** Writes {@link #bytes} to {@code file} and returns it. */
    public static Path write(Path file, String version, long seed) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, bytes(version, seed));
    }
}
