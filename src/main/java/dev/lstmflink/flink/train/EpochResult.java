package dev.lstmflink.flink.train;

import dev.lstmflink.train.EpochRunner;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;

/** What a subtask returns after its share of an epoch: parameters, Adam moments, and its summed loss. */
public class EpochResult {

    public int shard;
    public float[] params;
    public float[] adamM;
    public float[] adamV;
    public long adamSteps;
    public double lossSum;
    public long windows;
    /** The validation loss summed over this shard's validation windows (batch losses times batch sizes), at the
     * parameters the subtask was sent, before it trained; 0 when it did not validate. */
    public double valLossSum;
    public long valWindows;
    /** With an embedding: the parameters after validating (max_norm renorms looked-up rows in place), else null. */
    public float[] validatedParams;

    public EpochResult() {}

    /** Records the shard's training: the parameters and Adam moments after it, and its summed loss. */
    void trained(SequenceModel<float[]> model, Adam<float[]> adam, EpochRunner.Pass pass) {
        params = Flat.join(model.parameters());
        Adam.State<float[]> s = adam.state();
        adamM = s == null ? null : Flat.join(s.m());
        adamV = s == null ? null : Flat.join(s.v());
        adamSteps = adam.steps();
        lossSum = pass.lossSum();
        windows = pass.windows();
    }
}
