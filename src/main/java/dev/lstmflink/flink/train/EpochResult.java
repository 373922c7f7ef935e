package dev.lstmflink.flink.train;

/** What a subtask returns after its share of an epoch: parameters, Adam moments, and its summed loss. */
public class EpochResult {

    public int shard;
    public float[] params;
    public float[] adamM;
    public float[] adamV;
    public long adamSteps;
    public double lossSum;
    public long windows;

    public EpochResult() {}
}
