package dev.lstmflink.train.optim;

import dev.lstmflink.core.model.Precision;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma &amp; Ba 2015, arXiv:1412.6980) exactly as {@code torch.optim.Adam} computes it (amsgrad off): L2
 * {@code weight_decay} added to the gradient, bias-corrected moments, and {@code eps} added <em>after</em> dividing
 * {@code sqrt(v)} by {@code sqrt(1 − β2^t)}. Reference: https://pytorch.org/docs/stable/generated/torch.optim.Adam.html
 *
 * <p>Life cycle: one instance per training run; {@link #step} once per batch with that batch's gradients; the moments
 * ({@link #state()}) can be read and replaced, so that data-parallel workers can average them.
 *
 * @param <A> {@code float[]} or {@code double[]}
 */
public final class Adam<A> {

    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPS = 1e-8;

    private final Precision<A> num;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private List<A> m;
    private List<A> v;
    private long t;

    public Adam(Precision<A> num, double beta1, double beta2, double eps, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (!(eps >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("eps and weight_decay must be >= 0, got " + eps + " and " + weightDecay);
        }
        this.num = num;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** One update of every parameter array, in place, with learning rate {@code lr}. */
    public void step(List<A> params, List<A> grads, double lr) {
        if (m == null) {
            m = new ArrayList<>();
            v = new ArrayList<>();
            for (A p : params) {
                m.add(num.allocate(num.length(p)));
                v.add(num.allocate(num.length(p)));
            }
        }
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        double stepSize = lr / bc1;
        for (int k = 0; k < params.size(); k++) {
            A p = params.get(k);
            A g = grads.get(k);
            A mk = m.get(k);
            A vk = v.get(k);
            int n = num.length(p);
            for (int i = 0; i < n; i++) {
                double grad = num.get(g, i);
                if (weightDecay != 0) {
                    grad += weightDecay * num.get(p, i);
                }
                // first moment (momentum), second moment (RMSprop)
                double mi = beta1 * num.get(mk, i) + (1 - beta1) * grad;
                double vi = beta2 * num.get(vk, i) + (1 - beta2) * grad * grad;
                num.set(mk, i, mi);
                num.set(vk, i, vi);
                // p -= lr / (1 - β1^t) · m / (sqrt(v) / sqrt(1 - β2^t) + eps)
                double denom = Math.sqrt(num.get(vk, i)) / bc2Sqrt + eps;
                num.set(p, i, num.get(p, i) - stepSize * num.get(mk, i) / denom);
            }
        }
    }

    /** Steps taken so far. */
    public long steps() {
        return t;
    }

    /** The moments and step count, for checkpointing or averaging; null before the first step. */
    public State<A> state() {
        return m == null ? null : new State<>(m, v, t);
    }

    public void setState(State<A> s) {
        this.m = s == null ? null : new ArrayList<>(s.m());
        this.v = s == null ? null : new ArrayList<>(s.v());
        this.t = s == null ? 0 : s.steps();
    }

    /** Adam's moments: {@code m} and {@code v} per parameter array, and the step count. */
    public record State<A>(List<A> m, List<A> v, long steps) {}
}
