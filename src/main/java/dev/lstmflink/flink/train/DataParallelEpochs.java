package dev.lstmflink.flink.train;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.train.EarlyStopping;
import dev.lstmflink.train.EpochRunner;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.Trainer;
import dev.lstmflink.train.TrainingWindows;
import dev.lstmflink.train.data.SplitMix64;
import dev.lstmflink.train.model.SequenceModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Data-parallel training by parameter averaging (McDonald et al. 2010; DL4J's {@code ParameterAveragingTrainingMaster}
 * on Spark): every epoch is a Flink batch job whose P subtasks each train a slice of the epoch's shuffled windows,
 * starting from the same parameters and Adam moments; the client averages what they return and validates.
 *
 * <p>This class ships the windows inside each epoch's job graph ({@link EpochWorker} holds them): for data that is
 * already in memory and small. {@link ShardedTraining} does the same epochs with subtasks that read their own shards
 * from the files.
 *
 * <p>Flink 2 has no iterations in its DataStream API, so the epoch loop runs in the client, one job per epoch. At
 * P = 1 the single subtask trains the whole order with the in-process code ({@link EpochRunner}) and its result is
 * taken as it is, so the run is bit-identical to {@link Trainer#train}.
 *
 * <p>Keras constraints ({@code options.penalties()}) apply after every Adam step inside each subtask, as in process.
 * The mean of constrained weights need not be constrained (the mean of unit vectors is shorter than 1), so at P &gt; 1
 * they are applied once more to the averaged weights; max_norm and non_neg sets are convex and already hold there,
 * up to max_norm's extra factor {@code n / (n + 1e-7)}.
 */
public final class DataParallelEpochs {

    private DataParallelEpochs() {}

    public static Trainer.Result train(SequenceModel<float[]> model, TrainingWindows data, TrainOptions options,
                                       int parallelism, Trainer.Listener listener) throws Exception {
        if (parallelism <= 0) {
            throw new IllegalArgumentException("parallelism must be > 0, got " + parallelism);
        }
        LstmConfig cfg = model.lstm().config();
        options.penalties().checkFits(new LstmLayout(cfg));
        EpochWorker worker = new EpochWorker(data, cfg, model.head(), model.embedding(), options);
        int[] sizes = Flat.sizes(cfg, model.head(), model.embedding());
        SplitMix64 shuffle = Trainer.shuffleStream(options);
        EarlyStopping stop = new EarlyStopping(options.patience());
        List<Trainer.EpochStats> history = new ArrayList<>();
        float[] m = null;
        float[] v = null;
        long steps = 0;
        long start = System.nanoTime();
        for (int epoch = 0; epoch < options.epochs(); epoch++) {
            long t0 = System.nanoTime();
            double lr = options.schedule().lr(epoch);
            int[] order = Trainer.epochOrder(shuffle, data.trainCount());
            List<EpochTask> tasks = new ArrayList<>();
            float[] params = Flat.join(model.parameters());
            for (int s = 0; s < parallelism; s++) {
                EpochTask t = new EpochTask();
                t.epoch = epoch;
                t.shard = s;
                t.windows = Arrays.copyOfRange(order, (int) ((long) s * order.length / parallelism),
                        (int) ((long) (s + 1) * order.length / parallelism));
                t.lr = lr;
                t.params = params;
                t.adamM = m;
                t.adamV = v;
                t.adamSteps = steps;
                tasks.add(t);
            }
            List<EpochResult> results = runEpoch(tasks, worker, parallelism, epoch);
            EpochResult merged = results.size() == 1 ? results.get(0) : average(results);
            m = merged.adamM;
            v = merged.adamV;
            steps = merged.adamSteps;
            List<float[]> next = Flat.split(merged.params, sizes);
            for (int i = 0; i < next.size(); i++) {
                System.arraycopy(next.get(i), 0, model.parameters().get(i), 0, next.get(i).length);
            }
            if (results.size() > 1 && options.penalties().constrains()) {
                options.penalties().constrain(new LstmLayout(cfg), Precision.F32, model.lstm().params());
            }
            double lossSum = 0;
            long n = 0;
            for (EpochResult r : results) {
                lossSum += r.lossSum;
                n += r.windows;
            }
            double val = EpochRunner.validate(model, data, options).meanLoss();
            Trainer.EpochStats s = stop.record(epoch, options.epochs(), lossSum / n, val, lr, t0, start,
                    data.trainCount(), model.parameters());
            history.add(s);
            if (listener != null) {
                listener.epoch(s);
            }
            if (stop.shouldStop()) {
                return stop.result(history, true);
            }
        }
        return stop.result(history, false);
    }

    private static List<EpochResult> runEpoch(List<EpochTask> tasks, EpochWorker worker, int parallelism, int epoch)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(parallelism);
        List<EpochResult> out = new ArrayList<>();
        try (CloseableIterator<EpochResult> it = env.fromData(EpochTask.class, tasks.toArray(new EpochTask[0]))
                .rebalance()
                .map(worker).name("train epoch shard").setParallelism(parallelism)
                .executeAndCollect("train epoch " + (epoch + 1))) {
            it.forEachRemaining(out::add);
        }
        if (out.size() != tasks.size()) {
            throw new IllegalStateException("epoch " + (epoch + 1) + ": " + out.size() + " of " + tasks.size()
                    + " shards came back");
        }
        out.sort((a, b) -> Integer.compare(a.shard, b.shard));
        return out;
    }

    /** The mean of the shards' parameters and Adam moments; the step count is the largest shard's. */
    static EpochResult average(List<EpochResult> rs) {
        EpochResult a = new EpochResult();
        a.params = mean(rs.stream().map(r -> r.params).toList());
        a.adamM = rs.get(0).adamM == null ? null : mean(rs.stream().map(r -> r.adamM).toList());
        a.adamV = rs.get(0).adamV == null ? null : mean(rs.stream().map(r -> r.adamV).toList());
        a.adamSteps = rs.stream().mapToLong(r -> r.adamSteps).max().orElse(0);
        return a;
    }

    private static float[] mean(List<float[]> arrays) {
        float[] out = new float[arrays.get(0).length];
        for (int i = 0; i < out.length; i++) {
            double s = 0;
            for (float[] a : arrays) {
                s += a[i];
            }
            out[i] = (float) (s / arrays.size());
        }
        return out;
    }
}
