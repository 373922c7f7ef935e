package dev.lstmflink.flink.train;

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
}
