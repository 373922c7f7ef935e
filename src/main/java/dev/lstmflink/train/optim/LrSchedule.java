package dev.lstmflink.train.optim;

import java.io.Serializable;

/** The learning rate of each epoch (0-based), as PyTorch's schedulers stepped once per epoch. */
public interface LrSchedule extends Serializable {

    double lr(int epoch);

    /** A constant rate. */
    static LrSchedule constant(double lr) {
        return epoch -> lr;
    }

    /** {@code StepLR}: {@code lr · gamma^⌊epoch / stepSize⌋}. */
    static LrSchedule step(double lr, int stepSize, double gamma) {
        if (stepSize <= 0) {
            throw new IllegalArgumentException("step_size must be > 0, got " + stepSize);
        }
        return epoch -> lr * Math.pow(gamma, epoch / stepSize);
    }

    /** {@code CosineAnnealingLR}: {@code etaMin + (lr − etaMin)(1 + cos(π·epoch/tMax))/2}, flat after tMax. */
    static LrSchedule cosine(double lr, int tMax, double etaMin) {
        if (tMax <= 0) {
            throw new IllegalArgumentException("t_max must be > 0, got " + tMax);
        }
        return epoch -> etaMin + (lr - etaMin) * (1 + Math.cos(Math.PI * Math.min(epoch, tMax) / tMax)) / 2;
    }
}
