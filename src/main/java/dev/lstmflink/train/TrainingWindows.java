package dev.lstmflink.train;

/**
 * The windows a trainer learns from: T steps of k features, input rows s..s+T−1 and targets s+1..s+T (next-step
 * regression), split by time into a training and a validation part. Batches are filled time-major.
 */
public interface TrainingWindows {

    int seqLen();

    int features();

    int trainCount();

    int valCount();

    /**
     * Fills {@code x [T,B,k]} and {@code y [T,B,k]} (element (t, b, j) at {@code (t·B + b)·k + j}) with the windows
     * {@code ids[from .. from+batch)} of the training part, or of the validation part.
     */
    void fill(boolean validation, int[] ids, int from, int batch, float[] x, float[] y);

    /** The windows of a {@link dev.lstmflink.train.data.WindowSet} (files or folders of CSV series). */
    static TrainingWindows of(dev.lstmflink.train.data.WindowSet set) {
        return new WindowSetWindows(set);
    }

    /** A serializable view of a window set, so a Flink job can ship it to its subtasks. */
    record WindowSetWindows(dev.lstmflink.train.data.WindowSet set) implements TrainingWindows, java.io.Serializable {
        @Override public int seqLen() { return set.windowLength(); }
        @Override public int features() { return set.featureCount(); }
        @Override public int trainCount() { return set.train().size(); }
        @Override public int valCount() { return set.validation().size(); }
        @Override public void fill(boolean validation, int[] ids, int from, int batch, float[] x, float[] y) {
            (validation ? set.validation() : set.train()).fillBatch(ids, from, batch, x, y);
        }
    }
}
