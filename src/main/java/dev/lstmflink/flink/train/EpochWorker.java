package dev.lstmflink.flink.train;

import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.train.EpochRunner;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.Trainer;
import dev.lstmflink.train.TrainingWindows;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;
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
        SequenceModel<float[]> model = task.model(config, head, embedding);
        Adam<float[]> adam = task.adam(options, config, head, embedding);
        EpochRunner.Pass pass = EpochRunner.train(model, adam, data, task.windows, 0, task.windows.length, options,
                task.lr, Trainer.dropoutStream(options, task.epoch, task.shard));
        EpochResult r = new EpochResult();
        r.shard = task.shard;
        r.trained(model, adam, pass);
        return r;
    }
}
