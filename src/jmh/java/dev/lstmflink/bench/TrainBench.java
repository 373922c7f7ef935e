package dev.lstmflink.bench;

import dev.lstmflink.core.kernel.LstmKernels;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.train.EpochRunner;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.TrainingWindows;
import dev.lstmflink.train.data.SplitMix64;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.Initializers;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;
import dev.lstmflink.train.optim.LrSchedule;
import java.util.Locale;

/**
 * The training benchmark of {@code ../shared/peers/README.md}, with its exact data recipe: LSTM(1→64) + Linear(64→1),
 * windows of T = 100 over a noisy two-tone sine (SplitMix64(42)), batch 32, Adam(1e-3), 10,000 windows per epoch in
 * the order SplitMix64(12345) gives, 3 epochs, float32, on one thread; the eval MSE over all 10,000 windows × 100
 * steps before and after. Prints seconds per epoch. Run: {@code jobs/bench-train [EPOCHS [INIT_SEED]]} (a plain main, not JMH: an epoch
 * is long enough to time directly).
 */
public final class TrainBench {

    static final int N = 10_100;
    static final int T = 100;
    static final int WINDOWS = 10_000;

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        long initSeed = args.length > 1 ? Long.parseLong(args[1]) : 0L;
        float[] s = series();
        TrainingWindows data = new RecipeWindows(s);
        LstmConfig cfg = LstmConfig.of(1, 64);
        HeadSpec head = new HeadSpec(HeadSpec.Kind.REGRESSION, 64, 1, true);
        SplitMix64 init = new SplitMix64(initSeed);
        SequenceModel<float[]> model = new SequenceModel<>(cfg, LstmKernels.preferred(), head,
                Initializers.lstm(cfg, Initializers.Scheme.PYTORCH, init, Precision.F32),
                Initializers.headWeight(1, 64, Initializers.Scheme.PYTORCH, init, Precision.F32),
                Initializers.headBias(1, 64, Initializers.Scheme.PYTORCH, init, Precision.F32));
        TrainOptions o = TrainOptions.defaults().withBatchSize(32).withSchedule(LrSchedule.constant(1e-3));
        o = new TrainOptions(epochs, 32, o.schedule(), 0.9, 0.999, 1e-8, 0.0, 0.0, 0, 0L, Initializers.Scheme.PYTORCH);
        Adam<float[]> adam = new Adam<>(Precision.F32, 0.9, 0.999, 1e-8, 0.0);
        System.out.printf(Locale.ROOT, "kernel %s, init seed %d; eval MSE before: %.5f%n", LstmKernels.preferred().name(), initSeed,
                EpochRunner.validate(model, data, 256).meanLoss());
        SplitMix64 order = new SplitMix64(12345);
        double total = 0;
        for (int e = 0; e < epochs; e++) {
            int[] a = new int[WINDOWS];
            for (int i = 0; i < WINDOWS; i++) {
                a[i] = i;
            }
            order.shuffle(a);
            long t0 = System.nanoTime();
            EpochRunner.Pass pass = EpochRunner.train(model, adam, data, a, 0, WINDOWS, o, 1e-3, null);
            double sec = (System.nanoTime() - t0) / 1e9;
            total += sec;
            System.out.printf(Locale.ROOT, "epoch %d: %.2f s, mean batch loss %.5f%n", e + 1, sec, pass.meanLoss());
        }
        System.out.printf(Locale.ROOT, "seconds per epoch %.2f; eval MSE after %d epochs: %.5f%n", total / epochs,
                epochs, EpochRunner.validate(model, data, 256).meanLoss());
    }

    /** s[t] = (float)(sin(2πt/37) + 0.5·sin(2πt/11) + 0.1·(2u_t − 1)), u from SplitMix64(42). */
    static float[] series() {
        SplitMix64 rnd = new SplitMix64(42);
        float[] s = new float[N];
        for (int t = 0; t < N; t++) {
            double u = rnd.nextDouble();
            s[t] = (float) (Math.sin(2 * Math.PI * t / 37) + 0.5 * Math.sin(2 * Math.PI * t / 11) + 0.1 * (2 * u - 1));
        }
        return s;
    }

    /** Window k: input s[k..k+99], target s[k+1..k+100]; "validation" is every window (the recipe's eval). */
    record RecipeWindows(float[] s) implements TrainingWindows {
        @Override public int seqLen() { return T; }
        @Override public int features() { return 1; }
        @Override public int trainCount() { return WINDOWS; }
        @Override public int valCount() { return WINDOWS; }
        @Override public void fill(boolean validation, int[] ids, int from, int batch, float[] x, float[] y) {
            for (int b = 0; b < batch; b++) {
                int k = ids[from + b];
                for (int t = 0; t < T; t++) {
                    x[t * batch + b] = s[k + t];
                    y[t * batch + b] = s[k + t + 1];
                }
            }
        }
    }
}
