package dev.lstmflink.flink.train;

import dev.lstmflink.core.kernel.LstmKernels;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.train.EpochRunner;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.Trainer;
import dev.lstmflink.train.TrainingWindows;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Trains one shard for one epoch on a Flink subtask with the same code as the in-process trainer
 * ({@link EpochRunner}); the windows travel with the function.
 */
public class EpochWorker implements MapFunction<EpochTask, EpochResult> {

    private static final long serialVersionUID = 1L;

    private final TrainingWindows data;
    private final LstmConfig config;
    private final HeadSpec head;
    private final TrainOptions options;
    private final EmbeddingConfig embedding;

    public EpochWorker(TrainingWindows data, LstmConfig config, HeadSpec head, TrainOptions options) {
        this(data, config, head, null, options);
    }

    /** With the model's embedding front end, or null for none. */
    public EpochWorker(TrainingWindows data, LstmConfig config, HeadSpec head, EmbeddingConfig embedding,
                       TrainOptions options) {
        this.data = data;
        this.config = config;
        this.head = head;
        this.embedding = embedding;
        this.options = options;
    }

    @Override
    public EpochResult map(EpochTask task) {
        int[] sizes = Flat.sizes(config, head, embedding);
        List<float[]> p = Flat.split(task.params, sizes);
        SequenceModel<float[]> model = new SequenceModel<>(config, LstmKernels.preferred(), head, p.get(0), p.get(1),
                head.bias() ? p.get(2) : null, embedding, embedding == null ? null : p.get(p.size() - 1));
        Adam<float[]> adam = new Adam<>(Precision.F32, options.beta1(), options.beta2(), options.eps(),
                options.weightDecay());
        if (task.adamSteps > 0) {
            adam.setState(new Adam.State<>(Flat.split(task.adamM, sizes), Flat.split(task.adamV, sizes),
                    task.adamSteps));
        }
        EpochRunner.Pass pass = EpochRunner.train(model, adam, data, task.windows, 0, task.windows.length, options,
                task.lr, Trainer.dropoutStream(options, task.epoch, task.shard));
        EpochResult r = new EpochResult();
        r.shard = task.shard;
        r.params = Flat.join(model.parameters());
        Adam.State<float[]> s = adam.state();
        r.adamM = s == null ? null : Flat.join(s.m());
        r.adamV = s == null ? null : Flat.join(s.v());
        r.adamSteps = adam.steps();
        r.lossSum = pass.lossSum();
        r.windows = pass.windows();
        return r;
    }
}
