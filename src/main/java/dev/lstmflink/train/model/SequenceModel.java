package dev.lstmflink.train.model;

import dev.lstmflink.core.kernel.LstmKernel;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.core.nn.DropoutConfig;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.Gradients;
import dev.lstmflink.core.nn.Lstm;
import java.util.List;

/**
 * What the trainer trains: the core LSTM and a dense head applied at every step, with its loss, forward and backward
 * over a batch of windows (BPTT through the whole window).
 *
 * <p>Parameters are three arrays, in this order: the LSTM's ({@link dev.lstmflink.core.model.LstmLayout} order),
 * {@code head.weight [K, Hout·D]} row-major and {@code head.bias [K]} (absent without bias). Gradients come in the
 * same shapes, so an optimiser pairs them by position.
 *
 * <p>Shapes: T steps, B windows, I inputs, K head outputs; every batch buffer is time-major, element (t, b, j) at
 * {@code (t·B + b)·width + j}.
 *
 * @param <A> {@code float[]} or {@code double[]}
 */
public final class SequenceModel<A> {

    private final Lstm<A> lstm;
    private final HeadSpec head;
    private final A headWeight;
    private final A headBias;
    private final Precision<A> num;

    public SequenceModel(LstmConfig config, LstmKernel<A> kernel, HeadSpec head, A lstmParams, A headWeight,
                         A headBias) {
        int hOut = config.numDirections() * config.outputSize();
        if (head.inFeatures() != hOut) {
            throw new IllegalArgumentException("head in_features " + head.inFeatures() + " must equal the LSTM's "
                    + "output size " + hOut);
        }
        this.lstm = new Lstm<>(config, kernel, lstmParams);
        this.head = head;
        this.num = kernel.precision();
        this.headWeight = headWeight;
        this.headBias = head.bias() ? headBias : null;
        check("head.weight", num.length(headWeight), head.outFeatures() * head.inFeatures());
        if (head.bias()) {
            check("head.bias", num.length(headBias), head.outFeatures());
        }
    }

    public Lstm<A> lstm() {
        return lstm;
    }

    public HeadSpec head() {
        return head;
    }

    public A headWeight() {
        return headWeight;
    }

    public A headBias() {
        return headBias;
    }

    /** The parameter arrays (LSTM, head weight, head bias if any): what the optimiser updates, in place. */
    public List<A> parameters() {
        return headBias == null ? List.of(lstm.params(), headWeight) : List.of(lstm.params(), headWeight, headBias);
    }

    /** Forward only: the head's outputs {@code [T,B,K]} (logits for classification). */
    public A predict(A x, int seqLen, int batch) {
        ForwardPass<A> pass = lstm.forward(x, seqLen, batch, null, null, null);
        return headForward(pass.output(), seqLen * batch);
    }

    /**
     * Loss and gradients of one batch.
     *
     * @param target regression: {@code [T,B,K]} values; classification: {@code [T,B]} class indices stored as numbers
     */
    public Step<A> lossAndGradients(A x, A target, int seqLen, int batch) {
        return lossAndGradients(x, target, seqLen, batch, null);
    }

    /** As {@link #lossAndGradients(Object, Object, int, int)}, in training mode: dropout masks from {@code rng}. */
    public Step<A> lossAndGradients(A x, A target, int seqLen, int batch, java.util.random.RandomGenerator rng) {
        return lossAndGradients(x, target, seqLen, batch, DropoutConfig.NONE, rng);
    }

    /**
     * As {@link #lossAndGradients(Object, Object, int, int)}, in training mode when {@code rng} is not null: the
     * config's inter-layer dropout and the kinds of {@code drop} inside the layers, masks from {@code rng}. With a
     * null {@code rng} (validation) no dropout applies, whatever {@code drop} says.
     */
    public Step<A> lossAndGradients(A x, A target, int seqLen, int batch, DropoutConfig drop,
                                    java.util.random.RandomGenerator rng) {
        ForwardPass<A> pass = rng == null ? lstm.forward(x, seqLen, batch, null, null, null)
                : lstm.forwardTraining(x, seqLen, batch, null, null, null, null, drop, rng);
        int rows = seqLen * batch;
        A out = headForward(pass.output(), rows);
        A dOut = num.allocate(rows * head.outFeatures());
        double loss = head.kind() == HeadSpec.Kind.REGRESSION ? Losses.mse(num, out, target, dOut)
                : Losses.crossEntropy(num, out, target, rows, head.outFeatures(), dOut);
        A dW = num.allocate(num.length(headWeight));
        A dB = headBias == null ? null : num.allocate(head.outFeatures());
        A dh = headBackward(pass.output(), dOut, rows, dW, dB);
        Gradients<A> g = pass.backward(dh, null, null);
        List<A> grads = dB == null ? List.of(g.params(), dW) : List.of(g.params(), dW, dB);
        return new Step<>(loss, grads, out);
    }

    /** The result of {@link #lossAndGradients}: the mean loss, a gradient per parameter array, the head outputs. */
    public record Step<A>(double loss, List<A> gradients, A outputs) {}

    /** {@code y[r,:] = W h[r,:] + b} for every (t, b) row r. */
    private A headForward(A h, int rows) {
        int in = head.inFeatures();
        int k = head.outFeatures();
        A y = num.allocate(rows * k);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < k; o++) {
                double s = headBias == null ? 0 : num.get(headBias, o);
                for (int j = 0; j < in; j++) {
                    s += num.get(headWeight, o * in + j) * num.get(h, r * in + j);
                }
                num.set(y, r * k + o, s);
            }
        }
        return y;
    }

    /** Backward of {@link #headForward}: accumulates dW, dB; returns ∂L/∂h {@code [T,B,Hout·D]}. */
    private A headBackward(A h, A dy, int rows, A dW, A dB) {
        int in = head.inFeatures();
        int k = head.outFeatures();
        A dh = num.allocate(rows * in);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < k; o++) {
                double d = num.get(dy, r * k + o);
                if (d == 0) {
                    continue;
                }
                if (dB != null) {
                    num.set(dB, o, num.get(dB, o) + d);
                }
                for (int j = 0; j < in; j++) {
                    num.set(dW, o * in + j, num.get(dW, o * in + j) + d * num.get(h, r * in + j));
                    num.set(dh, r * in + j, num.get(dh, r * in + j) + d * num.get(headWeight, o * in + j));
                }
            }
        }
        return dh;
    }

    private static void check(String name, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(name + " has " + actual + " values, expected " + expected);
        }
    }
}
