package dev.lstmflink.flink.train;

import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.train.EpochRunner;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.Trainer;
import dev.lstmflink.train.data.Normalization;
import dev.lstmflink.train.data.SplitMix64;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * One shard's part of one epoch, on the subtask of the same number: collects the {@link WindowBlock}s of its
 * windows, and at the end of the input validates the parameters it was sent on its validation windows, then trains
 * its training windows in the order they have in the epoch's shuffled order of all windows, with the in-process
 * code ({@link EpochRunner}). The order is drawn here from the client's shuffling stream ({@code shuffleState}), so
 * only the weights, the Adam moments and the plan cross from the client.
 */
final class ShardTrainOperator extends AbstractStreamOperator<EpochResult>
        implements OneInputStreamOperator<WindowBlock, EpochResult>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final ShardPlan plan;
    private final Normalization normalization;
    private final LstmConfig config;
    private final HeadSpec head;
    private final EmbeddingConfig embedding;
    private final TrainOptions options;
    private final EpochTask task;
    private final long shuffleState;
    private final boolean train;
    private final boolean validate;
    private transient List<WindowBlock> blocks;

    ShardTrainOperator(ShardPlan plan, Normalization normalization, LstmConfig config, HeadSpec head,
                       EmbeddingConfig embedding, TrainOptions options, EpochTask task, long shuffleState,
                       boolean train, boolean validate) {
        this.plan = plan;
        this.normalization = normalization;
        this.config = config;
        this.head = head;
        this.embedding = embedding;
        this.options = options;
        this.task = task;
        this.shuffleState = shuffleState;
        this.train = train;
        this.validate = validate;
    }

    @Override
    public void processElement(StreamRecord<WindowBlock> element) {
        if (blocks == null) {
            blocks = new ArrayList<>();
        }
        blocks.add(element.getValue());
    }

    @Override
    public void endInput() {
        int shard = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        ShardWindows data = new ShardWindows(plan, shard, head.outFeatures(),
                embedding == null ? 0 : embedding.idsPerStep(), normalization, blocks == null ? List.of() : blocks);
        blocks = null;
        SequenceModel<float[]> model = task.model(config, head, embedding);
        EpochResult r = new EpochResult();
        r.shard = shard;
        if (validate && data.valCount() > 0) {
            EpochRunner.Pass v = EpochRunner.validate(model, data, options.batchSize());
            r.valLossSum = v.lossSum();
            r.valWindows = v.windows();
        }
        if (validate && embedding != null) {
            r.validatedParams = Flat.join(model.parameters());
        }
        if (train) {
            Adam<float[]> adam = task.adam(options, config, head, embedding);
            int[] order = localOrder(shard);
            r.trained(model, adam, EpochRunner.train(model, adam, data, order, 0, order.length, options, task.lr,
                    Trainer.dropoutStream(options, task.epoch, shard)));
        }
        output.collect(new StreamRecord<>(r));
    }

    /** The epoch's order of all training windows, kept to this shard's and renumbered locally. */
    private int[] localOrder(int shard) {
        int[] global = Trainer.epochOrder(new SplitMix64(shuffleState), plan.trainCount());
        int[] local = new int[plan.owned(false, shard)];
        int n = 0;
        for (int g : global) {
            if (plan.shardOf(false, g) == shard) {
                local[n++] = plan.localIndex(false, g);
            }
        }
        return local;
    }
}
