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

    /** k, the categorical ids of each step (0: none; the windows carry numeric values only). */
    default int idsPerStep() {
        return 0;
    }

    /**
     * Fills {@code out [T,B,k]} (element (t, b, i) at {@code (t·B + b)·k + i}) with the ids of the input steps of the
     * same windows as {@link #fill}.
     */
    default void fillIds(boolean validation, int[] windows, int from, int batch, int[] out) {
        throw new UnsupportedOperationException("these windows carry no ids");
    }

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
        @Override public int idsPerStep() { return set.idCount(); }
        @Override public void fillIds(boolean validation, int[] windows, int from, int batch, int[] out) {
            (validation ? set.validation() : set.train()).fillIds(windows, from, batch, out);
        }
    }
}
