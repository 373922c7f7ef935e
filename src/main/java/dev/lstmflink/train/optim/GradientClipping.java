package dev.lstmflink.train.optim;

import dev.lstmflink.core.model.Precision;
import java.util.List;

/** Clipping by global norm, as {@code torch.nn.utils.clip_grad_norm_} (norm type 2). */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * Scales every gradient by {@code min(1, maxNorm / (‖g‖ + 1e-6))}, where {@code ‖g‖} is the 2-norm of all
     * gradients together, and returns {@code ‖g‖} before clipping. {@code maxNorm ≤ 0} or infinite only measures.
     */
    public static <A> double clip(Precision<A> num, List<A> grads, double maxNorm) {
        double sq = 0;
        for (A g : grads) {
            for (int i = 0; i < num.length(g); i++) {
                double x = num.get(g, i);
                sq += x * x;
            }
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && Double.isFinite(maxNorm)) {
            double coef = Math.min(1.0, maxNorm / (norm + 1e-6));
            if (coef < 1.0) {
                for (A g : grads) {
                    for (int i = 0; i < num.length(g); i++) {
                        num.set(g, i, num.get(g, i) * coef);
                    }
                }
            }
        }
        return norm;
    }
}
