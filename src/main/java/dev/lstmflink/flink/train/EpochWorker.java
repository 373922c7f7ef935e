package dev.lstmflink.flink.train;

import dev.lstmflink.core.kernel.LstmKernels;
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

    public EpochWorker(TrainingWindows data, LstmConfig config, HeadSpec head, TrainOptions options) {
        this.data = data;
        this.config = config;
        this.head = head;
        this.options = options;
    }

    @Override
    public EpochResult map(EpochTask task) {
        List<float[]> p = Flat.split(task.params, Flat.sizes(config, head));
        SequenceModel<float[]> model = new SequenceModel<>(config, LstmKernels.preferred(), head, p.get(0), p.get(1),
                p.size() > 2 ? p.get(2) : null);
        Adam<float[]> adam = new Adam<>(Precision.F32, options.beta1(), options.beta2(), options.eps(),
                options.weightDecay());
        if (task.adamSteps > 0) {
            adam.setState(new Adam.State<>(Flat.split(task.adamM, Flat.sizes(config, head)),
                    Flat.split(task.adamV, Flat.sizes(config, head)), task.adamSteps));
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
