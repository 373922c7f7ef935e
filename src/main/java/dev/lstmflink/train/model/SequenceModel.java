package dev.lstmflink.train.model;

import dev.lstmflink.core.kernel.LstmKernel;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.core.nn.DropoutConfig;
import dev.lstmflink.core.nn.Embedding;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.Gradients;
import dev.lstmflink.core.nn.Lstm;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What the trainer trains: the core LSTM and a dense head applied at every step, with its loss, forward and backward
 * over a batch of windows (BPTT through the whole window).
 *
 * <p>Parameters are up to four arrays, in this order: the LSTM's ({@link dev.lstmflink.core.model.LstmLayout}
 * order), {@code head.weight [K, Hout·D]} row-major, {@code head.bias [K]} (absent without bias) and
 * {@code embedding.weight [N, De]} row-major (absent without an embedding). Gradients come in the same shapes, so an
 * optimiser pairs them by position.
 *
 * <p>The optional embedding front end is PyTorch's {@code nn.Embedding} before the LSTM (see {@link EmbeddingConfig}):
 * a step's LSTM input is {@code [v_t ; E[id_t,0] ; ... ; E[id_t,k-1]]}, m numeric values then k looked-up rows, so
 * I = m + k·De. Its gradient is the scatter-add of the LSTM input gradient's embedded part into the looked-up rows,
 * none into {@code padding_idx}'s row; with {@code max_norm} the looked-up rows are renormed in place before every
 * forward ({@code embedding_renorm_}, as PyTorch's {@code F.embedding} does in training and evaluation alike), and
 * the renorm is not differentiated (as in PyTorch).
 *
 * <p>Shapes: T steps, B windows, I LSTM inputs (m numeric + k·De embedded), K head outputs; every batch buffer is
 * time-major, element (t, b, j) at {@code (t·B + b)·width + j}; ids are {@code [T, B, k]}.
 *
 * @param <A> {@code float[]} or {@code double[]}
 */
public final class SequenceModel<A> {

    private final Lstm<A> lstm;
    private final HeadSpec head;
    private final A headWeight;
    private final A headBias;
    private final Precision<A> num;
    private final EmbeddingConfig embedding;
    private final A embeddingWeight;

    public SequenceModel(LstmConfig config, LstmKernel<A> kernel, HeadSpec head, A lstmParams, A headWeight,
                         A headBias) {
        this(config, kernel, head, lstmParams, headWeight, headBias, null, null);
    }

    /**
     * With an embedding front end when {@code embedding} is not null: {@code embeddingWeight [N, De]} row-major, kept
     * (the optimiser updates it in place), and the LSTM's input size is m + k·De with m ≥ 0 numeric values.
     */
    public SequenceModel(LstmConfig config, LstmKernel<A> kernel, HeadSpec head, A lstmParams, A headWeight,
                         A headBias, EmbeddingConfig embedding, A embeddingWeight) {
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
        this.embedding = embedding;
        this.embeddingWeight = embedding == null ? null : embeddingWeight;
        if (embedding != null) {
            check("embedding.weight", num.length(embeddingWeight), embedding.weightCount());
            if (embedding.embeddedWidth() > config.inputSize()) {
                throw new IllegalArgumentException("the embedding gives " + embedding.embeddedWidth() + " LSTM "
                        + "inputs (ids_per_step " + embedding.idsPerStep() + " x embedding_dim "
                        + embedding.embeddingDim() + "), more than the LSTM's input_size " + config.inputSize());
            }
        }
    }

    /** The embedding's config, or null without one. */
    public EmbeddingConfig embedding() {
        return embedding;
    }

    /** {@code embedding.weight [N, De]}, or null. */
    public A embeddingWeight() {
        return embeddingWeight;
    }

    /** m, the numeric values of a step: the LSTM's inputs without the embedded part. */
    public int numericInputs() {
        return lstm.config().inputSize() - (embedding == null ? 0 : embedding.embeddedWidth());
    }

    /** k, the ids of a step (0 without an embedding). */
    public int idsPerStep() {
        return embedding == null ? 0 : embedding.idsPerStep();
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
        List<A> p = new ArrayList<>(4);
        p.add(lstm.params());
        p.add(headWeight);
        if (headBias != null) {
            p.add(headBias);
        }
        if (embeddingWeight != null) {
            p.add(embeddingWeight);
        }
        return List.copyOf(p);
    }

    /** Forward only: the head's outputs {@code [T,B,K]} (logits for classification). */
    public A predict(A x, int seqLen, int batch) {
        return predict(x, null, seqLen, batch);
    }

    /**
     * Forward only, with the ids {@code [T,B,k]} of an embedding ({@code x} then holds the m numeric values of each
     * step); with {@code max_norm} the looked-up rows are renormed first, as PyTorch's forward does.
     */
    public A predict(A x, int[] ids, int seqLen, int batch) {
        ForwardPass<A> pass = lstm.forward(lstmInput(x, ids, seqLen * batch), seqLen, batch, null, null, null);
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
        return lossAndGradients(x, null, target, seqLen, batch, drop, rng);
    }

    /**
     * As {@link #lossAndGradients(Object, Object, int, int, DropoutConfig, java.util.random.RandomGenerator)} with the
     * ids {@code [T,B,k]} of the embedding ({@code x} then holds the m numeric values of each step, {@code [T,B,m]});
     * the gradient list ends with {@code embedding.weight}'s.
     */
    public Step<A> lossAndGradients(A x, int[] ids, A target, int seqLen, int batch, DropoutConfig drop,
                                    java.util.random.RandomGenerator rng) {
        int rows = seqLen * batch;
        A in = lstmInput(x, ids, rows);
        ForwardPass<A> pass = rng == null ? lstm.forward(in, seqLen, batch, null, null, null)
                : lstm.forwardTraining(in, seqLen, batch, null, null, null, null, drop, rng);
        A out = headForward(pass.output(), rows);
        A dOut = num.allocate(rows * head.outFeatures());
        double loss = head.kind() == HeadSpec.Kind.REGRESSION ? Losses.mse(num, out, target, dOut)
                : Losses.crossEntropy(num, out, target, rows, head.outFeatures(), dOut);
        A dW = num.allocate(num.length(headWeight));
        A dB = headBias == null ? null : num.allocate(head.outFeatures());
        A dh = headBackward(pass.output(), dOut, rows, dW, dB);
        Gradients<A> g = pass.backward(dh, null, null);
        List<A> grads = new ArrayList<>(4);
        grads.add(g.params());
        grads.add(dW);
        if (dB != null) {
            grads.add(dB);
        }
        if (embedding != null) {
            grads.add(embeddingBackward(g.input(), ids, rows));
        }
        return new Step<>(loss, List.copyOf(grads), out);
    }

    /**
     * The LSTM input {@code [T,B,I]}: {@code x} itself without an embedding; else each row's m numeric values followed
     * by its k embedding rows, after renorming the batch's rows when {@code max_norm} is set.
     */
    private A lstmInput(A x, int[] ids, int rows) {
        if (embedding == null) {
            if (ids != null) {
                throw new IllegalArgumentException("ids given, but the model has no embedding");
            }
            return x;
        }
        int k = embedding.idsPerStep();
        int d = embedding.embeddingDim();
        int m = numericInputs();
        if (ids == null || ids.length < rows * k) {
            throw new IllegalArgumentException("the embedding needs " + rows * k + " ids ([T, B, " + k + "]), got "
                    + (ids == null ? "none" : ids.length));
        }
        for (int r = 0; r < rows * k; r++) {
            String bad = embedding.invalidId("id", ids[r]);
            if (bad != null) {
                throw new IllegalArgumentException(bad);
            }
        }
        if (embedding.hasMaxNorm()) {
            renorm(java.util.Arrays.copyOf(ids, rows * k));
        }
        int width = m + k * d;
        A in = num.allocate(rows * width);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < m; j++) {
                num.set(in, r * width + j, num.get(x, r * m + j));
            }
            for (int i = 0; i < k; i++) {
                int row = ids[r * k + i] * d;
                int dst = r * width + m + i * d;
                for (int j = 0; j < d; j++) {
                    num.set(in, dst + j, num.get(embeddingWeight, row + j));
                }
            }
        }
        return in;
    }

    /** {@code embedding_renorm_}: float32 tables through the core's {@link Embedding#renormRows}, float64 in double. */
    private void renorm(int[] ids) {
        if (embeddingWeight instanceof float[] f) {
            new Embedding(embedding, f).renormRows(ids);
            return;
        }
        int d = embedding.embeddingDim();
        double p = embedding.normType();
        BitSet done = new BitSet(embedding.numEmbeddings());
        for (int id : ids) {
            if (done.get(id)) {
                continue;
            }
            done.set(id);
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += Math.pow(Math.abs(num.get(embeddingWeight, id * d + j)), p);
            }
            double norm = Math.pow(s, 1 / p);
            if (norm > embedding.maxNorm()) {
                double scale = embedding.maxNorm() / (norm + Embedding.RENORM_EPS);
                for (int j = 0; j < d; j++) {
                    num.set(embeddingWeight, id * d + j, num.get(embeddingWeight, id * d + j) * scale);
                }
            }
        }
    }

    /**
     * ∂L/∂E: for every (t, b) row and id slot i, {@code dE[id] += dx[r, m + i·De .. m + (i+1)·De)}, skipping
     * {@code padding_idx} (PyTorch's embedding_backward leaves its row at zero).
     */
    private A embeddingBackward(A dx, int[] ids, int rows) {
        int k = embedding.idsPerStep();
        int d = embedding.embeddingDim();
        int m = numericInputs();
        int width = m + k * d;
        A dE = num.allocate(embedding.weightCount());
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < k; i++) {
                int id = ids[r * k + i];
                if (id == embedding.paddingIdx()) {
                    continue;
                }
                num.addTo(dE, id * d, dx, r * width + m + i * d, d);
            }
        }
        return dE;
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
