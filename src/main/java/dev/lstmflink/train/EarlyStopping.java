package dev.lstmflink.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the parameters of the best validation loss so far and says when {@code patience} epochs have passed without
 * improvement (0: never). Also turns an epoch's timings into {@link Trainer.EpochStats}.
 */
public final class EarlyStopping {

    private final int patience;
    private List<float[]> best;
    private int bestEpoch = -1;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private int sinceBest;

    public EarlyStopping(int patience) {
        this.patience = patience;
    }

    public Trainer.EpochStats record(int epoch, int epochs, double trainLoss, double valLoss, double lr, long epochStartNanos,
                              long runStartNanos, long samples, List<float[]> params) {
        long now = System.nanoTime();
        boolean improved = valLoss < bestLoss;
        if (improved) {
            bestLoss = valLoss;
            bestEpoch = epoch;
            sinceBest = 0;
            best = new ArrayList<>();
            for (float[] p : params) {
                best.add(p.clone());
            }
        } else {
            sinceBest++;
        }
        double seconds = (now - epochStartNanos) / 1e9;
        double perEpoch = (now - runStartNanos) / 1e9 / (epoch + 1);
        return new Trainer.EpochStats(epoch + 1, epochs, trainLoss, valLoss, lr, seconds, samples / seconds,
                perEpoch * (epochs - epoch - 1), improved);
    }

    public boolean shouldStop() {
        return patience > 0 && sinceBest >= patience;
    }

    public Trainer.Result result(List<Trainer.EpochStats> history, boolean stoppedEarly) {
        return new Trainer.Result(best, bestEpoch + 1, bestLoss, history, stoppedEarly);
    }
}
