package dev.lstmflink.flink.keyed;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.LstmModel;
import java.util.HashMap;
import java.util.Map;

/**
 * The shape of the state a model leaves per key, and the one rule for which models may read it ({@link #sameShape}):
 * what both keyed operators write into their operator state on every checkpoint, so that a restore can compare it
 * with the model it is given before any key is touched ({@link RestoredShape}), and what a model swap must keep
 * ({@link #swapRefusal}).
 *
 * <p>A key's {@code lstm-state} holds L·(H_out + H) floats (h and c of every layer) and, in the detector, its
 * {@code prediction} m floats, m the numeric inputs; both mean something only to a model of the same input size I, hidden size H, layer
 * count L, projection P and the same split of I into m numeric values and k embedded ids (an embedding adds nothing to
 * the state, but its rows are part of what the LSTM read). Two shapes can have the same number of state values (L = 2,
 * H = 8 and L = 1, H = 16 both give 32), so the sizes a key's state happens to have cannot tell them apart: the stored
 * shape can.
 *
 * <p>Stored as one line,
 * {@code v1;input_size=1;hidden_size=8;num_layers=1;proj_size=0;state_values=16;numeric_inputs=1;ids_per_step=0;model=...}:
 * a later release can add fields (readers ignore those they do not know). {@code numeric_inputs} and
 * {@code ids_per_step} came with the embedding (issue 7); a line without them, from an earlier release's savepoint, is
 * a model without an embedding ({@code numeric_inputs = input_size}, {@code ids_per_step = 0}). The model's version
 * travels along for the message only; a model of the same shape with other weights (a retrained one) is accepted.
 *
 * @param numericInputs m, the numeric values of an event and the length of a key's prediction
 * @param idsPerStep    k, the embedded ids of an event (0 without an embedding)
 * @param stateValues   L·(H_out + H), the length of a key's h and c
 */
public record ModelShape(int inputSize, int hiddenSize, int numLayers, int projSize, int stateValues, int numericInputs,
                  int idsPerStep, String modelVersion) {

    private static final String FORMAT = "v1";

    /** A model without an embedding: all of input_size numeric. */
    public ModelShape(int inputSize, int hiddenSize, int numLayers, int projSize, int stateValues,
                      String modelVersion) {
        this(inputSize, hiddenSize, numLayers, projSize, stateValues, inputSize, 0, modelVersion);
    }

    /** The shape of a model's per-key state. */
    public static ModelShape of(LstmModel m) {
        LstmConfig c = m.lstm().config();
        return new ModelShape(c.inputSize(), c.hiddenSize(), c.numLayers(), c.projSize(), m.lstm().stepper().stateSize(),
                m.numericInputs(), m.idsPerStep(), m.version());
    }

    /**
     * The shape of the model-free detector (the last value as prediction): no LSTM state ({@code hidden_size=0}), so
     * a restore with a model, or a model's savepoint without one, is a shape mismatch.
     */
    public static ModelShape modelFree(int numericInputs, String name) {
        return new ModelShape(numericInputs, 0, 0, 0, 0, name);
    }

    /**
     * Why {@code next} cannot take over every key's state from {@code running}, or null when it can: the one rule for
     * a swap, the same as a restore's ({@link #sameShape}), plus that it must be steppable one event at a time.
     * Another embedding table of the same width is accepted, as other weights are (an id outside a smaller table is
     * rejected when its event is stepped).
     */
    public static String swapRefusal(LstmModel running, LstmModel next) {
        ModelShape a = of(running);
        ModelShape b = of(next);
        if (!a.sameShape(b)) {
            return "model " + next.version() + " has shape " + b.describe() + "; the running model "
                    + running.version() + " has " + a.describe() + ", and every key's state is shaped by it";
        }
        if (next.lstm().config().bidirectional()) {
            return "model " + next.version() + " is bidirectional and cannot be stepped one event at a time";
        }
        return null;
    }

    /** The line stored in operator state. */
    public String encode() {
        return FORMAT + ";input_size=" + inputSize + ";hidden_size=" + hiddenSize + ";num_layers=" + numLayers
                + ";proj_size=" + projSize + ";state_values=" + stateValues + ";numeric_inputs=" + numericInputs
                + ";ids_per_step=" + idsPerStep + ";model=" + modelVersion;
    }

    /** @throws IllegalStateException naming the line when it is not a shape this release can read */
    public static ModelShape decode(String line) {
        String[] parts = line.split(";", -1);
        if (!FORMAT.equals(parts[0])) {
            throw new IllegalStateException("the savepoint's model shape \"" + line + "\" is of format " + parts[0]
                    + ", this release reads " + FORMAT);
        }
        Map<String, String> f = new HashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0) {
                f.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
        }
        try {
            int inputSize = Integer.parseInt(f.get("input_size"));
            return new ModelShape(inputSize, Integer.parseInt(f.get("hidden_size")),
                    Integer.parseInt(f.get("num_layers")), Integer.parseInt(f.get("proj_size")),
                    Integer.parseInt(f.get("state_values")),
                    Integer.parseInt(f.getOrDefault("numeric_inputs", String.valueOf(inputSize))),
                    Integer.parseInt(f.getOrDefault("ids_per_step", "0")), f.getOrDefault("model", "?"));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("the savepoint's model shape \"" + line + "\" cannot be read: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Same input size, hidden size, layer count, projection, numeric inputs and ids per step (the version, and the
     * embedding table's size and weights, do not matter).
     */
    public boolean sameShape(ModelShape o) {
        return inputSize == o.inputSize && hiddenSize == o.hiddenSize && numLayers == o.numLayers
                && projSize == o.projSize && stateValues == o.stateValues && numericInputs == o.numericInputs
                && idsPerStep == o.idsPerStep;
    }

    /**
     * True when a key's state written with {@code o} has other lengths than one written with this shape (its h/c or
     * its prediction), so that each key can be checked on its own.
     */
    public boolean sizesDifferFrom(ModelShape o) {
        return sizesDifferFrom(o, true);
    }

    /**
     * As {@link #sizesDifferFrom(ModelShape)}, for an operator whose keys hold a prediction of the numeric values (the
     * detector) or only their h and c (the plain operator, whose keys differ only when the state's length does).
     */
    public boolean sizesDifferFrom(ModelShape o, boolean keysHoldPrediction) {
        return stateValues != o.stateValues || keysHoldPrediction && numericInputs != o.numericInputs;
    }

    /**
     * For messages: {@code input_size=1, hidden_size=8, num_layers=1, proj_size=0 (16 state values per key)}; with an
     * embedding {@code input_size=6 (2 numeric + 2 embedded ids), ...}.
     */
    public String describe() {
        String split = idsPerStep == 0 && numericInputs == inputSize ? ""
                : " (" + numericInputs + " numeric + " + idsPerStep + " embedded id" + (idsPerStep == 1 ? "" : "s") + ")";
        return "input_size=" + inputSize + split + ", hidden_size=" + hiddenSize + ", num_layers=" + numLayers
                + ", proj_size=" + projSize + " (" + stateValues + " state values per key)";
    }
}
