package dev.lstmflink.connect;

import dev.lstmflink.core.nn.LstmModel;
import java.io.Serializable;

/**
 * What each record must carry for the model that scores it: {@code values} numeric values and {@code ids} categorical
 * ids, each id a row of an embedding table of {@code numEmbeddings} rows ({@code torch.nn.Embedding}'s
 * {@code num_embeddings}). The parsers refuse a record that does not fit as a dead letter, so that a bad id is
 * reported with the record's origin (topic, partition, offset) rather than only where the operator finds it.
 *
 * @param values        the numeric values per record, the model's numeric inputs (0 when it takes ids only)
 * @param ids           the categorical ids per record, the embedding's {@code ids_per_step}; 0 without an embedding
 * @param numEmbeddings N: an id must lie in {@code [0, N)}; 0 when the parser only checks that ids are not negative
 *                      (the operator then checks the table's range, with reason {@code bad_id} too)
 */
public record EventShape(int values, int ids, int numEmbeddings) implements Serializable {

    public EventShape {
        if (values < 0 || ids < 0 || values + ids < 1) {
            throw new IllegalArgumentException("a record must carry at least one value or id, got " + values
                    + " values and " + ids + " ids");
        }
        if (numEmbeddings < 0 || ids == 0 && numEmbeddings != 0) {
            throw new IllegalArgumentException("num_embeddings must be >= 0, and 0 without ids; got " + numEmbeddings
                    + " with " + ids + " ids");
        }
    }

    /** Numeric values only (a model without an embedding). */
    public static EventShape values(int values) {
        return new EventShape(values, 0, 0);
    }

    /** What {@code model}'s events carry: its numeric inputs and its embedding's ids per step, with the table's size. */
    public static EventShape of(LstmModel model) {
        return new EventShape(model.numericInputs(), model.idsPerStep(),
                model.embedding() == null ? 0 : model.embedding().config().numEmbeddings());
    }

    /** Why {@code id} cannot be an id of this shape, naming {@code field} and the value; null when it can. */
    String invalidId(String field, long id) {
        if (id < 0) {
            return field + " is " + id + ", a negative id (ids are rows of the embedding table, from 0)";
        }
        if (numEmbeddings > 0 && id >= numEmbeddings) {
            return field + " is " + id + ", outside [0, num_embeddings = " + numEmbeddings + ")";
        }
        if (id > Integer.MAX_VALUE) {
            return field + " is " + id + ", beyond the largest id " + Integer.MAX_VALUE;
        }
        return null;
    }

    @Override
    public String toString() {
        return values + " value" + (values == 1 ? "" : "s") + (ids == 0 ? ""
                : " and " + ids + " id" + (ids == 1 ? "" : "s") + (numEmbeddings > 0 ? " in [0, " + numEmbeddings + ")"
                : ""));
    }
}
