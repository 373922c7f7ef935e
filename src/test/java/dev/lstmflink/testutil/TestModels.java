package dev.lstmflink.testutil;

import dev.lstmflink.core.io.DType;
import dev.lstmflink.core.io.LstmSafetensors;
import dev.lstmflink.core.io.NamedTensor;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.Lstm;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Model files for operator tests: an {@code lstm.} LSTM with a {@code head.} Linear, as a PyTorch module saves them. */
public final class TestModels {

    private TestModels() {}

    public static byte[] withHead(LstmConfig cfg, int headOut, long seed) {
        Random rnd = new Random(seed);
        double[] params = RandomLstm.params(cfg, rnd);
        float[] w = toFloats(RandomLstm.values(headOut * cfg.outputSize(), 0.5, rnd));
        float[] b = toFloats(RandomLstm.values(headOut, 0.1, rnd));
        List<NamedTensor> head = List.of(NamedTensor.ofFloats("head.weight", new int[] {headOut, cfg.outputSize()}, w),
                NamedTensor.ofFloats("head.bias", new int[] {headOut}, b));
        return LstmSafetensors.toFile(Lstm.f64(cfg, params), "lstm.", DType.F32, head, Map.of()).toBytes();
    }

    public static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
