package dev.lstmflink.train.data;

import java.io.Serializable;
import java.util.List;

/**
 * The categorical id columns of the training CSVs (config {@code data.id_columns}): value columns of a
 * {@code key,ts,...} header whose cells are ids for the embedding front end, non-negative integers below
 * {@code num_embeddings}, instead of numeric features. Each step's ids are in the order listed here; the other value
 * columns are the numeric features (and what the head predicts). A cell that is not such an id makes the row a bad
 * row whose reason names the column and the value.
 *
 * @param names         the id columns, by header name (compared without case), in the order the model embeds them
 * @param numEmbeddings N: ids must be in {@code [0, N)}
 */
public record IdColumns(List<String> names, int numEmbeddings) implements Serializable {

    /** No id columns: every value column is numeric. */
    public static final IdColumns NONE = new IdColumns(List.of(), Integer.MAX_VALUE);

    public IdColumns {
        names = List.copyOf(names);
        if (numEmbeddings <= 0) {
            throw new IllegalArgumentException("num_embeddings must be > 0, got " + numEmbeddings);
        }
    }

    /** k, the ids per row. */
    public int count() {
        return names.size();
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }
}
