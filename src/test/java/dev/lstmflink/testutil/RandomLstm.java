package dev.lstmflink.testutil;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import java.util.Random;

/** Random configurations and PyTorch-default weights, U(−1/√H, 1/√H), for property tests. */
public final class RandomLstm {

    private RandomLstm() {}

    public static double[] params(LstmConfig config, Random rnd) {
        double k = 1 / Math.sqrt(config.hiddenSize());
        double[] p = new double[new LstmLayout(config).size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) ((2 * rnd.nextDouble() - 1) * k);   // float-representable, so f32 and f64 runs agree
        }
        return p;
    }

    public static double[] values(int n, double scale, Random rnd) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((2 * rnd.nextDouble() - 1) * scale);
        }
        return v;
    }

    /** A random unidirectional or bidirectional config of small sizes, any of which may be off the lane count. */
    public static LstmConfig config(Random rnd, boolean allowBidirectional) {
        int hidden = 1 + rnd.nextInt(40);
        int proj = rnd.nextBoolean() && hidden > 1 ? 1 + rnd.nextInt(hidden - 1) : 0;
        return new LstmConfig(1 + rnd.nextInt(12), hidden, 1 + rnd.nextInt(3), rnd.nextBoolean(),
                rnd.nextBoolean(), 0.0, allowBidirectional && rnd.nextBoolean(), proj);
    }
}
