package dev.lstmflink.flink.train;

import dev.lstmflink.core.kernel.LstmKernels;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;
import java.util.List;

/**
 * One subtask's share of one epoch: its training windows (a slice of the epoch's shuffled order), the learning rate,
 * and the parameters and Adam moments to start from, flattened into single arrays (a Flink POJO, no Kryo).
 */
public class EpochTask implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    public int epoch;
    public int shard;
    public int[] windows;
    public double lr;
    public float[] params;
    public float[] adamM;
    public float[] adamV;
    public long adamSteps;

    public EpochTask() {}

    /** The model at this task's parameters ({@link #params}, laid out as {@link Flat#sizes} says). */
    SequenceModel<float[]> model(LstmConfig config, HeadSpec head, EmbeddingConfig embedding) {
        List<float[]> p = Flat.split(params, Flat.sizes(config, head, embedding));
        return new SequenceModel<>(config, LstmKernels.preferred(), head, p.get(0), p.get(1),
                head.bias() ? p.get(2) : null, embedding, embedding == null ? null : p.get(p.size() - 1));
    }

    /** Adam with the options' settings, continuing from this task's moments when it has taken steps. */
    Adam<float[]> adam(TrainOptions options, LstmConfig config, HeadSpec head, EmbeddingConfig embedding) {
        Adam<float[]> adam = new Adam<>(Precision.F32, options.beta1(), options.beta2(), options.eps(),
                options.weightDecay());
        if (adamSteps > 0) {
            int[] sizes = Flat.sizes(config, head, embedding);
            adam.setState(new Adam.State<>(Flat.split(adamM, sizes), Flat.split(adamV, sizes), adamSteps));
        }
        return adam;
    }
}
