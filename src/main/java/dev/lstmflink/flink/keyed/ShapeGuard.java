package dev.lstmflink.flink.keyed;

import dev.lstmflink.config.OnStateMismatch;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model shape stored beside a keyed operator's state, and the restore half of the one compatibility rule
 * ({@link ModelShape#sameShape}): every checkpoint stores, as operator state {@value #STATE_NAME} (a union list, one
 * line per subtask), the shape of the model that wrote the keyed state; a restore compares it with the model given
 * before any key is touched.
 *
 * <p>When they differ, {@link OnStateMismatch#FAIL} refuses to start with a message naming both shapes, wrapped in a
 * {@link SuppressRestartsException} (a restart would fail the same way); {@link OnStateMismatch#RESET} starts, and the
 * engine starts each key whose stored state has other lengths than the model's again as a new key on its next event.
 * State without a stored shape (a savepoint of a build before the shape was stored) is checked key by key only, by the
 * lengths of its state, with the same policy; so is a key that a reset-mode run has not reached yet when the next
 * savepoint is taken (that savepoint stores the new shape).
 */
public final class ShapeGuard {

    /** Operator state (union list): the {@link ModelShape} of the model that wrote the keyed state, one per subtask. */
    public static final String STATE_NAME = "model-shape";

    private static final Logger LOG = LoggerFactory.getLogger(ShapeGuard.class);

    private final ListState<String> state;

    private ShapeGuard(ListState<String> state) {
        this.state = state;
    }

    /**
     * Registers the operator state and, on a restore, checks the stored shapes against {@code current}.
     *
     * @param modelSource        the model's name, for messages
     * @param keysHoldPrediction the operator keeps a prediction of the numeric values per key (the detector), so reset
     *                           mode can also tell keys apart by its length; false: by the h/c length only
     */
    public static ShapeGuard restore(FunctionInitializationContext context, ModelShape current,
                                     OnStateMismatch policy, String modelSource, boolean keysHoldPrediction)
            throws Exception {
        ShapeGuard g = new ShapeGuard(context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>(STATE_NAME, StringSerializer.INSTANCE)));
        if (context.isRestored()) {
            check(g.state.get(), current, policy, modelSource, keysHoldPrediction);
        }
        return g;
    }

    /** Stores the shape of the model now serving, at a checkpoint. */
    public void snapshot(ModelShape current) throws Exception {
        state.update(List.of(current.encode()));
    }

    /** The restored shapes (one per subtask that wrote the savepoint, all alike) against this model's. */
    private static void check(Iterable<String> stored, ModelShape current, OnStateMismatch policy, String modelSource,
                              boolean keysHoldPrediction) {
        Set<String> lines = new LinkedHashSet<>();
        stored.forEach(lines::add);
        if (lines.isEmpty()) {
            LOG.info("The restored keyed state holds no model shape (a savepoint of a job without it): each key's "
                    + "state is checked against model {} when the key's next event comes", modelSource);
            return;
        }
        for (String line : lines) {
            ModelShape old;
            try {
                old = ModelShape.decode(line);
            } catch (IllegalStateException e) {
                throw refuse(e.getMessage());
            }
            if (old.sameShape(current)) {
                continue;
            }
            String what = "the savepoint's key state was written by a model of shape " + old.describe() + " (model "
                    + old.modelVersion() + "), model " + modelSource + " (" + current.modelVersion() + ") has shape "
                    + current.describe();
            if (policy == OnStateMismatch.FAIL) {
                throw refuse("Refusing to restore: " + what + ". The keys' LSTM state (h, c) and pending predictions "
                        + "mean nothing to this model. Resume with a model of the savepoint's shape, start without the "
                        + "savepoint (every key starts afresh), or set flink.on_state_mismatch: reset to start the "
                        + "savepoint's keys again one by one");
            }
            if (!old.sizesDifferFrom(current, keysHoldPrediction)) {
                throw refuse("Refusing to restore: " + what + ". flink.on_state_mismatch: reset cannot tell the "
                        + "savepoint's keys from new ones, as both shapes keep " + current.stateValues() + " state "
                        + "values" + (keysHoldPrediction ? " and " + current.numericInputs() + " predicted values" : "")
                        + " per key. Resume with a model of the savepoint's shape, or start without the savepoint");
            }
            LOG.warn("Restoring with {}: flink.on_state_mismatch is reset, so each key of the savepoint starts again "
                    + "as a new key on its next event (counted in metric {})", what,
                    KeyedLstmEngine.METRIC_STATE_RESETS);
        }
    }

    /** Restarting cannot help: the same savepoint and model fail the same way, so the job fails for good. */
    static SuppressRestartsException refuse(String message) {
        return new SuppressRestartsException(new IllegalStateException(message));
    }
}
