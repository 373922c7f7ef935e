package dev.lstmflink.nab;

import java.util.Objects;

/**
 * One of NAB's application profiles ({@code config/profiles.json}, its {@code CostMatrix}): how much a detected window
 * earns ({@code tpWeight}, for a detection at the window's very start), what a false positive costs at most
 * ({@code fpWeight}) and what a missed window costs ({@code fnWeight}). NAB v1.1 ships {@code standard} (1, 0.11, 1),
 * {@code reward_low_FP_rate} (1, 0.22, 1) and {@code reward_low_FN_rate} (1, 0.11, 2). {@code tnWeight} is in NAB's
 * files but NAB's scoring never uses it, nor does {@link NabScorer}.
 *
 * <p>See Lavin &amp; Ahmad 2015, "Evaluating Real-time Anomaly Detection Algorithms – the Numenta Anomaly Benchmark",
 * section on application profiles.
 */
public record NabProfile(String name, double tpWeight, double fpWeight, double fnWeight, double tnWeight) {

    public NabProfile {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a profile needs a name");
        }
        check(name, "tpWeight", tpWeight);
        check(name, "fpWeight", fpWeight);
        check(name, "fnWeight", fnWeight);
        check(name, "tnWeight", tnWeight);
    }

    private static void check(String profile, String what, double w) {
        if (!Double.isFinite(w) || w < 0) {
            throw new IllegalArgumentException("profile " + profile + ": " + what + " must be a finite number >= 0, got "
                    + w);
        }
    }
}
